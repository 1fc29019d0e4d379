#pragma once
// PartitionScheduler: runs every group of every partition to compact or copy, in parallel, and
// hands each partition over (`on_written`) as soon as its last group is done, so partitions
// finish, and publish, early. Groups start in partition order (ParallelFor starts items in
// index order).
//
// A partition whose deferred footers turn out not to match its sample (PlanMismatch) is not
// handed over: its staged files are discarded and, once every other group has run, `replan`
// plans it again from every footer, and its new groups run (a second mismatch is an ordinary
// failure). A partition the re-planning decides to skip or fail is not handed over either.
//
// A group writer that throws (a bug) fails its partition with an internal error; an exception
// from `on_written` reaches the caller of Run once the running groups finish (ParallelFor).
//
// `may_start`, when given, is asked once per partition, under the scheduler's lock, as the
// first of its groups is about to start (with the number of partitions started so far): a
// partition it refuses is marked `deferred`, nothing of it runs and it is not handed over; a
// partition it lets start runs all its groups (a re-planned one included).
//
// Thread-safety: `on_written` is called from the worker threads, once per partition, possibly
// concurrently for different partitions.

#include <functional>
#include <vector>

#include <arrow/result.h>

#include "catalog/partition.h"
#include "execute/group_writer.h"
#include "execute/partition_write.h"
#include "report/progress_bar.h"
#include "storage/file_systems.h"

namespace s3c {

class PartitionScheduler {
 public:
  /// One partition: its plan (replaced if it is re-planned) and where its writes gather.
  struct Item {
    PartitionPlan* plan;
    PartitionWrite* write;
  };
  /// Plans these partitions again from every footer; one plan per partition, in order.
  using Replan = std::function<arrow::Result<std::vector<PartitionPlan>>(std::vector<Partition>)>;
  using OnWritten = std::function<void(size_t item)>;
  using MayStart = std::function<bool(int64_t started)>;

  PartitionScheduler(const RunLayout& layout, const ExecuteOptions& options, int parallelism,
                     FileSystems& file_systems, ProgressBar& progress)
      : layout_(layout),
        options_(options),
        parallelism_(parallelism),
        file_systems_(file_systems),
        progress_(progress) {}

  /// Errors only if re-planning itself fails (nothing of those partitions was published).
  arrow::Status Run(const std::vector<Item>& items, const Replan& replan,
                    const OnWritten& on_written, const MayStart& may_start = nullptr);

 private:
  struct Task {
    size_t item;
    size_t group;  // == groups.size() for a copy-only partition (nothing to write)
  };
  std::vector<Task> TasksOf(const std::vector<Item>& items, const std::vector<size_t>& which,
                            std::vector<size_t>* groups_left) const;
  /// One group's writer, run; an exception becomes the group's error.
  arrow::Result<GroupOutput> RunGroup(const PartitionPlan& plan, size_t group) const;
  /// Runs `tasks`; the items whose plan did not match are returned (when `may_replan`).
  std::vector<size_t> RunTasks(const std::vector<Item>& items, const std::vector<Task>& tasks,
                               std::vector<size_t>& groups_left, bool may_replan,
                               const OnWritten& on_written, const MayStart& may_start);

  const RunLayout& layout_;
  const ExecuteOptions& options_;
  const int parallelism_;
  FileSystems& file_systems_;
  ProgressBar& progress_;
};

}  // namespace s3c
