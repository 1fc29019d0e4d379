// ChunkAssembler making whole files out of Arrow-written inputs (a test-only assembly of one
// row group with the metadata builders): the output reads back with Arrow as exactly the
// inputs' rows, in order; it has one dictionary per column chunk; its statistics cover the
// inputs'; and dictionaries that overlap are merged, not repeated.

#include "execute/pages/chunk_assembler.h"

#include <random>

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <parquet/file_writer.h>

namespace s3c::pages {
namespace {

std::shared_ptr<arrow::Table> Events(int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  arrow::Int32Builder small;
  arrow::StringBuilder names;
  arrow::Int64Builder ids;
  arrow::DoubleBuilder amounts;
  auto values = std::make_shared<arrow::StringBuilder>();
  arrow::ListBuilder tags(arrow::default_memory_pool(), values);
  for (int r = 0; r < rows; ++r) {
    if (rng() % 7 == 0) (void)small.AppendNull(); else (void)small.Append(static_cast<int32_t>(rng() % 20));
    if (rng() % 5 == 0) (void)names.AppendNull(); else (void)names.Append("name-" + std::to_string(rng() % 150));
    (void)ids.Append(static_cast<int64_t>(seed) * 1000000 + r);  // unique: PLAIN after fallback
    (void)amounts.Append(static_cast<double>(rng() % 1000) / 8);
    if (rng() % 4 == 0) { (void)tags.AppendNull(); continue; }
    (void)tags.Append();
    for (int i = 0, n = static_cast<int>(rng() % 3); i < n; ++i) (void)values->Append("t" + std::to_string(rng() % 5));
  }
  auto schema = arrow::schema({arrow::field("small", arrow::int32()), arrow::field("name", arrow::utf8()),
                               arrow::field("id", arrow::int64(), false), arrow::field("amount", arrow::float64()),
                               arrow::field("tags", arrow::list(arrow::utf8()))});
  return arrow::Table::Make(schema, {small.Finish().ValueOrDie(), names.Finish().ValueOrDie(),
                                     ids.Finish().ValueOrDie(), amounts.Finish().ValueOrDie(),
                                     tags.Finish().ValueOrDie()});
}

std::shared_ptr<arrow::Buffer> Write(const arrow::Table& table, parquet::ParquetDataPageVersion version,
                                     parquet::Compression::type codec) {
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto properties = parquet::WriterProperties::Builder()
                        .data_page_version(version)
                        ->compression(codec)
                        ->data_pagesize(2048)
                        ->dictionary_pagesize_limit(4096)  // the unique ids fall back to PLAIN
                        ->build();
  auto arrow_properties = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  EXPECT_TRUE(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), sink, 1 << 20,
                                         properties, arrow_properties).ok());
  return sink->Finish().ValueOrDie();
}

// The inputs' first row groups, assembled into one row group.
std::shared_ptr<arrow::Buffer> Assemble(const std::vector<std::shared_ptr<arrow::Buffer>>& inputs,
                                        parquet::Compression::type codec,
                                        int64_t dictionary_limit = 1 << 20, bool raw = true) {
  std::vector<std::unique_ptr<parquet::ParquetFileReader>> readers;
  for (const auto& buffer : inputs) {
    readers.push_back(parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(buffer)));
  }
  const auto& first = *readers[0]->metadata();
  auto properties = parquet::WriterProperties::Builder().compression(codec)->build();
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  EXPECT_TRUE(sink->Write("PAR1", 4).ok());
  auto file = parquet::FileMetaDataBuilder::Make(first.schema(), properties);
  auto* row_group = file->AppendRowGroup();
  int64_t rows = 0, bytes = 0;
  for (const auto& r : readers) rows += r->metadata()->RowGroup(0)->num_rows();
  for (int c = 0; c < first.num_columns(); ++c) {
    const auto* descr = first.schema()->Column(c);
    std::vector<ChunkSource> sources;
    for (size_t f = 0; f < readers.size(); ++f) {
      auto* reader = readers[f].get();
      std::shared_ptr<parquet::ColumnChunkMetaData> meta = reader->metadata()->RowGroup(0)->ColumnChunk(c);
      ChunkSource source;
      source.open = [reader, c] { return reader->RowGroup(0)->GetColumnPageReader(c); };
      source.statistics = meta->statistics();
      if (raw) {
        // The chunk's bytes, pages handed over as they are stored.
        const int64_t start = meta->has_dictionary_page() && meta->dictionary_page_offset() > 0
                                  ? meta->dictionary_page_offset() : meta->data_page_offset();
        auto file = std::make_shared<arrow::io::BufferReader>(inputs[f]);
        source.codec = meta->compression();
        source.open_compressed = [file, start, meta, descr] {
          auto properties = parquet::default_reader_properties();
          auto stream = properties.GetStream(file, start, meta->total_compressed_size());
          // UNCOMPRESSED: the reader hands the stored bytes over as they are.
          return parquet::PageReader::Open(stream, meta->num_values(),
                                           parquet::Compression::UNCOMPRESSED,
                                           parquet::default_reader_properties(), *descr);
        };
      }
      sources.push_back(std::move(source));
    }
    auto* chunk = row_group->NextColumnChunk();
    auto pages = parquet::PageWriter::Open(sink, codec, chunk);
    auto values = ChunkAssembler(descr, dictionary_limit, codec).Write(sources, pages.get(), chunk);
    EXPECT_TRUE(values.ok()) << values.status();
    bytes += pages->total_compressed_bytes_written();
  }
  row_group->set_num_rows(rows);
  row_group->Finish(bytes);
  auto metadata = file->Finish(first.key_value_metadata());
  parquet::WriteFileMetaData(*metadata, sink.get());
  return sink->Finish().ValueOrDie();
}

std::shared_ptr<arrow::Table> Read(const std::shared_ptr<arrow::Buffer>& buffer) {
  auto reader = parquet::arrow::OpenFile(std::make_shared<arrow::io::BufferReader>(buffer),
                                         arrow::default_memory_pool()).ValueOrDie();
  std::shared_ptr<arrow::Table> table;
  EXPECT_TRUE(reader->ReadTable(&table).ok());
  return table->CombineChunks().ValueOrDie();
}

TEST(ChunkAssembler, WholeFilesFromV1AndV2InputsReadBackAsTheInputsRows) {
  for (auto codec : {parquet::Compression::SNAPPY, parquet::Compression::ZSTD,
                     parquet::Compression::UNCOMPRESSED}) {
    std::vector<std::shared_ptr<arrow::Table>> tables;
    std::vector<std::shared_ptr<arrow::Buffer>> files;
    for (uint32_t i = 0; i < 6; ++i) {
      tables.push_back(Events(700 + 50 * static_cast<int>(i), i + 1));
      files.push_back(Write(*tables.back(), i % 2 ? parquet::ParquetDataPageVersion::V2
                                                   : parquet::ParquetDataPageVersion::V1,
                            i % 3 ? parquet::Compression::SNAPPY : parquet::Compression::ZSTD));
    }
    auto output = Assemble(files, codec);
    auto expected = arrow::ConcatenateTables(tables).ValueOrDie()->CombineChunks().ValueOrDie();
    auto got = Read(output);
    ASSERT_TRUE(got->Equals(*expected)) << "codec " << codec;
    // Without the compressed pages, everything decompressed and compressed again: same rows.
    ASSERT_TRUE(Read(Assemble(files, codec, 1 << 20, /*raw=*/false))->Equals(*expected));

    auto reader = parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(output));
    auto meta = reader->metadata();
    ASSERT_EQ(meta->num_row_groups(), 1);
    EXPECT_EQ(meta->num_rows(), expected->num_rows());
    for (int c = 0; c < meta->num_columns(); ++c) {
      auto chunk = meta->RowGroup(0)->ColumnChunk(c);
      EXPECT_EQ(chunk->compression(), codec);
      // One dictionary page at most, first.
      auto pages = reader->RowGroup(0)->GetColumnPageReader(c);
      int dictionaries = 0, position = 0, dictionary_values = 0;
      while (auto page = pages->NextPage()) {
        if (page->type() == parquet::PageType::DICTIONARY_PAGE) {
          ++dictionaries;
          EXPECT_EQ(position, 0);
          dictionary_values = static_cast<const parquet::DictionaryPage&>(*page).num_values();
        }
        ++position;
      }
      EXPECT_EQ(dictionaries, 1) << "column " << c;
      if (c == 0) EXPECT_EQ(dictionary_values, 20);  // 0..19 in every input: merged, not repeated
      if (c == 1) EXPECT_LE(dictionary_values, 150);
      if (c == 2) EXPECT_TRUE(chunk->has_dictionary_page());
    }
    // Statistics cover every input: the ids run from the first file's to the last file's.
    auto ids = meta->RowGroup(0)->ColumnChunk(2)->statistics();
    ASSERT_NE(ids, nullptr);
    auto typed = std::static_pointer_cast<parquet::Int64Statistics>(ids);
    EXPECT_EQ(typed->min(), 1000000);
    EXPECT_EQ(typed->max(), 6000000 + 700 + 250 - 1);
    EXPECT_EQ(meta->RowGroup(0)->ColumnChunk(0)->statistics()->null_count(),
              expected->column(0)->null_count());
  }
}

TEST(ChunkAssembler, AMergedDictionaryOverTheLimitBecomesPlainPages) {
  std::vector<std::shared_ptr<arrow::Table>> tables;
  std::vector<std::shared_ptr<arrow::Buffer>> files;
  for (uint32_t i = 0; i < 4; ++i) {
    tables.push_back(Events(600, i + 10));
    files.push_back(Write(*tables.back(), i % 2 ? parquet::ParquetDataPageVersion::V2
                                                 : parquet::ParquetDataPageVersion::V1,
                          parquet::Compression::SNAPPY));
  }
  // 600 bytes: the small ints (20 values, 80 bytes) keep a dictionary; the names (150 strings),
  // ids and amounts do not.
  auto output = Assemble(files, parquet::Compression::SNAPPY, 600);
  auto expected = arrow::ConcatenateTables(tables).ValueOrDie()->CombineChunks().ValueOrDie();
  ASSERT_TRUE(Read(output)->Equals(*expected));
  auto reader = parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(output));
  auto row_group = reader->metadata()->RowGroup(0);
  EXPECT_TRUE(row_group->ColumnChunk(0)->has_dictionary_page());
  for (int c : {1, 2, 3}) {
    EXPECT_FALSE(row_group->ColumnChunk(c)->has_dictionary_page()) << "column " << c;
    auto pages = reader->RowGroup(0)->GetColumnPageReader(c);
    while (auto page = pages->NextPage()) {
      ASSERT_NE(page->type(), parquet::PageType::DICTIONARY_PAGE);
      EXPECT_EQ(static_cast<const parquet::DataPage&>(*page).encoding(), parquet::Encoding::PLAIN)
          << "column " << c;
    }
  }
}

}  // namespace
}  // namespace s3c::pages
