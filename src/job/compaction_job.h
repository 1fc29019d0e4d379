#pragma once
// CompactionJob: one run of the tool, table -> plan -> execute -> commit -> report.
//
//   table    the catalog describes the table and lists the partitions the predicate selects
//   plan     every footer is read; each partition is compacted, copied, skipped or refused
//   execute  groups are written into staging, in parallel up to --parallelism
//   commit   per partition, once all its groups are written: verify, publish, originals
//   report   a RunSummary
//
// A partition that fails is left exactly as it was and does not stop the others. Errors that
// stop the whole run (a missing table, an unknown partition key) are returned, tagged with an
// ErrorKind for the exit code.

#include <arrow/result.h>

#include "catalog/catalog.h"
#include "commit/run_recovery.h"
#include "commit/table_lease.h"
#include "job/compaction_options.h"
#include "report/run_summary.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

class CompactionJob {
 public:
  CompactionJob(CompactionOptions options, FileSystems& file_systems)
      : options_(std::move(options)), file_systems_(file_systems) {}

  arrow::Result<RunSummary> Run(Catalog& catalog);

  /// `s3-compaction recover`: takes the table's lease, applies the catalog updates that runs
  /// made with --update_catalog deferred left (ApplyDeferredUpdates), finishes or undoes what
  /// earlier runs left half done (RunRecovery), and stops.
  arrow::Result<RunSummary> Recover(Catalog& catalog, bool as_commit = false);

  /// `s3-compaction commit`: Recover, reported as the commit of deferred runs (the Glue job's
  /// driver calls it once after its shards).
  arrow::Result<RunSummary> CommitDeferred(Catalog& catalog);

 private:
  struct DeferredCommit {
    size_t updates = 0, failed = 0, runs = 0;
    std::vector<std::string> notes;
    std::string Describe() const;  // "committed 3 of 4 deferred partition update(s) from 2 run(s)"
  };
  /// Under the whole table's lease: applies, in one batched catalog update, what runs made with
  /// --update_catalog deferred recorded (statistics; new locations, after carrying files other
  /// writers added at the old ones) and removes those records. Recovery then finishes the runs:
  /// the originals of a repointed partition go only now; one whose update failed is rolled back.
  /// `runs`: the run ids under layout.RunsDir(), listed by the caller (recovery uses them too).
  arrow::Result<DeferredCommit> ApplyDeferredUpdates(Catalog& catalog, const Table& table,
                                                     const RunLayout& layout,
                                                     const std::vector<std::string>& runs);
  /// After recovery: the catalog's file count and size for partitions it settled in place
  /// (the crashed run never sent them); problems become report lines.
  void RefreshStatistics(Catalog& catalog, const Table& table, RecoveryReport& report);

  /// Takes the lease of `scope` ("" or a shard's) and checks no conflicting lease is live.
  arrow::Result<std::unique_ptr<TableLease>> AcquireLease(const RunLayout& layout,
                                                          const std::string& scope);

  CompactionOptions options_;
  FileSystems& file_systems_;
};

}  // namespace s3c
