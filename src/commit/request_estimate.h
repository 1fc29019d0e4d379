#pragma once
// RequestEstimate: the storage requests a run of a plan would make, for --dry-run, by kind
// (LIST, HEAD, GET, PUT, COPY, DELETE), as the run's own counters would count them
// (RequestCountingFileSystem, and our S3 calls counting themselves).
//
// The dry run has already made the run's discovery and planning requests (the listings, the
// footers read at planning): those are `planning`, counted, not estimated. The rest follows
// the commit protocol step by step, so a change to the protocol is a change here
// (tests/test_request_estimate.py holds every kind within 10% of what S3 sees):
//
//   per run         the lease (create, two probe PUTs on S3, read and delete at release), the
//                   exclusion's listings of the tool folders at and above the table, the
//                   recovery listing of the runs folder; at the end the staging sweep and the
//                   run folder (listed, deleted: records and later plans, then plan.json)
//   per wave        (AddWave, as the run cuts them) its plan, when it writes anything; with a
//                   catalog, its updates recorded, the lease confirmed, the record deleted
//   per partition   each input read whole (a large one: its footer and each row group), each
//                   output PUT (multipart above 10 MiB) and read back (its footer), the
//                   originals listed before publishing and again before removal, a server-side
//                   COPY per output (archived originals: copied too)
//   per batch       (CommitQueue::Plan, as the run makes them) the lease confirmed before
//                   publishing and before removing, the journal's batch record written at each
//                   step (publishing, removing, done; published for partitions awaiting the
//                   catalog), every partition's first original removed in one request, then the
//                   rest together, 1,000 a request
//   a repoint       the partition's old location listed before and after the catalog moves it
//                   (Newcomers); after the catalog step, the wave's repointed partitions
//                   together: the lease once, their records (repointed, removing, done) once
//                   each a batch, every first original in one request, then the rest
//
// What it cannot know is left out: retries, a store that ignores conditional deletes (it
// lists again before each batch), partitions that fail or find their inputs changed.

#include <cstdint>
#include <vector>

#include "commit/partition_committer.h"
#include "plan/compaction_plan.h"
#include "storage/run_layout.h"
#include "storage/storage_requests.h"

namespace s3c {

class RequestEstimate {
 public:
  /// `layout`: where the run's tool folders are (the exclusion lists those at and above the
  /// table). `settings`: the originals' policies and whether originals wait for a repoint.
  /// `catalog_step`: the run updates a catalog after each wave (CatalogStep): its updates
  /// recorded (catalog.json), then, unless `deferred` (--update_catalog deferred), the lease
  /// confirmed, the updates sent and their record deleted.
  struct CatalogStep {
    bool runs;
    bool deferred;
  };
  RequestEstimate(const RunLayout& layout, const CommitSettings& settings,
                  CatalogStep catalog_step);

  /// One wave's partitions, planned (the run's waves in order, as it cuts them).
  void AddWave(const std::vector<const PartitionPlan*>& plans);

  /// Every request of the run: `planning`, what the dry run counted, and the rest estimated.
  RequestCounts Total(const RequestCounts& planning) const;

 private:
  const RunLayout& layout_;
  const CommitSettings& settings_;
  const bool s3_;
  const CatalogStep catalog_step_;
  RequestCounts counts_;  // the run's and its waves' so far
  int64_t staged_ = 0, record_objects_ = 0, plans_ = 0;
  bool removes_ = false;
};

}  // namespace s3c
