#include "util/human.h"

#include <cmath>
#include <cstdio>

namespace s3c::human {

std::string Bytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (std::fabs(value) >= 1024.0 && unit < 5) {
    value /= 1024.0;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof(buf), "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f %s", value, kUnits[unit]);
  }
  return buf;
}

std::string Count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  int since_sep = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (since_sep == 3) {
      out.insert(out.begin(), ',');
      since_sep = 0;
    }
    out.insert(out.begin(), *it);
    ++since_sep;
  }
  return n < 0 ? "-" + out : out;
}

std::string Duration(double seconds) {
  char buf[48];
  if (seconds < 1.0) {
    std::snprintf(buf, sizeof(buf), "%.0f ms", seconds * 1000.0);
  } else if (seconds < 60.0) {
    std::snprintf(buf, sizeof(buf), "%.1f s", seconds);
  } else {
    long total = std::lround(seconds);
    std::snprintf(buf, sizeof(buf), "%ld min %ld s", total / 60, total % 60);
  }
  return buf;
}

std::string Change(int64_t before, int64_t after, bool as_bytes) {
  std::string out = as_bytes ? Bytes(before) + " -> " + Bytes(after)
                             : Count(before) + " -> " + Count(after);
  if (before > 0 && before != after) {
    char buf[32];
    double pct = 100.0 * (static_cast<double>(after) - before) / before;
    std::snprintf(buf, sizeof(buf), " (%+.1f%%)", pct);
    out += buf;
  }
  return out;
}

}  // namespace s3c::human
