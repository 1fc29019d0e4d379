#pragma once
// Table: what the tool knows of the table being compacted, whichever catalog described it.

#include <memory>
#include <string>
#include <vector>

#include <arrow/type_fwd.h>

#include "plan/partition_predicate.h"
#include "storage/location.h"

namespace s3c {

/// A partition column. Path tables know names only; the Glue catalog also knows types.
struct PartitionKey {
  std::string name;
  KeyType type = KeyType::kUnknown;
};

struct Table {
  std::string name;        // "database.table", or the table's path for a path table
  Location location;       // the table's root
  std::vector<PartitionKey> keys;
  /// The catalog's column schema (data columns only), or null when the catalog has none: a
  /// path table's schema is the union of its files' schemas, decided per partition.
  std::shared_ptr<arrow::Schema> schema;
  /// The catalog's column order (data columns), if it has one: outputs follow it.
  std::vector<std::string> column_names;

  std::vector<std::string> KeyNames() const {
    std::vector<std::string> names;
    for (const auto& key : keys) names.push_back(key.name);
    return names;
  }
};

}  // namespace s3c
