#pragma once
// RunSummary: what a run did (or, with --dry-run, would do), partition by partition, printed
// at the end of every run as text or as one JSON object (--json): kind "run" of the report
// data contract (files, bytes and size histograms before and after, per partition and in all;
// the stages' times; the storage requests, counted or estimated; throughput).

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/size_histogram.h"
#include "report/stage_clock.h"
#include "storage/storage_requests.h"

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
  /// The partition's Parquet files by size, before and after (as files_before, files_after:
  /// after = the files kept and the outputs, or what is now at the target; for a dry run the
  /// estimated outputs).
  SizeHistogram histogram_before;
  SizeHistogram histogram_after;
  int64_t sorted_rows = 0;     // rows sorted (--sort_by)
  int64_t spill_runs = 0;      // sorted runs spilled to disk
  int64_t spilled_bytes = 0;   // bytes spilled
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
  std::string started_at;  // UTC, "2026-12-01T01:02:03Z"
  double seconds = 0;
  std::vector<StageTime> stages;  // the stages entered (StageClock)
  int64_t target_file_bytes = 0;
  RequestCounts requests;  // counted; a dry run's: what a real run would make (no HEAD)
  std::vector<PartitionOutcome> partitions;
  std::vector<std::string> notes;
  std::vector<std::string> recovered;  // what this run finished or undid of earlier runs
  /// The limits the run had (--max_*), as flags ("--max_partitions 5"); empty: none.
  std::vector<std::string> limits;
  /// --sort_by, canonical ("" when rows keep their order).
  std::string sort_by;

  int64_t Count(PartitionStatus status) const;
  std::string ToText() const;
  /// The whole document, names made UTF-8-safe by the caller (Utf8Safe).
  nlohmann::json ToJson() const;
  /// Writes Utf8Safe(ToJson()).dump(indent) to `out`, byte for byte, building one partition's
  /// entry of "details" at a time: a table of many partitions never holds its whole document
  /// (about 4 KiB a partition as a JSON tree).
  void WriteJson(std::ostream& out, int indent) const;

 private:
  nlohmann::json ToJsonWithoutDetails() const;
};

}  // namespace s3c
