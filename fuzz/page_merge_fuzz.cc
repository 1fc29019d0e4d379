// Fuzz target: a Parquet file (seeds in fuzz/corpus/page_merge/: small files of every page
// encoding, data page v1 and v2, nested columns, dictionary fallback) merged with itself by the
// page merge's ChunkAssembler, column by column, into memory, as PageMerger does. Whatever the
// bytes, the merge returns a Status (never a crash, a leak or undefined behaviour), and a merge
// that succeeds wrote an output whose pages Arrow reads back without crashing.
#include <cstdint>
#include <memory>
#include <vector>

#include <arrow/buffer.h>
#include <arrow/io/memory.h>
#include <parquet/arrow/reader.h>
#include <parquet/column_page.h>
#include <parquet/column_writer.h>
#include <parquet/file_reader.h>
#include <parquet/file_writer.h>
#include <parquet/metadata.h>

#include "execute/pages/chunk_assembler.h"

namespace {

bool MergeWithItself(const std::shared_ptr<arrow::Buffer>& input) {
  auto reader = parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(input));
  auto metadata = reader->metadata();
  if (metadata->num_row_groups() == 0 || metadata->num_columns() > 32 ||
      metadata->RowGroup(0)->num_rows() <= 0) {
    return false;
  }
  auto properties = parquet::WriterProperties::Builder()
                        .compression(parquet::Compression::SNAPPY)
                        ->build();
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  if (!sink->Write("PAR1", 4).ok()) return false;
  auto file = parquet::FileMetaDataBuilder::Make(metadata->schema(), properties);
  auto* row_group = file->AppendRowGroup();
  int64_t bytes = 0;
  for (int c = 0; c < metadata->num_columns(); ++c) {
    const auto* descr = metadata->schema()->Column(c);
    std::shared_ptr<parquet::ColumnChunkMetaData> meta = metadata->RowGroup(0)->ColumnChunk(c);
    std::vector<s3c::pages::ChunkSource> sources(2);
    for (auto& source : sources) {
      source.name = "fuzz";
      source.open = [&reader, c] { return reader->RowGroup(0)->GetColumnPageReader(c); };
      source.codec = meta->compression();
      source.statistics = meta->statistics();
    }
    auto* chunk = row_group->NextColumnChunk();
    auto pages = parquet::PageWriter::Open(sink, parquet::Compression::SNAPPY, chunk);
    auto written = s3c::pages::ChunkAssembler(descr, 1 << 20, parquet::Compression::SNAPPY)
                       .Write(sources, pages.get(), chunk);
    if (!written.ok()) return false;
    bytes += pages->total_compressed_bytes_written();
  }
  row_group->set_num_rows(2 * metadata->RowGroup(0)->num_rows());
  row_group->Finish(bytes);
  auto merged = file->Finish(metadata->key_value_metadata());
  parquet::WriteFileMetaData(*merged, sink.get());
  auto output = sink->Finish().ValueOrDie();
  // Read back every page of the output: nothing the merge let through may crash a reader.
  auto again = parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(output));
  for (int c = 0; c < again->metadata()->num_columns(); ++c) {
    auto page_reader = again->RowGroup(0)->GetColumnPageReader(c);
    while (page_reader->NextPage()) {
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 20)) return 0;
  auto input = std::make_shared<arrow::Buffer>(data, static_cast<int64_t>(size));
  try {
    MergeWithItself(input);
  } catch (const std::exception&) {
    // Arrow's reader throws on corrupt metadata; the tool turns those into errors naming the
    // file (PageMerger). Anything else reaches the sanitizers.
  }
  return 0;
}
