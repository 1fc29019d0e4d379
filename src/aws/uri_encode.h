#pragma once
// Percent-encoding as AWS wants it (SigV4's UriEncode): letters, digits and "-_.~" stay, every
// other byte becomes %XX in upper-case hex. Object keys keep their '/' (keep_slash).

#include <cctype>
#include <string>
#include <string_view>

namespace s3c::aws {

inline std::string UriEncode(std::string_view value, bool keep_slash = false) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace s3c::aws
