#include "execute/rolling_file_writer.h"

#include <algorithm>
#include <cmath>

#include <parquet/exception.h>
#include <parquet/metadata.h>

namespace s3c {

RollingFileWriter::RollingFileWriter(
    std::shared_ptr<arrow::Schema> schema, std::shared_ptr<parquet::WriterProperties> properties,
    std::shared_ptr<parquet::ArrowWriterProperties> arrow_properties,
    RollingWriterOptions options, OpenOutput open_output)
    : schema_(std::move(schema)),
      properties_(std::move(properties)),
      arrow_properties_(std::move(arrow_properties)),
      options_(options),
      open_output_(std::move(open_output)),
      bytes_per_row_(std::max(options.initial_bytes_per_row, 0.01)) {
  // Until a file has been closed, assume a footer of a few hundred bytes per column.
  footer_bytes_ = 1024 + 256 * static_cast<int64_t>(schema_->num_fields());
}

RollingFileWriter::~RollingFileWriter() {
  if (!done_) Abandon();
}

void RollingFileWriter::LearnFromRowGroup(int64_t bytes, int64_t rows) {
  if (rows <= 0 || bytes <= 0) return;
  // Cumulative over everything measured: robust, and exact for homogeneous data.
  measured_bytes_ += static_cast<double>(bytes);
  measured_rows_ += static_cast<double>(rows);
  bytes_per_row_ = measured_bytes_ / measured_rows_;
}

arrow::Status RollingFileWriter::OpenFile() {
  const int index = static_cast<int>(files_.size());
  ARROW_ASSIGN_OR_RAISE(auto opened, open_output_(index));
  files_.push_back(WrittenFile{opened.first, 0, 0, 0, false});
  sink_ = std::make_shared<CountingOutputStream>(std::move(opened.second));
  auto writer = parquet::arrow::FileWriter::Open(*schema_, arrow::default_memory_pool(), sink_,
                                                 properties_, arrow_properties_);
  if (!writer.ok()) {
    return writer.status().WithMessage("opening Parquet writer for ", opened.first.uri(), ": ",
                                       writer.status().message());
  }
  writer_ = std::move(writer).ValueOrDie();
  return StartRowGroup(/*first=*/true);
}

// Begins a row group and decides its row count. The first row group of a file starts
// implicitly with the first write; later ones flush the previous row group, which is when its
// size becomes known.
arrow::Status RollingFileWriter::StartRowGroup(bool first) {
  if (!first) {
    ARROW_RETURN_NOT_OK(writer_->NewBufferedRowGroup());
    const int64_t now = sink_->bytes_written();
    LearnFromRowGroup(now - bytes_before_row_group_, row_group_rows_);
    files_.back().row_groups++;
  }
  bytes_before_row_group_ = sink_->bytes_written();
  row_group_rows_ = 0;
  row_group_full_ = false;

  const int64_t in_file = sink_->bytes_written();
  const int64_t rows_left = std::max<int64_t>(0, options_.expected_rows - rows_added_);
  const double remaining_stream = static_cast<double>(in_file + footer_bytes_) +
                                  static_cast<double>(rows_left) * bytes_per_row_;
  const int64_t file_target = options_.size.FileTarget(remaining_stream);
  if (rows_left > 0 && static_cast<double>(file_target) >= remaining_stream - 1.0) {
    // This file takes everything left. The row count is exact where the byte estimate is
    // not, so size the remaining row groups by rows: a low estimate must not split off a runt
    // file at the end.
    const double bytes_left = static_cast<double>(rows_left) * bytes_per_row_;
    const double rg_bytes = static_cast<double>(options_.row_group_bytes);
    const int64_t groups =
        bytes_left <= 1.5 * rg_bytes ? 1 : static_cast<int64_t>(std::ceil(bytes_left / rg_bytes));
    row_group_.rows = std::clamp<int64_t>((rows_left + groups - 1) / groups, 1,
                                          options_.max_row_group_rows);
    row_group_.last = groups == 1 && row_group_.rows >= rows_left;
    return arrow::Status::OK();
  }
  // Never let a file run past the tolerance, whatever the estimate said.
  const int64_t hard_limit = static_cast<int64_t>(
      static_cast<double>(options_.size.target_bytes) * (1.0 + options_.size.tolerance));
  const int64_t budget = std::min(file_target, hard_limit) - in_file - footer_bytes_;
  row_group_ = PlanRowGroup(budget, options_.row_group_bytes, bytes_per_row_,
                            options_.max_row_group_rows);
  return arrow::Status::OK();
}

arrow::Status RollingFileWriter::CloseFile() {
  const int64_t before_close = sink_->bytes_written();
  ARROW_RETURN_NOT_OK(writer_->Close());
  ARROW_RETURN_NOT_OK(sink_->Close());
  WrittenFile& file = files_.back();
  file.bytes = sink_->bytes_written();
  file.row_groups++;
  file.complete = true;
  // Close wrote the last row group and the footer; the metadata knows the footer's share.
  auto metadata = writer_->metadata();
  int64_t footer = metadata ? static_cast<int64_t>(metadata->size()) + 8 : footer_bytes_;
  if (footer > 8) footer_bytes_ = footer;
  LearnFromRowGroup(file.bytes - before_close - footer, row_group_rows_);
  writer_.reset();
  sink_.reset();
  return arrow::Status::OK();
}

arrow::Status RollingFileWriter::Add(const std::shared_ptr<arrow::RecordBatch>& batch) {
  if (!status_.ok()) return status_;
  if (done_) return status_ = arrow::Status::Invalid("RollingFileWriter: Add after Finish");
  auto st = [&]() -> arrow::Status {
    int64_t offset = 0;
    while (offset < batch->num_rows()) {
      if (!writer_) {
        ARROW_RETURN_NOT_OK(OpenFile());
      } else if (row_group_full_) {
        if (row_group_.last) {
          ARROW_RETURN_NOT_OK(CloseFile());
          continue;
        }
        ARROW_RETURN_NOT_OK(StartRowGroup(/*first=*/false));
      }
      const int64_t take =
          std::min(batch->num_rows() - offset, row_group_.rows - row_group_rows_);
      try {
        ARROW_RETURN_NOT_OK(writer_->WriteRecordBatch(*batch->Slice(offset, take)));
      } catch (const parquet::ParquetException& e) {
        return arrow::Status::IOError("writing ", files_.back().location.uri(), ": ", e.what());
      }
      offset += take;
      row_group_rows_ += take;
      rows_added_ += take;
      files_.back().rows += take;
      row_group_full_ = row_group_rows_ >= row_group_.rows;
    }
    return arrow::Status::OK();
  }();
  if (!st.ok()) status_ = st;
  return status_;
}

arrow::Status RollingFileWriter::Finish() {
  if (!status_.ok()) return status_;
  if (done_) return status_;
  done_ = true;
  if (writer_) {
    auto st = CloseFile();
    if (!st.ok()) status_ = st;
  }
  return status_;
}

void RollingFileWriter::Abandon() {
  done_ = true;
  if (status_.ok()) status_ = arrow::Status::Cancelled("writer abandoned");
  if (sink_) {
    // Abort, not Close: an S3 upload must not complete into a visible object.
    auto st = sink_->Abort();
    (void)st;
  }
  writer_.reset();
  sink_.reset();
}

}  // namespace s3c
