#pragma once
// RunRecovery: finishes or undoes what earlier runs left half done, from their journals, and
// deletes originals whose grace period has passed. A run does this first, under the table's
// lease; `s3-compaction recover` does only this.
//
// Per partition, by the last state its run recorded:
//   (none)        nothing visible happened: only staged files, swept with the run's staging
//   publishing    roll forward if every output is in place or still staged (placed, then each
//                 verified from its footer), else roll back: the placed outputs are removed
//   published     (a catalog was to be repointed) ask the catalog where the partition is now:
//                 still at the originals: roll back (the new files are removed); at the new
//                 location (the crash came after the catalog update): roll forward; anywhere
//                 else: touch nothing, report, keep the journal
//   repointed     roll forward: remove the originals
//   removing      roll forward: remove the originals still there
//   done          delete originals whose grace period has passed
//   rolled_back   nothing
// Rolling forward never removes an original that changed since its run planned (size,
// modification time): it stays, and is reported. Idempotent: running it twice is harmless.

#include <functional>
#include <optional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <arrow/result.h>

#include "commit/run_journal.h"
#include "storage/file_systems.h"

namespace s3c {

struct RecoveryReport {
  std::vector<std::string> lines;  // one per partition acted on
  int64_t runs = 0;                // earlier runs found in the journal
  int64_t failures = 0;            // partitions it could not bring to a settled state
  /// In-place partitions it rolled forward (path, location URI): a catalog's statistics for
  /// them are stale (the crashed run never reached its catalog step).
  std::vector<std::pair<std::string, std::string>> settled_in_place;
};

class RunRecovery {
 public:
  /// Partition path -> the location (URI) the catalog records for it now.
  using CatalogLocations = std::function<arrow::Result<std::map<std::string, std::string>>()>;

  /// `catalog_locations` is asked (at most once) only when a crashed run was repointing
  /// partitions; null when the catalog records no locations.
  /// Only journals of the table at `table_root` are acted on; their partitions' locations are
  /// added to `file_systems`' delete fence.
  ///
  /// `scope` is the recovering run's (RunJournal's JournalPlan::scope). A run over the whole
  /// selection ("") holds the only live lease and recovers every journal. A shard recovers its
  /// own scope's journals and leaves its sibling shards' (same N; they may be running); a
  /// journal of any other scope stops it with Invalid: `s3-compaction recover` must finish that
  /// one first, since it may hold partitions this shard is about to compact.
  RunRecovery(FileSystems& file_systems, Location table_root, Location runs_dir,
              std::string current_run_id, int io_threads,
              CatalogLocations catalog_locations = nullptr, std::string scope = "")
      : file_systems_(file_systems),
        table_root_(std::move(table_root)),
        runs_dir_(std::move(runs_dir)),
        current_run_id_(std::move(current_run_id)),
        io_threads_(io_threads),
        catalog_locations_(std::move(catalog_locations)),
        scope_(std::move(scope)) {}

  /// `runs`: the run ids under runs_dir, when the caller has listed them already.
  arrow::Result<RecoveryReport> RecoverAll(
      std::optional<std::vector<std::string>> runs = std::nullopt);

 private:
  arrow::Status RecoverRun(const std::string& run_id, const JournalPlan& plan,
                           RecoveryReport* report);
  /// True when the partition still has deletions waiting for their grace period.
  /// `before` receives the state the journal recorded, if any.
  arrow::Result<bool> RecoverPartition(const JournalPlan& plan, const JournalPartition& partition,
                                       const Location& run_dir, RecoveryReport* report,
                                       std::optional<PartitionState>* before);

  FileSystems& file_systems_;
  Location table_root_;
  Location runs_dir_;
  std::string current_run_id_;
  arrow::Result<const std::map<std::string, std::string>*> Locations();

  int io_threads_;
  CatalogLocations catalog_locations_;
  std::optional<std::map<std::string, std::string>> locations_;
  std::string scope_;
};

}  // namespace s3c
