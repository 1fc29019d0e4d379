// Fuzz target: the Hive partition path codec (catalog/hive_path.h).
//
// Decodes the input as a path, a segment and an escaped text; and checks the round trips on
// the input taken as raw text: Unescape(Escape(x)) == x, and ParseSegment(MakeSegment(k, v))
// gives back (k, v) for a non-empty key and a value that is not the literal
// __HIVE_DEFAULT_PARTITION__ (which Hive itself cannot tell from NULL).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/hive_path.h"

namespace {

void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "hive_path: %s (input of %zu bytes)\n", what, text.size());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace hive = s3c::hive;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto path = hive::ParsePartitionPath(text); path.ok()) {
    std::vector<std::string> keys;
    std::vector<std::optional<std::string>> values;
    bool literal_default = false;  // "k=__HIVE%5FDEFAULT_PARTITION__": see the file comment
    for (const auto& kv : *path) {
      keys.push_back(kv.key);
      values.push_back(kv.value);
      literal_default |= kv.value == hive::kDefaultPartitionName;
    }
    // Re-encoding a decoded path decodes to the same segments.
    auto again = hive::ParsePartitionPath(hive::MakePartitionPath(keys, values));
    if (!literal_default && (!again.ok() || *again != *path)) {
      Fail("ParsePartitionPath(MakePartitionPath(ParsePartitionPath(p))) != ParsePartitionPath(p)",
           text);
    }
  }
  (void)hive::ParseSegment(text);

  const std::string escaped = hive::Escape(text);
  if (escaped.find('/') != std::string::npos || escaped.find('=') != std::string::npos) {
    Fail("Escape leaves a '/' or '='", text);
  }
  auto unescaped = hive::Unescape(escaped);
  if (!unescaped.ok() || *unescaped != text) Fail("Unescape(Escape(x)) != x", text);

  // Split the input at its first byte 0xFF (never valid UTF-8) into a key and a value.
  const size_t cut = text.find('\xFF');
  if (cut == std::string_view::npos || cut == 0) return 0;
  const std::string key(text.substr(0, cut));
  const std::string value(text.substr(cut + 1));
  if (value == hive::kDefaultPartitionName) return 0;
  auto segment = hive::ParseSegment(hive::MakeSegment(key, value));
  if (!segment.ok() || !*segment || (*segment)->key != key || (*segment)->value != value) {
    Fail("ParseSegment(MakeSegment(k, v)) != (k, v)", text);
  }
  auto null_segment = hive::ParseSegment(hive::MakeSegment(key, std::nullopt));
  if (!null_segment.ok() || !*null_segment || (*null_segment)->value) {
    Fail("ParseSegment(MakeSegment(k, NULL)) is not NULL", text);
  }
  return 0;
}
