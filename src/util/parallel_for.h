#pragma once
// ParallelFor: runs fn(i) for every i in [0, n) on up to `threads` threads (the caller's
// included) and returns when all are done. Items are started in index order, so callers can
// order work by priority. fn must not throw; it may block (I/O).

#include <cstddef>
#include <functional>

namespace s3c {

void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn);

}  // namespace s3c
