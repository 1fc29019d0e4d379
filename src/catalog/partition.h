#pragma once
// Partition: one partition of a table, its key values and where its files are.

#include <optional>
#include <string>
#include <vector>

#include <arrow/filesystem/filesystem.h>

#include "storage/location.h"

namespace s3c {

struct Partition {
  /// One value per table key, in key order; nullopt is NULL (__HIVE_DEFAULT_PARTITION__).
  std::vector<std::optional<std::string>> values;
  /// The partition's relative path, Hive-escaped: "year=2023/month=05". Names the partition in
  /// messages, and its folder under staging, archive and --target_s3_path.
  std::string path;
  /// Where its files are. For a path table, <table>/<path>; a catalog may say otherwise.
  Location location;
  /// The partition's files (hidden names already removed), when discovery has listed them
  /// already; otherwise the planner lists `location`.
  std::optional<std::vector<arrow::fs::FileInfo>> files;
  /// How many files discovery listed there, kept in `files` or not; -1 when it listed none
  /// (a catalog's partitions: the planner lists them).
  int64_t listed_files = -1;
};

/// How messages name a partition: its path, or "(table)" for the one partition of an
/// unpartitioned table (path "").
inline std::string PartitionName(const std::string& path) {
  return path.empty() ? std::string("(table)") : path;
}

}  // namespace s3c
