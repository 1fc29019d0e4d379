#pragma once
// RowDigest: an order-independent digest of a multiset of rows, for --verify=content.
//
// Every row is hashed over all its columns (nested values included, nulls distinct from every
// value, floats by their bits), and the row hashes are added up: two independently mixed 64-bit
// sums and the row count. Adding is commutative, so the digest does not depend on the order of
// rows, batches or files, and the digests of parts add up to the digest of the whole. Equal
// multisets give equal digests; a changed, lost or doubled row changes it except with
// probability ~2^-128 (it guards against corruption, not against an adversary).
//
// The inputs' digest is taken over the batches as written (after alignment to the output schema),
// the outputs' over the batches read back from storage. Dictionary columns are hashed by value.
// Not thread-safe; combine per-thread digests with Add.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/status.h>

namespace s3c {

class RowDigest {
 public:
  arrow::Status Update(const arrow::RecordBatch& batch);
  /// Each row's 64-bit hash over all its columns, as Update adds them up (equal rows, equal
  /// hashes; a different row collides with probability ~2^-64).
  static arrow::Status RowHashes(const arrow::RecordBatch& batch, std::vector<uint64_t>* out);
  void Add(const RowDigest& other);

  int64_t rows() const { return rows_; }
  bool operator==(const RowDigest& other) const {
    return rows_ == other.rows_ && sum_a_ == other.sum_a_ && sum_b_ == other.sum_b_;
  }
  bool operator!=(const RowDigest& other) const { return !(*this == other); }
  /// "<rows> rows, <32 hex digits>"
  std::string ToString() const;

 private:
  int64_t rows_ = 0;
  uint64_t sum_a_ = 0;
  uint64_t sum_b_ = 0;
};

}  // namespace s3c
