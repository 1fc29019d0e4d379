#include "execute/group_compactor.h"

#include <algorithm>
#include <deque>

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
    for (const auto& file : writer.files()) {
      auto removed = file.location.fs->DeleteFile(file.location.path);
      (void)removed;  // staging is swept at the end of the run anyway
    }
    return st;
  }
  output.files = writer.files();
  return output;
}

arrow::Status GroupCompactor::WriteAll(RollingFileWriter& writer, GroupOutput* output) {
  const CompactionGroup& group = plan_.groups[group_index_];
  const Location& partition_location = plan_.partition.location;
  const auto& io_context = partition_location.fs->io_context();

  size_t deferred_left = std::count_if(group.inputs.begin(), group.inputs.end(),
                                       [&](size_t i) { return plan_.files[i].footer_deferred; });
  std::deque<PendingInput> pending;
  BatchCoalescer coalescer(options_.coalesce_rows, options_.coalesce_bytes);
  size_t next_to_fetch = 0;
  auto fetch_more = [&] {
    while (next_to_fetch < group.inputs.size() &&
           pending.size() < static_cast<size_t>(std::max(1, options_.prefetch_files + 1))) {
      PendingInput input;
      input.index = group.inputs[next_to_fetch++];
      const auto& info = plan_.files[input.index].info;
      // OpenInputFile with the listed FileInfo: no HEAD request on S3.
      auto file = partition_location.fs->OpenInputFile(info);
      if (!file.ok()) {
        input.open_status = file.status();
      } else {
        input.file = *file;
        input.read_whole = info.size() <= options_.whole_file_read_limit;
        if (input.read_whole) input.whole = input.file->ReadAsync(io_context, 0, info.size());
      }
      pending.push_back(std::move(input));
      // Only small files are fetched ahead; a large one is streamed when its turn comes.
      if (!pending.back().read_whole) break;
    }
  };

  while (true) {
    fetch_more();
    if (pending.empty()) break;
    PendingInput input = std::move(pending.front());
    pending.pop_front();
    const InputFile& meta = plan_.files[input.index];
    const std::string uri = Location{partition_location.fs, meta.info.path()}.uri();
    if (!input.open_status.ok()) {
      return input.open_status.WithMessage("opening ", uri, ": ", input.open_status.message());
    }
    std::shared_ptr<arrow::io::RandomAccessFile> source = input.file;
    if (input.read_whole) {
      auto buffer = input.whole.result();
      if (!buffer.ok()) {
        return buffer.status().WithMessage("reading ", uri, ": ", buffer.status().message());
      }
      if ((*buffer)->size() != meta.info.size()) {
        return arrow::Status::IOError("reading ", uri, ": got ", (*buffer)->size(),
                                      " bytes, the listing said ", meta.info.size(),
                                      " (file changed since planning?)");
      }
      source = std::make_shared<arrow::io::BufferReader>(*buffer);
    }
    fetch_more();  // keep the pipeline full while this file is decoded and written

    // A deferred footer is read here, from the bytes already fetched, and must describe the file
    // the planner assumed; otherwise nothing of it is used and the partition is re-planned.
    std::shared_ptr<parquet::FileMetaData> metadata;
    int64_t footer_rows = meta.rows;
    if (meta.footer_deferred) {
      ARROW_ASSIGN_OR_RAISE(auto actual,
                            FileInspector::InspectSource(uri, meta.info, source, &metadata));
      if (!actual) return arrow::Status::Invalid("not a Parquet file: ", uri);
      if (!meta.SameShape(*actual)) {
        return PlanMismatch::Error("file " + uri +
                                   " differs from the partition's first file (columns, codec or "
                                   "storage); re-planning the partition from every footer");
      }
      footer_rows = actual->rows;
      writer.AdjustExpectedRows(actual->rows - meta.rows, /*exact=*/--deferred_left == 0);
    }

    std::unique_ptr<parquet::arrow::FileReader> reader;
    try {
      auto parquet_reader = parquet::ParquetFileReader::Open(
          source, parquet::default_reader_properties(), metadata);
      ARROW_ASSIGN_OR_RAISE(reader, parquet::arrow::FileReader::Make(
                                        arrow::default_memory_pool(), std::move(parquet_reader),
                                        FileInspector::ArrowReadProperties()));
    } catch (const parquet::ParquetException& e) {
      return arrow::Status::Invalid("corrupt Parquet file ", uri, ": ", e.what());
    }
    if (meta.has_int96) {
      ARROW_RETURN_NOT_OK(Int96Guard::CheckMicrosecondExact(*reader->parquet_reader(), uri));
    }
    std::shared_ptr<arrow::Schema> schema;
    ARROW_RETURN_NOT_OK(reader->GetSchema(&schema));
    ARROW_ASSIGN_OR_RAISE(auto aligner, BatchAligner::Make(schema, plan_.output_schema, uri));

    int64_t file_rows = 0;
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      // One row group at a time keeps memory at a row group, whatever the file's size.
      auto batches = reader->GetRecordBatchReader({rg});
      if (!batches.ok()) {
        return batches.status().WithMessage("reading ", uri, ": ", batches.status().message());
      }
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        auto next = (*batches)->ReadNext(&batch);
        if (!next.ok()) return next.WithMessage("reading ", uri, ": ", next.message());
        if (!batch) break;
        if (batch->num_rows() == 0) continue;
        file_rows += batch->num_rows();
        ARROW_ASSIGN_OR_RAISE(auto aligned, aligner.Align(batch));
        if (options_.digest) ARROW_RETURN_NOT_OK(output->digest.Update(*aligned));
        ARROW_ASSIGN_OR_RAISE(auto ready, coalescer.Add(std::move(aligned)));
        if (ready) ARROW_RETURN_NOT_OK(writer.Add(ready));
      }
    }
    if (file_rows != footer_rows) {
      return arrow::Status::IOError("reading ", uri, ": ", file_rows, " rows, its footer said ",
                                    footer_rows, " when planned (file changed since planning?)");
    }
    output->rows_read += file_rows;
    if (on_input_done_) on_input_done_(meta.info.size());
  }
  ARROW_ASSIGN_OR_RAISE(auto rest, coalescer.Flush());
  if (rest) ARROW_RETURN_NOT_OK(writer.Add(rest));
  return arrow::Status::OK();
}

}  // namespace s3c
