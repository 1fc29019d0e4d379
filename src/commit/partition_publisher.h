#pragma once
// PartitionPublisher: makes a partition's verified outputs visible and takes its originals
// away, keeping the window in which a reader can see both as short as the storage allows.
//
//   Publish          move each staged output into the partition (or its --target_s3_path
//                    folder): a rename on local disk; on S3 server-side copies in parallel, then
//                    one batched delete of the staged objects. With a target, files left alone
//                    are copied there too.
//   RemoveOriginals  kDelete: delete exactly the planned inputs (never by prefix), batched.
//                    kArchive: move them under the run's archive folder, which readers skip.
//                    kKeep: leave them (they are not in the partition's new location).
//   Unpublish        remove what Publish placed: the partition is as it was.
//
// With a catalog that records locations and a target, the job runs RemoveOriginals only after
// the catalog points at the new location; otherwise right after Publish.
//
// Failure rules: if Publish fails, what it placed is removed again (error returned). If the very
// first removal of RemoveOriginals fails, nothing was removed and it returns the error (the caller
// unpublishes). Once an original is gone there is no going back: the rest are retried, and what
// still cannot be removed is returned in `problems` (readers would see those rows twice).
// Thread-safe: partitions may be published concurrently.

#include <set>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "execute/rolling_file_writer.h"
#include "plan/compaction_plan.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

enum class OriginalsPolicy {
  kArchive,  // in place, originals kept: archived, so no reader counts a row twice
  kDelete,   // --delete_original_files=true
  kKeep,     // written to --target_s3_path: the originals stay where they are
};

/// What Publish made visible.
struct Published {
  std::vector<Location> files;  // outputs and copied kept files, at their new place
  int64_t bytes = 0;
};

struct RemovalResult {
  int64_t removed = 0;
  std::vector<Location> archived;     // where archived originals now are
  std::vector<std::string> problems;  // originals still there, each with why
};

class PartitionPublisher {
 public:
  PartitionPublisher(const RunLayout& layout, FileSystems& file_systems, OriginalsPolicy policy,
                     int io_threads)
      : layout_(layout), file_systems_(file_systems), policy_(policy), io_threads_(io_threads) {}

  /// REQUIRES: `outputs` verified (OutputVerifier).
  arrow::Result<Published> Publish(const PartitionPlan& plan,
                                   const std::vector<WrittenFile>& outputs) const;

  /// The planned inputs (and, written elsewhere, the kept files), minus `skip`.
  static std::vector<Location> Originals(const PartitionPlan& plan);

  /// RemoveFiles on Originals(plan) minus `skip` (inputs found changed, which must stay).
  arrow::Result<RemovalResult> RemoveOriginals(const PartitionPlan& plan,
                                               const std::set<std::string>& skip = {}) const;

  /// Deletes, or moves into `archive_dir`, exactly these files, by the policy. The first alone:
  /// if it fails, nothing was removed and the error is returned. Recovery uses it directly.
  arrow::Result<RemovalResult> RemoveFiles(const std::vector<Location>& originals,
                                           const Location& archive_dir) const;

  /// OK, or an error naming what could not be removed (those files remain beside the originals).
  arrow::Status Unpublish(const Published& published) const;

  /// Moves a file, falling back to copy + delete where a rename cannot cross devices.
  static arrow::Status MoveFile(const Location& from, const Location& to);

  /// True when the partition is written somewhere other than where it is (a target).
  static bool WritesElsewhere(const PartitionPlan& plan);

  OriginalsPolicy policy() const { return policy_; }

 private:
  const RunLayout& layout_;
  FileSystems& file_systems_;
  OriginalsPolicy policy_;
  int io_threads_;
};

}  // namespace s3c
