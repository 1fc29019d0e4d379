#include "plan/physical_schema.h"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>

namespace s3c {
namespace {

std::shared_ptr<parquet::FileMetaData> Footer(const std::shared_ptr<arrow::Schema>& schema,
                                              bool bloom = false) {
  arrow::Int64Builder values;
  EXPECT_TRUE(values.AppendValues({1, 2, 3}).ok());
  auto table = schema->num_fields() == 1 && schema->field(0)->type()->id() == arrow::Type::INT64
                   ? arrow::Table::Make(schema, {values.Finish().ValueOrDie()})
                   : arrow::Table::MakeEmpty(schema).ValueOrDie();
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  parquet::WriterProperties::Builder builder;
  if (bloom) builder.enable_bloom_filter(schema->field(0)->name(), parquet::BloomFilterOptions{});
  EXPECT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 1024,
                                         builder.build()).ok());
  auto buffer = sink->Finish().ValueOrDie();
  return parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(buffer))->metadata();
}

std::string Of(const std::shared_ptr<arrow::Schema>& schema) {
  return PhysicalSchema::Fingerprint(*Footer(schema));
}

TEST(PhysicalSchema, EqualOnlyWhereEveryValueIsStoredTheSameWay) {
  using arrow::field;
  auto base = arrow::schema({field("a", arrow::int64()), field("s", arrow::utf8())});
  EXPECT_EQ(Of(base), Of(arrow::schema({field("a", arrow::int64()), field("s", arrow::utf8())})));
  // Each of these differs in what a page holds or means.
  for (const auto& other : {
           arrow::schema({field("a", arrow::int32()), field("s", arrow::utf8())}),       // type
           arrow::schema({field("a", arrow::int64(), false), field("s", arrow::utf8())}),  // levels
           arrow::schema({field("s", arrow::utf8()), field("a", arrow::int64())}),       // order
           arrow::schema({field("b", arrow::int64()), field("s", arrow::utf8())}),       // name
           arrow::schema({field("a", arrow::timestamp(arrow::TimeUnit::MICRO)),
                          field("s", arrow::utf8())}),                                   // meaning
           arrow::schema({field("a", arrow::int64()), field("s", arrow::binary())}),     // annotation
           arrow::schema({field("a", arrow::int64()), field("s", arrow::list(arrow::utf8()))}),
       }) {
    EXPECT_NE(Of(base), Of(other)) << other->ToString();
  }
  EXPECT_NE(Of(arrow::schema({field("d", arrow::decimal128(9, 2))})),
            Of(arrow::schema({field("d", arrow::decimal128(9, 3))})));
  EXPECT_NE(Of(arrow::schema({field("t", arrow::timestamp(arrow::TimeUnit::MILLI))})),
            Of(arrow::schema({field("t", arrow::timestamp(arrow::TimeUnit::MICRO))})));
}

TEST(PhysicalSchema, BloomFiltersDoNotKeepPagesApart) {
  // Dropped by both paths (DuckDB writes them by default: refusing would send every DuckDB
  // table through the row path for nothing).
  auto schema = arrow::schema({arrow::field("a", arrow::int64())});
  EXPECT_EQ(PhysicalSchema::PagesRefused(*Footer(schema)), std::nullopt);
  EXPECT_EQ(PhysicalSchema::PagesRefused(*Footer(schema, /*bloom=*/true)), std::nullopt);
}

}  // namespace
}  // namespace s3c
