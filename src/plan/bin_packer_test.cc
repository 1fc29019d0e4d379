#include "plan/bin_packer.h"

#include <numeric>

#include <gtest/gtest.h>

namespace s3c {
namespace {

constexpr int64_t kMiB = 1 << 20;

std::vector<FileToPack> Files(std::initializer_list<int64_t> sizes_mib) {
  std::vector<FileToPack> files;
  for (int64_t mib : sizes_mib) files.push_back({mib * kMiB, mib * kMiB});
  return files;
}

PackingOptions Target(int64_t mib) {
  PackingOptions options;
  options.target_bytes = mib * kMiB;
  return options;
}

TEST(BinPacker, LeavesFilesNearTheTargetAlone) {
  Packing packing = PackFiles(Files({100, 96, 95, 10, 20}), Target(128));
  // 75% of 128 MiB is 96 MiB: 100 and 96 stay, 95 is small.
  EXPECT_EQ(packing.large, (std::vector<size_t>{0, 1}));
  ASSERT_EQ(packing.groups.size(), 1u);
  EXPECT_EQ(packing.groups[0], (std::vector<size_t>{2, 3, 4}));
  EXPECT_EQ(packing.group_estimated_bytes[0], 125 * kMiB);
  EXPECT_EQ(packing.EstimatedOutputFiles(128 * kMiB), 1);
}

TEST(BinPacker, RatioIsConfigurable) {
  PackingOptions options = Target(100);
  options.small_file_ratio = 0.5;
  Packing packing = PackFiles(Files({49, 50, 51}), options);
  EXPECT_EQ(packing.large, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(packing.small_files(), 1u);
}

TEST(BinPacker, NoSmallFilesMeansNoGroups) {
  Packing packing = PackFiles(Files({128, 200}), Target(128));
  EXPECT_TRUE(packing.groups.empty());
  EXPECT_EQ(packing.small_files(), 0u);
  EXPECT_EQ(packing.EstimatedOutputFiles(128 * kMiB), 0);
  EXPECT_TRUE(PackFiles({}, Target(128)).groups.empty());
}

TEST(BinPacker, SmallPartitionIsOneGroupInListingOrder) {
  std::vector<FileToPack> files(1000, FileToPack{100 * 1024, 80 * 1024});
  Packing packing = PackFiles(files, Target(128));
  ASSERT_EQ(packing.groups.size(), 1u);
  ASSERT_EQ(packing.groups[0].size(), 1000u);
  for (size_t i = 0; i < 1000; ++i) EXPECT_EQ(packing.groups[0][i], i);
}

TEST(BinPacker, LargePartitionSplitsIntoBalancedContiguousGroups) {
  // 2,500 files of 1 MiB with a 10 MiB target: 250 targets of output, at most 20 per group.
  std::vector<FileToPack> files(2500, FileToPack{kMiB, kMiB});
  Packing packing = PackFiles(files, Target(10));
  ASSERT_EQ(packing.groups.size(), 13u);
  size_t next = 0;
  for (const auto& group : packing.groups) {
    EXPECT_GE(group.size(), 192u);
    EXPECT_LE(group.size(), 193u);
    for (size_t i : group) EXPECT_EQ(i, next++);  // contiguous, every file once
  }
  EXPECT_EQ(next, 2500u);
  EXPECT_NEAR(packing.EstimatedOutputFiles(10 * kMiB), 250, 5);
}

TEST(BinPacker, EveryGroupHoldsAtLeastTenTargets) {
  // Just over the group limit: two groups, each at least ten targets.
  std::vector<FileToPack> files(205, FileToPack{kMiB, kMiB});
  Packing packing = PackFiles(files, Target(10));
  ASSERT_EQ(packing.groups.size(), 2u);
  for (int64_t bytes : packing.group_estimated_bytes) EXPECT_GE(bytes, 100 * kMiB);
  EXPECT_EQ(packing.small_files(), 205u);
}

TEST(BinPacker, MaxGroupTargetsBelowTenIsRaisedToTen) {
  PackingOptions options = Target(10);
  options.max_group_targets = 1;  // would make groups too small to balance
  std::vector<FileToPack> files(200, FileToPack{kMiB, kMiB});
  Packing packing = PackFiles(files, options);
  EXPECT_EQ(packing.groups.size(), 2u);
}

}  // namespace
}  // namespace s3c
