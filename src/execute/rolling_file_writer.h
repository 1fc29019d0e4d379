#pragma once
// RollingFileWriter: streams record batches into Parquet files of about a target size.
//
// Arrow's Parquet writer has no byte limit and does not expose the size of the row group it is
// buffering, so this writer decides every row group's row count itself: it counts the bytes
// that reach the sink after each row group, learns the output's bytes per row from them, and
// sizes the next row group (and the point where a file ends) from that estimate and the rows
// still to come. Every file but the last lands within FileSizePolicy's tolerance of the
// target; row groups aim at `row_group_bytes`, never one per input file.
//
// Memory: one row group's encoded, compressed pages are buffered until the row group ends,
// plus the batch being added.
//
// Usage, like LevelDB's TableBuilder: Add() any number of times, then exactly one of Finish()
// or Abandon(). Errors are sticky: after one, every call returns it. Not thread-safe.

#include <functional>
#include <memory>
#include <vector>

#include <arrow/io/interfaces.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

#include "execute/counting_output_stream.h"
#include "execute/file_size_policy.h"
#include "storage/location.h"

namespace s3c {

/// One file the writer produced.
struct WrittenFile {
  Location location;
  int64_t rows = 0;
  int64_t bytes = 0;
  int row_groups = 0;
  bool complete = false;  // closed with its footer
};

struct RollingWriterOptions {
  FileSizePolicy size;
  int64_t row_group_bytes = 32LL << 20;
  int64_t max_row_group_rows = 64LL << 20;
  /// Rows the caller will add in all (known from the inputs' footers); lets the writer spread
  /// the last files evenly. An error in it only costs evenness, never rows.
  int64_t expected_rows = 0;
  /// False while expected_rows is an estimate (some inputs' footers not yet read): the last
  /// file is then never ended on the row count, only on its size or by Finish, so rows beyond
  /// the estimate join it (up to the size tolerance) instead of making a runt file.
  bool expected_rows_exact = true;
  /// Output bytes per row to assume before the first row group is measured.
  double initial_bytes_per_row = 100.0;
};

class RollingFileWriter {
 public:
  /// Opens the sink for the writer's file number `index` (0, 1, ...).
  using OpenOutput = std::function<arrow::Result<
      std::pair<Location, std::shared_ptr<arrow::io::OutputStream>>>(int index)>;

  RollingFileWriter(std::shared_ptr<arrow::Schema> schema,
                    std::shared_ptr<parquet::WriterProperties> properties,
                    std::shared_ptr<parquet::ArrowWriterProperties> arrow_properties,
                    RollingWriterOptions options, OpenOutput open_output);
  ~RollingFileWriter();

  RollingFileWriter(const RollingFileWriter&) = delete;
  RollingFileWriter& operator=(const RollingFileWriter&) = delete;

  /// REQUIRES: batch->schema() equals the writer's schema; Finish/Abandon not yet called.
  arrow::Status Add(const std::shared_ptr<arrow::RecordBatch>& batch);

  /// Corrects expected_rows by `delta` (an input's footer, read, differs from its estimate);
  /// `exact` once every input's footer has been read.
  void AdjustExpectedRows(int64_t delta, bool exact);

  /// Closes the last file. Afterwards files() lists every file, all complete.
  arrow::Status Finish();

  /// Stops writing. The file being written is left incomplete; files() still lists it so the
  /// caller can delete everything this writer created.
  void Abandon();

  const std::vector<WrittenFile>& files() const { return files_; }
  const arrow::Status& status() const { return status_; }
  double bytes_per_row() const { return bytes_per_row_; }

 private:
  arrow::Status OpenFile();
  arrow::Status CloseFile();
  arrow::Status StartRowGroup(bool first);
  void LearnFromRowGroup(int64_t bytes, int64_t rows);

  std::shared_ptr<arrow::Schema> schema_;
  std::shared_ptr<parquet::WriterProperties> properties_;
  std::shared_ptr<parquet::ArrowWriterProperties> arrow_properties_;
  RollingWriterOptions options_;
  OpenOutput open_output_;

  arrow::Status status_;
  bool done_ = false;
  std::vector<WrittenFile> files_;

  // The file being written.
  std::shared_ptr<CountingOutputStream> sink_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
  int64_t bytes_before_row_group_ = 0;  // sink bytes when the current row group started
  RowGroupPlan row_group_;
  int64_t row_group_rows_ = 0;          // rows added to the current row group
  bool row_group_full_ = false;

  // Learned across files.
  double bytes_per_row_;
  FilePlan file_plan_{0, true};  // files from the current one on; 0 until first planned
  double measured_bytes_ = 0;
  double measured_rows_ = 0;
  int64_t footer_bytes_ = 0;
  int64_t rows_added_ = 0;
};

}  // namespace s3c
