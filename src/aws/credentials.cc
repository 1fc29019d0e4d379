#include "aws/credentials.h"

#include <cstdio>
#include <ctime>

namespace s3c::aws {

std::string Credentials::Describe() const {
  std::string tail = access_key_id.size() >= 4 ? access_key_id.substr(access_key_id.size() - 4)
                                               : std::string("?");
  return "key ..." + tail + " from " + source;
}

std::optional<Clock::time_point> ParseIso8601(const std::string& text) {
  int year, month, day, hour, minute, second;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = timegm(&tm);
  // A numeric offset after the seconds (and any fraction): "+01:00" means an hour ahead of UTC.
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    while (pos + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[pos + 1]))) ++pos;
    ++pos;
  }
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) >= 1) {
      long offset = oh * 3600L + om * 60L;
      t -= text[pos] == '+' ? offset : -offset;
    }
  }
  return Clock::from_time_t(t);
}

}  // namespace s3c::aws
