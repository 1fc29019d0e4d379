#pragma once
// RowComparator: compares two rows by their normalized sort keys (SortKeyColumns), exactly as
// Arrow's SortIndices orders them, so a merge of runs sorted by Arrow is a sort by Arrow:
//   - nulls before every value with NULLS FIRST, after with NULLS LAST, whatever the direction;
//   - NaN (float/double) with the nulls: after them when nulls come first, before them when they
//     come last; NaNs equal one another; -0.0 equals 0.0 (compared with <, as Arrow does);
//   - other values by <, reversed for DESC; strings and binaries bytewise (unsigned), decimals by
//     value, booleans false < true.
// Why a typed comparator over columns rather than normalized memcmp keys: every rule above is
// one line of code next to the rule it implements, nothing is copied per row, and the merge
// compares few rows per output row (it gallops through runs), so virtual dispatch per key does
// not matter.
//
// Immutable after construction: thread-safe.

#include <memory>
#include <vector>

#include <arrow/array.h>
#include <arrow/result.h>

#include "execute/sort/resolved_sort.h"

namespace s3c {

class RowComparator {
 public:
  /// One comparator per key of `sort`, for key columns of types `key_types` (SortKeyType of each
  /// key). Returns Invalid for a type it cannot compare (Resolve refuses those first).
  static arrow::Result<RowComparator> Make(const ResolvedSort& sort,
                                           const std::vector<std::shared_ptr<arrow::DataType>>& key_types);

  /// Negative, zero or positive as row i of `a` sorts before, equal to or after row j of `b`.
  /// REQUIRES: a and b are key columns (SortKeyColumns) of the sort this was made for.
  int Compare(const arrow::ArrayVector& a, int64_t i, const arrow::ArrayVector& b, int64_t j) const {
    for (size_t k = 0; k < keys_.size(); ++k) {
      const int c = keys_[k]->Compare(*a[k], i, *b[k], j);
      if (c != 0) return c;
    }
    return 0;
  }

  class KeyComparator {
   public:
    virtual ~KeyComparator() = default;
    virtual int Compare(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j) const = 0;
  };

 private:
  explicit RowComparator(std::vector<std::shared_ptr<const KeyComparator>> keys) : keys_(std::move(keys)) {}
  std::vector<std::shared_ptr<const KeyComparator>> keys_;
};

}  // namespace s3c
