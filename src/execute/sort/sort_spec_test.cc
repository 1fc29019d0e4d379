#include "execute/sort/sort_spec.h"

#include <random>

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/schema.h>
#include <parquet/properties.h>

#include "execute/sort/resolved_sort.h"
#include "util/test_util.h"
#include "util/testing/sort_key_types.h"

namespace s3c {
namespace {

SortColumn Col(std::vector<std::string> path, bool descending, bool nulls_first) {
  return SortColumn{std::move(path), descending, nulls_first};
}

SortSpec ParseOk(std::string_view text) {
  auto spec = SortSpec::Parse(text);
  EXPECT_TRUE(spec.ok()) << text << ": " << spec.status().ToString();
  return spec.ok() ? *spec : SortSpec{};
}

// The error message of parsing `text`, which must fail with Invalid.
std::string ParseError(std::string_view text) {
  auto spec = SortSpec::Parse(text);
  EXPECT_FALSE(spec.ok()) << text << " parsed as " << (spec.ok() ? spec->ToString() : "");
  if (spec.ok()) return "";
  EXPECT_TRUE(spec.status().IsInvalid()) << spec.status().ToString();
  EXPECT_EQ(spec.status().message().find('\n'), std::string::npos);
  return spec.status().message();
}

TEST(SortSpecParse, DefaultsAreNullsFirstForAscAndNullsLastForDesc) {
  SortSpec spec = ParseOk("a, b DESC, c ASC");
  ASSERT_EQ(spec.columns.size(), 3u);
  EXPECT_EQ(spec.columns[0], Col({"a"}, false, true));
  EXPECT_EQ(spec.columns[1], Col({"b"}, true, false));
  EXPECT_EQ(spec.columns[2], Col({"c"}, false, true));
}

TEST(SortSpecParse, ExplicitNullPlacementAndKeywordsIgnoreCase) {
  SortSpec spec = ParseOk("a desc nulls first,b Asc NuLLs LaSt ,  c nulls last");
  ASSERT_EQ(spec.columns.size(), 3u);
  EXPECT_EQ(spec.columns[0], Col({"a"}, true, true));
  EXPECT_EQ(spec.columns[1], Col({"b"}, false, false));
  EXPECT_EQ(spec.columns[2], Col({"c"}, false, false));
}

TEST(SortSpecParse, WhitespaceIsFreeAroundWordsAndCommas) {
  SortSpec spec = ParseOk(" \t a\n DESC\t,\tb  ");
  ASSERT_EQ(spec.columns.size(), 2u);
  EXPECT_EQ(spec.columns[0], Col({"a"}, true, false));
  EXPECT_EQ(spec.columns[1], Col({"b"}, false, true));
}

TEST(SortSpecParse, DottedNamesAreStructPaths) {
  SortSpec spec = ParseOk("a.b.c DESC, x.y");
  ASSERT_EQ(spec.columns.size(), 2u);
  EXPECT_EQ(spec.columns[0].path, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(spec.columns[1].path, (std::vector<std::string>{"x", "y"}));
}

TEST(SortSpecParse, QuotedPartsHoldSpacesCommasDotsAndDoubledQuotes) {
  SortSpec spec = ParseOk(R"("my col"."x.y" DESC, "a,b", "say ""hi""", "ASC", """ """)");
  ASSERT_EQ(spec.columns.size(), 5u);
  EXPECT_EQ(spec.columns[0], Col({"my col", "x.y"}, true, false));
  EXPECT_EQ(spec.columns[1].path, (std::vector<std::string>{"a,b"}));
  EXPECT_EQ(spec.columns[2].path, (std::vector<std::string>{"say \"hi\""}));
  EXPECT_EQ(spec.columns[3].path, (std::vector<std::string>{"ASC"}));
  EXPECT_EQ(spec.columns[4].path, (std::vector<std::string>{"\" \""}));
}

TEST(SortSpecParse, KeywordsAreColumnNamesInNamePosition) {
  SortSpec spec = ParseOk("asc desc, nulls, desc.first");
  ASSERT_EQ(spec.columns.size(), 3u);
  EXPECT_EQ(spec.columns[0], Col({"asc"}, true, false));
  EXPECT_EQ(spec.columns[1], Col({"nulls"}, false, true));
  EXPECT_EQ(spec.columns[2].path, (std::vector<std::string>{"desc", "first"}));
}

TEST(SortSpecParse, BareNamesKeepOtherCharacters) {
  SortSpec spec = ParseOk("user-id, prix€, a$b");
  ASSERT_EQ(spec.columns.size(), 3u);
  EXPECT_EQ(spec.columns[0].path[0], "user-id");
  EXPECT_EQ(spec.columns[1].path[0], "prix€");
  EXPECT_EQ(spec.columns[2].path[0], "a$b");
}

TEST(SortSpecParse, EmptySpec) {
  EXPECT_NE(ParseError("").find("empty"), std::string::npos);
  EXPECT_NE(ParseError("  \t ").find("empty"), std::string::npos);
}

TEST(SortSpecParse, EmptyNames) {
  for (const char* text : {"a,,b", "a,", ",a", "a.", ".a", "a..b", "\"\"", "a.\"\"", "a. b"}) {
    const std::string message = ParseError(text);
    EXPECT_NE(message.find("empty column name"), std::string::npos) << text << ": " << message;
  }
}

TEST(SortSpecParse, AKeywordAloneAfterACommaIsAColumn) {
  SortSpec spec = ParseOk("a, DESC");
  ASSERT_EQ(spec.columns.size(), 2u);
  EXPECT_EQ(spec.columns[1].path[0], "DESC");
}

TEST(SortSpecParse, UnknownKeywordsNameTheWord) {
  std::string message = ParseError("a ASCENDING");
  EXPECT_NE(message.find("unknown keyword 'ASCENDING'"), std::string::npos) << message;
  EXPECT_NE(message.find("column a"), std::string::npos) << message;
  message = ParseError("a DESC x");
  EXPECT_NE(message.find("unknown keyword 'x'"), std::string::npos) << message;
  message = ParseError("a NULLS MIDDLE");
  EXPECT_NE(message.find("expected FIRST or LAST"), std::string::npos) << message;
  EXPECT_NE(message.find("MIDDLE"), std::string::npos) << message;
  message = ParseError("a NULLS");
  EXPECT_NE(message.find("expected FIRST or LAST"), std::string::npos) << message;
  message = ParseError("a NULLS, b");
  EXPECT_NE(message.find("expected FIRST or LAST"), std::string::npos) << message;
}

TEST(SortSpecParse, TrailingGarbageIsNamed) {
  std::string message = ParseError("a DESC NULLS LAST x");
  EXPECT_NE(message.find("unexpected 'x'"), std::string::npos) << message;
  message = ParseError("a ASC DESC");
  EXPECT_NE(message.find("unexpected 'DESC'"), std::string::npos) << message;
  message = ParseError("a FIRST");
  EXPECT_NE(message.find("unexpected 'FIRST'"), std::string::npos) << message;
  message = ParseError(R"("a"b)");
  EXPECT_NE(message.find("unexpected 'b'"), std::string::npos) << message;
  message = ParseError(R"(ab"c")");
  EXPECT_NE(message.find("unexpected '\"c\"'"), std::string::npos) << message;
  message = ParseError("a NULLS FIRST NULLS LAST");
  EXPECT_NE(message.find("unexpected 'NULLS LAST'"), std::string::npos) << message;
}

TEST(SortSpecParse, UnterminatedQuote) {
  const std::string message = ParseError(R"(a, "b c DESC)");
  EXPECT_NE(message.find("unterminated quote"), std::string::npos) << message;
  EXPECT_NE(message.find("\"b c DESC"), std::string::npos) << message;
}

TEST(SortSpecParse, DuplicateColumnsIgnoringCase) {
  std::string message = ParseError("a, b DESC, A");
  EXPECT_NE(message.find("column A appears twice"), std::string::npos) << message;
  message = ParseError(R"(s.X, "s"."x" DESC)");
  EXPECT_NE(message.find("appears twice"), std::string::npos) << message;
  ParseOk("s.x, s.y, s");  // different paths
}

TEST(SortSpecParse, ToStringIsCanonicalAndRoundTrips) {
  SortSpec spec = ParseOk(R"(a, b desc, "my col"."x.y" nulls last, "q""uote" DESC NULLS FIRST, c_1)");
  EXPECT_EQ(spec.ToString(),
            R"(a ASC NULLS FIRST, b DESC NULLS LAST, "my col"."x.y" ASC NULLS LAST, )"
            R"("q""uote" DESC NULLS FIRST, c_1 ASC NULLS FIRST)");
  for (const char* text : {"a", "a.b.c desc", R"(""" """.b, "," nulls last, "." desc nulls first)",
                           "user-id, prix€ DESC", R"("ASC" ASC, "NULLS" NULLS LAST)"}) {
    SortSpec once = ParseOk(text);
    SortSpec twice = ParseOk(once.ToString());
    EXPECT_EQ(once, twice) << text << " -> " << once.ToString();
    EXPECT_EQ(once.ToString(), twice.ToString());
  }
}

TEST(SortSpecParse, RandomSpecsRoundTrip) {
  std::mt19937 random(7);
  const std::string alphabet = "aZ_9 ,.\"-é\t";
  for (int i = 0; i < 500; ++i) {
    SortSpec spec;
    const int columns = 1 + static_cast<int>(random() % 4);
    for (int c = 0; c < columns; ++c) {
      SortColumn column;
      const int parts = 1 + static_cast<int>(random() % 3);
      for (int p = 0; p < parts; ++p) {
        std::string part = "c" + std::to_string(c);  // distinct columns
        const int extra = static_cast<int>(random() % 5);
        for (int e = 0; e < extra; ++e) part += alphabet[random() % alphabet.size()];
        column.path.push_back(part);
      }
      column.descending = random() % 2;
      column.nulls_first = random() % 2;
      spec.columns.push_back(column);
    }
    auto parsed = SortSpec::Parse(spec.ToString());
    ASSERT_TRUE(parsed.ok()) << spec.ToString() << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, spec) << spec.ToString();
  }
}

std::shared_ptr<arrow::Schema> NestedSchema() {
  return arrow::schema({
      arrow::field("Id", arrow::int64()),
      arrow::field("name", arrow::utf8()),
      arrow::field("Event", arrow::struct_({arrow::field("Time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                                            arrow::field("inner", arrow::struct_({arrow::field("Code", arrow::int32())})),
                                            arrow::field("tags", arrow::list(arrow::utf8()))})),
      arrow::field("dict", arrow::dictionary(arrow::int32(), arrow::utf8())),
  });
}

TEST(SortSpecResolve, FindsColumnsIgnoringCaseThroughStructs) {
  SortSpec spec = ParseOk("id DESC, EVENT.time, event.INNER.code NULLS LAST, Dict");
  ASSERT_OK_AND_ASSIGN(ResolvedSort sort, spec.Resolve(*NestedSchema()));
  ASSERT_EQ(sort.keys().size(), 4u);
  EXPECT_EQ(sort.keys()[0].path, arrow::FieldPath({0}));
  EXPECT_EQ(sort.keys()[1].path, arrow::FieldPath({2, 0}));
  EXPECT_EQ(sort.keys()[2].path, arrow::FieldPath({2, 1, 0}));
  EXPECT_EQ(sort.keys()[3].path, arrow::FieldPath({3}));
  EXPECT_EQ(sort.keys()[2].DisplayName(), "Event.inner.Code");
  EXPECT_TRUE(sort.keys()[0].descending);
  EXPECT_FALSE(sort.keys()[0].nulls_first);
  EXPECT_FALSE(sort.keys()[2].nulls_first);
  EXPECT_EQ(sort.ToString(), "Id DESC NULLS LAST, Event.Time ASC NULLS FIRST, "
                             "Event.inner.Code ASC NULLS LAST, dict ASC NULLS FIRST");

  const arrow::compute::SortOptions options = sort.SortOptions();
  ASSERT_EQ(options.sort_keys.size(), 4u);
  EXPECT_EQ(options.sort_keys[0].order, arrow::compute::SortOrder::Descending);
  EXPECT_EQ(options.sort_keys[0].null_placement, arrow::compute::NullPlacement::AtEnd);
  EXPECT_EQ(options.sort_keys[1].null_placement, arrow::compute::NullPlacement::AtStart);
  EXPECT_EQ(*options.sort_keys[2].target.field_path(), arrow::FieldPath({2, 1, 0}));
  const arrow::compute::SortOptions key_options = sort.KeySortOptions();
  EXPECT_EQ(*key_options.sort_keys[3].target.field_path(), arrow::FieldPath({3}));
  EXPECT_EQ(key_options.sort_keys[3].order, arrow::compute::SortOrder::Ascending);
}

std::string ResolveError(std::string_view text, const arrow::Schema& schema) {
  SortSpec spec = ParseOk(text);
  auto sort = spec.Resolve(schema);
  EXPECT_FALSE(sort.ok()) << text;
  if (sort.ok()) return "";
  EXPECT_TRUE(sort.status().IsInvalid());
  return sort.status().message();
}

TEST(SortSpecResolve, RefusesMissingAmbiguousAndNonStructPaths) {
  std::string message = ResolveError("nope", *NestedSchema());
  EXPECT_NE(message.find("column nope is not in the schema"), std::string::npos) << message;
  message = ResolveError("event.nope", *NestedSchema());
  EXPECT_NE(message.find("no field nope in Event"), std::string::npos) << message;
  message = ResolveError("id.x", *NestedSchema());
  EXPECT_NE(message.find("Id is int64, not a struct"), std::string::npos) << message;
  message = ResolveError("event.tags.x", *NestedSchema());
  EXPECT_NE(message.find("not a struct"), std::string::npos) << message;
  auto twins = arrow::schema({arrow::field("a", arrow::int32()), arrow::field("A", arrow::int32())});
  message = ResolveError("a", *twins);
  EXPECT_NE(message.find("column a is ambiguous"), std::string::npos) << message;
  auto nested_twins = arrow::schema({arrow::field(
      "s", arrow::struct_({arrow::field("x", arrow::int32()), arrow::field("X", arrow::int32())}))});
  message = ResolveError("s.x", *nested_twins);
  EXPECT_NE(message.find("ambiguous"), std::string::npos) << message;
}

// Every kind of key type, and more units, time zones, widths and dictionaries.
std::vector<std::shared_ptr<arrow::DataType>> AllowedTypes() {
  auto types = testing::SortKeyTypes();
  for (auto more : {arrow::timestamp(arrow::TimeUnit::SECOND),
                    arrow::timestamp(arrow::TimeUnit::NANO, "Europe/Paris"),
                    arrow::fixed_size_binary(7), arrow::dictionary(arrow::int8(), arrow::utf8()),
                    arrow::dictionary(arrow::uint32(), arrow::float64()),
                    arrow::dictionary(arrow::int16(), arrow::decimal32(5, 1))}) {
    types.push_back(more);
  }
  return types;
}

TEST(SortSpecResolve, AcceptsEveryOrderableType) {
  for (const auto& type : AllowedTypes()) {
    auto schema = arrow::schema({arrow::field("k", type),
                                 arrow::field("s", arrow::struct_({arrow::field("k", type)}))});
    SortSpec spec = ParseOk("k DESC, s.k");
    auto sort = spec.Resolve(*schema);
    EXPECT_TRUE(sort.ok()) << type->ToString() << ": " << sort.status().ToString();
  }
}

TEST(SortSpecResolve, RefusesEveryOtherTypeNamingItsType) {
  const std::vector<std::shared_ptr<arrow::DataType>> refused = {
      arrow::null(),
      arrow::list(arrow::int32()),
      arrow::large_list(arrow::int32()),
      arrow::fixed_size_list(arrow::int32(), 2),
      arrow::list_view(arrow::int32()),
      arrow::map(arrow::utf8(), arrow::int32()),
      arrow::struct_({arrow::field("x", arrow::int32())}),
      arrow::sparse_union({arrow::field("x", arrow::int32())}),
      arrow::dense_union({arrow::field("x", arrow::int32())}),
      arrow::month_interval(),
      arrow::day_time_interval(),
      arrow::month_day_nano_interval(),
      arrow::run_end_encoded(arrow::int32(), arrow::utf8()),
      arrow::dictionary(arrow::int32(), arrow::list(arrow::int32())),
  };
  for (const auto& type : refused) {
    auto schema = arrow::schema({arrow::field("k", type)});
    const std::string message = ResolveError("K", *schema);
    EXPECT_NE(message.find("column K has type " + type->ToString()), std::string::npos) << message;
    EXPECT_NE(message.find("cannot be sorted by"), std::string::npos) << message;
  }
}

TEST(ResolvedSort, ParquetSortingColumnsAreLeafIndices) {
  auto schema = NestedSchema();
  std::shared_ptr<parquet::SchemaDescriptor> descriptor;
  ASSERT_OK(parquet::arrow::ToParquetSchema(schema.get(), *parquet::default_writer_properties(),
                                            &descriptor));
  // Leaves: Id 0, name 1, Event.Time 2, Event.inner.Code 3, Event.tags.list.element 4, dict 5.
  ASSERT_OK_AND_ASSIGN(ResolvedSort sort,
                       ParseOk("event.inner.code desc, id, dict nulls last").Resolve(*schema));
  const auto columns = sort.ParquetSortingColumns(*descriptor);
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[0], (parquet::SortingColumn{3, true, false}));
  EXPECT_EQ(columns[1], (parquet::SortingColumn{0, false, true}));
  EXPECT_EQ(columns[2], (parquet::SortingColumn{5, false, false}));

  // A descriptor of another schema, where a key is missing: none at all.
  auto other = arrow::schema({arrow::field("Id", arrow::int64())});
  std::shared_ptr<parquet::SchemaDescriptor> other_descriptor;
  ASSERT_OK(parquet::arrow::ToParquetSchema(other.get(), *parquet::default_writer_properties(),
                                            &other_descriptor));
  EXPECT_TRUE(sort.ParquetSortingColumns(*other_descriptor).empty());
}

}  // namespace
}  // namespace s3c
