#pragma once
// StorageRequests: how many storage requests a process has made, by kind (list, head, get, put,
// copy, delete), as S3 bills and throttles them. FileSystems owns one and every seam that
// reaches storage adds to it:
//   - RequestCountingFileSystem, around each Arrow filesystem FileSystems makes: every Arrow
//     call mapped to the S3 requests Arrow's S3 filesystem makes for it (its header says how);
//   - our own S3 calls: S3Lister (a list per ListObjectsV2 page), S3BatchDeleter (a delete per
//     DeleteObjects request, whatever its number of keys), ConditionalObject (the lease: get,
//     put, delete);
//   - on local disk, the same operations by the same names (FileSystems' listings with
//     identities, exact removals and moves, the lease file): storage operations rather than
//     billed requests.
// Counted once per call we make: retries inside Arrow's AWS SDK or our AwsClient are not seen.
//
// Thread-safe (relaxed atomics; a count read while requests are in flight may miss those).

#include <array>
#include <atomic>
#include <cstdint>

namespace s3c {

enum class RequestKind { kList, kHead, kGet, kPut, kCopy, kDelete };

/// Storage requests by kind: counted, or (for a dry run) estimated.
struct RequestCounts {
  int64_t list = 0, head = 0, get = 0, put = 0, copy = 0, del = 0;

  int64_t Total() const { return list + head + get + put + copy + del; }
  RequestCounts& operator+=(const RequestCounts& more) {
    list += more.list, head += more.head, get += more.get;
    put += more.put, copy += more.copy, del += more.del;
    return *this;
  }
  /// The requests made since `earlier` (a count taken before).
  RequestCounts Since(const RequestCounts& earlier) const {
    return {list - earlier.list, head - earlier.head, get - earlier.get,
            put - earlier.put,   copy - earlier.copy, del - earlier.del};
  }
};

class StorageRequests {
 public:
  void Add(RequestKind kind, int64_t n = 1) {
    counts_[static_cast<size_t>(kind)].fetch_add(n, std::memory_order_relaxed);
  }
  /// The counts so far.
  RequestCounts Counts() const;

 private:
  std::array<std::atomic<int64_t>, 6> counts_{};
};

}  // namespace s3c
