#pragma once
// HtmlText: text from a document made safe to place in HTML or inline SVG. Names come from
// storage and are hostile until proven otherwise (`<script>`, quotes, `&`, control bytes, names
// thousands of characters long). Pure functions; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace s3c {

class HtmlText {
 public:
  /// `text` as HTML text or an attribute value (quoted with "): & < > " ' become character
  /// references; bytes that are not UTF-8 become the text \xNN (EscapeInvalidUtf8); control
  /// characters other than tab and newline, C1 controls and Unicode noncharacters (which an
  /// HTML parser reports as errors) become the text \xNN or \uXXXX. Everything else is kept.
  static std::string Escape(std::string_view text);

  /// `text` cut to at most `max_chars` characters (code points, never inside one), the last
  /// one an ellipsis (U+2026) when anything was cut. Not escaped. REQUIRES: max_chars >= 1.
  static std::string Ellipsize(std::string_view text, size_t max_chars);

  /// A number for an SVG attribute: at most one decimal, never "nan" or "inf" (a value that is
  /// not finite is written as 0), no exponent.
  static std::string Number(double value);
};

}  // namespace s3c
