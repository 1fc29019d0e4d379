#include "report/html_text.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "util/utf8.h"

namespace s3c {
namespace {

// The code point starting at text[i] (text is valid UTF-8) and its length in bytes.
std::pair<uint32_t, size_t> Decode(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1};
  if (lead < 0xE0) return {((lead & 0x1Fu) << 6) | (byte(1) & 0x3Fu), 2};
  if (lead < 0xF0) {
    return {((lead & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu), 3};
  }
  return {((lead & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) | ((byte(2) & 0x3Fu) << 6) |
              (byte(3) & 0x3Fu),
          4};
}

// What an HTML parser reports as a parse error when it reads it.
bool ParserRejects(uint32_t c) {
  if (c < 0x20) return c != '\t' && c != '\n';
  if (c >= 0x7F && c <= 0x9F) return true;
  if (c >= 0xFDD0 && c <= 0xFDEF) return true;
  return (c & 0xFFFE) == 0xFFFE;
}

std::string Visible(uint32_t c) {
  char buf[16];
  if (c <= 0x7F) {
    std::snprintf(buf, sizeof(buf), "\\x%02X", static_cast<unsigned>(c));
  } else {
    std::snprintf(buf, sizeof(buf), "\\u%04X", static_cast<unsigned>(c));
  }
  return buf;
}

}  // namespace

std::string HtmlText::Escape(std::string_view raw) {
  const std::string text = EscapeInvalidUtf8(raw);
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size();) {
    const auto [c, length] = Decode(text, i);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (ParserRejects(c)) {
          out += Visible(c);
        } else {
          out.append(text, i, length);
        }
    }
    i += length;
  }
  return out;
}

std::string HtmlText::Ellipsize(std::string_view raw, size_t max_chars) {
  const std::string text = EscapeInvalidUtf8(raw);
  size_t chars = 0, cut = std::string::npos;
  for (size_t i = 0; i < text.size(); i += Decode(text, i).second) {
    if (chars == max_chars - 1) cut = i;  // where the ellipsis goes, if one is needed
    if (++chars > max_chars) return text.substr(0, cut) + "\u2026";
  }
  return text;
}

std::string HtmlText::Number(double value) {
  if (!std::isfinite(value)) return "0";
  const double rounded = std::round(value * 10.0) / 10.0;
  if (std::fabs(rounded) >= 1e15) return rounded < 0 ? "-1000000000000000" : "1000000000000000";
  char buf[32];
  if (rounded == std::floor(rounded)) {
    std::snprintf(buf, sizeof(buf), "%.0f", rounded == 0 ? 0.0 : rounded);  // never "-0"
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f", rounded);
  }
  return buf;
}

}  // namespace s3c
