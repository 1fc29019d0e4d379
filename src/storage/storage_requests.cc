#include "storage/storage_requests.h"

namespace s3c {

RequestCounts StorageRequests::Counts() const {
  auto at = [&](RequestKind kind) {
    return counts_[static_cast<size_t>(kind)].load(std::memory_order_relaxed);
  };
  RequestCounts counts;
  counts.list = at(RequestKind::kList);
  counts.head = at(RequestKind::kHead);
  counts.get = at(RequestKind::kGet);
  counts.put = at(RequestKind::kPut);
  counts.copy = at(RequestKind::kCopy);
  counts.del = at(RequestKind::kDelete);
  return counts;
}

}  // namespace s3c
