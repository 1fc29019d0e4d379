#pragma once
// RunContext: everything a run decides before it touches storage, resolved once from the
// options and the table, so that every later stage reads its settings from one place.
//
//   where      the table's canonical location, the target, the archive, the journal
//              (RunLayout names everything the run writes)
//   what       the originals policy, whether the catalog is repointed or deferred, the shard
//   fence      the only folders the run may delete from or move out of: the table, the
//              target, the archive and the journal root (the job adds the partitions the
//              catalog names); nothing read from storage ever widens it
//   settings   for the planner, the executor and the committer, with the I/O thread count
//   clock      the run's StageClock, which those settings point at (UseClock)
//
// ResolveRun is pure apart from resolving paths (FileSystems::Resolve); flags that contradict
// each other or point inside the table are refused here, before the lease is taken, with an
// error tagged ErrorKind::kUsage.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "catalog/table.h"
#include "commit/originals_policy.h"
#include "commit/partition_committer.h"
#include "execute/group_compactor.h"
#include "job/compaction_options.h"
#include "plan/planner.h"
#include "plan/run_budget.h"
#include "plan/waves.h"
#include "report/stage_clock.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

struct RunContext {
  Table table;                         // its location canonical (FileSystems::Resolve)
  std::optional<Location> target_root;  // --target_s3_path; nullopt: in place
  RunLayout layout;
  OriginalsPolicy originals;
  /// A catalog that records locations, a target and --update_catalog: partitions are
  /// repointed, and their originals wait for it.
  bool repoint = false;
  /// --update_catalog deferred: the catalog step is left to `s3-compaction commit`.
  bool defer_catalog = false;
  std::optional<Shard> shard;
  std::string scope;  // "" for the whole selection, Shard::Scope() for a shard
  /// The folders deletes and moves are fenced to (FileSystems::AllowDeletesUnder).
  std::vector<Location> fence;
  PlannerOptions planner;
  ExecuteOptions execute;
  CommitSettings commit;
  VerifyMode verify = VerifyMode::kRows;
  RunMode mode = RunMode::kRun;
  bool progress = false;
  /// Groups written at once (--parallelism, default the cores).
  int parallelism = 1;
  /// Storage requests in flight at once: listings, footers, copies, deletes (S3: at least 16).
  int io_threads = 1;
  /// Input files planned and committed at a time (--wave_files; Waves).
  int64_t wave_files = Waves::kDefaultFiles;
  /// What the run may take on (--max_*), and when it started (for --max_runtime_minutes).
  RunBudget budget{RunLimits{}};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  /// Times the run's stages; the planner's, executor's and committer's settings point at it.
  /// Null (nothing timed) until UseClock.
  std::shared_ptr<StageClock> clock;

  /// Times the run with `clock` (started before the run was resolved): it becomes `clock` and
  /// the one the settings point at.
  void UseClock(std::shared_ptr<StageClock> run_clock) {
    clock = std::move(run_clock);
    planner.clock = execute.clock = commit.clock = clock.get();
  }

  /// --report, resolved; checked against the table, its tool folder, the journal and the target
  /// here, and against every listed partition's location by CheckReportOutside.
  std::optional<Location> report;

  bool dry_run() const { return mode == RunMode::kDryRun; }
  /// The target's URI, or "" in place.
  std::string TargetUri() const { return target_root ? target_root->uri() : std::string(); }
};

/// Resolves a run of `options` over `table`. `catalog_records_locations`: the catalog keeps
/// each partition's location (Glue). `run_id`: RunLayout::NewRunId() in production.
/// `hardware_threads`: the cores, for the --parallelism default.
arrow::Result<RunContext> ResolveRun(const CompactionOptions& options, Table table,
                                     bool catalog_records_locations, FileSystems& file_systems,
                                     std::string run_id, int hardware_threads);

/// --report must not land in a partition's folder, wherever the catalog keeps it (a Glue
/// partition may live outside the table's root): readers would take the page for data. Usage
/// error naming the partition; OK when there is no report.
arrow::Status CheckReportOutside(const RunContext& run, const std::vector<Partition>& partitions);

/// `recover` and `commit`: the same resolution, for a run that only finishes earlier ones
/// (no predicate or shard; the target, archive and journal flags fence what it may touch).
arrow::Result<RunContext> ResolveRecovery(const CompactionOptions& options, Table table,
                                          bool catalog_records_locations,
                                          FileSystems& file_systems, std::string run_id);

}  // namespace s3c
