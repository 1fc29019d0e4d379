#pragma once
// PartitionPublisher: makes a partition's verified outputs visible and takes its originals
// away, keeping the window in which a reader can see both as short as the storage allows.
//
//   1. publish   move each staged output into the partition (or its --target_s3_path
//                folder): a rename on local disk, a server-side copy on S3, in parallel.
//                With a target, files left alone are copied there too.
//   2. originals kDelete: delete exactly the planned inputs (never by prefix).
//                kArchive: move them under the run's archive folder, which readers skip.
//                kKeep: leave them (they are not in the partition's new location).
//
// Failure rules: if step 1, or the very first removal of step 2, fails, every published file
// is removed again and the partition is exactly as it was (error returned). Once an original
// is gone there is no going back: the remaining ones are retried, and what still cannot be
// removed is returned in `problems` (readers would see those rows twice).
// Thread-safe: partitions may be published concurrently.

#include <string>
#include <vector>

#include <arrow/result.h>

#include "execute/rolling_file_writer.h"
#include "plan/compaction_plan.h"
#include "storage/run_layout.h"

namespace s3c {

enum class OriginalsPolicy {
  kArchive,  // in place, originals kept: archived, so no reader counts a row twice
  kDelete,   // --delete_original_files=true
  kKeep,     // written to --target_s3_path: the originals stay where they are
};

struct PublishResult {
  int64_t files_published = 0;   // outputs plus files copied to a target
  int64_t bytes_published = 0;
  int64_t originals_removed = 0;
  std::vector<std::string> problems;
};

class PartitionPublisher {
 public:
  PartitionPublisher(const RunLayout& layout, OriginalsPolicy policy, int io_threads)
      : layout_(layout), policy_(policy), io_threads_(io_threads) {}

  /// REQUIRES: `outputs` verified (OutputVerifier).
  arrow::Result<PublishResult> Publish(const PartitionPlan& plan,
                                       const std::vector<WrittenFile>& outputs) const;

  /// Moves a file, falling back to copy + delete where a rename cannot cross devices.
  static arrow::Status MoveFile(const Location& from, const Location& to);

 private:
  const RunLayout& layout_;
  OriginalsPolicy policy_;
  int io_threads_;
};

}  // namespace s3c
