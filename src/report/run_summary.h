#pragma once
// RunSummary: what a run did (or, with --dry-run, would do), partition by partition, printed
// at the end of every run as text or as one JSON object (--json).

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s3c {

enum class PartitionStatus {
  kCompacted,  // rewritten and published
  kCopied,     // copied as is to --target_s3_path (nothing to compact)
  kPlanned,    // --dry-run: would be compacted (or copied)
  kSkipped,    // left as it was; reason says why
  kFailed,     // left as it was (unless reason says otherwise); reason is the error
  kDeferred,   // left as it was for a later run by a limit (--max_*); reason says which
};

std::string StatusName(PartitionStatus status);

struct PartitionOutcome {
  std::string partition;  // "year=2023/month=05"
  PartitionStatus status = PartitionStatus::kSkipped;
  std::string reason;
  std::string method;        // how it is written: "pages", "rows", "pages+rows", "copy" or ""
  std::string method_reason;  // why rows, where pages were allowed ("" otherwise)
  int64_t files_before = 0;  // Parquet files of the partition
  int64_t files_after = 0;   // ... afterwards, where the partition now is
  int64_t bytes_before = 0;
  int64_t bytes_after = 0;
  int64_t input_files = 0;   // files rewritten
  int64_t input_bytes = 0;
  int64_t output_files = 0;  // files written (estimated for a dry run)
  int64_t rows = 0;          // rows rewritten (verified after writing)
  int64_t other_files = 0;   // non-Parquet files, left untouched
  std::vector<int64_t> output_sizes;
  int64_t sorted_rows = 0;     // rows sorted (--sort_by)
  int64_t spill_runs = 0;      // sorted runs spilled to disk
  int64_t spilled_bytes = 0;   // bytes spilled
};

/// Storage requests, counted or (for a dry run) estimated.
struct RequestCounts {
  int64_t list = 0, get = 0, put = 0, copy = 0, del = 0;
};

struct RunSummary {
  std::string version;
  std::string run_id;
  std::string table;
  std::string target;      // empty: in place
  std::string shard;       // "K/N" for --shard, else empty
  std::string originals;   // "archived", "deleted" or "kept"
  std::string archive;     // where archived originals went
  bool dry_run = false;
  double seconds = 0;
  int64_t target_file_bytes = 0;
  RequestCounts requests;  // dry run: the requests a real run would make
  std::vector<PartitionOutcome> partitions;
  std::vector<std::string> notes;
  std::vector<std::string> recovered;  // what this run finished or undid of earlier runs
  /// The limits the run had (--max_*), as flags ("--max_partitions 5"); empty: none.
  std::vector<std::string> limits;
  /// --sort_by, canonical ("" when rows keep their order).
  std::string sort_by;

  int64_t Count(PartitionStatus status) const;
  std::string ToText() const;
  nlohmann::json ToJson() const;
};

}  // namespace s3c
