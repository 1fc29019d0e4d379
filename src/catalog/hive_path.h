#pragma once
// Hive partition path codec: the `key=value` folder names of a Hive-partitioned table.
//
// Values are escaped exactly as Hive's FileUtils.escapePathName does (and Spark, Athena and
// Trino read): the characters below are written as %XX (upper-case hex), every other byte,
// UTF-8 included, is kept as is.
//   0x01-0x1F  "  #  %  '  *  /  :  =  ?  \  0x7F  {  [  ]  ^
// A NULL value is written as __HIVE_DEFAULT_PARTITION__.
//
// All functions are pure and thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>

namespace s3c::hive {

inline constexpr std::string_view kDefaultPartitionName = "__HIVE_DEFAULT_PARTITION__";

/// One `key=value` folder, decoded. `value` is nullopt for __HIVE_DEFAULT_PARTITION__.
struct KeyValue {
  std::string key;
  std::optional<std::string> value;

  bool operator==(const KeyValue&) const = default;
};

/// Escapes a key or a value for use in a folder name.
std::string Escape(std::string_view raw);

/// Reverses Escape. Returns Invalid, naming the text and the offset, when a '%' is not followed
/// by two hex digits (Hive would keep such text verbatim; we refuse it, since a folder we cannot
/// decode is one we cannot safely rewrite).
arrow::Result<std::string> Unescape(std::string_view escaped);

/// Decodes one folder name. Returns nullopt when the name is not a partition folder: it has no
/// '=', or nothing before the '=' (the first unescaped '=' separates key and value; an escaped
/// '=' appears as %3D and never splits). Returns Invalid when the key or value has broken escaping.
arrow::Result<std::optional<KeyValue>> ParseSegment(std::string_view segment);

/// Encodes one folder name: Escape(key) + "=" + (Escape(value) or __HIVE_DEFAULT_PARTITION__).
std::string MakeSegment(std::string_view key, const std::optional<std::string>& value);

/// Encodes a whole partition path, "k1=v1/k2=v2". REQUIRES: keys.size() == values.size().
std::string MakePartitionPath(const std::vector<std::string>& keys,
                              const std::vector<std::optional<std::string>>& values);

/// Decodes a relative partition path ("year=2023/month=05") into its segments, in order.
/// Returns Invalid when any segment is not a partition folder or has broken escaping.
arrow::Result<std::vector<KeyValue>> ParsePartitionPath(std::string_view relative_path);

}  // namespace s3c::hive
