#pragma once
// Reading a group's input files, shared by every GroupWriter: InputPrefetcher opens them in the
// group's order with small ones fetched ahead (one request each); SourceOf is what a reader
// reads a file from; CheckedFooter reads a deferred footer and checks it against the plan
// (PlanMismatch when it differs); StreamRows decodes a file's rows, aligned to the output
// schema, and checks their count against the footer.
//
// Every error names the file (its URI). Thread-compatible: one prefetcher per group writer.

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <arrow/io/interfaces.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/util/future.h>
#include <parquet/arrow/reader.h>
#include <parquet/metadata.h>

#include "execute/group_writer.h"
#include "plan/compaction_plan.h"

namespace s3c {

/// An input file being fetched: the whole object for small files (one request), otherwise a
/// random-access handle the Parquet reader reads column chunks from.
struct PendingInput {
  size_t index = 0;
  std::shared_ptr<arrow::io::RandomAccessFile> file;
  arrow::Future<std::shared_ptr<arrow::Buffer>> whole;
  bool read_whole = false;
  arrow::Status open_status;
};

/// Opens a group's input files in order, keeping up to prefetch_files small ones fetched ahead
/// of the one being written.
class InputPrefetcher {
 public:
  InputPrefetcher(const PartitionPlan& plan, const CompactionGroup& group,
                  const ExecuteOptions& options)
      : plan_(plan), group_(group), options_(options) {}

  /// Opens the next inputs until the window is full or a large one (not fetched) was opened.
  void FillUp();

  /// The next input in the group's order; nullopt once every input was handed out.
  std::optional<PendingInput> Next();

 private:
  PendingInput Open(size_t index) const;
  const PartitionPlan& plan_;
  const CompactionGroup& group_;
  const ExecuteOptions& options_;
  std::deque<PendingInput> pending_;
  size_t next_to_fetch_ = 0;
};

/// What the Parquet reader reads `input` from: the fetched bytes of a whole file, else the file.
arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> SourceOf(const PendingInput& input,
                                                                     const InputFile& meta,
                                                                     const std::string& uri);

/// The footer a file is read with, and the rows it promises.
struct Footer {
  std::shared_ptr<parquet::FileMetaData> metadata;  // null: the reader reads it from the file
  int64_t rows = 0;
};

/// A deferred footer is read here, from the bytes already fetched, and must describe the file
/// the planner assumed; otherwise nothing of it is used (PlanMismatch). With `need_metadata`,
/// a footer the planner read is read again from `source` too.
arrow::Result<Footer> CheckedFooter(const InputFile& meta, const std::string& uri,
                                    const std::shared_ptr<arrow::io::RandomAccessFile>& source,
                                    bool need_metadata = false);

/// Arrow's reader over `source`; a corrupt file is Invalid naming `uri`.
arrow::Result<std::unique_ptr<parquet::arrow::FileReader>> OpenReader(
    const std::shared_ptr<arrow::io::RandomAccessFile>& source, const Footer& footer,
    const std::string& uri);

/// Where StreamRows puts each batch (aligned to the output schema).
using BatchConsumer = std::function<arrow::Status(std::shared_ptr<arrow::RecordBatch>)>;

/// Decodes every row of `source` (one row group at a time), aligned to `output_schema`, into
/// `consume`; checks that they are the rows its footer promised and returns their count.
arrow::Result<int64_t> StreamRows(const InputFile& meta, const std::string& uri,
                                  const std::shared_ptr<arrow::io::RandomAccessFile>& source,
                                  const Footer& footer,
                                  const std::shared_ptr<arrow::Schema>& output_schema,
                                  const BatchConsumer& consume);

}  // namespace s3c
