#include "execute/batch_aligner.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

using arrow::field;

std::shared_ptr<arrow::Array> Json(const std::shared_ptr<arrow::DataType>& type,
                                   const std::string& json) {
  return arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
}

TEST(BatchAligner, ReordersWidensAndFillsMissingColumns) {
  auto from = arrow::schema({field("b", arrow::utf8()), field("a", arrow::int32())});
  auto to = arrow::schema({field("a", arrow::int64()), field("b", arrow::utf8()),
                           field("c", arrow::float64())});
  auto batch = arrow::RecordBatch::Make(
      from, 3, {Json(arrow::utf8(), R"(["x", null, "z"])"), Json(arrow::int32(), "[1, 2, null]")});
  ASSERT_OK_AND_ASSIGN(auto aligner, BatchAligner::Make(from, to, "f.parquet"));
  EXPECT_FALSE(aligner.identity());
  ASSERT_OK_AND_ASSIGN(auto out, aligner.Align(batch));
  ASSERT_OK(out->ValidateFull());
  EXPECT_TRUE(out->schema()->Equals(*to));
  EXPECT_TRUE(out->column(0)->Equals(*Json(arrow::int64(), "[1, 2, null]")));
  EXPECT_TRUE(out->column(1)->Equals(*batch->column(0)));
  EXPECT_EQ(out->column(2)->null_count(), 3);
}

TEST(BatchAligner, IdentityPassesThrough) {
  auto schema = arrow::schema({field("a", arrow::int64())});
  ASSERT_OK_AND_ASSIGN(auto aligner, BatchAligner::Make(schema, schema, "f"));
  EXPECT_TRUE(aligner.identity());
  auto batch = arrow::RecordBatch::Make(schema, 2, {Json(arrow::int64(), "[1, 2]")});
  ASSERT_OK_AND_ASSIGN(auto out, aligner.Align(batch));
  EXPECT_EQ(out->column(0).get(), batch->column(0).get());  // no copy
}

TEST(BatchAligner, NestedStructMissingFieldAndWidenedList) {
  auto from_struct = arrow::struct_({field("x", arrow::int32())});
  auto to_struct = arrow::struct_({field("x", arrow::int64()), field("y", arrow::utf8())});
  auto from = arrow::schema({field("s", from_struct), field("l", arrow::list(arrow::int32()))});
  auto to = arrow::schema({field("s", to_struct), field("l", arrow::list(arrow::int64()))});
  auto batch = arrow::RecordBatch::Make(
      from, 3,
      {Json(from_struct, R"([{"x": 1}, null, {"x": 3}])"),
       Json(arrow::list(arrow::int32()), "[[1, 2], null, []]")});
  ASSERT_OK_AND_ASSIGN(auto aligner, BatchAligner::Make(from, to, "f"));
  // A slice exercises offsets in nested data.
  ASSERT_OK_AND_ASSIGN(auto out, aligner.Align(batch->Slice(1, 2)));
  ASSERT_OK(out->ValidateFull());
  EXPECT_TRUE(out->column(0)->Equals(*Json(to_struct, R"([null, {"x": 3, "y": null}])")))
      << out->column(0)->ToString();
  EXPECT_TRUE(out->column(1)->Equals(*Json(arrow::list(arrow::int64()), "[null, []]")))
      << out->column(1)->ToString();
}

TEST(BatchAligner, OverflowIsAnErrorNamingFileAndColumn) {
  auto from = arrow::schema({field("v", arrow::timestamp(arrow::TimeUnit::SECOND))});
  auto to = arrow::schema({field("v", arrow::timestamp(arrow::TimeUnit::NANO))});
  // Year ~ 33658: fine in seconds, beyond nanoseconds' range.
  auto batch = arrow::RecordBatch::Make(
      from, 1, {Json(arrow::timestamp(arrow::TimeUnit::SECOND), "[1000000000000]")});
  ASSERT_OK_AND_ASSIGN(auto aligner, BatchAligner::Make(from, to, "s3://b/t/f.parquet"));
  auto out = aligner.Align(batch);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("column 'v' of s3://b/t/f.parquet"), std::string::npos)
      << out.status().message();
}

TEST(BatchAligner, ColumnsAndFieldsAreFoundIgnoringCase) {
  // The unified schema spells them as first seen; this file spells them otherwise.
  auto from = arrow::schema({field("ID", arrow::int32()),
                             field("S", arrow::struct_({field("zip", arrow::utf8())}))});
  auto to = arrow::schema({field("s", arrow::struct_({field("Zip", arrow::utf8())})),
                           field("id", arrow::int64())});
  auto batch = arrow::RecordBatch::Make(
      from, 2, {Json(arrow::int32(), "[1, 2]"),
                Json(arrow::struct_({field("zip", arrow::utf8())}),
                     R"([{"zip": "10115"}, {"zip": null}])")});
  ASSERT_OK_AND_ASSIGN(auto aligner, BatchAligner::Make(from, to, "f.parquet"));
  ASSERT_OK_AND_ASSIGN(auto out, aligner.Align(batch));
  EXPECT_TRUE(out->column(1)->Equals(*Json(arrow::int64(), "[1, 2]"))) << out->column(1)->ToString();
  EXPECT_TRUE(out->column(0)->Equals(*Json(arrow::struct_({field("Zip", arrow::utf8())}),
                                           R"([{"Zip": "10115"}, {"Zip": null}])")))
      << out->column(0)->ToString();
  auto twice = arrow::schema({field("id", arrow::int64()), field("Id", arrow::int64())});
  EXPECT_FALSE(BatchAligner::Make(twice, arrow::schema({field("id", arrow::int64())}), "g").ok());
}

TEST(BatchAligner, MapItemsAndListValuesAreAlignedByOurRulesNotByArrowsCast) {
  // An adversarial review found map values nulled: Arrow's cast matches struct fields by exact
  // name, so struct<V> -> struct<v> inside a map lost every value. Keys and items go by
  // position, their structs by name ignoring case; list -> large_list likewise.
  auto item_from = arrow::struct_({field("V", arrow::int32())});
  auto item_to = arrow::struct_({field("v", arrow::int64())});
  auto map_from = arrow::map(arrow::utf8(), item_from);
  auto map_to = std::make_shared<arrow::MapType>(field("key", arrow::utf8(), false),
                                                 field("value", item_to));
  auto list_from = arrow::list(item_from);
  auto list_to = arrow::large_list(item_to);
  auto from = arrow::schema({field("m", map_from), field("l", list_from)});
  auto to = arrow::schema({field("m", map_to), field("l", list_to)});
  auto batch = arrow::RecordBatch::Make(
      from, 2,
      {Json(map_from, R"([[["b", {"V": 2}], ["c", {"V": null}]], null])"),
       Json(list_from, R"([[{"V": 7}], [{"V": 8}, null]])")});
  ASSERT_OK_AND_ASSIGN(auto aligner, BatchAligner::Make(from, to, "f.parquet"));
  ASSERT_OK_AND_ASSIGN(auto out, aligner.Align(batch->Slice(0, 2)));
  ASSERT_OK(out->ValidateFull());
  EXPECT_TRUE(out->column(0)->Equals(
      *Json(map_to, R"([[["b", {"v": 2}], ["c", {"v": null}]], null])")))
      << out->column(0)->ToString();
  EXPECT_TRUE(out->column(1)->Equals(*Json(list_to, R"([[{"v": 7}], [{"v": 8}, null]])")))
      << out->column(1)->ToString();
  // A slice keeps its offset through the alignment.
  ASSERT_OK_AND_ASSIGN(auto tail, aligner.Align(batch->Slice(1, 1)));
  EXPECT_TRUE(tail->column(1)->Equals(*Json(list_to, R"([[{"v": 8}, null]])")))
      << tail->column(1)->ToString();
}

TEST(BatchAligner, DuplicateColumnNamesAreRefused) {
  auto from = arrow::schema({field("a", arrow::int64()), field("a", arrow::int64())});
  auto to = arrow::schema({field("a", arrow::int64())});
  auto made = BatchAligner::Make(from, to, "s3://b/t/f.parquet");
  ASSERT_FALSE(made.ok());
  EXPECT_TRUE(made.status().IsInvalid()) << made.status().ToString();
  EXPECT_NE(made.status().message().find("column 'a' appears more than once in s3://b/t/f.parquet"),
            std::string::npos)
      << made.status().message();
}

}  // namespace
}  // namespace s3c
