#pragma once
// TableHealth: what `s3-compaction inspect` found about a table, partition by partition: how
// badly it suffers from small files, what a run would do about it, and what earlier runs left
// (pending journals, leases, the last completed run). Printed as a terminal table (ToText) or
// as one JSON object (ToJson, "kind": "inspection"; the HTML report renders that object).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/size_histogram.h"

namespace s3c {

/// What a full scan of some files costs in storage requests, as Athena, Spark and Trino read
/// small Parquet files: a LIST per 1,000 files, and two GETs per file (its footer, then its
/// column chunks).
int64_t ScanRequests(int64_t files);

/// Read only with --footers.
struct FooterStats {
  int64_t rows = 0;
  int64_t row_groups = 0;
  /// Over the files: their average row group's compressed bytes.
  int64_t row_group_bytes_min = 0, row_group_bytes_median = 0, row_group_bytes_max = 0;
  std::map<std::string, int64_t> codecs;  // codec name -> files
  int64_t schemas = 0;                    // distinct schemas (key-value metadata ignored)
  std::vector<std::string> drift;         // how files' schemas differ from the first's
};

struct PartitionHealth {
  std::string partition;  // its path; "" for an unpartitioned table
  int64_t files = 0, bytes = 0;  // Parquet files
  int64_t small_files = 0, small_bytes = 0;
  int64_t other_files = 0;  // not Parquet: never touched
  std::string action;       // "compact", "skip" or "fail": what a run would do
  std::string reason;
  int64_t files_after = 0, bytes_after = 0;  // estimated
  SizeHistogram before, after;
  /// The newest run whose outputs are among the partition's files (their names carry the run
  /// id, which starts with the time it began), and how many of its files are there.
  std::string last_run;
  int64_t last_run_files = 0;
  int64_t last_run_mtime_ns = 0;  // the newest modification time of its files there
  std::optional<FooterStats> footers;

  double SmallShare() const { return files > 0 ? double(small_files) / double(files) : 0.0; }
};

struct PendingRun {
  std::string run_id;
  std::string state;   // "half done", "deferred catalog update", "abandoned"
  int64_t partitions = 0;
  std::string detail;  // what is left, and the command that settles it
};

struct LeaseState {
  std::string name;  // lease.json, lease-shard-0-of-4.json
  std::string run_id, holder, expires_at;
  bool live = false;
  std::string problem;  // unreadable lease: why
};

struct TableHealth {
  std::string version, table, location, generated_at;
  bool footers = false;
  int64_t target_file_bytes = 0, small_file_bytes = 0, min_input_files = 0;
  std::vector<PartitionHealth> partitions;  // worst first (SortWorstFirst)
  std::vector<PendingRun> journals;
  std::vector<LeaseState> leases;
  std::vector<std::string> notes;

  /// The newest run among the partitions' last_run (by its files' modification time, then its
  /// id): {run_id, started_at, written_at, partitions, files} (partitions holding its outputs,
  /// and how many); null when no file is a run's output.
  nlohmann::json LastRun() const;
  /// Most small files first, then most bytes in small files, then by path.
  void SortWorstFirst();
  std::string ToText(size_t max_partitions = 20) const;
  nlohmann::json ToJson() const;
};

}  // namespace s3c
