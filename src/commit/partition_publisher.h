#pragma once
// PartitionPublisher: makes a partition's verified outputs visible and takes its originals
// away, keeping the window in which a reader can see both as short as the storage allows.
//
//   Publish          move each staged output into the partition (or its --target_s3_path
//                    folder): a rename on local disk; on S3 server-side copies in parallel (the
//                    staged objects stay until the run sweeps its staging folder, batched for
//                    all partitions at its end). With a target, files left alone are copied
//                    there too.
//   RemoveFiles      exactly the versions of the originals checked last (ExpectedFile), never
//                    by prefix: kDelete deletes them (batched), kArchive moves them under the
//                    run's archive folder, which readers skip; kKeep leaves them (they are not
//                    in the partition's new location). A file found gone or changed is not
//                    removed, and the caller is told.
//   Unpublish        remove what Publish placed: the partition is as it was.
//
// PartitionCommitter decides when: with a catalog that records locations and a target, the
// originals go only after the catalog points at the new location; otherwise right after
// Publish.
//
// Failure rules: if Publish fails, it says what it placed, for the caller to undo. If the very
// first removal of RemoveFiles does not remove its file (an error, or the file gone or changed),
// nothing was removed and it returns an error (the caller unpublishes). Once an original is
// gone there is no going back: every other file is attempted, failures once more, and the
// result says which were removed, gone, changed or still there.
// Thread-safe: partitions may be published concurrently.

#include <set>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "commit/originals_policy.h"
#include "execute/rolling_file_writer.h"
#include "plan/compaction_plan.h"
#include "report/size_histogram.h"
#include "storage/exact_removal.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

/// What Publish made visible.
struct Published {
  std::vector<Location> files;  // outputs and copied kept files, at their new place
  int64_t bytes = 0;
  SizeHistogram sizes;  // of `files`, for the summary
};

struct RemovalResult {
  int64_t removed = 0;
  std::vector<Location> archived;     // where archived originals now are
  std::vector<std::string> problems;  // originals still there after an error, each with why
  std::vector<std::string> changed;   // another version found there: left in place, each with why
  std::vector<std::string> gone;      // found gone (not by this call): their URIs
};

class PartitionPublisher {
 public:
  PartitionPublisher(const RunLayout& layout, FileSystems& file_systems, OriginalsAction policy,
                     int io_threads)
      : layout_(layout), file_systems_(file_systems), policy_(policy), io_threads_(io_threads) {}

  /// Places the outputs; `placed` receives what was placed, also on error (then the caller
  /// undoes it with Unpublish, if it still holds the table's lease), and on S3 every output
  /// whose copy failed too: a copy S3 applied may have had every answer lost, and an output's
  /// name is this run's own, so removing it when absent costs nothing.
  /// REQUIRES: `outputs` verified (OutputVerifier).
  arrow::Status Publish(const PartitionPlan& plan, const std::vector<WrittenFile>& outputs,
                        Published* placed) const;

  /// The planned inputs (and, written elsewhere, the kept files), minus `skip`.
  static std::vector<Location> Originals(const PartitionPlan& plan);

  /// Deletes, or moves into `archive_dir`, exactly these versions, by the policy. The first
  /// alone: unless it is removed, nothing was removed and an error says why, except when it is
  /// gone after a delete request for it went out (its answer lost, a retry finding it gone):
  /// then it is reported in `gone`, nothing else is removed, and the caller must not undo the
  /// publish (it may have been this request that removed it). REQUIRES: every
  /// file inside the delete fence (checked; none is touched otherwise).
  arrow::Result<RemovalResult> RemoveFiles(const std::vector<ExpectedFile>& originals,
                                           const Location& archive_dir) const;
  /// One partition's originals to remove, and where they are archived (by the policy).
  struct Removal {
    const std::vector<ExpectedFile>* originals;
    Location archive_dir;
  };
  /// RemoveFiles for several partitions at once, each keeping its own outcome: every
  /// partition's first removal in one batch of requests (each still first and alone for its
  /// partition: one that does not happen leaves that partition's originals all there), then
  /// every other original in one (DeleteObjects takes 1,000 a request, across partitions).
  std::vector<arrow::Result<RemovalResult>> RemoveFilesOf(const std::vector<Removal>& partitions) const;

  /// True when `file` is there now; false when it is not, or that cannot be told.
  static bool StillThere(const Location& file);

  /// Where this run archives the originals of `plan`'s partition.
  Location ArchiveDir(const PartitionPlan& plan) const {
    return layout_.ArchiveDir(plan.partition.path);
  }

  /// OK, or an error naming what could not be removed (those files remain beside the originals).
  arrow::Status Unpublish(const Published& published) const;

  /// Moves a file, falling back to copy + delete where a rename cannot cross devices.
  static arrow::Status MoveFile(const Location& from, const Location& to);

  /// True when the partition is written somewhere other than where it is (a target).
  static bool WritesElsewhere(const PartitionPlan& plan);

  OriginalsAction policy() const { return policy_; }
  /// The same publisher with another policy for the originals.
  PartitionPublisher WithPolicy(OriginalsAction policy) const {
    return PartitionPublisher(layout_, file_systems_, policy, io_threads_);
  }

 private:
  /// Removes `files` by the policy, each archived (if it is) into the folder of the same index
  /// in `archive_dirs`; outcomes per file, in order.
  std::vector<FileRemoval> RemoveEach(const std::vector<ExpectedFile>& files,
                                      const std::vector<Location>& archive_dirs) const;
  const RunLayout& layout_;
  FileSystems& file_systems_;
  OriginalsAction policy_;
  int io_threads_;
};

}  // namespace s3c
