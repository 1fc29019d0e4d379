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

  /// `s3-compaction recover`: takes the table's lease, finishes or undoes what earlier runs left
  /// half done (RunRecovery), and stops.
  arrow::Result<RunSummary> Recover(Catalog& catalog);

  /// `s3-compaction commit`: takes the table's lease and applies, in one batched catalog update,
  /// what runs made with --update_catalog deferred recorded (statistics; new locations, after
  /// carrying files other writers added at the old ones), then lets recovery finish those runs:
  /// originals of repointed partitions go only now; a partition whose update failed is rolled
  /// back. Then it stops.
  arrow::Result<RunSummary> CommitDeferred(Catalog& catalog);

 private:
  /// Takes the lease of `scope` ("" or a shard's) and checks no conflicting lease is live.
  arrow::Result<std::unique_ptr<TableLease>> AcquireLease(const RunLayout& layout,
                                                          const std::string& scope);

  CompactionOptions options_;
  FileSystems& file_systems_;
};

}  // namespace s3c
