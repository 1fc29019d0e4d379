#include "report/size_histogram.h"

#include <gtest/gtest.h>

namespace s3c {
namespace {

TEST(SizeHistogram, BucketsArePowersOfFourFromOneKiB) {
  EXPECT_EQ(SizeHistogram::BucketOf(-5), 0u);
  EXPECT_EQ(SizeHistogram::BucketOf(0), 0u);
  EXPECT_EQ(SizeHistogram::BucketOf(1023), 0u);
  EXPECT_EQ(SizeHistogram::BucketOf(1024), 1u);
  EXPECT_EQ(SizeHistogram::BucketOf(4095), 1u);
  EXPECT_EQ(SizeHistogram::BucketOf(4096), 2u);
  EXPECT_EQ(SizeHistogram::BucketOf((256LL << 20) - 1), 9u);
  EXPECT_EQ(SizeHistogram::BucketOf(256LL << 20), 10u);
  EXPECT_EQ(SizeHistogram::BucketOf((1LL << 30) - 1), 10u);
  EXPECT_EQ(SizeHistogram::BucketOf(1LL << 30), 11u);
  EXPECT_EQ(SizeHistogram::BucketOf(INT64_MAX), 11u);
  for (size_t b = 0; b + 1 < SizeHistogram::kBuckets; ++b) {
    EXPECT_EQ(SizeHistogram::BucketOf(SizeHistogram::LowerBound(b)), b);
    EXPECT_EQ(SizeHistogram::BucketOf(SizeHistogram::UpperBound(b) - 1), b);
    EXPECT_EQ(SizeHistogram::UpperBound(b), SizeHistogram::LowerBound(b + 1));
  }
  EXPECT_EQ(SizeHistogram::UpperBound(SizeHistogram::kBuckets - 1), -1);
}

TEST(SizeHistogram, Labels) {
  EXPECT_EQ(SizeHistogram::Label(0), "< 1 KiB");
  EXPECT_EQ(SizeHistogram::Label(1), "1-4 KiB");
  EXPECT_EQ(SizeHistogram::Label(4), "64-256 KiB");
  EXPECT_EQ(SizeHistogram::Label(5), "256 KiB-1 MiB");
  EXPECT_EQ(SizeHistogram::Label(10), "256 MiB-1 GiB");
  EXPECT_EQ(SizeHistogram::Label(11), ">= 1 GiB");
  const auto buckets = SizeHistogram::Buckets();
  ASSERT_EQ(buckets.size(), SizeHistogram::kBuckets);
  EXPECT_EQ(buckets[1]["lower"], 1024);
  EXPECT_EQ(buckets[1]["upper"], 4096);
  EXPECT_TRUE(buckets[11]["upper"].is_null());
}

TEST(SizeHistogram, CountsAndSums) {
  SizeHistogram a, b;
  a.Add(10);
  a.Add(5000, 3);
  b.Add(2LL << 30);
  a.Add(b);
  EXPECT_EQ(a.Total(), 5);
  EXPECT_EQ(a.Count(0), 1);
  EXPECT_EQ(a.Count(2), 3);
  EXPECT_EQ(a.Count(11), 1);
  EXPECT_EQ(a.ToJson().size(), SizeHistogram::kBuckets);
  EXPECT_EQ(a.ToJson()[2], 3);
}

}  // namespace
}  // namespace s3c
