#include "util/fault_point.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace s3c {
namespace {

// One point asked for: "<name>" (every arrival) or "<name>@<n>" (the n-th and those after,
// counted over every thread).
struct Point {
  std::string name;
  int nth = 1;
  mutable std::atomic<int> arrivals{0};

  void Parse(const char* value) {
    name = value;
    if (const size_t at = name.rfind('@'); at != std::string::npos) {
      nth = std::max(1, std::atoi(name.c_str() + at + 1));
      name.resize(at);
    }
  }
  bool Reached(std::string_view here) const {
    return !name.empty() && here == name && arrivals.fetch_add(1) + 1 >= nth;
  }
};

struct Config {
  Point crash_at, throw_at, pause_at;
  std::string fifo_dir;
  bool any = false;
};

const Config& Get() {
  static const Config* config = [] {
    auto* c = new Config;
    if (const char* v = std::getenv("S3C_FAULT_POINT")) c->crash_at.Parse(v);
    if (const char* v = std::getenv("S3C_THROW_POINT")) c->throw_at.Parse(v);
    if (const char* v = std::getenv("S3C_PAUSE_POINT")) c->pause_at.Parse(v);
    if (const char* v = std::getenv("S3C_PAUSE_FIFO")) c->fifo_dir = v;
    c->any = !c->crash_at.name.empty() || !c->throw_at.name.empty() ||
             (!c->pause_at.name.empty() && !c->fifo_dir.empty());
    return c;
  }();
  return *config;
}

}  // namespace

void FaultPoint::Hit(std::string_view name) {
  const Config& c = Get();
  if (!c.any) return;
  if (c.crash_at.Reached(name)) {
    ::kill(::getpid(), SIGKILL);
  }
  if (c.throw_at.Reached(name)) {
    throw std::runtime_error("fault point " + std::string(name));
  }
  if (c.pause_at.Reached(name)) {
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
