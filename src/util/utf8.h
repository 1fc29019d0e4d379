#pragma once
// Names are bytes. Local file and folder names, and flags, may hold bytes that are not UTF-8;
// JSON (the summary, JSON logs, the journal, Glue requests) can only carry UTF-8.
//
// Contract:
// - FirstInvalidUtf8 finds the first byte that does not start a well-formed UTF-8 sequence
//   (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), or nullopt.
// - EscapeInvalidUtf8 is for reporting only: each byte of an ill-formed sequence becomes the
//   four characters \xNN (upper-case hex); valid text, backslashes included, is unchanged.
//   The result is always valid UTF-8. It is not reversible and never names a real object.
// - OneLine is EscapeInvalidUtf8 that also writes control characters (below 0x20, and 0x7F)
//   as \xNN: a name holding a newline or a terminal escape stays on its line, inert. For text
//   meant for people (the text summary, text log lines); JSON escapes them itself.
// - Utf8Safe returns a copy of a JSON value whose strings and keys went through
//   EscapeInvalidUtf8, so dumping it cannot throw.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace s3c {

std::optional<size_t> FirstInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return !FirstInvalidUtf8(text).has_value(); }

std::string EscapeInvalidUtf8(std::string_view text);

std::string OneLine(std::string_view text);

nlohmann::json Utf8Safe(const nlohmann::json& value);

}  // namespace s3c
