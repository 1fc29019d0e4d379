#include "catalog/glue/glue_table_checks.h"

#include <algorithm>
#include <optional>

#include "util/json_fields.h"

namespace s3c {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// The string at `path` of nested objects; "" when any of it is absent. An object or a string
// of another type is an error naming the field.
arrow::Result<std::string> StringAt(const JsonFields& fields,
                                    std::initializer_list<const char*> path) {
  std::optional<JsonFields> node = fields;
  auto key = path.begin();
  for (; std::next(key) != path.end(); ++key) {
    ARROW_ASSIGN_OR_RAISE(node, node->OptionalObject(*key));
    if (!node) return "";
  }
  return node->StringOr(*key, "");
}

bool Contains(const std::string& haystack, const char* needle) {
  return Lower(haystack).find(needle) != std::string::npos;
}

}  // namespace

arrow::Status CheckCompactable(const nlohmann::json& table, const std::string& name) {
  auto refuse = [&](const std::string& why) {
    return arrow::Status::Invalid("Glue table ", name, " ", why);
  };
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(table, "Glue table " + name));
  ARROW_ASSIGN_OR_RAISE(const std::string table_type, StringAt(fields, {"TableType"}));
  ARROW_ASSIGN_OR_RAISE(std::string format_type, StringAt(fields, {"Parameters", "table_type"}));
  format_type = Lower(format_type);
  ARROW_ASSIGN_OR_RAISE(std::string provider,
                        StringAt(fields, {"Parameters", "spark.sql.sources.provider"}));
  provider = Lower(provider);
  ARROW_ASSIGN_OR_RAISE(const std::string input_format,
                        StringAt(fields, {"StorageDescriptor", "InputFormat"}));
  ARROW_ASSIGN_OR_RAISE(
      const std::string serde,
      StringAt(fields, {"StorageDescriptor", "SerdeInfo", "SerializationLibrary"}));
  ARROW_ASSIGN_OR_RAISE(std::string classification,
                        StringAt(fields, {"Parameters", "classification"}));
  if (classification.empty()) {
    ARROW_ASSIGN_OR_RAISE(classification,
                          StringAt(fields, {"StorageDescriptor", "Parameters", "classification"}));
  }
  classification = Lower(classification);
  ARROW_ASSIGN_OR_RAISE(std::string projection,
                        StringAt(fields, {"Parameters", "projection.enabled"}));
  ARROW_ASSIGN_OR_RAISE(const std::string location,
                        StringAt(fields, {"StorageDescriptor", "Location"}));
  // Partition keys are checked for their type only: a table with none is compacted as one
  // partition (its location).
  ARROW_RETURN_NOT_OK(fields.OptionalObjects("PartitionKeys").status());

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
  if (Lower(projection) == "true") {
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
  if (location.empty()) {
    return refuse("has no location (StorageDescriptor.Location is empty)");
  }
  return arrow::Status::OK();
}

}  // namespace s3c
