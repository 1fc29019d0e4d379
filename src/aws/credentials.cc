#include "aws/credentials.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "util/json_fields.h"

namespace s3c::aws {

std::string Credentials::Describe() const {
  std::string tail = access_key_id.size() >= 4 ? access_key_id.substr(access_key_id.size() - 4)
                                               : std::string("?");
  return "key ..." + tail + " from " + source;
}

arrow::Result<Credentials> CredentialsFromJson(const JsonFields& fields,
                                               std::initializer_list<const char*> token_keys) {
  Credentials credentials;
  ARROW_ASSIGN_OR_RAISE(credentials.access_key_id, fields.String("AccessKeyId"));
  ARROW_ASSIGN_OR_RAISE(credentials.secret_access_key, fields.String("SecretAccessKey"));
  if (credentials.access_key_id.empty()) return fields.FieldError("AccessKeyId", "is empty");
  if (credentials.secret_access_key.empty()) {
    return fields.FieldError("SecretAccessKey", "is empty");
  }
  for (const char* key : token_keys) {
    ARROW_ASSIGN_OR_RAISE(auto token, fields.OptionalString(key));
    if (token) {
      credentials.session_token = std::move(*token);
      break;
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto expiration, fields.OptionalString("Expiration"));
  if (expiration) {
    credentials.expiration = ParseIso8601(*expiration);
    if (!credentials.expiration) {
      return fields.FieldError("Expiration", "is not an ISO 8601 time");
    }
  }
  return credentials;
}

std::optional<Clock::time_point> ParseIso8601(const std::string& text) {
  int year, month, day, hour, minute, second;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  // The clock counts nanoseconds in 64 bits (1677..2262): an expiration far in the future
  // ("9999-12-31", meaning never) is the year 2200, one far in the past the epoch.
  year = std::clamp(year, 1970, 2200);
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
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) >= 1 && oh >= 0 && oh <= 23 &&
        om >= 0 && om <= 59) {
      long offset = oh * 3600L + om * 60L;
      t -= text[pos] == '+' ? offset : -offset;
    }
  }
  return Clock::from_time_t(t);
}

}  // namespace s3c::aws
