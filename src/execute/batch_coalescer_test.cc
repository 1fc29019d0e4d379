#include "execute/batch_coalescer.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

std::shared_ptr<arrow::RecordBatch> Ids(int64_t first, int64_t rows) {
  arrow::Int64Builder ids;
  for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(ids.Append(first + i).ok());
  return arrow::RecordBatch::Make(arrow::schema({arrow::field("id", arrow::int64())}), rows,
                                  {ids.Finish().ValueOrDie()});
}

std::vector<int64_t> Values(const arrow::RecordBatch& batch) {
  const auto& ids = static_cast<const arrow::Int64Array&>(*batch.column(0));
  return std::vector<int64_t>(ids.raw_values(), ids.raw_values() + ids.length());
}

TEST(BatchCoalescer, GathersSmallBatchesInOrderAndPassesBigOnesThrough) {
  BatchCoalescer coalescer(/*min_rows=*/100, /*max_bytes=*/1 << 20);
  std::vector<int64_t> seen;
  int64_t next = 0;
  int emitted = 0;
  for (int i = 0; i < 25; ++i) {
    ASSERT_OK_AND_ASSIGN(auto out, coalescer.Add(Ids(next, 30)));
    next += 30;
    if (out) {
      ++emitted;
      EXPECT_GE(out->num_rows(), 100);
      EXPECT_LE(out->num_rows(), 129);
      for (int64_t v : Values(*out)) seen.push_back(v);
    }
  }
  ASSERT_OK_AND_ASSIGN(auto rest, coalescer.Flush());
  ASSERT_TRUE(rest != nullptr);
  for (int64_t v : Values(*rest)) seen.push_back(v);
  EXPECT_EQ(emitted, 6);  // every 4 batches of 30
  ASSERT_EQ(seen.size(), 750u);
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<int64_t>(i));

  ASSERT_OK_AND_ASSIGN(auto big, coalescer.Add(Ids(0, 500)));
  ASSERT_TRUE(big != nullptr);
  EXPECT_EQ(big->num_rows(), 500);
  ASSERT_OK_AND_ASSIGN(auto none, coalescer.Flush());
  EXPECT_TRUE(none == nullptr);
}

TEST(BatchCoalescer, ABytesLimitStopsGatheringEarly) {
  BatchCoalescer coalescer(/*min_rows=*/1'000'000, /*max_bytes=*/1000);  // 8 bytes a row
  ASSERT_OK_AND_ASSIGN(auto first, coalescer.Add(Ids(0, 100)));
  EXPECT_TRUE(first == nullptr);
  ASSERT_OK_AND_ASSIGN(auto second, coalescer.Add(Ids(100, 100)));
  ASSERT_TRUE(second != nullptr);
  EXPECT_EQ(second->num_rows(), 200);
}

}  // namespace
}  // namespace s3c
