#include "storage/storage_faults.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace s3c {
namespace {

enum State : int { kUnread = 0, kDisabled = 1, kEnabled = 2 };

std::atomic<int> g_state{kUnread};
std::atomic<uint64_t> g_count{0};
std::atomic<uint64_t> g_fail_op{0};
std::atomic<uint64_t> g_crash_after_op{0};
std::atomic<int> g_log_fd{-1};
std::mutex g_config_mutex;  // guards (re)configuration, never taken by an operation
std::mutex g_log_mutex;     // orders numbering and logging when counting is enabled

// 0 when unset; aborts on anything but a positive decimal number.
uint64_t ParseOpNumber(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return 0;
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(value, &end, 10);
  if (*value == '-' || *end != '\0' || errno != 0 || n == 0) {
    std::fprintf(stderr, "%s=%s: expected a storage operation number (1, 2, ...)\n", name, value);
    std::abort();
  }
  return n;
}

// REQUIRES: g_config_mutex held.
void SetLocked(uint64_t fail_op, uint64_t crash_after_op, const std::string& log_path) {
  std::lock_guard<std::mutex> log_lock(g_log_mutex);
  int old_fd = g_log_fd.exchange(-1);
  if (old_fd >= 0) ::close(old_fd);
  int fd = -1;
  if (!log_path.empty()) {
    fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      std::fprintf(stderr, "S3C_OP_LOG=%s: cannot open for appending\n", log_path.c_str());
      std::abort();
    }
  }
  g_log_fd.store(fd);
  g_fail_op.store(fail_op);
  g_crash_after_op.store(crash_after_op);
  g_count.store(0);
  const bool any = fail_op != 0 || crash_after_op != 0 || !log_path.empty();
  g_state.store(any ? kEnabled : kDisabled, std::memory_order_release);
}

void ReadEnvironment() {
  std::lock_guard<std::mutex> lock(g_config_mutex);
  if (g_state.load(std::memory_order_acquire) != kUnread) return;  // configured meanwhile
  const char* log = std::getenv("S3C_OP_LOG");
  SetLocked(ParseOpNumber("S3C_FAIL_OP"), ParseOpNumber("S3C_CRASH_AFTER_OP"),
            log != nullptr ? std::string(log) : std::string());
}

bool EnabledSlow() {
  if (g_state.load(std::memory_order_acquire) == kUnread) ReadEnvironment();
  return g_state.load(std::memory_order_acquire) == kEnabled;
}

// Tabs and line breaks would break the log's one-line-three-fields format.
void AppendField(std::string& line, std::string_view field) {
  for (char c : field) line += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
}

void Log(uint64_t n, std::string_view op, std::string_view object) {
  const int fd = g_log_fd.load(std::memory_order_acquire);
  if (fd < 0) return;
  std::string line = std::to_string(n) + "\t";
  AppendField(line, op);
  line += '\t';
  AppendField(line, object);
  line += '\n';
  // One write: O_APPEND makes it land whole, whatever other threads write meanwhile.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t written = ::write(fd, p, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;  // a log that cannot be written must not change the run
    p += written;
    left -= static_cast<size_t>(written);
  }
}

}  // namespace

bool StorageFaults::enabled() {
  const int state = g_state.load(std::memory_order_relaxed);
  if (state == kDisabled) return false;
  return EnabledSlow();
}

arrow::Result<uint64_t> StorageFaults::Begin(std::string_view op, std::string_view object) {
  if (!enabled()) return 0;
  uint64_t n;
  {
    // Numbered and logged under one lock, so that the log's lines are in the order of N.
    std::lock_guard<std::mutex> lock(g_log_mutex);
    n = g_count.fetch_add(1) + 1;
    Log(n, op, object);
  }
  if (n == g_fail_op.load(std::memory_order_relaxed)) {
    return arrow::Status::IOError("injected fault: storage operation ", n, " (", op, " ", object,
                                  ")");
  }
  return n;
}

void StorageFaults::End(uint64_t n) {
  if (n == 0 || n != g_crash_after_op.load(std::memory_order_relaxed)) return;
  ::kill(::getpid(), SIGKILL);
  for (;;) ::pause();  // SIGKILL cannot be caught: nothing of this process runs on
}

uint64_t StorageFaults::count() { return g_count.load(); }

void StorageFaults::ConfigureForTest(uint64_t fail_op, uint64_t crash_after_op,
                                     const std::string& log_path) {
  std::lock_guard<std::mutex> lock(g_config_mutex);
  SetLocked(fail_op, crash_after_op, log_path);
}

}  // namespace s3c
