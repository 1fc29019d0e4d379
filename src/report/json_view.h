#pragma once
// JsonView: lenient reads of a report document (a saved --json of a run or an inspection).
// Unlike JsonFields, nothing here is an error: a document may come from an older or newer
// version, or be partial, and the report renders what is there. A field that is absent, null
// or of another type reads as absent (or the fallback). Numbers are finite and clamped to
// +-1e15, so arithmetic on them cannot overflow or make NaN.
//
// A view refers to its JSON value, which must outlive it. Thread-compatible.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace s3c {

class JsonView {
 public:
  explicit JsonView(const nlohmann::json* value = nullptr) : value_(value) {}

  /// The field `key` of an object; absent when this is not an object or has no such field.
  JsonView operator[](std::string_view key) const;

  /// In the document (null included).
  bool exists() const { return value_ != nullptr; }
  /// In the document and not null.
  bool present() const { return value_ != nullptr && !value_->is_null(); }
  bool is_object() const { return value_ != nullptr && value_->is_object(); }
  bool is_array() const { return value_ != nullptr && value_->is_array(); }

  /// A string as it is; nullopt for anything else.
  std::optional<std::string> OptString() const;
  /// A string as it is, a number or boolean as JSON prints it, anything else `fallback`.
  std::string String(std::string fallback = "") const;
  /// A number (a fraction rounded to the nearest integer); nullopt for anything else.
  std::optional<int64_t> OptInt() const;
  int64_t Int(int64_t fallback = 0) const { return OptInt().value_or(fallback); }
  std::optional<double> OptNumber() const;
  double Number(double fallback = 0) const { return OptNumber().value_or(fallback); }
  /// true or false; `fallback` for anything else.
  bool Bool(bool fallback = false) const;

  /// The elements of an array; none for anything else.
  std::vector<JsonView> Items() const;
  /// The fields of an object, in the document's (nlohmann's: sorted) order; none otherwise.
  std::vector<std::pair<std::string, JsonView>> Fields() const;
  /// The elements of an array read as integers (elements of other types as 0).
  std::vector<int64_t> Ints() const;
  /// The elements of an array that are strings (others left out).
  std::vector<std::string> Strings() const;

 private:
  const nlohmann::json* value_;
};

}  // namespace s3c
