#pragma once
// Whether a Glue table is one this tool may compact, decided from its GetTable definition.
// Refused, each with a one-line reason that names the table and says what to do instead:
//   a view; a governed (Lake Formation) table; an Iceberg, Delta Lake or Hudi table (their
//   own metadata tracks the files: rewriting them underneath would corrupt the table); a table
//   with partition projection (its partitions are not in the catalog); a table that is not
//   Parquet (classification, SerDe or input format say otherwise); a table with no location.
// A table with no partition keys is accepted: it is compacted as one partition.
// A field it reads that has another type than Glue gives it is an error naming the field
// ("Glue table db.t: field 'StorageDescriptor' is not an object (it is a string)").
// Pure function.

#include <string>

#include <arrow/status.h>
#include <nlohmann/json.hpp>

namespace s3c {

arrow::Status CheckCompactable(const nlohmann::json& table, const std::string& name);

}  // namespace s3c
