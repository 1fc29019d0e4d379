// Fuzz target: the HTML report (HtmlReport::Render) of any JSON document, as `s3-compaction
// report --from` reads a saved summary or inspection that anyone may have edited.
//
// Properties checked beyond "no crash": the page is valid UTF-8 and holds no markup from the
// document (its strings are escaped, so none of them can open a script, an image or a frame).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "report/html_report.h"
#include "util/utf8.h"

namespace {

void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "html_report: %s\n  input: %.*s\n", what,
               static_cast<int>(std::min<size_t>(input.size(), 400)), input.data());
  std::abort();
}

void Check(const nlohmann::json& doc, std::string_view input) {
  const std::string page = s3c::HtmlReport::Render(doc);
  if (!s3c::IsValidUtf8(page)) Fail("the page is not valid UTF-8", input);
  for (std::string_view bad : {"<script", "<img", "<iframe"}) {
    if (page.find(bad) != std::string::npos) Fail("the page holds a forbidden text", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (size > 64 * 1024) return 0;
  nlohmann::json doc = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  // As the document came, and as either kind (the renderer reads both leniently).
  doc = s3c::Utf8Safe(doc);
  Check(doc, input);
  if (doc.is_object()) {
    for (const char* kind : {"run", "inspection"}) {
      nlohmann::json as_kind = doc;
      as_kind["kind"] = kind;
      Check(as_kind, input);
    }
  }
  return 0;
}
