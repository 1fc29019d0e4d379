#pragma once
// Just enough XML for the AWS query and REST-XML responses we read (STS credentials, S3
// DeleteObjects errors): text of named elements, and escaping for what we send. Not a parser:
// the shapes are fixed, flat and documented.

#include <string>
#include <string_view>
#include <vector>

namespace s3c::xml {

/// The unescaped text of the first <tag>...</tag> in `doc`, or "" if absent.
std::string FirstText(std::string_view doc, std::string_view tag);

/// Every <tag>...</tag> element of `doc`, each as its raw inner XML, in order.
std::vector<std::string_view> Elements(std::string_view doc, std::string_view tag);

/// & < > " ' as entities, CR and LF as character references (which XML parsing would
/// otherwise normalise).
std::string Escape(std::string_view text);

/// Entities (the five named ones and numeric &#N; / &#xN;) back to text.
std::string Unescape(std::string_view text);

}  // namespace s3c::xml
