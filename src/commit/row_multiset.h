#pragma once
// RowMultiset: the rows of some files, as a multiset of 64-bit row hashes over the columns of
// one reference schema (RowDigest::RowHashes), so that recovery can ask which rows of one set
// of files are present in another. Recovery settles a conflict with it: a run's outputs may be
// deleted only if every row they hold beyond the originals still there is present elsewhere.
//
// Files are read back from storage, each aligned to the reference schema (BatchAligner:
// columns by name, nulls for missing ones). A file whose columns do not all widen into the
// reference's without loss (SchemaUnifier's rules: a column or struct field the reference
// lacks, a finer or other type) is not comparable and matches nothing. Two different rows share a hash with probability ~2^-64 each: this guards
// against stale or copied state, not against an adversary who writes the data.
//
// Memory: about 16 bytes per distinct row held. Not thread-safe.

#include <cstdint>
#include <memory>
#include <unordered_map>

#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include "storage/location.h"

namespace s3c {

class RowMultiset {
 public:
  explicit RowMultiset(std::shared_ptr<arrow::Schema> schema) : schema_(std::move(schema)) {}

  /// Adds every row of `file`. Errors: the file cannot be read or aligned.
  arrow::Status Add(const Location& file);
  struct Taken {
    int64_t taken = 0;        // rows of the file found in (and taken out of) the multiset
    int64_t rows = 0;         // rows of the file (its footer's count)
    bool comparable = true;   // false: its columns do not widen into the reference's
  };
  /// Takes out of the multiset one occurrence of each row of `file` it holds. A file that
  /// cannot be aligned takes nothing. Errors: unreadable (Invalid when it is not Parquet at
  /// all, or corrupt: then it holds no row readers see).
  arrow::Result<Taken> Take(const Location& file);

  int64_t size() const { return size_; }

 private:
  /// Calls `each(hashes)` for every batch of `file` aligned to the schema; `aligned` false
  /// when the file's columns cannot be aligned (nothing is read then).
  template <typename Each>
  arrow::Status ForEachBatch(const Location& file, bool* aligned, int64_t* rows, Each each);

  std::shared_ptr<arrow::Schema> schema_;
  std::unordered_map<uint64_t, int64_t> counts_;
  int64_t size_ = 0;
};

}  // namespace s3c
