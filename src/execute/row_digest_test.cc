#include "execute/row_digest.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

using arrow::field;

const auto kType = arrow::struct_({field("id", arrow::int64()), field("name", arrow::utf8()),
                                   field("score", arrow::float64()),
                                   field("tags", arrow::list(arrow::utf8())),
                                   field("geo", arrow::struct_({field("lat", arrow::float32()),
                                                                field("ok", arrow::boolean())}))});

std::shared_ptr<arrow::RecordBatch> Batch(const std::string& json) {
  auto array = arrow::json::ArrayFromJSONString(kType, json).ValueOrDie();
  return arrow::RecordBatch::FromStructArray(array).ValueOrDie();
}

RowDigest Digest(const std::vector<std::string>& batches) {
  RowDigest digest;
  for (const auto& json : batches) EXPECT_OK(digest.Update(*Batch(json)));
  return digest;
}

const char* kRow1 = R"({"id": 1, "name": "a", "score": 0.5, "tags": ["x", "y"], "geo": {"lat": 1.5, "ok": true}})";
const char* kRow2 = R"({"id": 2, "name": null, "score": null, "tags": [], "geo": null})";
const char* kRow3 = R"({"id": 3, "name": "", "score": -0.0, "tags": null, "geo": {"lat": null, "ok": false}})";

std::string Rows(std::initializer_list<const char*> rows) {
  std::string out = "[";
  for (const char* r : rows) out += std::string(out.size() > 1 ? "," : "") + r;
  return out + "]";
}

TEST(RowDigest, IgnoresTheOrderOfRowsAndBatches) {
  RowDigest a = Digest({Rows({kRow1, kRow2, kRow3})});
  RowDigest b = Digest({Rows({kRow3}), Rows({kRow2, kRow1})});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.rows(), 3);
  RowDigest parts = Digest({Rows({kRow1})});
  parts.Add(Digest({Rows({kRow3, kRow2})}));
  EXPECT_EQ(parts, a);
}

TEST(RowDigest, SeesAChangedLostOrDoubledRow) {
  RowDigest a = Digest({Rows({kRow1, kRow2, kRow3})});
  EXPECT_NE(a, Digest({Rows({kRow1, kRow2})}));
  EXPECT_NE(a, Digest({Rows({kRow1, kRow2, kRow3, kRow3})}));
  // Same count, one row doubled and another lost.
  EXPECT_NE(a, Digest({Rows({kRow1, kRow1, kRow3})}));
  // One value changed, anywhere in the nesting.
  const char* changed = R"({"id": 1, "name": "a", "score": 0.5, "tags": ["y", "x"], "geo": {"lat": 1.5, "ok": true}})";
  EXPECT_NE(a, Digest({Rows({changed, kRow2, kRow3})}));
  const char* deep = R"({"id": 1, "name": "a", "score": 0.5, "tags": ["x", "y"], "geo": {"lat": 1.5, "ok": false}})";
  EXPECT_NE(a, Digest({Rows({deep, kRow2, kRow3})}));
  // Values swapped between two rows of one column: same column multiset, different rows.
  const char* r1 = R"({"id": 1, "name": "b", "score": 0.5, "tags": [], "geo": null})";
  const char* r2 = R"({"id": 2, "name": "a", "score": 0.5, "tags": [], "geo": null})";
  const char* s1 = R"({"id": 1, "name": "a", "score": 0.5, "tags": [], "geo": null})";
  const char* s2 = R"({"id": 2, "name": "b", "score": 0.5, "tags": [], "geo": null})";
  EXPECT_NE(Digest({Rows({r1, r2})}), Digest({Rows({s1, s2})}));
}

TEST(RowDigest, NullIsNotEmptyAndValuesDoNotRunTogether) {
  auto one = [](const std::string& type_json, std::shared_ptr<arrow::DataType> type) {
    auto schema = arrow::schema({field("v", type)});
    auto array = arrow::json::ArrayFromJSONString(type, type_json).ValueOrDie();
    RowDigest d;
    EXPECT_OK(d.Update(*arrow::RecordBatch::Make(schema, array->length(), {array})));
    return d;
  };
  EXPECT_NE(one(R"([null])", arrow::utf8()), one(R"([""])", arrow::utf8()));
  EXPECT_NE(one(R"([["ab", "c"]])", arrow::list(arrow::utf8())),
            one(R"([["a", "bc"]])", arrow::list(arrow::utf8())));
  EXPECT_NE(one(R"([[]])", arrow::list(arrow::int32())), one(R"([null])", arrow::list(arrow::int32())));
  EXPECT_NE(one("[0.0]", arrow::float64()), one("[-0.0]", arrow::float64()));  // by their bits
}

TEST(RowDigest, DictionaryColumnsHashByValueAndSlicesByTheirRows) {
  auto plain = arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["b", null, "a", "b"])").ValueOrDie();
  auto dictionary_type = arrow::dictionary(arrow::int32(), arrow::utf8());
  auto indices = arrow::json::ArrayFromJSONString(arrow::int32(), "[1, null, 0, 1]").ValueOrDie();
  auto values = arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["a", "b"])").ValueOrDie();
  auto encoded = arrow::DictionaryArray::FromArrays(dictionary_type, indices, values).ValueOrDie();
  RowDigest a, b;
  ASSERT_OK(a.Update(*arrow::RecordBatch::Make(arrow::schema({field("v", arrow::utf8())}), 4, {plain})));
  ASSERT_OK(b.Update(*arrow::RecordBatch::Make(arrow::schema({field("v", dictionary_type)}), 4, {encoded})));
  EXPECT_EQ(a, b);

  auto whole = Batch(Rows({kRow1, kRow2, kRow3}));
  RowDigest sliced;
  ASSERT_OK(sliced.Update(*whole->Slice(0, 1)));
  ASSERT_OK(sliced.Update(*whole->Slice(1, 2)));
  EXPECT_EQ(sliced, Digest({Rows({kRow1, kRow2, kRow3})}));
  RowDigest first_two;
  ASSERT_OK(first_two.Update(*whole->Slice(1)));
  EXPECT_EQ(first_two, Digest({Rows({kRow2, kRow3})}));
}

}  // namespace
}  // namespace s3c
