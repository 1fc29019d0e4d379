#pragma once
// Catalog: where a table's partitions come from. Two implementations: PathCatalog (no
// catalog: partitions discovered from key=value folders) and, next, the AWS Glue Data Catalog.
//
// Implementations must be usable from one thread at a time; the job calls LoadTable, then
// ListPartitions.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "catalog/partition.h"
#include "catalog/table.h"
#include "plan/partition_predicate.h"

namespace s3c {

/// The partitions a predicate selected, and what the catalog noticed on the way.
struct PartitionListing {
  std::vector<Partition> partitions;  // sorted by path
  /// Things found and deliberately left alone, one line each, for the summary: files outside
  /// partition folders, folders that are not key=value, partitions whose layout differs.
  std::vector<std::string> notes;
  /// Listing requests made (on S3, one per page of up to 1,000 entries).
  int64_t list_requests = 0;
  /// The tool folders (_s3_compaction) of other tables found below the table's root on the
  /// way: a run over a sub-path of this table, whose lease and journal this run must respect
  /// (RunExclusion::CheckBelow).
  std::vector<Location> tool_folders;
};

/// What a run changes about one partition in the catalog.
struct PartitionUpdate {
  std::string path;                     // Partition::path
  std::optional<std::string> location;  // the partition's new location (URI), when it moved
  int64_t files = -1;                   // statistics afterwards; -1 leaves them alone
  int64_t bytes = -1;
  int64_t rows = -1;
};

struct PartitionUpdateFailure {
  std::string path;
  std::string message;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  /// What the table is called in messages: "db.table" or its path.
  virtual std::string Describe() const = 0;

  /// Reads the table's definition. Errors name the table: NotFound-like IOError for a table
  /// that does not exist, Invalid for a table this tool cannot compact (not partitioned, ...).
  virtual arrow::Result<Table> LoadTable() = 0;

  /// The partitions for which `predicate` is true (kUnknown and kFalse are not selected).
  /// REQUIRES: predicate.Validate(table.KeyNames()) is OK.
  virtual arrow::Result<PartitionListing> ListPartitions(const Table& table,
                                                         const PartitionPredicate& predicate) = 0;

  /// Asks ListPartitions to hold the files it lists for at most about `files` files in all:
  /// past that, partitions come with their file count only (Partition::listed_files) and the
  /// planner lists each again, a wave at a time, so that a run's memory does not grow with the
  /// table. A catalog that does not list files ignores it.
  virtual void KeepListedFilesUpTo(int64_t files) { (void)files; }

  /// True when the catalog records where each partition lives, so that writing a partition
  /// elsewhere (--target_s3_path) must be followed by UpdatePartitions before the originals
  /// may go. A path table has no such record.
  virtual bool RecordsLocations() const { return false; }

  /// Records new locations and statistics. Returns the partitions that could not be updated
  /// (the others were); an error means none was. Only partitions returned by ListPartitions.
  virtual arrow::Result<std::vector<PartitionUpdateFailure>> UpdatePartitions(
      const std::vector<PartitionUpdate>& updates) {
    return std::vector<PartitionUpdateFailure>{};
  }
};

}  // namespace s3c
