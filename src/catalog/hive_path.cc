#include "catalog/hive_path.h"

#include <array>

namespace s3c::hive {
namespace {

// Hive's FileUtils.charToEscape: control characters and the ones with a meaning in paths, URIs
// or partition specs.
constexpr std::array<bool, 256> MakeEscapeTable() {
  std::array<bool, 256> table{};
  for (int c = 0x00; c < 0x20; ++c) table[c] = true;  // 0x00 too: it cannot appear in a path
  for (unsigned char c : std::string_view("\"#%'*/:=?\\{[]^")) table[c] = true;
  table[0x7F] = true;
  return table;
}
constexpr std::array<bool, 256> kEscape = MakeEscapeTable();

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Escape(std::string_view raw) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (kEscape[c]) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

arrow::Result<std::string> Unescape(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '%') {
      out += escaped[i];
      continue;
    }
    int hi = i + 1 < escaped.size() ? HexValue(escaped[i + 1]) : -1;
    int lo = i + 2 < escaped.size() ? HexValue(escaped[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return arrow::Status::Invalid("broken escaping in partition folder text '", escaped,
                                    "': '%' at offset ", i,
                                    " is not followed by two hex digits");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

arrow::Result<std::optional<KeyValue>> ParseSegment(std::string_view segment) {
  auto eq = segment.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  KeyValue kv;
  ARROW_ASSIGN_OR_RAISE(kv.key, Unescape(segment.substr(0, eq)));
  std::string_view value = segment.substr(eq + 1);
  if (value != kDefaultPartitionName) {
    ARROW_ASSIGN_OR_RAISE(std::string decoded, Unescape(value));
    kv.value = std::move(decoded);
  }
  return kv;
}

std::string MakeSegment(std::string_view key, const std::optional<std::string>& value) {
  std::string out = Escape(key);
  out += '=';
  out += value ? Escape(*value) : std::string(kDefaultPartitionName);
  return out;
}

std::string MakePartitionPath(const std::vector<std::string>& keys,
                              const std::vector<std::optional<std::string>>& values) {
  std::string out;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += '/';
    out += MakeSegment(keys[i], values[i]);
  }
  return out;
}

arrow::Result<std::vector<KeyValue>> ParsePartitionPath(std::string_view relative_path) {
  while (!relative_path.empty() && relative_path.back() == '/') relative_path.remove_suffix(1);
  std::vector<KeyValue> out;
  size_t start = 0;
  while (start <= relative_path.size() && !relative_path.empty()) {
    size_t slash = relative_path.find('/', start);
    if (slash == std::string_view::npos) slash = relative_path.size();
    std::string_view segment = relative_path.substr(start, slash - start);
    ARROW_ASSIGN_OR_RAISE(auto kv, ParseSegment(segment));
    if (!kv) {
      return arrow::Status::Invalid("'", segment, "' in '", relative_path,
                                    "' is not a key=value partition folder");
    }
    out.push_back(std::move(*kv));
    start = slash + 1;
    if (slash == relative_path.size()) break;
  }
  return out;
}

}  // namespace s3c::hive
