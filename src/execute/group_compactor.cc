#include "execute/group_compactor.h"

#include <algorithm>
#include <deque>
#include <optional>

#include <arrow/io/memory.h>
#include <arrow/util/future.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include "execute/batch_coalescer.h"
#include "execute/batch_aligner.h"
#include "execute/int96_guard.h"
#include "execute/plan_mismatch.h"
#include "plan/file_inspector.h"
#include "plan/planner.h"

namespace s3c {
namespace {

std::shared_ptr<parquet::WriterProperties> MakeWriterProperties(const OutputSettings& out,
                                                                int64_t max_row_group_rows) {
  parquet::WriterProperties::Builder builder;
  builder.compression(out.codec);
  if (out.compression_level != 0) builder.compression_level(out.compression_level);
  // Row groups are sized by RollingFileWriter; this only keeps Arrow from cutting them.
  builder.max_row_group_length(max_row_group_rows);
  if (out.decimals_as_integers) builder.enable_store_decimal_as_integer();
  return builder.build();
}

std::shared_ptr<parquet::ArrowWriterProperties> MakeArrowWriterProperties(
    const OutputSettings& out) {
  parquet::ArrowWriterProperties::Builder builder;
  builder.set_use_threads(false);  // groups already run in parallel
  if (out.int96_timestamps) builder.enable_deprecated_int96_timestamps();
  if (out.store_arrow_schema) builder.store_schema();
  return builder.build();
}

// An input file being fetched: the whole object for small files (one request), otherwise a
// random-access handle the Parquet reader reads column chunks from.
struct PendingInput {
  size_t index = 0;
  std::shared_ptr<arrow::io::RandomAccessFile> file;
  arrow::Future<std::shared_ptr<arrow::Buffer>> whole;
  bool read_whole = false;
  arrow::Status open_status;
};

// Opens a group's input files in order, keeping up to prefetch_files small ones fetched ahead
// of the one being written.
class InputPrefetcher {
 public:
  InputPrefetcher(const PartitionPlan& plan, const CompactionGroup& group,
                  const ExecuteOptions& options)
      : plan_(plan), group_(group), options_(options) {}

  /// Opens the next inputs until the window is full or a large one (not fetched) was opened.
  void FillUp() {
    while (next_to_fetch_ < group_.inputs.size() &&
           pending_.size() < static_cast<size_t>(std::max(1, options_.prefetch_files + 1))) {
      pending_.push_back(Open(group_.inputs[next_to_fetch_++]));
      // Only small files are fetched ahead; a large one is streamed when its turn comes.
      if (!pending_.back().read_whole) break;
    }
  }

  /// The next input in the group's order; nullopt once every input was handed out.
  std::optional<PendingInput> Next() {
    FillUp();
    if (pending_.empty()) return std::nullopt;
    PendingInput input = std::move(pending_.front());
    pending_.pop_front();
    return input;
  }

 private:
  PendingInput Open(size_t index) const {
    PendingInput input;
    input.index = index;
    const auto& info = plan_.files[index].info;
    const auto& fs = plan_.partition.location.fs;
    // OpenInputFile with the listed FileInfo: no HEAD request on S3.
    auto file = fs->OpenInputFile(info);
    if (!file.ok()) {
      input.open_status = file.status();
      return input;
    }
    input.file = *file;
    input.read_whole = info.size() <= options_.whole_file_read_limit;
    if (input.read_whole) input.whole = input.file->ReadAsync(fs->io_context(), 0, info.size());
    return input;
  }

  const PartitionPlan& plan_;
  const CompactionGroup& group_;
  const ExecuteOptions& options_;
  std::deque<PendingInput> pending_;
  size_t next_to_fetch_ = 0;
};

// What the Parquet reader reads `input` from: the fetched bytes of a whole file, else the file.
arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> SourceOf(const PendingInput& input,
                                                                     const InputFile& meta,
                                                                     const std::string& uri) {
  if (!input.open_status.ok()) {
    return input.open_status.WithMessage("opening ", uri, ": ", input.open_status.message());
  }
  if (!input.read_whole) return input.file;
  auto buffer = input.whole.result();
  if (!buffer.ok()) {
    return buffer.status().WithMessage("reading ", uri, ": ", buffer.status().message());
  }
  if ((*buffer)->size() != meta.info.size()) {
    return arrow::Status::IOError("reading ", uri, ": got ", (*buffer)->size(),
                                  " bytes, the listing said ", meta.info.size(),
                                  " (file changed since planning?)");
  }
  return std::make_shared<arrow::io::BufferReader>(*buffer);
}

// The footer a file is read with, and the rows it promises.
struct Footer {
  std::shared_ptr<parquet::FileMetaData> metadata;  // null: the reader reads it from the file
  int64_t rows = 0;
};

// A deferred footer is read here, from the bytes already fetched, and must describe the file
// the planner assumed; otherwise nothing of it is used and the partition is re-planned.
arrow::Result<Footer> CheckedFooter(const InputFile& meta, const std::string& uri,
                                    const std::shared_ptr<arrow::io::RandomAccessFile>& source) {
  Footer footer{nullptr, meta.rows};
  if (!meta.footer_deferred) return footer;
  ARROW_ASSIGN_OR_RAISE(auto actual,
                        FileInspector::InspectSource(uri, meta.info, source, &footer.metadata));
  if (!actual) return arrow::Status::Invalid("not a Parquet file: ", uri);
  if (!meta.SameShape(*actual)) {
    return PlanMismatch::Error("file " + uri +
                               " differs from the partition's first file (columns, codec or "
                               "storage); re-planning the partition from every footer");
  }
  footer.rows = actual->rows;
  return footer;
}

arrow::Result<std::unique_ptr<parquet::arrow::FileReader>> OpenReader(
    const std::shared_ptr<arrow::io::RandomAccessFile>& source, const Footer& footer,
    const std::string& uri) {
  std::unique_ptr<parquet::arrow::FileReader> reader;
  try {
    auto parquet_reader = parquet::ParquetFileReader::Open(
        source, parquet::default_reader_properties(), footer.metadata);
    ARROW_ASSIGN_OR_RAISE(reader, parquet::arrow::FileReader::Make(
                                      arrow::default_memory_pool(), std::move(parquet_reader),
                                      FileInspector::ArrowReadProperties()));
  } catch (const parquet::ParquetException& e) {
    return arrow::Status::Invalid("corrupt Parquet file ", uri, ": ", e.what());
  }
  return reader;
}

// Where a group's rows go once aligned: the digest (when asked), then, in batches of a useful
// size, the writer.
class BatchSink {
 public:
  BatchSink(RollingFileWriter& writer, const ExecuteOptions& options, RowDigest* digest)
      : writer_(writer),
        coalescer_(options.coalesce_rows, options.coalesce_bytes),
        digest_(options.digest ? digest : nullptr) {}

  arrow::Status Add(std::shared_ptr<arrow::RecordBatch> aligned) {
    if (digest_) ARROW_RETURN_NOT_OK(digest_->Update(*aligned));
    ARROW_ASSIGN_OR_RAISE(auto ready, coalescer_.Add(std::move(aligned)));
    if (ready) ARROW_RETURN_NOT_OK(writer_.Add(ready));
    return arrow::Status::OK();
  }

  arrow::Status Flush() {
    ARROW_ASSIGN_OR_RAISE(auto rest, coalescer_.Flush());
    if (rest) ARROW_RETURN_NOT_OK(writer_.Add(rest));
    return arrow::Status::OK();
  }

 private:
  RollingFileWriter& writer_;
  BatchCoalescer coalescer_;
  RowDigest* digest_;  // null: no digest taken
};

// Streams row group `rg` of `reader`, aligned, into `sink`; returns the rows read.
arrow::Result<int64_t> StreamRowGroup(parquet::arrow::FileReader& reader, int rg,
                                      const BatchAligner& aligner, const std::string& uri,
                                      BatchSink& sink) {
  auto batches = reader.GetRecordBatchReader({rg});
  if (!batches.ok()) {
    return batches.status().WithMessage("reading ", uri, ": ", batches.status().message());
  }
  int64_t rows = 0;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    auto next = (*batches)->ReadNext(&batch);
    if (!next.ok()) return next.WithMessage("reading ", uri, ": ", next.message());
    if (!batch) break;
    if (batch->num_rows() == 0) continue;
    rows += batch->num_rows();
    ARROW_ASSIGN_OR_RAISE(auto aligned, aligner.Align(batch));
    ARROW_RETURN_NOT_OK(sink.Add(std::move(aligned)));
  }
  return rows;
}

// Streams every row of the file `source` into `sink`, aligned to `output_schema`, and checks
// that its rows are the ones its footer promised; returns them.
arrow::Result<int64_t> StreamFile(const InputFile& meta, const std::string& uri,
                                  const std::shared_ptr<arrow::io::RandomAccessFile>& source,
                                  const Footer& footer,
                                  const std::shared_ptr<arrow::Schema>& output_schema,
                                  BatchSink& sink) {
  ARROW_ASSIGN_OR_RAISE(auto reader, OpenReader(source, footer, uri));
  if (meta.has_int96) {
    ARROW_RETURN_NOT_OK(Int96Guard::CheckMicrosecondExact(*reader->parquet_reader(), uri));
  }
  std::shared_ptr<arrow::Schema> schema;
  ARROW_RETURN_NOT_OK(reader->GetSchema(&schema));
  ARROW_ASSIGN_OR_RAISE(auto aligner, BatchAligner::Make(schema, output_schema, uri));
  int64_t file_rows = 0;
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    // One row group at a time keeps memory at a row group, whatever the file's size.
    ARROW_ASSIGN_OR_RAISE(int64_t rows, StreamRowGroup(*reader, rg, aligner, uri, sink));
    file_rows += rows;
  }
  if (file_rows != footer.rows) {
    return arrow::Status::IOError("reading ", uri, ": ", file_rows, " rows, its footer said ",
                                  footer.rows, " when planned (file changed since planning?)");
  }
  return file_rows;
}

}  // namespace

int64_t GroupCompactor::RowGroupBytes(const ExecuteOptions& options) {
  if (options.row_group_bytes > 0) return options.row_group_bytes;
  return std::clamp<int64_t>(options.size.target_bytes / 4, 64LL << 10, 128LL << 20);
}

GroupCompactor::GroupCompactor(const PartitionPlan& plan, size_t group_index,
                               const RunLayout& layout, const ExecuteOptions& options,
                               std::function<void(int64_t)> on_input_done)
    : plan_(plan),
      group_index_(group_index),
      layout_(layout),
      options_(options),
      on_input_done_(std::move(on_input_done)) {}

arrow::Result<GroupOutput> GroupCompactor::Run() {
  const CompactionGroup& group = plan_.groups[group_index_];
  const Location staging = layout_.StagingDir(plan_.partition.path);
  if (!staging.is_s3()) {
    // S3 needs no folders (and an empty "folder/" marker object would only be litter).
    ARROW_RETURN_NOT_OK(staging.fs->CreateDir(staging.path, /*recursive=*/true));
  }
  RollingWriterOptions writer_options;
  writer_options.size = options_.size;
  writer_options.row_group_bytes = RowGroupBytes(options_);
  writer_options.expected_rows = group.rows;  // estimated while some footers are deferred
  writer_options.expected_rows_exact = std::none_of(
      group.inputs.begin(), group.inputs.end(), [&](size_t i) { return plan_.files[i].footer_deferred; });
  writer_options.initial_bytes_per_row =
      group.rows > 0 ? static_cast<double>(group.data_bytes) / static_cast<double>(group.rows)
                     : 100.0;
  const std::string codec = CodecName(plan_.output.codec);
  const int group_number = static_cast<int>(group_index_);
  RollingFileWriter writer(
      plan_.output_schema, MakeWriterProperties(plan_.output, writer_options.max_row_group_rows),
      MakeArrowWriterProperties(plan_.output), writer_options,
      [&](int index) -> arrow::Result<std::pair<Location, std::shared_ptr<arrow::io::OutputStream>>> {
        Location out = staging.Child(layout_.OutputFileName(group_number, index, codec));
        auto stream = out.fs->OpenOutputStream(out.path);
        if (!stream.ok()) {
          return stream.status().WithMessage("creating ", out.uri(), ": ",
                                             stream.status().message());
        }
        return std::make_pair(out, *stream);
      });

  GroupOutput output;
  arrow::Status st = WriteAll(writer, &output);
  if (st.ok()) st = writer.Finish();
  if (st.ok() && writer_options.expected_rows_exact && output.rows_read != group.rows) {
    st = arrow::Status::Invalid("read ", output.rows_read, " rows where the footers promised ",
                                group.rows);
  }
  if (!st.ok()) {
    writer.Abandon();
    // Staging is swept at the end of the run anyway. On S3 the sweep's batch delete does it:
    // Arrow's DeleteFile would leave a zero-byte folder marker in the emptied staging folder.
    for (const auto& file : writer.files()) {
      if (file.location.is_s3()) continue;
      auto removed = file.location.fs->DeleteFile(file.location.path);
      (void)removed;
    }
    return st;
  }
  output.files = writer.files();
  return output;
}

arrow::Status GroupCompactor::WriteAll(RollingFileWriter& writer, GroupOutput* output) {
  const CompactionGroup& group = plan_.groups[group_index_];
  size_t deferred_left = std::count_if(group.inputs.begin(), group.inputs.end(),
                                       [&](size_t i) { return plan_.files[i].footer_deferred; });
  InputPrefetcher prefetcher(plan_, group, options_);
  BatchSink sink(writer, options_, &output->digest);
  while (std::optional<PendingInput> input = prefetcher.Next()) {
    const InputFile& meta = plan_.files[input->index];
    const std::string uri = Location{plan_.partition.location.fs, meta.info.path()}.uri();
    ARROW_ASSIGN_OR_RAISE(auto source, SourceOf(*input, meta, uri));
    prefetcher.FillUp();  // keep the pipeline full while this file is decoded and written
    ARROW_ASSIGN_OR_RAISE(Footer footer, CheckedFooter(meta, uri, source));
    if (meta.footer_deferred) {
      writer.AdjustExpectedRows(footer.rows - meta.rows, /*exact=*/--deferred_left == 0);
    }
    ARROW_ASSIGN_OR_RAISE(int64_t rows,
                          StreamFile(meta, uri, source, footer, plan_.output_schema, sink));
    output->rows_read += rows;
    if (on_input_done_) on_input_done_(meta.info.size());
  }
  return sink.Flush();
}

}  // namespace s3c
