#pragma once
// Catalog: where a table's partitions come from. Two implementations: PathCatalog (no
// catalog: partitions discovered from key=value folders) and, next, the AWS Glue Data Catalog.
//
// Implementations must be usable from one thread at a time; the job calls LoadTable, then
// ListPartitions.

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
};

}  // namespace s3c
