// Fuzz target: the --sort_by parser (SortSpec::Parse) and its binding to a schema.
//
// Properties checked beyond "no crash": what parses prints (ToString) as text that parses again
// to the same spec and prints the same; resolving against a fixed schema with structs, a list
// and a map either succeeds with one key per column or fails with a message.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <arrow/type.h>

#include "execute/sort/resolved_sort.h"
#include "execute/sort/sort_spec.h"

namespace {

void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "sort_spec: %s\n  input: %.*s\n", what, static_cast<int>(text.size()),
               text.data());
  std::abort();
}

const arrow::Schema& TestSchema() {
  static const auto schema = arrow::schema({
      arrow::field("id", arrow::int64()),
      arrow::field("Name", arrow::utf8()),
      arrow::field("s", arrow::struct_({arrow::field("a", arrow::int32()),
                                        arrow::field("b.c", arrow::float64()),
                                        arrow::field("t", arrow::struct_({arrow::field(
                                                              "x", arrow::date32())}))})),
      arrow::field("l", arrow::list(arrow::int32())),
      arrow::field("m", arrow::map(arrow::utf8(), arrow::int64())),
      arrow::field("my col", arrow::binary()),
  });
  return *schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = s3c::SortSpec::Parse(text);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) Fail("an error without a message", text);
    return 0;
  }
  if (parsed->columns.empty()) Fail("a spec with no column parsed", text);
  const std::string printed = parsed->ToString();
  auto again = s3c::SortSpec::Parse(printed);
  if (!again.ok()) Fail("ToString() does not parse again", text);
  if (!(*again == *parsed)) Fail("the printed spec parses to another spec", text);
  if (again->ToString() != printed) Fail("printing is not a fixed point", text);
  auto resolved = parsed->Resolve(TestSchema());
  if (resolved.ok() && resolved->keys().size() != parsed->columns.size()) {
    Fail("resolved to another number of keys", text);
  }
  return 0;
}
