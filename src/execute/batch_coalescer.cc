#include "execute/batch_coalescer.h"

#include <arrow/util/byte_size.h>

namespace s3c {

arrow::Result<std::shared_ptr<arrow::RecordBatch>> BatchCoalescer::Add(
    std::shared_ptr<arrow::RecordBatch> batch) {
  if (batches_.empty() && batch->num_rows() >= min_rows_) return batch;  // big enough as it is
  rows_ += batch->num_rows();
  bytes_ += arrow::util::TotalBufferSize(*batch);
  batches_.push_back(std::move(batch));
  if (rows_ < min_rows_ && bytes_ < max_bytes_) return nullptr;
  return Flush();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> BatchCoalescer::Flush() {
  if (batches_.empty()) return nullptr;
  std::shared_ptr<arrow::RecordBatch> out;
  if (batches_.size() == 1) {
    out = std::move(batches_.front());
  } else {
    ARROW_ASSIGN_OR_RAISE(out, arrow::ConcatenateRecordBatches(batches_));
  }
  batches_.clear();
  rows_ = 0;
  bytes_ = 0;
  return out;
}

}  // namespace s3c
