#include "execute/partition_scheduler.h"

#include <algorithm>
#include <mutex>

#include "execute/plan_mismatch.h"
#include "execute/staged_files.h"
#include "util/error_kind.h"
#include "util/logging.h"
#include "util/parallel_for.h"

namespace s3c {

std::vector<PartitionScheduler::Task> PartitionScheduler::TasksOf(
    const std::vector<Item>& items, const std::vector<size_t>& which,
    std::vector<size_t>* groups_left) const {
  std::vector<Task> tasks;
  for (size_t i : which) {
    const PartitionPlan& plan = *items[i].plan;
    if (plan.action == PartitionAction::kCompact) {
      (*groups_left)[i] = plan.groups.size();
      for (size_t g = 0; g < plan.groups.size(); ++g) tasks.push_back({i, g});
    } else if (plan.action == PartitionAction::kCopy) {
      (*groups_left)[i] = 1;
      tasks.push_back({i, plan.groups.size()});
    }
  }
  return tasks;
}

arrow::Result<GroupOutput> PartitionScheduler::RunGroup(const PartitionPlan& plan,
                                                        size_t group) const {
  // A writer that throws (a bug) fails its partition, which is left as it was; the others go on.
  auto unexpected = [&](const std::string& what) {
    return WithKind(arrow::Status::UnknownError("partition ", PartitionName(plan.partition.path), ", group ",
                                                group, ": internal error: ", what),
                    ErrorKind::kInternal);
  };
  try {
    auto writer = MakeGroupWriter(plan, group, layout_, options_,
                                  [this](int64_t bytes) { progress_.Advance(bytes); });
    return writer->Run();
  } catch (const std::exception& e) {
    return unexpected(std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return unexpected("unexpected exception of an unknown type");
  }
}

std::vector<size_t> PartitionScheduler::RunTasks(const std::vector<Item>& items,
                                                 const std::vector<Task>& tasks,
                                                 std::vector<size_t>& groups_left,
                                                 bool may_replan, const OnWritten& on_written,
                                                 const MayStart& may_start) {
  std::mutex mutex;  // guards every item's write, groups_left and the decisions below
  std::vector<size_t> mismatched;
  enum class Start : uint8_t { kUndecided, kStarted, kDeferred };
  std::vector<Start> start(items.size(), Start::kUndecided);
  int64_t started = 0;
  ParallelFor(tasks.size(), parallelism_, [&](size_t t) {
    const Task& task = tasks[t];
    const PartitionPlan& plan = *items[task.item].plan;
    PartitionWrite& write = *items[task.item].write;
    bool failed_already;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (may_start && start[task.item] == Start::kUndecided) {
        // Decided once per partition, by whichever of its groups comes first.
        start[task.item] = may_start(started) ? Start::kStarted : Start::kDeferred;
        if (start[task.item] == Start::kStarted) ++started;
        write.deferred = start[task.item] == Start::kDeferred;
      }
      failed_already = !write.status.ok() || write.deferred;
    }
    if (task.group < plan.groups.size() && !failed_already) {
      auto result = RunGroup(plan, task.group);
      std::lock_guard<std::mutex> lock(mutex);
      if (result.ok()) {
        write.rows_read += result->rows_read;
        if (write.rows_instead.empty()) write.rows_instead = result->rows_instead;
        write.digest.Add(result->digest);
        write.sort.rows += result->sort.rows;
        write.sort.runs_spilled += result->sort.runs_spilled;
        write.sort.bytes_spilled += result->sort.bytes_spilled;
        write.outputs.insert(write.outputs.end(), result->files.begin(), result->files.end());
      } else if (write.status.ok()) {
        write.status = result.status();
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (--groups_left[task.item] != 0) return;
    }
    if (write.deferred) return;  // nothing of it ran: not handed over
    if (may_replan && PlanMismatch::Is(write.status)) {
      log::Info("partition ", PartitionName(plan.partition.path), ": ", write.status.message());
      StagedFiles(file_systems_, std::move(write.outputs)).Discard();
      std::lock_guard<std::mutex> lock(mutex);
      mismatched.push_back(task.item);
      return;
    }
    on_written(task.item);
  });
  std::sort(mismatched.begin(), mismatched.end());
  return mismatched;
}

arrow::Status PartitionScheduler::Run(const std::vector<Item>& items, const Replan& replan,
                                      const OnWritten& on_written, const MayStart& may_start) {
  std::vector<size_t> all(items.size()), groups_left(items.size(), 0);
  for (size_t i = 0; i < items.size(); ++i) all[i] = i;
  std::vector<size_t> mismatched =
      RunTasks(items, TasksOf(items, all, &groups_left), groups_left, /*may_replan=*/true,
               on_written, may_start);
  if (mismatched.empty()) return arrow::Status::OK();

  std::vector<Partition> again;
  for (size_t i : mismatched) again.push_back(items[i].plan->partition);
  ARROW_ASSIGN_OR_RAISE(std::vector<PartitionPlan> replanned, replan(std::move(again)));
  for (size_t k = 0; k < mismatched.size(); ++k) {
    const size_t i = mismatched[k];
    *items[i].plan = std::move(replanned[k]);
    *items[i].write = PartitionWrite{};
    if (items[i].plan->action == PartitionAction::kFail) {
      log::Error("partition ", PartitionName(items[i].plan->partition.path), ": ", items[i].plan->reason);
    }
  }
  // These partitions had started: they finish whatever the limits say.
  RunTasks(items, TasksOf(items, mismatched, &groups_left), groups_left, /*may_replan=*/false,
           on_written, nullptr);
  return arrow::Status::OK();
}

}  // namespace s3c
