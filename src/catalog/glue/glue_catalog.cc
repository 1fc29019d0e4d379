#include "catalog/glue/glue_catalog.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "aws/aws_error.h"
#include "catalog/glue/glue_table_checks.h"
#include "catalog/hive_path.h"
#include "util/error_kind.h"
#include "util/json_fields.h"
#include "util/logging.h"
#include "util/parallel_for.h"

namespace s3c {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

struct UpdateError {
  std::vector<std::string> values;  // the partition's
  std::string message;
};

// One entry of BatchUpdatePartition's Errors.
arrow::Result<UpdateError> ReadUpdateError(const nlohmann::json& error, const std::string& source) {
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(error, source));
  UpdateError out;
  ARROW_ASSIGN_OR_RAISE(out.values, fields.OptionalStrings("PartitionValueList"));
  ARROW_ASSIGN_OR_RAISE(auto detail, fields.OptionalObject("ErrorDetail"));
  if (!detail) {
    out.message = error.dump();
    return out;
  }
  ARROW_ASSIGN_OR_RAISE(std::string code, detail->StringOr("ErrorCode", ""));
  ARROW_ASSIGN_OR_RAISE(std::string message, detail->StringOr("ErrorMessage", ""));
  out.message = code + ": " + message;
  return out;
}

}  // namespace

GlueCatalog::GlueCatalog(std::shared_ptr<GlueClient> client, std::string database,
                         std::string table, FileSystems& file_systems, int segments)
    : client_(std::move(client)),
      database_(std::move(database)),
      table_(std::move(table)),
      file_systems_(file_systems),
      segments_(std::clamp(segments, 1, 10)) {}

KeyType GlueCatalog::KeyTypeOf(const std::string& glue_type) {
  const std::string t = Lower(glue_type);
  for (const char* numeric : {"tinyint", "smallint", "int", "integer", "bigint", "float",
                              "double", "decimal", "long", "short", "byte"}) {
    if (t == numeric || t.rfind(std::string(numeric) + "(", 0) == 0) return KeyType::kNumeric;
  }
  return KeyType::kString;  // string, varchar, char, date, timestamp, boolean
}

arrow::Result<GlueCatalog::Definition> GlueCatalog::ReadDefinition(nlohmann::json table,
                                                                  const std::string& name) {
  ARROW_RETURN_NOT_OK(CheckCompactable(table, name));
  Definition definition;
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(table, "Glue table " + name));
  ARROW_ASSIGN_OR_RAISE(auto sd, fields.Object("StorageDescriptor"));
  ARROW_ASSIGN_OR_RAISE(definition.location, sd.String("Location"));
  ARROW_ASSIGN_OR_RAISE(auto keys, fields.Objects("PartitionKeys"));
  for (const auto& key : keys) {
    ARROW_ASSIGN_OR_RAISE(std::string key_name, key.String("Name"));
    ARROW_ASSIGN_OR_RAISE(std::string key_type, key.StringOr("Type", "string"));
    definition.keys.push_back(PartitionKey{std::move(key_name), KeyTypeOf(key_type)});
  }
  ARROW_ASSIGN_OR_RAISE(auto columns, sd.OptionalObjects("Columns"));
  for (const auto& column : columns) {
    ARROW_ASSIGN_OR_RAISE(std::string column_name, column.StringOr("Name", ""));
    definition.column_names.push_back(std::move(column_name));
  }
  return definition;
}

arrow::Result<GlueCatalog::PartitionEntry> GlueCatalog::ReadPartitionEntry(
    const nlohmann::json& partition, const std::string& source) {
  PartitionEntry entry;
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(partition, source));
  ARROW_ASSIGN_OR_RAISE(entry.values, fields.Strings("Values"));
  // PartitionInput sends these back; they must be what Glue gives.
  ARROW_ASSIGN_OR_RAISE(auto sd, fields.OptionalObject("StorageDescriptor"));
  ARROW_RETURN_NOT_OK(fields.OptionalObject("Parameters").status());
  if (sd) {
    ARROW_ASSIGN_OR_RAISE(entry.location, sd->StringOr("Location", ""));
  }
  return entry;
}

arrow::Result<Table> GlueCatalog::LoadTable() {
  auto definition = client_->GetTable(database_, table_);
  if (!definition.ok()) {
    if (aws::AwsErrorCode(definition.status()) == "EntityNotFoundException") {
      return WithKind(arrow::Status::IOError("table ", Describe(),
                                             " not found in the Glue Data Catalog (database ",
                                             database_, "): ", definition.status().message()),
                      ErrorKind::kInput);
    }
    return definition.status();
  }
  auto read = ReadDefinition(std::move(*definition), Describe());
  if (!read.ok()) return WithKind(read.status(), ErrorKind::kInput);
  Table table;
  table.name = Describe();
  table.keys = std::move(read->keys);
  unpartitioned_ = table.keys.empty();
  table.column_names = std::move(read->column_names);
  const std::string& location = read->location;
  auto resolved = file_systems_.Resolve(location);
  if (!resolved.ok()) {
    return WithKind(resolved.status().WithMessage("Glue table ", Describe(), " location ",
                                                  location, ": ", resolved.status().message()),
                    ErrorKind::kInput);
  }
  table.location = *resolved;
  return table;
}

arrow::Result<std::vector<nlohmann::json>> GlueCatalog::FetchPartitions(
    const std::string& expression) const {
  std::mutex mutex;
  std::vector<nlohmann::json> all;
  arrow::Status failure;
  ParallelFor(static_cast<size_t>(segments_), segments_, [&](size_t s) {
    std::optional<GlueClient::Segment> segment;
    if (segments_ > 1) segment = GlueClient::Segment{static_cast<int>(s), segments_};
    std::string token;
    do {
      auto page = client_->GetPartitions(database_, table_, expression, segment, token);
      std::lock_guard<std::mutex> lock(mutex);
      if (!page.ok()) {
        if (failure.ok()) failure = page.status();
        return;
      }
      for (auto& p : page->partitions) all.push_back(std::move(p));
      token = page->next_token;
    } while (!token.empty());
  });
  ARROW_RETURN_NOT_OK(failure);
  return all;
}

arrow::Result<PartitionListing> GlueCatalog::ListPartitions(const Table& table,
                                                            const PartitionPredicate& predicate) {
  PartitionListing listing;
  unpartitioned_ = table.keys.empty();
  if (unpartitioned_) {
    // The table's own location is its one partition: read again, since a deferred commit may
    // have changed the table since LoadTable.
    ARROW_ASSIGN_OR_RAISE(auto definition, client_->GetTable(database_, table_));
    ARROW_ASSIGN_OR_RAISE(auto read, ReadDefinition(std::move(definition), Describe()));
    Partition partition;
    ARROW_ASSIGN_OR_RAISE(partition.location, file_systems_.Resolve(read.location));
    listing.partitions.push_back(std::move(partition));
    return listing;
  }
  const std::string expression = predicate.ToGlueExpression();
  auto fetched = FetchPartitions(expression);
  if (!fetched.ok() && !expression.empty() &&
      aws::AwsErrorCode(fetched.status()) == "InvalidInputException") {
    // Glue's parser is narrower than its documentation; the predicate still holds locally.
    listing.notes.push_back("Glue could not evaluate the predicate (" +
                            fetched.status().message() +
                            "); listed every partition and filtered here");
    log::Info("Glue rejected the pushed-down predicate; listing every partition");
    fetched = FetchPartitions("");
  }
  ARROW_RETURN_NOT_OK(fetched.status());

  std::vector<std::string> key_names = table.KeyNames();
  std::set<std::vector<std::string>> seen;
  partitions_by_path_.clear();
  const std::string source = "Glue GetPartitions " + Describe();
  for (auto& definition : *fetched) {
    ARROW_ASSIGN_OR_RAISE(PartitionEntry entry, ReadPartitionEntry(definition, source));
    const std::vector<std::string>& raw = entry.values;
    if (raw.size() != key_names.size()) continue;
    // Segments may overlap (or a server may ignore them): each partition once.
    if (!seen.insert(raw).second) continue;
    Partition partition;
    for (const auto& value : raw) {
      if (value == hive::kDefaultPartitionName) {
        partition.values.push_back(std::nullopt);
      } else {
        partition.values.push_back(value);
      }
    }
    Truth truth = predicate.Evaluate([&](std::string_view key) {
      for (size_t i = 0; i < table.keys.size(); ++i) {
        if (Lower(std::string(key)) != Lower(table.keys[i].name)) continue;
        if (!partition.values[i]) return KeyBinding::Null(table.keys[i].type);
        return KeyBinding::Value(*partition.values[i], table.keys[i].type);
      }
      return KeyBinding::Unbound();
    });
    if (truth != Truth::kTrue) continue;
    partition.path = hive::MakePartitionPath(key_names, partition.values);
    const std::string& location = entry.location;
    if (location.empty()) {
      listing.notes.push_back("partition " + partition.path +
                              " has no location in the catalog; skipped");
      continue;
    }
    auto resolved = file_systems_.Resolve(location);
    if (!resolved.ok()) {
      listing.notes.push_back("partition " + partition.path + ": location " + location + ": " +
                              resolved.status().message() + "; skipped");
      continue;
    }
    partition.location = *resolved;
    partitions_by_path_[partition.path] = std::move(definition);
    listing.partitions.push_back(std::move(partition));
  }
  std::sort(listing.partitions.begin(), listing.partitions.end(),
            [](const Partition& a, const Partition& b) { return a.path < b.path; });
  return listing;
}

namespace {

// `definition` (a partition's or a table's, as Glue gave it) with only the fields `fields` its
// *Input takes back, changed by `update`: the new location, and the statistics the tool owns,
// each only where the definition already has it.
nlohmann::json InputOf(const nlohmann::json& definition, std::initializer_list<const char*> fields,
                       const PartitionUpdate& update) {
  nlohmann::json input = nlohmann::json::object();
  for (const char* key : fields) {
    if (definition.contains(key)) input[key] = definition[key];
  }
  if (update.location) {
    // The readers refused a StorageDescriptor that is not an object; never throw here.
    if (!input["StorageDescriptor"].is_object()) input["StorageDescriptor"] = nlohmann::json::object();
    input["StorageDescriptor"]["Location"] = *update.location;
  }
  if (input.contains("Parameters") && input["Parameters"].is_object()) {
    auto& parameters = input["Parameters"];
    auto set = [&](const char* key, int64_t value) {
      if (value >= 0 && parameters.contains(key)) parameters[key] = std::to_string(value);
    };
    set("numFiles", update.files);
    set("objectCount", update.files);
    set("totalSize", update.bytes);
    set("sizeKey", update.bytes);
    set("recordCount", update.rows);
  }
  return input;
}

}  // namespace

nlohmann::json GlueCatalog::PartitionInput(const nlohmann::json& partition,
                                           const PartitionUpdate& update) {
  // PartitionInput takes these fields back; the rest (DatabaseName, TableName, CreationTime,
  // CatalogId) are Glue's own.
  return InputOf(partition,
                 {"Values", "LastAccessTime", "StorageDescriptor", "Parameters", "LastAnalyzedTime"},
                 update);
}

nlohmann::json GlueCatalog::TableInput(const nlohmann::json& table, const PartitionUpdate& update) {
  // TableInput takes these back; the rest (DatabaseName, CreateTime, UpdateTime, CreatedBy,
  // VersionId, CatalogId, IsRegisteredWithLakeFormation, ...) are Glue's own.
  return InputOf(table,
                 {"Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime",
                  "Retention", "StorageDescriptor", "PartitionKeys", "ViewOriginalText",
                  "ViewExpandedText", "TableType", "Parameters", "TargetTable", "ViewDefinition"},
                 update);
}

arrow::Result<std::vector<PartitionUpdateFailure>> GlueCatalog::UpdateTable(
    const PartitionUpdate& update) {
  // Read again right before the update, and sent with its VersionId: Glue refuses the update
  // if anything (a crawler, another tool) changed the table since, rather than undoing that.
  auto fail = [&](const arrow::Status& st) {
    return std::vector<PartitionUpdateFailure>{{update.path, st.message()}};
  };
  auto current = client_->GetTable(database_, table_);
  if (!current.ok()) return fail(current.status());
  nlohmann::json body = {{"DatabaseName", database_}, {"TableInput", TableInput(*current, update)}};
  if (current->contains("VersionId") && (*current)["VersionId"].is_string()) {
    body["VersionId"] = (*current)["VersionId"];
  }
  auto answer = client_->Call("UpdateTable", body, Describe());
  if (!answer.ok()) return fail(answer.status());
  return std::vector<PartitionUpdateFailure>{};
}

arrow::Result<std::vector<PartitionUpdateFailure>> GlueCatalog::UpdatePartitions(
    const std::vector<PartitionUpdate>& updates) {
  std::vector<PartitionUpdateFailure> failures;
  std::vector<nlohmann::json> entries;
  std::vector<std::string> paths;
  auto flush = [&]() -> arrow::Status {
    if (entries.empty()) return arrow::Status::OK();
    auto errors = client_->BatchUpdatePartition(database_, table_, entries);
    if (!errors.ok()) {
      // The whole call failed: none of this batch was updated.
      for (const auto& path : paths) failures.push_back({path, errors.status().message()});
    } else {
      for (const auto& error : *errors) {
        auto read = ReadUpdateError(error, "Glue BatchUpdatePartition " + Describe());
        if (!read.ok()) {
          // Which partition failed cannot be told: none of this batch counts as updated.
          for (const auto& path : paths) failures.push_back({path, read.status().message()});
          break;
        }
        for (size_t i = 0; i < entries.size(); ++i) {
          if (entries[i]["PartitionValueList"] == read->values) {
            failures.push_back(
                {paths[i], "BatchUpdatePartition " + Describe() + ": " + read->message});
          }
        }
      }
    }
    entries.clear();
    paths.clear();
    return arrow::Status::OK();
  };
  for (const auto& update : updates) {
    if (update.path.empty() && unpartitioned_) {
      ARROW_ASSIGN_OR_RAISE(auto failed, UpdateTable(update));
      failures.insert(failures.end(), failed.begin(), failed.end());
      continue;
    }
    auto it = partitions_by_path_.find(update.path);
    if (it == partitions_by_path_.end()) {
      failures.push_back({update.path, "not a partition this run listed"});
      continue;
    }
    entries.push_back({{"PartitionValueList", it->second["Values"]},
                       {"PartitionInput", PartitionInput(it->second, update)}});
    paths.push_back(update.path);
    if (entries.size() == 100) ARROW_RETURN_NOT_OK(flush());
  }
  ARROW_RETURN_NOT_OK(flush());
  return failures;
}

}  // namespace s3c
