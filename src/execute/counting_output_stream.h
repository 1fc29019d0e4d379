#pragma once
// CountingOutputStream: an OutputStream decorator that counts the bytes written through it.
// The Parquet writer tells us nothing about the size of what it has buffered or written, and
// the wrapped stream may not answer Tell() once closed; the count is always there.
// Same thread-safety as the wrapped stream (one writer at a time).

#include <atomic>
#include <memory>

#include <arrow/io/interfaces.h>

namespace s3c {

class CountingOutputStream : public arrow::io::OutputStream {
 public:
  explicit CountingOutputStream(std::shared_ptr<arrow::io::OutputStream> wrapped)
      : wrapped_(std::move(wrapped)) {}

  int64_t bytes_written() const { return bytes_.load(std::memory_order_relaxed); }

  arrow::Status Close() override { return wrapped_->Close(); }
  arrow::Status Abort() override { return wrapped_->Abort(); }
  bool closed() const override { return wrapped_->closed(); }
  arrow::Result<int64_t> Tell() const override { return bytes_written(); }
  arrow::Status Flush() override { return wrapped_->Flush(); }

  arrow::Status Write(const void* data, int64_t nbytes) override {
    ARROW_RETURN_NOT_OK(wrapped_->Write(data, nbytes));
    bytes_ += nbytes;
    return arrow::Status::OK();
  }
  arrow::Status Write(const std::shared_ptr<arrow::Buffer>& data) override {
    ARROW_RETURN_NOT_OK(wrapped_->Write(data));
    bytes_ += data->size();
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<arrow::io::OutputStream> wrapped_;
  std::atomic<int64_t> bytes_{0};
};

}  // namespace s3c
