#pragma once
// PartitionCommitter: the commit protocol for one partition once all its groups are written.
//
//   1. verify   OutputVerifier; on failure the staged outputs are discarded
//   2. publish  PartitionPublisher::Publish; on failure it undoes itself
//   3. originals removed now, or, when the catalog must first point at the partition's new
//               location, later by FinishAfterCatalog
//
// Any failure before the first original is removed leaves the partition exactly as it was.
// Thread-safe (partitions commit concurrently).

#include <optional>
#include <string>
#include <vector>

#include "commit/partition_publisher.h"
#include "report/run_summary.h"

namespace s3c {

struct CommitResult {
  PartitionStatus status = PartitionStatus::kFailed;
  std::string reason;               // why it failed, if it did
  Published published;
  bool originals_pending = false;   // published; originals wait for the catalog
  std::vector<int64_t> output_sizes;
  int64_t output_bytes = 0;
};

class PartitionCommitter {
 public:
  /// `defer_originals`: leave the originals until FinishAfterCatalog.
  PartitionCommitter(const PartitionPublisher& publisher, FileSystems& file_systems,
                     bool defer_originals)
      : publisher_(publisher), file_systems_(file_systems), defer_originals_(defer_originals) {}

  /// `write_status` is the first error of the partition's groups, if any; `outputs` everything
  /// they staged.
  CommitResult Commit(const PartitionPlan& plan, std::vector<WrittenFile> outputs,
                      const arrow::Status& write_status) const;

  /// After the catalog update: on `catalog_error` the new files are removed again (the partition
  /// stays where the catalog still says); otherwise the originals are removed now.
  CommitResult FinishAfterCatalog(const PartitionPlan& plan, CommitResult pending,
                                  const std::optional<std::string>& catalog_error) const;

 private:
  void RemoveOriginals(const PartitionPlan& plan, CommitResult& result, bool catalog_moved) const;

  const PartitionPublisher& publisher_;
  FileSystems& file_systems_;
  bool defer_originals_;
};

}  // namespace s3c
