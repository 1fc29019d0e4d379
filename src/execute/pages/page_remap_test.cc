// PageLayout and RemapIndices on the pages Arrow's writer makes (data page v1 and v2, flat
// nullable, required and nested list columns, many small pages): every page's value count adds
// up to the column's non-null leaf values, and every remapped dictionary page decodes, with the
// merged dictionary, to exactly the values the original decoded to.

#include <memory>
#include <random>
#include <vector>

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>
#include <parquet/column_reader.h>
#include <parquet/encoding.h>
#include <parquet/file_reader.h>

#include "execute/pages/index_remap.h"
#include "execute/pages/page_layout.h"
#include "execute/pages/rle_hybrid_encoder.h"

namespace s3c::pages {
namespace {

std::shared_ptr<arrow::Table> MakeTable(int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  arrow::Int32Builder ints;
  arrow::StringBuilder strings;
  arrow::Int64Builder required;
  auto values = std::make_shared<arrow::Int64Builder>();
  arrow::ListBuilder lists(arrow::default_memory_pool(), values);
  for (int r = 0; r < rows; ++r) {
    if (rng() % 5 == 0) (void)ints.AppendNull(); else (void)ints.Append(static_cast<int32_t>(rng() % 37));
    if (rng() % 3 == 0) (void)strings.AppendNull();
    else (void)strings.Append("s" + std::to_string(rng() % 300));
    (void)required.Append(static_cast<int64_t>(rng() % 11));
    switch (rng() % 4) {
      case 0: (void)lists.AppendNull(); break;
      case 1: (void)lists.Append(); break;  // empty
      default: {
        (void)lists.Append();
        const int n = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < n; ++i) {
          if (rng() % 6 == 0) (void)values->AppendNull(); else (void)values->Append(static_cast<int64_t>(rng() % 9));
        }
      }
    }
  }
  auto schema = arrow::schema({arrow::field("i", arrow::int32()), arrow::field("s", arrow::utf8()),
                               arrow::field("r", arrow::int64(), false),
                               arrow::field("l", arrow::list(arrow::int64()))});
  return arrow::Table::Make(schema, {ints.Finish().ValueOrDie(), strings.Finish().ValueOrDie(),
                                     required.Finish().ValueOrDie(), lists.Finish().ValueOrDie()});
}

std::shared_ptr<arrow::Buffer> Write(const arrow::Table& table, parquet::ParquetDataPageVersion version) {
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto properties = parquet::WriterProperties::Builder()
                        .data_page_version(version)
                        ->data_pagesize(512)
                        ->write_batch_size(100)
                        ->compression(parquet::Compression::SNAPPY)
                        ->build();
  EXPECT_TRUE(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), sink, 100000, properties).ok());
  return sink->Finish().ValueOrDie();
}

// Non-null leaf values of each leaf column, as the table has them.
std::vector<int64_t> LeafValues(const arrow::Table& table) {
  std::vector<int64_t> out;
  for (int c = 0; c < 3; ++c) {
    const auto& col = *table.column(c);
    out.push_back(col.length() - col.null_count());
  }
  int64_t leaves = 0;
  for (const auto& chunk : table.column(3)->chunks()) {
    const auto& list = static_cast<const arrow::ListArray&>(*chunk);
    auto flat = list.Flatten().ValueOrDie();  // the values of non-null lists
    leaves += flat->length() - flat->null_count();
  }
  out.push_back(leaves);
  return out;
}

template <typename DType>
void CheckRemap(const parquet::ColumnDescriptor* descr, const parquet::DictionaryPage& dict_page,
                const parquet::DataPage& page, const PageLayout& layout) {
  using T = typename DType::c_type;
  // The original page's values, with the original dictionary.
  auto plain = parquet::MakeTypedDecoder<DType>(parquet::Encoding::PLAIN, descr);
  plain->SetData(dict_page.num_values(), dict_page.data(), static_cast<int>(dict_page.size()));
  auto original = parquet::MakeDictDecoder<DType>(descr);
  original->SetDict(plain.get());
  const int n = static_cast<int>(layout.values);
  const uint8_t* values = page.data() + layout.levels_bytes;
  const int size = static_cast<int>(page.size() - layout.levels_bytes);
  original->SetData(n, values, size);
  std::vector<T> before(static_cast<size_t>(n));
  ASSERT_EQ(original->Decode(before.data(), n), n);

  // A merged dictionary with 300 values of its own first, in reverse: remap[i] = 300 + k - 1 - i.
  std::vector<T> dictionary(static_cast<size_t>(dict_page.num_values()));
  auto again = parquet::MakeTypedDecoder<DType>(parquet::Encoding::PLAIN, descr);
  again->SetData(dict_page.num_values(), dict_page.data(), static_cast<int>(dict_page.size()));
  ASSERT_EQ(again->Decode(dictionary.data(), dict_page.num_values()), dict_page.num_values());
  const int k = dict_page.num_values();
  std::vector<T> merged(static_cast<size_t>(300 + k), dictionary.empty() ? T{} : dictionary[0]);
  std::vector<int32_t> remap(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    remap[static_cast<size_t>(i)] = 300 + k - 1 - i;
    merged[static_cast<size_t>(300 + k - 1 - i)] = dictionary[static_cast<size_t>(i)];
  }
  const int width = RleHybridEncoder::BitWidth(static_cast<uint32_t>(300 + k - 1));
  auto body = RemapIndices(page, layout, remap, width).ValueOrDie();
  ASSERT_EQ(body.compare(0, static_cast<size_t>(layout.levels_bytes),
                         reinterpret_cast<const char*>(page.data()),
                         static_cast<size_t>(layout.levels_bytes)), 0) << "levels copied as bytes";
  auto encoder = parquet::MakeTypedEncoder<DType>(parquet::Encoding::PLAIN, false, descr);
  encoder->Put(merged.data(), static_cast<int>(merged.size()));
  auto merged_plain = encoder->FlushValues();
  auto merged_decoder = parquet::MakeTypedDecoder<DType>(parquet::Encoding::PLAIN, descr);
  merged_decoder->SetData(static_cast<int>(merged.size()), merged_plain->data(),
                          static_cast<int>(merged_plain->size()));
  auto remapped = parquet::MakeDictDecoder<DType>(descr);
  remapped->SetDict(merged_decoder.get());
  remapped->SetData(n, reinterpret_cast<const uint8_t*>(body.data()) + layout.levels_bytes,
                    static_cast<int>(body.size() - static_cast<size_t>(layout.levels_bytes)));
  std::vector<T> after(static_cast<size_t>(n));
  ASSERT_EQ(remapped->Decode(after.data(), n), n);
  EXPECT_TRUE(before == after);

  // A remap too short for the page's indices: refused.
  if (k > 1) {
    std::vector<int32_t> short_remap(remap.begin(), remap.begin() + 1);
    bool any_beyond = false;
    // (only refused when some index is above 0)
    auto result = RemapIndices(page, layout, short_remap, width);
    for (int i = 0; i < n && !any_beyond; ++i) any_beyond = !(before[static_cast<size_t>(i)] == dictionary[0]);
    EXPECT_EQ(result.ok(), !any_beyond);
  }
}

bool operator==(const parquet::ByteArray& a, const parquet::ByteArray& b) {
  return a.len == b.len && std::memcmp(a.ptr, b.ptr, a.len) == 0;
}

TEST(PageRemap, EveryPageOfArrowsWritersV1AndV2) {
  auto table = MakeTable(3000, 11);
  const auto expected = LeafValues(*table);
  for (auto version : {parquet::ParquetDataPageVersion::V1, parquet::ParquetDataPageVersion::V2}) {
    auto buffer = Write(*table, version);
    auto reader = parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(buffer));
    auto row_group = reader->RowGroup(0);
    ASSERT_EQ(reader->metadata()->num_columns(), 4);
    for (int c = 0; c < 4; ++c) {
      const auto* descr = reader->metadata()->schema()->Column(c);
      auto pages = row_group->GetColumnPageReader(c);
      std::shared_ptr<parquet::DictionaryPage> dict;
      int64_t values = 0, data_pages = 0, remapped = 0;
      while (auto page = pages->NextPage()) {
        if (page->type() == parquet::PageType::DICTIONARY_PAGE) {
          // Copy: the reader reuses its buffer for the next page.
          auto p = std::static_pointer_cast<parquet::DictionaryPage>(page);
          dict = std::make_shared<parquet::DictionaryPage>(
              arrow::Buffer::Copy(p->buffer(), arrow::default_cpu_memory_manager()).ValueOrDie(),
              p->num_values(), p->encoding());
          continue;
        }
        const auto& data = static_cast<const parquet::DataPage&>(*page);
        auto layout = PageLayout::Of(data, descr->max_definition_level(), descr->max_repetition_level());
        ASSERT_TRUE(layout.ok()) << layout.status();
        values += layout->values;
        ++data_pages;
        if (data.encoding() == parquet::Encoding::RLE_DICTIONARY ||
            data.encoding() == parquet::Encoding::PLAIN_DICTIONARY) {
          ASSERT_NE(dict, nullptr);
          ++remapped;
          switch (descr->physical_type()) {
            case parquet::Type::INT32: CheckRemap<parquet::Int32Type>(descr, *dict, data, *layout); break;
            case parquet::Type::INT64: CheckRemap<parquet::Int64Type>(descr, *dict, data, *layout); break;
            case parquet::Type::BYTE_ARRAY: CheckRemap<parquet::ByteArrayType>(descr, *dict, data, *layout); break;
            default: FAIL() << "unexpected type";
          }
        }
      }
      EXPECT_EQ(values, expected[static_cast<size_t>(c)]) << "column " << c << " v" << static_cast<int>(version);
      EXPECT_GT(data_pages, 3) << "column " << c;
      EXPECT_GT(remapped, 0) << "column " << c;
    }
  }
}

TEST(PageRemap, InconsistentPagesAreRefused) {
  auto body = std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>("\x10\x00\x00\x00"), 4);
  parquet::DataPageV1 v1(body, 5, parquet::Encoding::RLE_DICTIONARY, parquet::Encoding::RLE,
                         parquet::Encoding::RLE, 4);
  EXPECT_FALSE(PageLayout::Of(v1, 1, 0).ok());  // 16 bytes of levels in a 4-byte page
  parquet::DataPageV1 packed(body, 5, parquet::Encoding::RLE_DICTIONARY,
                             parquet::Encoding::BIT_PACKED, parquet::Encoding::RLE, 4);
  EXPECT_TRUE(PageLayout::Of(packed, 1, 0).status().IsNotImplemented());
  EXPECT_EQ(PageLayout::Of(packed, 0, 0)->values, 5);  // required: no levels, every value
  parquet::DataPageV2 v2(body, 5, 6, 5, parquet::Encoding::RLE_DICTIONARY, 1, 1, 4);
  EXPECT_FALSE(PageLayout::Of(v2, 1, 0).ok());  // more nulls than values
  parquet::DataPageV2 long_levels(body, 5, 1, 5, parquet::Encoding::RLE_DICTIONARY, 3, 3, 4);
  EXPECT_FALSE(PageLayout::Of(long_levels, 1, 1).ok());
  // Definition levels that hold fewer levels than the page's values.
  auto few = std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>("\x02\x00\x00\x00\x04\x01"), 6);
  parquet::DataPageV1 short_levels(few, 5, parquet::Encoding::RLE_DICTIONARY,
                                   parquet::Encoding::RLE, parquet::Encoding::RLE, 6);
  EXPECT_FALSE(PageLayout::Of(short_levels, 1, 0).ok());
}

}  // namespace
}  // namespace s3c::pages
