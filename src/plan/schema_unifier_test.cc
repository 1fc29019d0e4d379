#include "plan/schema_unifier.h"

#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

using arrow::field;

std::shared_ptr<arrow::DataType> Merge(std::shared_ptr<arrow::DataType> a,
                                       std::shared_ptr<arrow::DataType> b) {
  auto merged = SchemaUnifier::MergeTypes(a, b);
  return merged.ok() ? *merged : nullptr;
}

TEST(SchemaUnifier, SafeWidenings) {
  EXPECT_TRUE(Merge(arrow::int32(), arrow::int64())->Equals(arrow::int64()));
  EXPECT_TRUE(Merge(arrow::int8(), arrow::int16())->Equals(arrow::int16()));
  EXPECT_TRUE(Merge(arrow::uint32(), arrow::int32())->Equals(arrow::int64()));
  EXPECT_TRUE(Merge(arrow::uint8(), arrow::int32())->Equals(arrow::int32()));
  EXPECT_TRUE(Merge(arrow::float32(), arrow::float64())->Equals(arrow::float64()));
  EXPECT_TRUE(Merge(arrow::int32(), arrow::float64())->Equals(arrow::float64()));
  EXPECT_TRUE(Merge(arrow::int16(), arrow::float32())->Equals(arrow::float32()));
  EXPECT_TRUE(Merge(arrow::int32(), arrow::float32())->Equals(arrow::float64()));
  EXPECT_TRUE(Merge(arrow::decimal256(40, 0), arrow::decimal128(38, 10))
                  ->Equals(arrow::decimal256(50, 10)));
  EXPECT_TRUE(Merge(arrow::null(), arrow::utf8())->Equals(arrow::utf8()));
  EXPECT_TRUE(Merge(arrow::utf8(), arrow::large_utf8())->Equals(arrow::large_utf8()));
  EXPECT_TRUE(Merge(arrow::decimal128(10, 2), arrow::decimal128(12, 4))
                  ->Equals(arrow::decimal128(12, 4)));
  EXPECT_TRUE(Merge(arrow::decimal128(10, 2), arrow::decimal128(5, 4))
                  ->Equals(arrow::decimal128(12, 4)));
  EXPECT_TRUE(Merge(arrow::timestamp(arrow::TimeUnit::MILLI), arrow::timestamp(arrow::TimeUnit::MICRO))
                  ->Equals(arrow::timestamp(arrow::TimeUnit::MICRO)));
  EXPECT_TRUE(Merge(arrow::dictionary(arrow::int32(), arrow::utf8()), arrow::utf8())
                  ->Equals(arrow::utf8()));
  EXPECT_TRUE(Merge(arrow::list(arrow::int32()), arrow::list(arrow::int64()))
                  ->Equals(arrow::list(arrow::int64())));
  auto s1 = arrow::struct_({field("a", arrow::int32())});
  auto s2 = arrow::struct_({field("b", arrow::utf8()), field("a", arrow::int64())});
  EXPECT_TRUE(Merge(s1, s2)->Equals(
      arrow::struct_({field("a", arrow::int64()), field("b", arrow::utf8())})));
}

TEST(SchemaUnifier, Conflicts) {
  EXPECT_EQ(Merge(arrow::int64(), arrow::utf8()), nullptr);
  EXPECT_EQ(Merge(arrow::int64(), arrow::float64()), nullptr);  // lossy above 2^53
  EXPECT_EQ(Merge(arrow::uint64(), arrow::int64()), nullptr);
  EXPECT_EQ(Merge(arrow::int64(), arrow::float32()), nullptr);
  EXPECT_EQ(Merge(arrow::utf8(), arrow::binary()), nullptr);
  EXPECT_EQ(Merge(arrow::date32(), arrow::timestamp(arrow::TimeUnit::SECOND)), nullptr);
  EXPECT_EQ(Merge(arrow::timestamp(arrow::TimeUnit::SECOND, "UTC"),
                  arrow::timestamp(arrow::TimeUnit::SECOND)),
            nullptr);
  EXPECT_EQ(Merge(arrow::decimal128(38, 0), arrow::decimal128(38, 10)), nullptr);
}

TEST(SchemaUnifier, ColumnsByNameInOrderOfFirstAppearance) {
  SchemaUnifier unifier;
  ASSERT_OK(unifier.Add(arrow::schema({field("id", arrow::int32(), false),
                                       field("name", arrow::utf8())}),
                        "a.parquet"));
  ASSERT_OK(unifier.Add(arrow::schema({field("extra", arrow::utf8(), false),
                                       field("id", arrow::int64(), false)}),
                        "b.parquet"));
  auto schema = unifier.Finish();
  ASSERT_EQ(schema->num_fields(), 3);
  EXPECT_EQ(schema->field(0)->name(), "id");
  EXPECT_TRUE(schema->field(0)->type()->Equals(arrow::int64()));
  EXPECT_FALSE(schema->field(0)->nullable());  // in every file, never null
  EXPECT_EQ(schema->field(1)->name(), "name");
  EXPECT_TRUE(schema->field(1)->nullable());   // missing from b: nulls there
  EXPECT_EQ(schema->field(2)->name(), "extra");
  EXPECT_TRUE(schema->field(2)->nullable());   // missing from a
}

TEST(SchemaUnifier, CatalogOrderComesFirst) {
  SchemaUnifier unifier;
  ASSERT_OK(unifier.Add(arrow::schema({field("a", arrow::int32()), field("b", arrow::int32()),
                                       field("c", arrow::int32())}),
                        "f"));
  auto schema = unifier.Finish({"c", "missing", "a"});
  ASSERT_EQ(schema->num_fields(), 3);
  EXPECT_EQ(schema->field(0)->name(), "c");
  EXPECT_EQ(schema->field(1)->name(), "a");
  EXPECT_EQ(schema->field(2)->name(), "b");
}

TEST(SchemaUnifier, NamesDifferingOnlyInCaseAreOneColumnSpelledAsFirstSeen) {
  SchemaUnifier unifier;
  ASSERT_OK(unifier.Add(arrow::schema({field("id", arrow::int32(), false),
                                       field("s", arrow::struct_({field("Zip", arrow::utf8())}))}),
                        "a.parquet"));
  ASSERT_OK(unifier.Add(arrow::schema({field("ID", arrow::int64(), false),
                                       field("S", arrow::struct_({field("zip", arrow::utf8()),
                                                                  field("City", arrow::utf8())}))}),
                        "b.parquet"));
  auto schema = unifier.Finish({"s", "Id"});  // a catalog's lower-case names match too
  ASSERT_EQ(schema->num_fields(), 2);
  EXPECT_EQ(schema->field(0)->name(), "s");
  EXPECT_TRUE(schema->field(0)->type()->Equals(
      arrow::struct_({field("Zip", arrow::utf8()), field("City", arrow::utf8())})))
      << schema->field(0)->type()->ToString();
  EXPECT_EQ(schema->field(1)->name(), "id");
  EXPECT_TRUE(schema->field(1)->type()->Equals(arrow::int64()));
  EXPECT_FALSE(schema->field(1)->nullable());  // in both files under one spelling or another
  // Only ASCII letters fold: "É" and "é" are two columns.
  SchemaUnifier accents;
  ASSERT_OK(accents.Add(arrow::schema({field("\xc3\x89t\xc3\xa9", arrow::int32())}), "a"));
  ASSERT_OK(accents.Add(arrow::schema({field("\xc3\xa9t\xc3\xa9", arrow::int32())}), "b"));
  EXPECT_EQ(accents.Finish()->num_fields(), 2);
}

TEST(SchemaUnifier, AFileWithTwoColumnsDifferingOnlyInCaseIsAConflict) {
  SchemaUnifier unifier;
  auto st = unifier.Add(arrow::schema({field("id", arrow::int32()), field("Id", arrow::int32())}),
                        "s3://b/a.parquet");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "columns 'id' and 'Id' of s3://b/a.parquet differ only in case; Hive, Athena and "
            "Spark cannot tell them apart, so they are not merged");
  auto nested = unifier.Add(
      arrow::schema({field("s", arrow::struct_({field("a", arrow::int32()),
                                                field("A", arrow::int32())}))}),
      "s3://b/b.parquet");
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.message().find("columns 'a' and 'A' of s3://b/b.parquet differ only in case"),
            std::string::npos);
  auto twice = unifier.Add(arrow::schema({field("x", arrow::int32()), field("x", arrow::int32())}),
                           "c.parquet");
  EXPECT_EQ(twice.message(), "column 'x' appears twice in c.parquet");
}

TEST(SchemaUnifier, ConflictNamesBothFilesAndTheColumn) {
  SchemaUnifier unifier;
  ASSERT_OK(unifier.Add(arrow::schema({field("price", arrow::decimal128(10, 2))}), "s3://b/a.parquet"));
  ASSERT_OK(unifier.Add(arrow::schema({field("other", arrow::int32())}), "s3://b/b.parquet"));
  auto st = unifier.Add(arrow::schema({field("price", arrow::utf8())}), "s3://b/c.parquet");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "column 'price': decimal128(10, 2) in s3://b/a.parquet vs string in s3://b/c.parquet");
  // The unifier is unchanged by the failed Add.
  EXPECT_EQ(unifier.Finish()->num_fields(), 2);
}

TEST(SchemaUnifier, MetadataFromAFileThatMatchesTheResult) {
  auto spark = arrow::key_value_metadata({"org.apache.spark.sql.parquet.row.metadata", "w"},
                                         {"{spark}", "x"});
  auto arrow_schema = arrow::key_value_metadata({"ARROW:schema", "w"}, {"...", "y"});
  SchemaUnifier same;
  ASSERT_OK(same.Add(arrow::schema({field("a", arrow::int64())}, spark), "a"));
  ASSERT_OK(same.Add(arrow::schema({field("a", arrow::int64())}, arrow_schema), "b"));
  auto kv = same.Finish()->metadata();
  ASSERT_NE(kv, nullptr);
  EXPECT_EQ(kv->Get("w").ValueOrDie(), "y");  // the last matching file's
  EXPECT_FALSE(kv->Contains("ARROW:schema"));  // left to the writer

  // No file has the unified columns: schema-describing keys would lie, so they go.
  SchemaUnifier drift;
  ASSERT_OK(drift.Add(arrow::schema({field("a", arrow::int64())}, spark), "a"));
  ASSERT_OK(drift.Add(arrow::schema({field("b", arrow::int64())}, spark), "b"));
  auto drift_kv = drift.Finish()->metadata();
  ASSERT_NE(drift_kv, nullptr);
  EXPECT_FALSE(drift_kv->Contains("org.apache.spark.sql.parquet.row.metadata"));
  EXPECT_EQ(drift_kv->Get("w").ValueOrDie(), "x");
}

}  // namespace
}  // namespace s3c
