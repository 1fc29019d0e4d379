#include "util/logging.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

#include "util/utf8.h"

namespace s3c::log {
namespace {

std::atomic<Level> g_min_level{Level::kWarn};
std::atomic<Format> g_format{Format::kText};
std::atomic<BeforeWriteHook> g_hook{nullptr};
std::mutex g_mutex;

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warning";
    case Level::kError: return "error";
  }
  return "?";
}

std::string UtcTimestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

void Configure(Level min_level, Format format) {
  g_min_level = min_level;
  g_format = format;
}

bool Enabled(Level level) { return level >= g_min_level.load(std::memory_order_relaxed); }

void SetBeforeWriteHook(BeforeWriteHook hook) { g_hook = hook; }

void Write(Level level, std::string_view message) {
  std::string line;
  if (g_format == Format::kJson) {
    nlohmann::json j = {{"ts", UtcTimestamp()}, {"level", LevelName(level)},
                        {"msg", EscapeInvalidUtf8(message)}};
    line = j.dump() + "\n";
  } else {
    line = "s3-compaction: ";
    if (level != Level::kInfo) {
      line += LevelName(level);
      line += ": ";
    }
    line += OneLine(message);  // names are bytes: every line is text, and one line
    line += "\n";
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  if (auto hook = g_hook.load()) hook();
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace s3c::log
