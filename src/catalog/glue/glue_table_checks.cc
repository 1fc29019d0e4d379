#include "catalog/glue/glue_table_checks.h"

#include <algorithm>

namespace s3c {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

std::string StringAt(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* node = &j;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return "";
    node = &(*node)[key];
  }
  return node->is_string() ? node->get<std::string>() : "";
}

bool Contains(const std::string& haystack, const char* needle) {
  return Lower(haystack).find(needle) != std::string::npos;
}

}  // namespace

arrow::Status CheckCompactable(const nlohmann::json& table, const std::string& name) {
  auto refuse = [&](const std::string& why) {
    return arrow::Status::Invalid("Glue table ", name, " ", why);
  };
  const std::string table_type = StringAt(table, {"TableType"});
  const std::string format_type = Lower(StringAt(table, {"Parameters", "table_type"}));
  const std::string provider = Lower(StringAt(table, {"Parameters", "spark.sql.sources.provider"}));
  const std::string input_format = StringAt(table, {"StorageDescriptor", "InputFormat"});
  const std::string serde =
      StringAt(table, {"StorageDescriptor", "SerdeInfo", "SerializationLibrary"});
  std::string classification = Lower(StringAt(table, {"Parameters", "classification"}));
  if (classification.empty()) {
    classification = Lower(StringAt(table, {"StorageDescriptor", "Parameters", "classification"}));
  }

  if (table_type == "VIRTUAL_VIEW" || table_type == "MATERIALIZED_VIEW") {
    return refuse("is a view, not a table of files");
  }
  if (table_type == "GOVERNED") {
    return refuse("is a governed (Lake Formation) table; compact it with Lake Formation's "
                  "own optimization");
  }
  if (format_type == "iceberg" || Contains(input_format, "iceberg")) {
    return refuse("is an Iceberg table; compact it with Iceberg (rewrite_data_files, Athena "
                  "OPTIMIZE), whose metadata tracks every file");
  }
  if (format_type == "delta" || provider == "delta" || Contains(input_format, "delta") ||
      Contains(input_format, "symlinktextinputformat")) {
    return refuse("is a Delta Lake table; compact it with Delta's OPTIMIZE, whose log tracks "
                  "every file");
  }
  if (format_type == "hudi" || provider == "hudi" || Contains(input_format, "hoodie") ||
      Contains(input_format, "hudi")) {
    return refuse("is a Hudi table; compact it with Hudi's clustering, whose timeline tracks "
                  "every file");
  }
  if (Lower(StringAt(table, {"Parameters", "projection.enabled"})) == "true") {
    return refuse("uses partition projection: its partitions are not in the catalog; compact "
                  "it as a path table with --table_path and its S3 location");
  }
  const bool says_parquet = classification == "parquet" || Contains(serde, "parquet") ||
                            Contains(input_format, "parquet");
  if (!classification.empty() && classification != "parquet") {
    return refuse("is not a Parquet table (classification " + classification + ")");
  }
  if ((!serde.empty() && !Contains(serde, "parquet")) ||
      (!input_format.empty() && !Contains(input_format, "parquet")) || !says_parquet) {
    return refuse("is not a Parquet table (SerDe " + (serde.empty() ? "unset" : serde) +
                  ", input format " + (input_format.empty() ? "unset" : input_format) + ")");
  }
  if (!table.contains("PartitionKeys") || !table["PartitionKeys"].is_array() ||
      table["PartitionKeys"].empty()) {
    return refuse("has no partition keys; s3-compaction compacts partitioned tables only");
  }
  if (StringAt(table, {"StorageDescriptor", "Location"}).empty()) {
    return refuse("has no location (StorageDescriptor.Location is empty)");
  }
  return arrow::Status::OK();
}

}  // namespace s3c
