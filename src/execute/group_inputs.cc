#include "execute/group_inputs.h"

#include <algorithm>

#include <arrow/io/memory.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include "execute/batch_aligner.h"
#include "execute/int96_guard.h"
#include "execute/plan_mismatch.h"
#include "plan/file_inspector.h"

namespace s3c {

void InputPrefetcher::FillUp() {
  while (next_to_fetch_ < group_.inputs.size() &&
         pending_.size() < static_cast<size_t>(std::max(1, options_.prefetch_files + 1))) {
    pending_.push_back(Open(group_.inputs[next_to_fetch_++]));
    // Only small files are fetched ahead; a large one is streamed when its turn comes.
    if (!pending_.back().read_whole) break;
  }
}

std::optional<PendingInput> InputPrefetcher::Next() {
  FillUp();
  if (pending_.empty()) return std::nullopt;
  PendingInput input = std::move(pending_.front());
  pending_.pop_front();
  return input;
}

PendingInput InputPrefetcher::Open(size_t index) const {
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

arrow::Result<Footer> CheckedFooter(const InputFile& meta, const std::string& uri,
                                    const std::shared_ptr<arrow::io::RandomAccessFile>& source,
                                    bool need_metadata) {
  Footer footer{nullptr, meta.rows};
  if (!meta.footer_deferred && !need_metadata) return footer;
  ARROW_ASSIGN_OR_RAISE(auto actual,
                        FileInspector::InspectSource(uri, meta.info, source, &footer.metadata));
  if (!actual) return arrow::Status::Invalid("not a Parquet file: ", uri);
  if (!meta.footer_deferred && (actual->rows != meta.rows || !meta.SameShape(*actual))) {
    return arrow::Status::IOError("reading ", uri, ": its footer is not the one read when the "
                                  "partition was planned (file changed since planning?)");
  }
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

namespace {

// Streams row group `rg` of `reader`, aligned, into `sink`; returns the rows read.
arrow::Result<int64_t> StreamRowGroup(parquet::arrow::FileReader& reader, int rg,
                                      const BatchAligner& aligner, const std::string& uri,
                                      const BatchConsumer& consume) {
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
    ARROW_RETURN_NOT_OK(consume(std::move(aligned)));
  }
  return rows;
}

}  // namespace

arrow::Result<int64_t> StreamRows(const InputFile& meta, const std::string& uri,
                                  const std::shared_ptr<arrow::io::RandomAccessFile>& source,
                                  const Footer& footer,
                                  const std::shared_ptr<arrow::Schema>& output_schema,
                                  const BatchConsumer& consume) {
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
    ARROW_ASSIGN_OR_RAISE(int64_t rows, StreamRowGroup(*reader, rg, aligner, uri, consume));
    file_rows += rows;
  }
  if (file_rows != footer.rows) {
    return arrow::Status::IOError("reading ", uri, ": ", file_rows, " rows, its footer said ",
                                  footer.rows, " when planned (file changed since planning?)");
  }
  return file_rows;
}

}  // namespace s3c
