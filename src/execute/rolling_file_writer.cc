#include "execute/rolling_file_writer.h"

#include <algorithm>
#include <cmath>

#include <parquet/exception.h>
#include <parquet/metadata.h>

#include "util/logging.h"

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

  // Plans are made in data bytes: every file carries a header and a footer of its own, so a
  // file of the target holds target - overhead bytes of row groups. Counting one footer for the
  // whole stream instead would shortchange every file and leave the difference as a runt.
  const int64_t overhead = footer_bytes_ + 4;
  const double target = static_cast<double>(options_.size.target_bytes);
  FileSizePolicy data_policy;
  data_policy.target_bytes = std::max<int64_t>(1, options_.size.target_bytes - overhead);
  data_policy.tolerance = options_.size.tolerance * target / static_cast<double>(data_policy.target_bytes);

  const int64_t in_file = std::max<int64_t>(0, sink_->bytes_written() - 4);
  const int64_t rows_left = std::max<int64_t>(0, options_.expected_rows - rows_added_);
  if (rows_left == 0) {
    // More rows than expected (an estimate that was low, or a wrong count): files are filled
    // to the target, and Finish ends the last. While the count is only an estimate they are
    // filled to the size limit instead, so that a few rows beyond it join the last file rather
    // than make a runt of their own.
    const int64_t fill_to =
        options_.expected_rows_exact
            ? data_policy.target_bytes
            : static_cast<int64_t>(target * (1.0 + options_.size.tolerance)) - overhead;
    row_group_ = PlanRowGroup(std::max<int64_t>(fill_to - in_file, 1), options_.row_group_bytes,
                              bytes_per_row_, options_.max_row_group_rows);
    return arrow::Status::OK();
  }
  const double remaining = static_cast<double>(in_file) +
                           static_cast<double>(rows_left) * bytes_per_row_;
  // A fresh balanced plan is preferred (it follows the improving estimate); otherwise the
  // current plan is kept while it still fits, so the plan does not flip at a gap.
  FilePlan fresh = data_policy.Plan(remaining);
  if (fresh.balanced || !data_policy.Keeps(file_plan_, remaining)) file_plan_ = fresh;
  int64_t file_target = data_policy.FileTarget(file_plan_, remaining);
  if (files_.size() == 1 && file_plan_.files > 1) {
    // The first file is ended before bytes per row is well known, so it aims at the target
    // itself (always within tolerance); balancing the rest waits for measured numbers.
    file_target = data_policy.target_bytes;
  }
  if (rows_left > 0 && file_plan_.files == 1) {
    // This file takes everything left. The row count is exact where the byte estimate is
    // not, so size the remaining row groups by rows: a low estimate must not split off a runt
    // file at the end.
    const double bytes_left = static_cast<double>(rows_left) * bytes_per_row_;
    const double rg_bytes = static_cast<double>(options_.row_group_bytes);
    const int64_t groups =
        bytes_left <= 1.5 * rg_bytes ? 1 : static_cast<int64_t>(std::ceil(bytes_left / rg_bytes));
    int64_t rows = (rows_left + groups - 1) / groups;
    if (groups == 1 && !options_.expected_rows_exact) {
      // The stream's last row group, sized by a count that is only an estimate (deferred
      // footers): it takes whatever comes, up to the row group's size limit, so that rows
      // beyond a low estimate join it instead of closing it and making a runt row group.
      const double room = 1.5 * rg_bytes / std::max(bytes_per_row_, 1e-3);
      rows = std::max<int64_t>(rows, static_cast<int64_t>(std::min(room, 4e18)));
    }
    row_group_.rows = std::clamp<int64_t>(rows, 1, options_.max_row_group_rows);
    row_group_.last = groups == 1 && row_group_.rows >= rows_left && options_.expected_rows_exact;
    return arrow::Status::OK();
  }
  // Never let a file run past the tolerance, whatever the estimate said.
  const int64_t hard_limit =
      static_cast<int64_t>(target * (1.0 + options_.size.tolerance)) - overhead;
  const int64_t budget = std::min(file_target, hard_limit) - in_file;
  // Until a row group has been measured, bytes per row is a guess from the inputs (whose small
  // files compress worse): start with a small row group to learn it cheaply.
  const int64_t row_group_bytes =
      measured_rows_ > 0 ? options_.row_group_bytes
                         : std::min(options_.row_group_bytes, options_.size.target_bytes / 8);
  row_group_ = PlanRowGroup(budget, row_group_bytes, bytes_per_row_, options_.max_row_group_rows);
  if (measured_rows_ == 0 && budget > 2 * row_group_bytes) row_group_.last = false;
  log::Debug("row group: ", row_group_.rows, " rows", row_group_.last ? " (ends the file)" : "",
             "; file plan ", file_plan_.files, file_plan_.balanced ? " balanced" : " filled",
             ", file data target ", file_target, ", in file ", in_file, ", stream left ",
             static_cast<int64_t>(remaining));
  return arrow::Status::OK();
}

void RollingFileWriter::AdjustExpectedRows(int64_t delta, bool exact) {
  options_.expected_rows = std::max<int64_t>(0, options_.expected_rows + delta);
  options_.expected_rows_exact = exact;
}

arrow::Status RollingFileWriter::CloseFile() {
  const int64_t before_close = sink_->bytes_written();
  ARROW_RETURN_NOT_OK(writer_->Close());
  ARROW_RETURN_NOT_OK(sink_->Close());
  WrittenFile& file = files_.back();
  file.bytes = sink_->bytes_written();
  file.row_groups++;
  file.complete = true;
  // Close wrote the last row group and the footer. The metadata gives every row group's size,
  // so the last one's and the footer's can be told apart.
  int64_t footer = footer_bytes_;
  int64_t last_row_group = file.bytes - before_close - footer;
  if (auto metadata = writer_->metadata(); metadata && metadata->num_row_groups() > 0) {
    int64_t row_groups = 0;
    for (int i = 0; i < metadata->num_row_groups(); ++i) {
      row_groups += metadata->RowGroup(i)->total_compressed_size();
    }
    const int64_t last = metadata->RowGroup(metadata->num_row_groups() - 1)->total_compressed_size();
    if (row_groups > 0 && last > 0 && row_groups + 4 < file.bytes) {
      footer = file.bytes - 4 - row_groups;
      footer_bytes_ = footer;
      last_row_group = last;
    }
  }
  LearnFromRowGroup(last_row_group, row_group_rows_);
  log::Debug("wrote ", file.location.uri(), ": ", file.bytes, " bytes (target ",
             options_.size.target_bytes, "), ", file.rows, " rows, ", file.row_groups,
             " row group(s), footer ", footer, " bytes; now ", bytes_per_row_, " bytes/row");
  writer_.reset();
  sink_.reset();
  if (file_plan_.files > 1) file_plan_.files--;  // the plan counts files from the current one
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
