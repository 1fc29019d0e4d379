#include "commit/output_verifier.h"

#include <filesystem>

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "util/test_util.h"
#include "util/testing/parquet_file.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

class OutputVerifierTest : public ::testing::Test {
 protected:
  std::shared_ptr<arrow::RecordBatch> Batch(const std::string& ids, const std::string& names) {
    auto a = arrow::json::ArrayFromJSONString(arrow::int64(), ids).ValueOrDie();
    auto b = arrow::json::ArrayFromJSONString(arrow::utf8(), names).ValueOrDie();
    return arrow::RecordBatch::Make(schema_, a->length(), {a, b});
  }

  WrittenFile Write(const std::string& name, const std::shared_ptr<arrow::RecordBatch>& batch) {
    Location where{fs_, (dir_ / name).string()};
    auto table = arrow::Table::FromRecordBatches({batch}).ValueOrDie();
    EXPECT_OK(testing::WriteParquet(dir_ / name, *table));
    WrittenFile file;
    file.location = where;
    file.bytes = static_cast<int64_t>(std::filesystem::file_size(dir_ / name));
    file.rows = batch->num_rows();
    file.complete = true;
    return file;
  }

  testing::TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
  std::shared_ptr<arrow::fs::FileSystem> fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
  std::shared_ptr<arrow::Schema> schema_ =
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
};

TEST_F(OutputVerifierTest, ContentMustMatchTheInputsDigest) {
  // What the inputs held, in another order and other batches than the outputs.
  RowDigest inputs;
  ASSERT_OK(inputs.Update(*Batch("[3, 1]", R"(["c", "a"])")));
  ASSERT_OK(inputs.Update(*Batch("[2]", R"([null])")));

  std::vector<WrittenFile> outputs = {Write("a.parquet", Batch("[1, 2]", R"(["a", null])")),
                                      Write("b.parquet", Batch("[3]", R"(["c"])"))};
  EXPECT_OK(OutputVerifier::Verify(outputs, 3, schema_, &inputs));
  EXPECT_OK(OutputVerifier::Verify(outputs, 3, schema_));

  // Same row count, one value different: rows alone cannot tell, content can.
  std::vector<WrittenFile> wrong = {Write("c.parquet", Batch("[1, 2]", R"(["a", ""])")),
                                    Write("d.parquet", Batch("[3]", R"(["c"])"))};
  EXPECT_OK(OutputVerifier::Verify(wrong, 3, schema_));
  auto st = OutputVerifier::Verify(wrong, 3, schema_, &inputs);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("content differs"), std::string::npos) << st.message();
}

TEST_F(OutputVerifierTest, RowCountsSchemaAndCompletenessAreChecked) {
  std::vector<WrittenFile> outputs = {Write("a.parquet", Batch("[1, 2]", R"(["a", "b"])"))};
  auto short_count = OutputVerifier::Verify(outputs, 3, schema_);
  ASSERT_FALSE(short_count.ok());
  EXPECT_NE(short_count.message().find("2 rows written, 3 read"), std::string::npos)
      << short_count.message();

  auto other = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("nom", arrow::utf8())});
  EXPECT_FALSE(OutputVerifier::Verify(outputs, 2, other).ok());

  outputs[0].complete = false;
  EXPECT_FALSE(OutputVerifier::Verify(outputs, 2, schema_).ok());

  outputs[0].complete = true;
  std::filesystem::resize_file(dir_ / "a.parquet", 20);  // truncated after writing
  outputs[0].bytes = 20;
  auto truncated = OutputVerifier::Verify(outputs, 2, schema_);
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.message().find("a.parquet"), std::string::npos);
}

}  // namespace
}  // namespace s3c
