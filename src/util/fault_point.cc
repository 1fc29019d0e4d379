#include "util/fault_point.h"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace s3c {
namespace {

struct Config {
  std::string crash_at, throw_at, pause_at, fifo_dir;
  bool any = false;
};

const Config& Get() {
  static const Config config = [] {
    Config c;
    if (const char* v = std::getenv("S3C_FAULT_POINT")) c.crash_at = v;
    if (const char* v = std::getenv("S3C_THROW_POINT")) c.throw_at = v;
    if (const char* v = std::getenv("S3C_PAUSE_POINT")) c.pause_at = v;
    if (const char* v = std::getenv("S3C_PAUSE_FIFO")) c.fifo_dir = v;
    c.any = !c.crash_at.empty() || !c.throw_at.empty() || (!c.pause_at.empty() && !c.fifo_dir.empty());
    return c;
  }();
  return config;
}

}  // namespace

void FaultPoint::Hit(std::string_view name) {
  const Config& c = Get();
  if (!c.any) return;
  if (name == c.crash_at) {
    ::kill(::getpid(), SIGKILL);
  }
  if (name == c.throw_at) {
    throw std::runtime_error("fault point " + std::string(name));
  }
  if (name == c.pause_at) {
    static std::mutex once;  // the first thread to arrive pauses; the others wait behind it
    std::lock_guard<std::mutex> lock(once);
    static bool paused = false;
    if (paused) return;
    paused = true;
    { std::ofstream(c.fifo_dir + "/paused") << "paused " << name << std::endl; }
    std::string line;
    std::ifstream resume(c.fifo_dir + "/resume");
    std::getline(resume, line);
  }
}

}  // namespace s3c
