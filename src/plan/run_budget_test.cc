#include "plan/run_budget.h"

#include <gtest/gtest.h>

namespace s3c {
namespace {

// A partition to compact: `files` inputs of `bytes` in all, into `outputs` files.
PartitionPlan Plan(const std::string& path, int files, int64_t bytes, int outputs = 1) {
  PartitionPlan plan;
  plan.partition.path = path;
  plan.action = PartitionAction::kCompact;
  CompactionGroup group;
  for (int i = 0; i < files; ++i) {
    InputFile f;
    f.info.set_path(path + "/f" + std::to_string(i));
    f.info.set_size(bytes / files);
    plan.files.push_back(f);
    group.inputs.push_back(static_cast<size_t>(i));
  }
  group.input_bytes = bytes;
  plan.groups.push_back(group);
  plan.estimated_output_files = outputs;
  return plan;
}

std::vector<const PartitionPlan*> Ptrs(const std::vector<PartitionPlan>& plans) {
  std::vector<const PartitionPlan*> out;
  for (const auto& plan : plans) out.push_back(&plan);
  return out;
}

TEST(RunBudget, TakesTheMostSmallFilesRemovedPerByteFirst) {
  std::vector<PartitionPlan> plans = {Plan("a", 10, 10'000'000), Plan("b", 100, 1'000'000),
                                      Plan("c", 10, 1'000'000)};
  plans.push_back(plans[0]);
  plans.back().partition.path = "skip";
  plans.back().action = PartitionAction::kSkip;
  EXPECT_EQ(RunBudget::ByBenefit(Ptrs(plans)), (std::vector<size_t>{1, 2, 0}));
}

TEST(RunBudget, PartitionLimitDefersTheLeastWorthIt) {
  std::vector<PartitionPlan> plans = {Plan("a", 10, 10'000'000), Plan("b", 100, 1'000'000),
                                      Plan("c", 10, 1'000'000)};
  std::vector<std::string> notes;
  auto deferred = RunBudget(RunLimits{0, 2, 0}).Select(Ptrs(plans), &notes);
  ASSERT_EQ(deferred.size(), 3u);
  ASSERT_TRUE(deferred[0].has_value());
  EXPECT_FALSE(deferred[1] || deferred[2]);
  EXPECT_EQ(deferred[0]->files, 10);
  EXPECT_EQ(deferred[0]->bytes, 10'000'000);
  EXPECT_NE(deferred[0]->reason.find("--max_partitions 2"), std::string::npos);
  EXPECT_TRUE(notes.empty());
}

TEST(RunBudget, ByteLimitSkipsWhatDoesNotFitAndNotesWhatNeverWill) {
  // 1 GiB limit: b (0.5 GiB) fits, a (2 GiB) never will, c (0.6 GiB) no longer fits after b,
  // d (0.4 GiB) does.
  const int64_t g = 1LL << 30;
  std::vector<PartitionPlan> plans = {Plan("a", 1000, 2 * g), Plan("b", 1000, g / 2),
                                      Plan("c", 1000, g * 6 / 10), Plan("d", 100, g * 4 / 10)};
  std::vector<std::string> notes;
  auto deferred = RunBudget(RunLimits{0, 0, 1.0}).Select(Ptrs(plans), &notes);
  EXPECT_TRUE(deferred[0] && deferred[2]);
  EXPECT_FALSE(deferred[1] || deferred[3]);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("1 partition(s) would read more than --max_input_gb 1"),
            std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("e.g. a, "), std::string::npos) << notes[0];
}

TEST(RunBudget, NoLimitsDefersNothing) {
  std::vector<PartitionPlan> plans = {Plan("a", 10, 1000), Plan("b", 10, 1000)};
  std::vector<std::string> notes;
  for (const auto& d : RunBudget(RunLimits{}).Select(Ptrs(plans), &notes)) EXPECT_FALSE(d);
  EXPECT_TRUE(RunBudget(RunLimits{}).Describe().empty());
}

TEST(RunBudget, RuntimeLetsTheFirstPartitionStartWhateverTheClock) {
  RunBudget budget(RunLimits{0.5, 0, 0});
  EXPECT_TRUE(budget.MayStart(1000.0, 0));
  EXPECT_TRUE(budget.MayStart(29.0, 3));
  EXPECT_FALSE(budget.MayStart(30.0, 1));
  EXPECT_TRUE(RunBudget(RunLimits{}).MayStart(1e9, 100));
  EXPECT_EQ(budget.Describe(), (std::vector<std::string>{"--max_runtime_minutes 0.5"}));
  EXPECT_NE(budget.OutOfTime(Plan("a", 3, 30)).reason.find("--max_runtime_minutes 0.5 reached"),
            std::string::npos);
}

}  // namespace
}  // namespace s3c
