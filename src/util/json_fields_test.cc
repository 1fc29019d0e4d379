#include "util/json_fields.h"

#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

using nlohmann::json;

template <typename T>
std::string ErrorOf(const arrow::Result<T>& result) {
  return result.status().message();
}

TEST(JsonFields, ParseNamesTheSource) {
  EXPECT_EQ(ErrorOf(ParseJsonObject("{", "lease s3://b/t/lease.json")),
            "lease s3://b/t/lease.json: not JSON");
  EXPECT_EQ(ErrorOf(ParseJsonObject("[1]", "src")), "src: not a JSON object (it is an array)");
  EXPECT_EQ(ErrorOf(ParseJsonObject("", "src")), "src: not JSON");
  ASSERT_OK_AND_ASSIGN(auto j, ParseJsonObject(R"({"a": 1})", "src"));
  EXPECT_EQ(j["a"], 1);
}

TEST(JsonFields, RequiredFieldsOfEachType) {
  const json j = {{"s", "text"}, {"i", -3}, {"u", 7}, {"b", true}, {"o", {{"x", "y"}}},
                  {"a", json::array({"p", "q"})}, {"n", nullptr}};
  ASSERT_OK_AND_ASSIGN(auto f, JsonFields::Of(j, "doc"));
  ASSERT_OK_AND_ASSIGN(auto s, f.String("s"));
  EXPECT_EQ(s, "text");
  ASSERT_OK_AND_ASSIGN(auto i, f.Int("i"));
  EXPECT_EQ(i, -3);
  ASSERT_OK_AND_ASSIGN(auto u, f.Int("u"));
  EXPECT_EQ(u, 7);
  ASSERT_OK_AND_ASSIGN(auto b, f.Bool("b"));
  EXPECT_TRUE(b);
  ASSERT_OK_AND_ASSIGN(auto o, f.Object("o"));
  ASSERT_OK_AND_ASSIGN(auto x, o.String("x"));
  EXPECT_EQ(x, "y");
  ASSERT_OK_AND_ASSIGN(auto a, f.Strings("a"));
  EXPECT_EQ(a, (std::vector<std::string>{"p", "q"}));

  EXPECT_EQ(ErrorOf(f.String("missing")), "doc: field 'missing' is missing");
  EXPECT_EQ(ErrorOf(f.String("n")), "doc: field 'n' is null");
  EXPECT_EQ(ErrorOf(f.String("i")), "doc: field 'i' is not a string (it is a number)");
  EXPECT_EQ(ErrorOf(f.Int("s")), "doc: field 's' is not an integer (it is a string)");
  EXPECT_EQ(ErrorOf(f.Bool("s")), "doc: field 's' is not a boolean (it is a string)");
  EXPECT_EQ(ErrorOf(f.Object("a")), "doc: field 'a' is not an object (it is an array)");
  EXPECT_EQ(ErrorOf(f.Objects("o")), "doc: field 'o' is not an array (it is an object)");
  EXPECT_EQ(ErrorOf(f.Objects("a")), "doc: field 'a[0]' is not an object (it is a string)");
}

TEST(JsonFields, OptionalFieldsTakeNullAsAbsent) {
  const json j = {{"n", nullptr}, {"s", "v"}, {"i", 5}, {"f", 1.5}, {"neg", -1}};
  ASSERT_OK_AND_ASSIGN(auto f, JsonFields::Of(j, "doc"));
  ASSERT_OK_AND_ASSIGN(auto none, f.OptionalString("n"));
  EXPECT_FALSE(none.has_value());
  ASSERT_OK_AND_ASSIGN(auto absent, f.StringOr("absent", "fallback"));
  EXPECT_EQ(absent, "fallback");
  ASSERT_OK_AND_ASSIGN(auto i, f.IntOr("n", 9));
  EXPECT_EQ(i, 9);
  ASSERT_OK_AND_ASSIGN(auto objects, f.OptionalObjects("n"));
  EXPECT_TRUE(objects.empty());
  ASSERT_OK_AND_ASSIGN(auto object, f.OptionalObject("absent"));
  EXPECT_FALSE(object.has_value());
  EXPECT_FALSE(f.Has("n"));
  EXPECT_TRUE(f.Has("s"));

  // Present with another type is an error, never the fallback.
  EXPECT_EQ(ErrorOf(f.StringOr("i", "")), "doc: field 'i' is not a string (it is a number)");
  EXPECT_EQ(ErrorOf(f.IntOr("s", 0)), "doc: field 's' is not an integer (it is a string)");
  EXPECT_EQ(ErrorOf(f.IntOr("f", 0)),
            "doc: field 'f' is not an integer (it is a floating-point number)");
  EXPECT_EQ(ErrorOf(f.UintOr("neg", 0)), "doc: field 'neg' is negative");
  EXPECT_EQ(ErrorOf(f.BoolOr("s", false)), "doc: field 's' is not a boolean (it is a string)");
  EXPECT_EQ(ErrorOf(f.OptionalObject("s")), "doc: field 's' is not an object (it is a string)");
  EXPECT_EQ(ErrorOf(f.OptionalStrings("s")), "doc: field 's' is not an array (it is a string)");
}

TEST(JsonFields, NestedFieldsAreNamedByTheirPath) {
  const json j = json::parse(R"({"Table": {"StorageDescriptor": "s3://b/t",
                                           "PartitionKeys": [{"Name": "year"}, {"Name": 5}]},
                                 "Values": ["a", 1]})");
  ASSERT_OK_AND_ASSIGN(auto f, JsonFields::Of(j, "Glue GetTable db.t"));
  ASSERT_OK_AND_ASSIGN(auto table, f.Object("Table"));
  EXPECT_EQ(ErrorOf(table.Object("StorageDescriptor")),
            "Glue GetTable db.t: field 'Table.StorageDescriptor' is not an object (it is a string)");
  ASSERT_OK_AND_ASSIGN(auto keys, table.Objects("PartitionKeys"));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(ErrorOf(keys[1].String("Name")),
            "Glue GetTable db.t: field 'Table.PartitionKeys[1].Name' is not a string (it is a "
            "number)");
  EXPECT_EQ(ErrorOf(f.Strings("Values")),
            "Glue GetTable db.t: field 'Values[1]' is not a string (it is a number)");
}

TEST(JsonFields, OutOfRangeAndNotAnObject) {
  const json j = json::parse(R"({"big": 18446744073709551615})");
  ASSERT_OK_AND_ASSIGN(auto f, JsonFields::Of(j, "doc"));
  EXPECT_EQ(ErrorOf(f.Int("big")), "doc: field 'big' is out of range");
  ASSERT_OK_AND_ASSIGN(auto big, f.UintOr("big", 0));
  EXPECT_EQ(big, 18446744073709551615ull);
  EXPECT_EQ(ErrorOf(JsonFields::Of(json("text"), "doc")), "doc: not a JSON object (it is a string)");
}

TEST(JsonFields, MessagesNeverHoldValues) {
  const json j = {{"SecretAccessKey", 12345678}, {"SessionToken", json::array({"tok-9f"})}};
  ASSERT_OK_AND_ASSIGN(auto f, JsonFields::Of(j, "doc"));
  EXPECT_EQ(ErrorOf(f.String("SecretAccessKey")).find("12345678"), std::string::npos);
  EXPECT_EQ(ErrorOf(f.StringOr("SessionToken", "")).find("tok-9f"), std::string::npos);
}

}  // namespace
}  // namespace s3c
