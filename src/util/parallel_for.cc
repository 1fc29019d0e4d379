#include "util/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace s3c {

void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::exception_ptr thrown;  // the first; an exception escaping a thread would terminate
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!thrown) thrown = std::current_exception();
        next = n;  // start nothing more
      }
    }
  };
  const size_t extra = std::min<size_t>(n, static_cast<size_t>(std::max(1, threads))) - 1;
  std::vector<std::thread> pool;
  pool.reserve(extra);
  for (size_t t = 0; t < extra; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  if (thrown) std::rethrow_exception(thrown);
}

}  // namespace s3c
