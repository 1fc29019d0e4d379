#include "util/json_fields.h"

#include <limits>

namespace s3c {

arrow::Result<nlohmann::json> ParseJsonObject(std::string_view text, const std::string& source) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return arrow::Status::Invalid(source, ": not JSON");
  if (!json.is_object()) {
    return arrow::Status::Invalid(source, ": not a JSON object (it is ", JsonTypeName(json), ")");
  }
  return json;
}

std::string JsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "a number";
    case nlohmann::json::value_t::number_float: return "a floating-point number";
    default: return std::string("a ") + value.type_name();
  }
}

arrow::Result<JsonFields> JsonFields::Of(const nlohmann::json& object, std::string source) {
  if (!object.is_object()) {
    return arrow::Status::Invalid(source, ": not a JSON object (it is ", JsonTypeName(object),
                                  ")");
  }
  return JsonFields(&object, std::move(source), "");
}

const nlohmann::json* JsonFields::Raw(std::string_view key) const {
  auto it = object_->find(std::string(key));
  return it == object_->end() ? nullptr : &*it;
}

const nlohmann::json* JsonFields::Present(std::string_view key) const {
  const nlohmann::json* value = Raw(key);
  return value && !value->is_null() ? value : nullptr;
}

bool JsonFields::Has(std::string_view key) const { return Present(key) != nullptr; }

arrow::Status JsonFields::FieldError(std::string_view key, std::string_view what) const {
  return arrow::Status::Invalid(source_, ": field '", prefix_, key, "' ", what);
}

arrow::Status JsonFields::Missing(std::string_view key) const {
  const nlohmann::json* value = Raw(key);
  return FieldError(key, value ? "is null" : "is missing");
}

arrow::Status JsonFields::WrongType(std::string_view key, const char* expected,
                                    const nlohmann::json& value) const {
  return FieldError(key, std::string("is not ") + expected + " (it is " + JsonTypeName(value) +
                             ")");
}

arrow::Result<JsonFields> JsonFields::AsObject(std::string field_path,
                                               const nlohmann::json& value) const {
  if (!value.is_object()) return WrongType(field_path, "an object", value);
  return JsonFields(&value, source_, prefix_ + field_path + ".");
}

arrow::Result<std::vector<JsonFields>> JsonFields::AsObjects(std::string_view key,
                                                             const nlohmann::json& value) const {
  if (!value.is_array()) return WrongType(key, "an array", value);
  std::vector<JsonFields> out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto element,
                          AsObject(std::string(key) + "[" + std::to_string(i) + "]", value[i]));
    out.push_back(std::move(element));
  }
  return out;
}

arrow::Result<std::vector<std::string>> JsonFields::AsStrings(std::string_view key,
                                                              const nlohmann::json& value) const {
  if (!value.is_array()) return WrongType(key, "an array", value);
  std::vector<std::string> out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      return WrongType(std::string(key) + "[" + std::to_string(i) + "]", "a string", value[i]);
    }
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

arrow::Result<int64_t> JsonFields::AsInt(std::string_view key, const nlohmann::json& value) const {
  if (value.is_number_unsigned()) {
    if (value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return FieldError(key, "is out of range");
    }
    return static_cast<int64_t>(value.get<uint64_t>());
  }
  if (!value.is_number_integer()) return WrongType(key, "an integer", value);
  return value.get<int64_t>();
}

arrow::Result<std::string> JsonFields::String(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return Missing(key);
  if (!value->is_string()) return WrongType(key, "a string", *value);
  return value->get<std::string>();
}

arrow::Result<int64_t> JsonFields::Int(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return Missing(key);
  return AsInt(key, *value);
}

arrow::Result<bool> JsonFields::Bool(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return Missing(key);
  if (!value->is_boolean()) return WrongType(key, "a boolean", *value);
  return value->get<bool>();
}

arrow::Result<JsonFields> JsonFields::Object(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return Missing(key);
  return AsObject(std::string(key), *value);
}

arrow::Result<std::vector<JsonFields>> JsonFields::Objects(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return Missing(key);
  return AsObjects(key, *value);
}

arrow::Result<std::vector<std::string>> JsonFields::Strings(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return Missing(key);
  return AsStrings(key, *value);
}

arrow::Result<std::optional<std::string>> JsonFields::OptionalString(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return std::nullopt;
  if (!value->is_string()) return WrongType(key, "a string", *value);
  return value->get<std::string>();
}

arrow::Result<std::string> JsonFields::StringOr(std::string_view key, std::string fallback) const {
  ARROW_ASSIGN_OR_RAISE(auto value, OptionalString(key));
  return value ? std::move(*value) : std::move(fallback);
}

arrow::Result<int64_t> JsonFields::IntOr(std::string_view key, int64_t fallback) const {
  const nlohmann::json* value = Present(key);
  if (!value) return fallback;
  return AsInt(key, *value);
}

arrow::Result<uint64_t> JsonFields::UintOr(std::string_view key, uint64_t fallback) const {
  const nlohmann::json* value = Present(key);
  if (!value) return fallback;
  if (value->is_number_unsigned()) return value->get<uint64_t>();
  if (value->is_number_integer()) {
    if (value->get<int64_t>() < 0) return FieldError(key, "is negative");
    return static_cast<uint64_t>(value->get<int64_t>());
  }
  return WrongType(key, "an integer", *value);
}

arrow::Result<bool> JsonFields::BoolOr(std::string_view key, bool fallback) const {
  const nlohmann::json* value = Present(key);
  if (!value) return fallback;
  if (!value->is_boolean()) return WrongType(key, "a boolean", *value);
  return value->get<bool>();
}

arrow::Result<std::optional<JsonFields>> JsonFields::OptionalObject(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto object, AsObject(std::string(key), *value));
  return object;
}

arrow::Result<std::vector<JsonFields>> JsonFields::OptionalObjects(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return std::vector<JsonFields>{};
  return AsObjects(key, *value);
}

arrow::Result<std::vector<std::string>> JsonFields::OptionalStrings(std::string_view key) const {
  const nlohmann::json* value = Present(key);
  if (!value) return std::vector<std::string>{};
  return AsStrings(key, *value);
}

}  // namespace s3c
