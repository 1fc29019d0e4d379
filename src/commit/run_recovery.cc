#include "commit/run_recovery.h"

#include "plan/shard.h"

#include <chrono>

#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include "commit/partition_publisher.h"
#include "util/clock.h"
#include "util/logging.h"

namespace s3c {
namespace {

OriginalsPolicy PolicyOf(const std::string& name) {
  if (name == "delete") return OriginalsPolicy::kDelete;
  if (name == "archive") return OriginalsPolicy::kArchive;
  return OriginalsPolicy::kKeep;
}

// The output at `final` is complete: the size recorded, and for a compacted file its footer's
// row count.
bool OutputComplete(const Location& final, const JournalOutput& output) {
  auto info = final.fs->GetFileInfo(final.path);
  if (!info.ok() || info->type() != arrow::fs::FileType::File || info->size() != output.bytes) {
    return false;
  }
  if (output.rows < 0) return true;
  auto file = final.fs->OpenInputFile(*info);
  if (!file.ok()) return false;
  try {
    return parquet::ParquetFileReader::Open(*file)->metadata()->num_rows() == output.rows;
  } catch (const std::exception&) {
    return false;
  }
}

bool SameFolder(const Location& a, const Location& b) { return a.Contains(b) && b.Contains(a); }

}  // namespace

arrow::Result<const std::map<std::string, std::string>*> RunRecovery::Locations() {
  if (!locations_) {
    if (!catalog_locations_) {
      return arrow::Status::Invalid("the catalog that was repointed cannot be asked");
    }
    ARROW_ASSIGN_OR_RAISE(auto locations, catalog_locations_());
    locations_ = std::move(locations);
  }
  return &*locations_;
}

arrow::Result<RecoveryReport> RunRecovery::RecoverAll(
    std::optional<std::vector<std::string>> listed) {
  RecoveryReport report;
  if (!listed) {
    ARROW_ASSIGN_OR_RAISE(listed, RunJournal::ListRuns(runs_dir_));
  }
  const std::vector<std::string>& runs = *listed;
  const std::optional<Shard> own = Shard::FromScope(scope_);
  for (const auto& run : runs) {
    if (run == current_run_id_) continue;
    auto plan = RunJournal::ReadPlan(runs_dir_.Child(run));
    if (plan.ok() && own && plan->scope != scope_) {
      const std::optional<Shard> theirs = Shard::FromScope(plan->scope);
      if (theirs && theirs->count == own->count) continue;  // a sibling shard's: its own to finish
      return arrow::Status::Invalid(
          "run ", run, " (", plan->scope.empty() ? "not sharded" : plan->scope,
          ") left partitions half done; finish it with `s3-compaction recover` (no --shard) "
          "before running shards");
    }
    ++report.runs;
    auto st = plan.ok() ? RecoverRun(run, *plan, &report) : plan.status();
    if (!st.ok()) {
      ++report.failures;
      report.lines.push_back("run " + run + ": " + st.message());
    }
  }
  return report;
}

arrow::Status RunRecovery::RecoverRun(const std::string& run_id, const JournalPlan& plan,
                                      RecoveryReport* report) {
  Location run_dir = runs_dir_.Child(run_id);
  ARROW_ASSIGN_OR_RAISE(Location planned_table, file_systems_.Resolve(plan.table_location));
  if (!(planned_table.Contains(table_root_) && table_root_.Contains(planned_table))) {
    return arrow::Status::Invalid("its journal is about the table at ", plan.table_location,
                                  ", not this one at ", table_root_.uri(), "; left alone");
  }
  // What this run may delete: what its own plan said it would touch.
  for (const std::string& uri : {plan.staging_root, plan.archive_root}) {
    ARROW_ASSIGN_OR_RAISE(Location where, file_systems_.Resolve(uri));
    // The folder above the run's own (.../staging, .../archive): the run's folder itself goes.
    where.path = where.path.substr(0, where.path.rfind('/'));
    file_systems_.AllowDeletesUnder(where);
  }
  for (const auto& partition : plan.partitions) {
    for (const std::string& uri : {partition.location, partition.output_dir}) {
      ARROW_ASSIGN_OR_RAISE(Location where, file_systems_.Resolve(uri));
      file_systems_.AllowDeletesUnder(where);
    }
  }
  bool pending = false;
  for (const auto& partition : plan.partitions) {
    std::optional<PartitionState> before;
    auto result = RecoverPartition(plan, partition, run_dir, report, &before);
    if (!result.ok()) {
      ++report->failures;
      report->lines.push_back("run " + run_id + ", partition " + partition.path + ": " +
                              result.status().message());
      pending = true;  // keep the journal: the next run tries again
      continue;
    }
    pending |= *result;
    if (partition.location == partition.output_dir &&
        (before == PartitionState::kPublishing || before == PartitionState::kRemoving)) {
      // Rolled forward in place: the crash came before the run's catalog step, so the catalog's
      // statistics for it (file count, size) are stale; the caller may refresh them.
      auto record = RunJournal::ReadRecord(run_dir, partition.path);
      if (record.ok() && *record && ((*record)->state == PartitionState::kDone ||
                                     (*record)->state == PartitionState::kRemoving)) {
        report->settled_in_place.push_back({partition.path, partition.location});
      }
    }
  }
  ARROW_ASSIGN_OR_RAISE(Location staging, file_systems_.Resolve(plan.staging_root));
  ARROW_RETURN_NOT_OK(file_systems_.DeleteFolder(staging));
  FileSystems::RemoveEmptyFolders(staging, RunLayout::kToolFolder);
  if (!pending) ARROW_RETURN_NOT_OK(RunJournal::DeleteRun(file_systems_, run_dir));
  return arrow::Status::OK();
}

arrow::Result<bool> RunRecovery::RecoverPartition(const JournalPlan& plan,
                                                  const JournalPartition& partition,
                                                  const Location& run_dir,
                                                  RecoveryReport* report,
                                                  std::optional<PartitionState>* before) {
  ARROW_ASSIGN_OR_RAISE(auto stored, RunJournal::ReadRecord(run_dir, partition.path));
  if (!stored) return false;  // nothing visible happened
  *before = stored->state;
  PartitionRecord record = *stored;
  const std::string who = "run " + plan.run_id + ", partition " + partition.path + ": ";

  ARROW_ASSIGN_OR_RAISE(Location table, file_systems_.Resolve(plan.table_location));
  ARROW_ASSIGN_OR_RAISE(Location archive_root, file_systems_.Resolve(plan.archive_root));
  RunLayout layout(plan.run_id, table, table, std::nullopt);
  const OriginalsPolicy policy = plan.delete_grace_minutes > 0 && plan.policy == "delete"
                                     ? (partition.location == partition.output_dir
                                            ? OriginalsPolicy::kArchive
                                            : OriginalsPolicy::kKeep)
                                     : PolicyOf(plan.policy);
  PartitionPublisher publisher(layout, file_systems_, policy, io_threads_);
  const Location archive_dir = archive_root.Child(partition.path);

  auto roll_back = [&](const std::string& why) -> arrow::Result<bool> {
    std::vector<Location> placed;
    for (const auto& o : record.outputs) {
      ARROW_ASSIGN_OR_RAISE(Location final, file_systems_.Resolve(o.final));
      auto info = final.fs->GetFileInfo(final.path);
      if (info.ok() && info->type() == arrow::fs::FileType::File) placed.push_back(final);
    }
    auto failures = file_systems_.DeleteFiles(placed);
    if (!failures.empty()) return failures.front().second;
    record.state = PartitionState::kRolledBack;
    ARROW_RETURN_NOT_OK(RunJournal::WriteRecord(run_dir, partition.path, record));
    report->lines.push_back(who + "rolled back (" + why + "); " + std::to_string(placed.size()) +
                            " new file(s) removed, partition as it was");
    return false;
  };

  switch (record.state) {
    case PartitionState::kRolledBack:
      return false;
    case PartitionState::kPublished: {
      if (!plan.repoint) return roll_back("it was never finished");
      // The crash fell around the catalog update: the catalog says which side readers see.
      ARROW_ASSIGN_OR_RAISE(const auto* locations, Locations());
      auto it = locations->find(partition.path);
      ARROW_ASSIGN_OR_RAISE(Location old_dir, file_systems_.Resolve(partition.location));
      ARROW_ASSIGN_OR_RAISE(Location new_dir, file_systems_.Resolve(partition.output_dir));
      std::optional<Location> now;
      if (it != locations->end()) {
        ARROW_ASSIGN_OR_RAISE(now, file_systems_.Resolve(it->second));
      }
      if (now && SameFolder(*now, old_dir)) return roll_back("its catalog update never happened");
      if (!now || !SameFolder(*now, new_dir)) {
        return arrow::Status::Invalid(
            "the catalog now points at ", now ? now->uri() : std::string("no partition"),
            ", neither its old location ", old_dir.uri(), " nor the new ", new_dir.uri(),
            "; both left as they are");
      }
      // Every output was placed and verified before the catalog moved: roll forward.
      [[fallthrough]];
    }
    case PartitionState::kPublishing: {
      if (plan.repoint && record.state == PartitionState::kPublishing) {
        return roll_back("its catalog update never happened");
      }
      // Roll forward only if every output can be put in place and checks out.
      for (const auto& o : record.outputs) {
        ARROW_ASSIGN_OR_RAISE(Location final, file_systems_.Resolve(o.final));
        if (OutputComplete(final, o)) continue;
        arrow::Status placed = arrow::Status::IOError("not staged");
        if (!o.staged.empty()) {
          ARROW_ASSIGN_OR_RAISE(Location staged, file_systems_.Resolve(o.staged));
          if (OutputComplete(staged, o)) {
            if (!final.is_s3()) {
              std::string parent = final.path.substr(0, final.path.rfind('/'));
              ARROW_RETURN_NOT_OK(final.fs->CreateDir(parent, true));
            }
            placed = final.is_s3() ? staged.fs->CopyFile(staged.path, final.path)
                                   : PartitionPublisher::MoveFile(staged, final);
          }
        } else if (!o.source.empty()) {
          ARROW_ASSIGN_OR_RAISE(Location source, file_systems_.Resolve(o.source));
          placed = source.fs->CopyFile(source.path, final.path);
        }
        if (!placed.ok() || !OutputComplete(final, o)) {
          return roll_back("output " + o.final + " could not be completed");
        }
      }
      [[fallthrough]];
    }
    case PartitionState::kRepointed:
    case PartitionState::kRemoving: {
      std::vector<Location> to_remove;
      std::vector<std::string> problems;
      for (const auto& input : partition.inputs) {
        ARROW_ASSIGN_OR_RAISE(Location original, file_systems_.Resolve(input.uri));
        ARROW_ASSIGN_OR_RAISE(auto info, original.fs->GetFileInfo(original.path));
        if (info.type() == arrow::fs::FileType::NotFound) continue;  // already removed
        if (ChangedSince(info, input.size, input.mtime_ns)) {
          problems.push_back(input.uri + " changed since planning; left where it was");
          continue;
        }
        to_remove.push_back(original);
      }
      record.state = PartitionState::kRemoving;
      ARROW_RETURN_NOT_OK(RunJournal::WriteRecord(run_dir, partition.path, record));
      ARROW_ASSIGN_OR_RAISE(auto removed, publisher.RemoveFiles(to_remove, archive_dir));
      problems.insert(problems.end(), removed.problems.begin(), removed.problems.end());
      // Originals that still cannot be removed keep the partition "removing" for the next run.
      record.state = removed.problems.empty() ? PartitionState::kDone : PartitionState::kRemoving;
      record.problems = problems;
      if (plan.delete_grace_minutes > 0) {
        for (const auto& a : removed.archived) record.pending_delete.push_back(a.uri());
        if (policy == OriginalsPolicy::kKeep) {
          for (const auto& o : to_remove) record.pending_delete.push_back(o.uri());
        }
        record.delete_after_unix = NowUnix() + plan.delete_grace_minutes * 60;
      }
      ARROW_RETURN_NOT_OK(RunJournal::WriteRecord(run_dir, partition.path, record));
      report->lines.push_back(who + "rolled forward; " + std::to_string(removed.removed) +
                              " original(s) " +
                              (policy == OriginalsPolicy::kDelete ? "deleted" : "archived") +
                              (problems.empty() ? "" : "; " + problems.front()));
      if (!removed.problems.empty()) {
        ++report->failures;
        return true;
      }
      return !record.pending_delete.empty();
    }
    case PartitionState::kDone: {
      if (record.pending_delete.empty()) return false;
      if (NowUnix() < record.delete_after_unix) return true;  // not yet
      std::vector<Location> due;
      for (const auto& uri : record.pending_delete) {
        ARROW_ASSIGN_OR_RAISE(Location file, file_systems_.Resolve(uri));
        due.push_back(file);
      }
      auto failures = file_systems_.DeleteFiles(due);
      record.pending_delete.clear();
      for (const auto& [file, st] : failures) record.pending_delete.push_back(file.uri());
      ARROW_RETURN_NOT_OK(RunJournal::WriteRecord(run_dir, partition.path, record));
      report->lines.push_back(who + "grace period over; " +
                              std::to_string(due.size() - failures.size()) +
                              " original(s) deleted");
      return !record.pending_delete.empty();
    }
  }
  return false;
}

}  // namespace s3c
