#pragma once
// ProgressBar: one line on the terminal, redrawn at most ten times a second, showing how much
// of the run's input has been read. Drawn on stderr, and only when both stdout and stderr are
// terminals: a pipe or a log file never sees it. Log lines clear it first, so they never mix.
// Thread-safe: workers call Advance concurrently.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace s3c {

class ProgressBar {
 public:
  /// True when stdout and stderr are both terminals.
  static bool TerminalAttached();

  explicit ProgressBar(bool enabled);
  ~ProgressBar();

  /// Starts a phase: "reading footers" over N files, "compacting" over N bytes.
  void Start(std::string label, int64_t total, bool bytes);
  void Advance(int64_t amount);
  /// Clears the line. Idempotent.
  void Finish();

 private:
  void Draw(bool force);
  void Clear();
  static void ClearActive();

  const bool enabled_;
  std::mutex mutex_;
  std::string label_;
  int64_t total_ = 0;
  bool bytes_ = false;
  std::atomic<int64_t> done_{0};
  bool visible_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace s3c
