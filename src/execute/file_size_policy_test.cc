#include "execute/file_size_policy.h"

#include <cmath>

#include <gtest/gtest.h>

namespace s3c {
namespace {

constexpr double kT = 100.0 * (1 << 20);

FileSizePolicy Policy() {
  FileSizePolicy policy;
  policy.target_bytes = static_cast<int64_t>(kT);
  return policy;
}

TEST(FileSizePolicy, RestThatFitsInOneFileIsTheLastFile) {
  EXPECT_EQ(Policy().FileTarget(0.3 * kT), static_cast<int64_t>(std::ceil(0.3 * kT)));
  EXPECT_EQ(Policy().FileTarget(1.1 * kT), static_cast<int64_t>(std::ceil(1.1 * kT)));
}

TEST(FileSizePolicy, SpreadsTheRemainderWhenEqualSharesFit) {
  // 2.1 targets: two files of 1.05.
  EXPECT_NEAR(Policy().FileTarget(2.1 * kT), 1.05 * kT, 1.0);
  // 5.45 targets: five files of 1.09 beat six of 0.908.
  EXPECT_NEAR(Policy().FileTarget(5.45 * kT), 1.09 * kT, 1.0);
}

TEST(FileSizePolicy, FillsToTargetWhenNoEqualShareFits) {
  // 1.5 targets: neither one file of 1.5 nor two of 0.75 is within 10%.
  EXPECT_EQ(Policy().FileTarget(1.5 * kT), static_cast<int64_t>(kT));
  EXPECT_EQ(Policy().FileTarget(2.5 * kT), static_cast<int64_t>(kT));
}

// Simulates a stream: every file but the last lands within tolerance, whatever its length,
// once the stream holds at least five targets (the bin-packer's guarantee) or fits the rules.
TEST(FileSizePolicy, EveryFileButTheLastWithinTolerance) {
  FileSizePolicy policy = Policy();
  for (double total = 0.1; total < 40.0; total += 0.037) {
    double remaining = total * kT;
    std::vector<double> files;
    while (remaining > 0.5) {
      double file = std::min(remaining, static_cast<double>(policy.FileTarget(remaining)));
      files.push_back(file);
      remaining -= file;
    }
    ASSERT_FALSE(files.empty());
    for (size_t i = 0; i + 1 < files.size(); ++i) {
      EXPECT_TRUE(policy.WithinTolerance(static_cast<int64_t>(files[i])))
          << "total " << total << " targets, file " << i << " is " << files[i] / kT;
    }
    if (total >= 5.0) {
      // Balanced: the last file is within tolerance too.
      EXPECT_TRUE(policy.WithinTolerance(static_cast<int64_t>(files.back())))
          << "total " << total << " targets, last file is " << files.back() / kT;
    }
  }
}

TEST(PlanRowGroup, SplitsTheFileIntoEqualRowGroups) {
  // 100 MiB left, 32 MiB row groups, 100 bytes a row: four row groups of 25 MiB.
  RowGroupPlan plan = PlanRowGroup(100 << 20, 32 << 20, 100.0, 1LL << 40);
  EXPECT_FALSE(plan.last);
  EXPECT_EQ(plan.rows, (25 << 20) / 100);
}

TEST(PlanRowGroup, FoldsAShortTailIntoTheLastRowGroup) {
  RowGroupPlan plan = PlanRowGroup(40 << 20, 32 << 20, 100.0, 1LL << 40);
  EXPECT_TRUE(plan.last);
  EXPECT_EQ(plan.rows, (40 << 20) / 100);
}

TEST(PlanRowGroup, AlwaysAtLeastOneRowAndAtMostTheCap) {
  EXPECT_EQ(PlanRowGroup(-5, 32 << 20, 100.0, 1000).rows, 1);
  EXPECT_TRUE(PlanRowGroup(-5, 32 << 20, 100.0, 1000).last);
  EXPECT_EQ(PlanRowGroup(1LL << 40, 1LL << 40, 1.0, 1000).rows, 1000);
}

}  // namespace
}  // namespace s3c

namespace s3c {
namespace {

// The writer's loop in miniature: the estimate of what remains is off by an error that fades as
// the stream is written (the writer learns bytes per row). Re-planning when a balanced split
// exists, and keeping the plan at a gap, no file but the stream's last leaves the tolerance.
TEST(FileSizePolicy, KeepingThePlanAbsorbsEstimateDrift) {
  FileSizePolicy policy = Policy();
  for (double error : {-0.06, -0.03, 0.03, 0.06}) {
    for (double total = 6.0; total < 30.0; total += 0.11) {
      const double actual_total = total * kT;
      double written = 0;
      FilePlan plan{0, true};
      std::vector<double> files;
      while (actual_total - written > 1.0) {
        const double actual_left = actual_total - written;
        // The error fades as less remains to be estimated.
        const double estimate = actual_left * (1.0 + error * actual_left / actual_total);
        FilePlan fresh = policy.Plan(estimate);
        if (fresh.balanced || !policy.Keeps(plan, estimate)) plan = fresh;
        double file = plan.files == 1 ? actual_left
                                      : std::min(actual_left,
                                                 static_cast<double>(policy.FileTarget(plan, estimate)));
        files.push_back(file);
        written += file;
        if (plan.files > 1) plan.files--;
      }
      for (size_t i = 0; i + 1 < files.size(); ++i) {
        EXPECT_TRUE(policy.WithinTolerance(static_cast<int64_t>(files[i])))
            << "error " << error << ", total " << total << " targets: file " << i << " of "
            << files.size() << " is " << files[i] / kT;
      }
    }
  }
}

TEST(FileSizePolicy, KeepsRejectsPlansThatNoLongerFit) {
  FileSizePolicy policy = Policy();
  EXPECT_TRUE(policy.Keeps(FilePlan{3, true}, 3.2 * kT));
  EXPECT_FALSE(policy.Keeps(FilePlan{3, true}, 3.5 * kT));
  EXPECT_FALSE(policy.Keeps(FilePlan{1, true}, 1.2 * kT));
  EXPECT_TRUE(policy.Keeps(FilePlan{2, false}, 1.5 * kT));
  EXPECT_FALSE(policy.Keeps(FilePlan{2, false}, 2.3 * kT));
  EXPECT_FALSE(policy.Keeps(FilePlan{0, true}, 0.5 * kT));
}

}  // namespace
}  // namespace s3c
