#pragma once
// CompactionJob: one run of the tool, as a transaction over the table:
//
//   resolve   flags and table -> RunContext (locations, layout, policy, fence, settings)
//   open      RunTransaction: the lease at the table's root, no overlapping run or journal
//   recover   earlier runs' deferred catalog updates, then their journals (RunRecovery);
//             partitions an unsettled journal covers are not compacted
//   select    the catalog's partitions (the predicate, the shard), cut into waves (Waves)
//   then, a wave at a time (one wave unless the table is large):
//   plan      the wave's partitions -> CompactionPlan; the wave's plan journaled
//   execute   PartitionScheduler writes every group into staging; partitions commit in
//             batches (CommitQueue, PartitionCommitter) as their last groups are written
//   catalog   CatalogStep: statistics, new locations, then the originals that waited
//   report    a RunSummary (SummaryBuilder), from every wave's outcomes
//
// A partition that fails is left exactly as it was and does not stop the others. Errors that
// stop the whole run (a missing table, an unknown partition key, a live lease) are returned,
// tagged with an ErrorKind for the exit code; the transaction is closed on every path.

#include <optional>

#include <arrow/result.h>

#include "catalog/catalog.h"
#include "commit/partition_run.h"
#include "commit/run_recovery.h"
#include "commit/run_transaction.h"
#include "job/compaction_options.h"
#include "job/run_context.h"
#include "report/run_summary.h"
#include "storage/file_systems.h"

namespace s3c {

class CompactionJob {
 public:
  CompactionJob(CompactionOptions options, FileSystems& file_systems)
      : options_(std::move(options)), file_systems_(file_systems) {}

  arrow::Result<RunSummary> Run(Catalog& catalog);

  /// `s3-compaction recover`: takes the table's lease, applies the catalog updates that runs
  /// made with --update_catalog deferred left (DeferredCommit), finishes or undoes what
  /// earlier runs left half done (RunRecovery), and stops. `as_commit`: reported as the
  /// commit of deferred runs (`s3-compaction commit`, the Glue job's driver).
  arrow::Result<RunSummary> Recover(Catalog& catalog, bool as_commit = false);

  /// `s3-compaction commit`: Recover, reported as a commit.
  arrow::Result<RunSummary> CommitDeferred(Catalog& catalog) { return Recover(catalog, true); }

 private:
  struct Recovered;
  /// Under the whole table's lease: local staging folders of runs without a journal are
  /// deleted (run folders without a plan are RunRecovery's).
  void SweepAbandoned(const RunContext& run, const RunJournal::RunFolders& folders);
  /// Registers the run's fence with the file systems.
  void Fence(const RunContext& run);
  arrow::Result<RunSummary> DryRun(Catalog& catalog, const RunContext& run,
                                   const RequestCounts& requests_before);
  /// Under the lease: deferred catalog updates (whole-table runs), then recovery.
  arrow::Result<Recovered> RecoverEarlierRuns(Catalog& catalog, const RunContext& run);
  /// What recovery left for a person, as a failed "(recovery)" outcome (the run exits 4), or
  /// none. `whole`: everything (`recover`, `commit`); otherwise only what no partition of the
  /// run stands for (run folders that could not be removed): an unsettled partition is
  /// refused if selected, and reported among the recovery lines.
  static std::optional<PartitionOutcome> RecoveryFailed(const Recovered& recovered, bool whole);
  /// The catalog's partitions the predicate and the shard select, unplanned (`partitions`, in
  /// path order), and those the run refuses unplanned (`refused`: sharing a folder, or
  /// covered by an unsettled journal). With a transaction, checked against other runs, and
  /// partitions outside the table held (RunTransaction::HoldPartitions).
  struct Selection {
    std::vector<Partition> partitions;
    std::vector<PartitionPlan> refused;
    std::vector<std::string> notes;  // the listing's
    int64_t list_requests = 0;
  };
  arrow::Result<Selection> Select(Catalog& catalog, const RunContext& run,
                                  RunTransaction* transaction, const RecoveryReport& recovered);
  /// `partitions` (one wave of a Selection's) planned; with a transaction, partition folders
  /// holding another run's tool folder stop the run.
  arrow::Result<CompactionPlan> PlanWave(const RunContext& run, RunTransaction* transaction,
                                         std::vector<Partition> partitions);
  /// Writes, commits and (with a catalog) records every partition; returns notes.
  arrow::Result<std::vector<std::string>> Execute(Catalog& catalog, const RunContext& run,
                                                  RunTransaction& transaction,
                                                  std::vector<PartitionRun>& partitions);
  /// Where the catalog says each partition is (asked at most once), for recovery.
  JournalTrust::CatalogLocations CatalogLocationsOf(Catalog& catalog, const Table& table);
  RunSummary SummaryHeader(const RunContext& run) const;
  /// The run's time, stages and the storage requests made since `requests_before`.
  void Conclude(const RunContext& run, const RequestCounts& requests_before,
                RunSummary& summary) const;

  CompactionOptions options_;
  FileSystems& file_systems_;
};

}  // namespace s3c
