#pragma once
// The one logging layer: quiet by default (warnings and errors only), --verbose for progress
// detail, --log-format json for one JSON object per line. Everything goes to stderr so stdout
// stays free for the summary (and for --json).
//
// Thread-safe: lines from concurrent workers never interleave.

#include <sstream>
#include <string>
#include <string_view>

namespace s3c::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

/// Process-wide settings; set once at start-up, before any worker starts.
void Configure(Level min_level, Format format);
bool Enabled(Level level);

/// Writes one line if `level` is enabled. Text: "s3-compaction: warning: <message>".
void Write(Level level, std::string_view message);

/// Concatenates any streamable arguments: log::Info("read ", n, " files").
template <typename... Args>
std::string Cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

template <typename... Args>
void Debug(const Args&... args) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, Cat(args...));
}
template <typename... Args>
void Info(const Args&... args) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, Cat(args...));
}
template <typename... Args>
void Warn(const Args&... args) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, Cat(args...));
}
template <typename... Args>
void Error(const Args&... args) {
  if (Enabled(Level::kError)) Write(Level::kError, Cat(args...));
}

/// Hook for the progress bar: called (under the log lock) before a line is written so a bar
/// drawn on the same terminal can be cleared first. nullptr to remove.
using BeforeWriteHook = void (*)();
void SetBeforeWriteHook(BeforeWriteHook hook);

}  // namespace s3c::log
