#include "commit/row_multiset.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "storage/file_systems.h"
#include "util/test_util.h"
#include "util/testing/parquet_file.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<arrow::Table> Table(std::shared_ptr<arrow::DataType> type,
                                    std::shared_ptr<arrow::Array> values) {
  arrow::Int64Builder ids;
  for (int64_t i = 0; i < values->length(); ++i) EXPECT_OK(ids.Append(i));
  auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("v", type)});
  return arrow::Table::Make(schema, {ids.Finish().ValueOrDie(), values});
}

template <typename Builder, typename T>
std::shared_ptr<arrow::Array> Values(std::vector<T> values) {
  Builder builder;
  for (const auto& v : values) EXPECT_OK(builder.Append(v));
  return builder.Finish().ValueOrDie();
}

class RowMultisetTest : public ::testing::Test {
 protected:
  Location Write(const std::string& name, const arrow::Table& table) {
    EXPECT_OK(testing::WriteParquet(temp_.path() / name, table));
    return file_systems_.Resolve((temp_.path() / name).string()).ValueOrDie();
  }
  testing::TempDir temp_;
  FileSystems file_systems_;
};

TEST_F(RowMultisetTest, TakesEachRowOnceAsAMultiset) {
  auto ints = Table(arrow::int64(), Values<arrow::Int64Builder, int64_t>({7, 7, 8}));
  RowMultiset rows(ints->schema());
  ASSERT_OK(rows.Add(Write("a.parquet", *ints)));
  EXPECT_EQ(rows.size(), 3);
  ASSERT_OK_AND_ASSIGN(auto taken, rows.Take(Write("b.parquet", *ints)));
  EXPECT_TRUE(taken.comparable);
  EXPECT_EQ(taken.taken, 3);
  EXPECT_EQ(rows.size(), 0);
  ASSERT_OK_AND_ASSIGN(auto again, rows.Take(Write("c.parquet", *ints)));
  EXPECT_EQ(again.taken, 0);
  EXPECT_EQ(again.rows, 3);
}

TEST_F(RowMultisetTest, ANarrowerFileWidensIntoTheReference) {
  auto wide = Table(arrow::int64(), Values<arrow::Int64Builder, int64_t>({1, 2}));
  auto narrow = Table(arrow::int32(), Values<arrow::Int32Builder, int32_t>({1, 2}));
  RowMultiset rows(wide->schema());
  ASSERT_OK(rows.Add(Write("wide.parquet", *wide)));
  ASSERT_OK_AND_ASSIGN(auto taken, rows.Take(Write("narrow.parquet", *narrow)));
  EXPECT_TRUE(taken.comparable);
  EXPECT_EQ(taken.taken, 2);
}

TEST_F(RowMultisetTest, WhatAnAlignmentWouldLoseIsNeverComparable) {
  // The reference holds floats and ints; files with doubles, strings, or another column would
  // align only by losing something, so none of their rows may count as the reference's.
  auto floats = Table(arrow::float32(), Values<arrow::FloatBuilder, float>({0.5f, 1.5f}));
  auto doubles = Table(arrow::float64(), Values<arrow::DoubleBuilder, double>({0.5, 1.5}));
  auto ints = Table(arrow::int64(), Values<arrow::Int64Builder, int64_t>({0, 1}));
  auto strings = Table(arrow::utf8(), Values<arrow::StringBuilder, std::string>({"000", "1"}));
  RowMultiset as_floats(floats->schema());
  ASSERT_OK(as_floats.Add(Write("floats.parquet", *floats)));
  ASSERT_OK_AND_ASSIGN(auto from_doubles, as_floats.Take(Write("doubles.parquet", *doubles)));
  EXPECT_FALSE(from_doubles.comparable);
  EXPECT_EQ(from_doubles.taken, 0);
  EXPECT_EQ(from_doubles.rows, 2);
  RowMultiset as_ints(ints->schema());
  ASSERT_OK(as_ints.Add(Write("ints.parquet", *ints)));
  ASSERT_OK_AND_ASSIGN(auto from_strings, as_ints.Take(Write("strings.parquet", *strings)));
  EXPECT_FALSE(from_strings.comparable);
  auto extra = ints->AddColumn(2, arrow::field("more", arrow::int64()),
                               std::make_shared<arrow::ChunkedArray>(
                                   Values<arrow::Int64Builder, int64_t>({5, 6})))
                   .ValueOrDie();
  ASSERT_OK_AND_ASSIGN(auto from_extra, as_ints.Take(Write("extra.parquet", *extra)));
  EXPECT_FALSE(from_extra.comparable);
  EXPECT_EQ(as_ints.size(), 2);  // nothing taken
}

}  // namespace
}  // namespace s3c
