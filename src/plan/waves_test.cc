#include "plan/waves.h"

#include <gtest/gtest.h>

namespace s3c {
namespace {

using Ranges = std::vector<std::pair<size_t, size_t>>;

int64_t With(int files) { return files; }
int64_t Unlisted() { return -1; }

TEST(Waves, NoneForNoPartitions) { EXPECT_EQ(Waves::Cut(std::vector<int64_t>{}, 10), Ranges{}); }

TEST(Waves, OneWaveWhenEverythingFits) {
  EXPECT_EQ(Waves::Cut({With(3), With(4), With(3)}, 10), (Ranges{{0, 3}}));
}

TEST(Waves, CutAtPartitionBoundariesByFiles) {
  // 3+4 fit in 8; 3 more would not; 3+5 fit.
  EXPECT_EQ(Waves::Cut({With(3), With(4), With(3), With(5), With(1)}, 8),
            (Ranges{{0, 2}, {2, 4}, {4, 5}}));
}

TEST(Waves, APartitionLargerThanAWaveIsAWaveOfItsOwn) {
  EXPECT_EQ(Waves::Cut({With(2), With(50), With(2)}, 10), (Ranges{{0, 1}, {1, 2}, {2, 3}}));
}

TEST(Waves, AtMostATenthOfTheFilesInPartitionsAndNoFewerThanTen) {
  std::vector<int64_t> ones(25, With(1));
  EXPECT_EQ(Waves::Cut(ones, 100), (Ranges{{0, 10}, {10, 20}, {20, 25}}));
  std::vector<int64_t> many(2500, With(1));
  EXPECT_EQ(Waves::Cut(many, 10000).size(), 3u);  // 1,000 partitions a wave
}

TEST(Waves, UnlistedPartitionsCountAsOneFile) {
  std::vector<int64_t> parts(4, Unlisted());
  EXPECT_EQ(Waves::Cut(parts, 3), (Ranges{{0, 3}, {3, 4}}));
}

TEST(Waves, EmptyPartitionsCountAsOneFileAndSmallLimitsStillProgress) {
  EXPECT_EQ(Waves::Cut({With(0), With(0), With(0)}, 1), (Ranges{{0, 1}, {1, 2}, {2, 3}}));
  EXPECT_EQ(Waves::Cut({With(5)}, 0), (Ranges{{0, 1}}));
}

TEST(Waves, FilesOfAPartitionAreItsListing) {
  Partition listed, unlisted;
  listed.files = std::vector<arrow::fs::FileInfo>(3);
  EXPECT_EQ(Waves::FilesOf({listed, unlisted}), (std::vector<int64_t>{3, -1}));
}

TEST(Waves, EveryPartitionInExactlyOneWaveInOrder) {
  std::vector<int64_t> parts;
  for (int i = 0; i < 200; ++i) parts.push_back(i % 7 == 0 ? Unlisted() : With(i % 13));
  for (int64_t max : {1, 2, 5, 17, 40, 1000}) {
    auto waves = Waves::Cut(parts, max);
    size_t next = 0;
    for (const auto& [begin, end] : waves) {
      EXPECT_EQ(begin, next);
      EXPECT_LT(begin, end);
      int64_t files = 0;
      for (size_t i = begin; i < end; ++i) {
        files += std::max<int64_t>(1, parts[i]);
      }
      if (end - begin > 1) EXPECT_LE(files, max) << max;
      EXPECT_LE(static_cast<int64_t>(end - begin), std::max<int64_t>(10, max / 10)) << max;
      next = end;
    }
    EXPECT_EQ(next, parts.size());
  }
}

}  // namespace
}  // namespace s3c
