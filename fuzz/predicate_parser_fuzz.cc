// Fuzz target: the --partition_predicate parser (PartitionPredicate::Parse).
//
// Properties checked beyond "no crash": what parses prints (ToGlueExpression) as text that
// parses again, prints the same, names the same keys and evaluates the same on a few bindings;
// Validate accepts the keys the predicate itself names.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "plan/partition_predicate.h"

namespace {

void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "predicate_parser: %s\n  input: %.*s\n", what,
               static_cast<int>(text.size()), text.data());
  std::abort();
}

// Binds every key to one of a few values, chosen by the key's length and `seed`.
s3c::Truth Evaluate(const s3c::PartitionPredicate& p, int seed, s3c::KeyType type) {
  static const char* kValues[] = {"2023", "05", "", "abc", "-1.5e3", "%_x"};
  return p.Evaluate([&](std::string_view key) {
    const int pick = static_cast<int>((key.size() + seed) % 8);
    if (pick == 6) return s3c::KeyBinding::Null(type);
    if (pick == 7) return s3c::KeyBinding::Unbound();
    return s3c::KeyBinding::Value(kValues[pick], type);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = s3c::PartitionPredicate::Parse(text);
  if (!parsed.ok()) return 0;
  const std::string printed = parsed->ToGlueExpression();
  auto again = s3c::PartitionPredicate::Parse(printed);
  if (!again.ok()) Fail("ToGlueExpression() does not parse again", text);
  if (again->ToGlueExpression() != printed) Fail("printing is not a fixed point", text);
  const auto keys = parsed->ReferencedKeys();
  if (again->ReferencedKeys() != keys) Fail("the printed predicate names other keys", text);
  if (!parsed->Validate(keys).ok()) Fail("Validate refuses the predicate's own keys", text);
  for (auto type : {s3c::KeyType::kUnknown, s3c::KeyType::kString, s3c::KeyType::kNumeric}) {
    for (int seed = 0; seed < 3; ++seed) {
      if (Evaluate(*parsed, seed, type) != Evaluate(*again, seed, type)) {
        Fail("the printed predicate evaluates differently", text);
      }
    }
  }
  return 0;
}
