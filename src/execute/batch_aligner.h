#pragma once
// BatchAligner: converts the record batches of one input file to the partition's output schema:
// columns reordered by name (ignoring case, as SchemaUnifier matches them), missing columns (and missing struct fields) filled with nulls, and
// types widened by the safe casts SchemaUnifier allows. A value that does not fit (a cast that
// would overflow) is an error naming the file and the column, never a silent change.
//
// Immutable after Make; Align is thread-safe.

#include <memory>
#include <string>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/type.h>

namespace s3c {

class BatchAligner {
 public:
  /// REQUIRES: `to` was unified from a set of schemas including `from`.
  static arrow::Result<BatchAligner> Make(std::shared_ptr<arrow::Schema> from,
                                          std::shared_ptr<arrow::Schema> to,
                                          std::string source_uri);

  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Align(
      const std::shared_ptr<arrow::RecordBatch>& batch) const;

  /// True when batches pass through unchanged (apart from schema metadata).
  bool identity() const { return identity_; }

 private:
  BatchAligner() = default;

  std::shared_ptr<arrow::Schema> from_;
  std::shared_ptr<arrow::Schema> to_;
  std::string source_uri_;
  std::vector<int> source_index_;  // per output column: input column index, or -1 (all null)
  bool identity_ = false;
};

}  // namespace s3c
