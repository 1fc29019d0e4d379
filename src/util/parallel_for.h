#pragma once
// ParallelFor: runs fn(i) for every i in [0, n) on up to `threads` threads (the caller's
// included) and returns when all are done. Items are started in index order, so callers can
// order work by priority. fn may block (I/O). fn should report failures in its results, not by
// throwing; an exception it throws anyway (a bug) is not the end of the process: no further item
// starts, the running ones finish, and the first exception is rethrown in the caller's thread.

#include <cstddef>
#include <functional>

namespace s3c {

void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn);

}  // namespace s3c
