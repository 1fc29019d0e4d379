#pragma once
// JsonFields: typed reads of the fields of one JSON object. Every JSON document the tool reads
// (credential_process output, the container and instance-metadata credentials, Glue answers,
// AWS error bodies, our own journal, lease and pointer records) is read through it, so that a
// field of another type is an arrow::Status naming the document and the field,
//
//   credential_process for profile 'ci': field 'AccessKeyId' is not a string (it is a number)
//   Glue GetTable db.t: field 'StorageDescriptor' is not an object (it is a string)
//
// and never an nlohmann exception. A message names types only, never a value: values may be
// secrets.
//
// Absent and null are the same for the optional reads ("SessionToken": null is no token); a
// required field that is null is an error. A JsonFields refers to its object, which must outlive
// it. Thread-compatible.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

namespace s3c {

/// `text` parsed as a JSON object. Invalid "<source>: not JSON" or
/// "<source>: not a JSON object (it is an array)".
arrow::Result<nlohmann::json> ParseJsonObject(std::string_view text, const std::string& source);

/// "a string", "a number", "null", "an array", ... for messages.
std::string JsonTypeName(const nlohmann::json& value);

class JsonFields {
 public:
  /// The fields of `object`; Invalid unless it is an object. `source` names the document in
  /// every error ("credential_process for profile 'ci'").
  static arrow::Result<JsonFields> Of(const nlohmann::json& object, std::string source);

  /// Whether `key` is present and not null.
  bool Has(std::string_view key) const;
  /// The field whatever its type; nullptr when absent.
  const nlohmann::json* Raw(std::string_view key) const;

  // Required: absent, null or another type is an error.
  arrow::Result<std::string> String(std::string_view key) const;
  arrow::Result<int64_t> Int(std::string_view key) const;
  arrow::Result<bool> Bool(std::string_view key) const;
  arrow::Result<JsonFields> Object(std::string_view key) const;
  /// An array of objects; each element's errors name it ("Partitions[3].Values").
  arrow::Result<std::vector<JsonFields>> Objects(std::string_view key) const;
  arrow::Result<std::vector<std::string>> Strings(std::string_view key) const;

  // Optional: absent or null gives the fallback (or nullopt, or nothing); another type is an
  // error.
  arrow::Result<std::optional<std::string>> OptionalString(std::string_view key) const;
  arrow::Result<std::string> StringOr(std::string_view key, std::string fallback) const;
  arrow::Result<int64_t> IntOr(std::string_view key, int64_t fallback) const;
  arrow::Result<uint64_t> UintOr(std::string_view key, uint64_t fallback) const;
  arrow::Result<bool> BoolOr(std::string_view key, bool fallback) const;
  arrow::Result<std::optional<JsonFields>> OptionalObject(std::string_view key) const;
  arrow::Result<std::vector<JsonFields>> OptionalObjects(std::string_view key) const;
  arrow::Result<std::vector<std::string>> OptionalStrings(std::string_view key) const;

  /// Invalid "<source>: field '<key>' <what>", for checks of a value read
  /// ("must be 1", "is empty").
  arrow::Status FieldError(std::string_view key, std::string_view what) const;

  const nlohmann::json& json() const { return *object_; }
  const std::string& source() const { return source_; }

 private:
  JsonFields(const nlohmann::json* object, std::string source, std::string prefix)
      : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {}

  /// The field if present and not null, else nullptr.
  const nlohmann::json* Present(std::string_view key) const;
  arrow::Status Missing(std::string_view key) const;
  arrow::Status WrongType(std::string_view key, const char* expected,
                          const nlohmann::json& value) const;
  arrow::Result<JsonFields> AsObject(std::string field_path, const nlohmann::json& value) const;
  arrow::Result<std::vector<JsonFields>> AsObjects(std::string_view key,
                                                   const nlohmann::json& value) const;
  arrow::Result<std::vector<std::string>> AsStrings(std::string_view key,
                                                    const nlohmann::json& value) const;
  arrow::Result<int64_t> AsInt(std::string_view key, const nlohmann::json& value) const;

  const nlohmann::json* object_;
  std::string source_;
  std::string prefix_;  // "StorageDescriptor." for the fields of a nested object
};

}  // namespace s3c
