#pragma once
// Wall-clock helpers shared by the journal, the lease and recovery (deadlines and expiries are
// stored as Unix seconds; file versions as modification times in nanoseconds).

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

#include <arrow/filesystem/filesystem.h>

namespace s3c {

/// Seconds since the Unix epoch, now.
inline int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// "2026-12-01T01:02:03Z": Unix seconds as UTC ISO-8601.
/// Outside years 1970 to 9999 (a forged expiry, say) the nearest end is printed.
inline std::string IsoUtc(int64_t unix) {
  constexpr int64_t kLast = 253402300799;  // 9999-12-31T23:59:59Z
  std::time_t t = static_cast<std::time_t>(unix < 0 ? 0 : unix > kLast ? kLast : unix);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// A listed file's modification time in nanoseconds (0 when the storage did not say).
inline int64_t MtimeNs(const arrow::fs::FileInfo& info) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(info.mtime().time_since_epoch())
      .count();
}

/// True when `now` is not the version planned: another size, or another modification time
/// where both are known.
inline bool ChangedSince(const arrow::fs::FileInfo& now, int64_t size, int64_t mtime_ns) {
  const int64_t mtime = MtimeNs(now);
  return now.size() != size || (mtime != 0 && mtime_ns != 0 && mtime != mtime_ns);
}

}  // namespace s3c
