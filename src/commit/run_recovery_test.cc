#include "commit/run_recovery.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "util/test_util.h"
#include "util/testing/parquet_file.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

namespace fs = std::filesystem;

// A table with one partition p=1 holding two originals, and a crashed run's journal.
class RunRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"a.parquet", "b.parquet"}) {
      ASSERT_OK(testing::WriteParquet(root_ / "t" / "p=1" / name, 2));
    }
    table_ = Resolve(root_ / "t");
  }

  Location Resolve(const fs::path& p) { return file_systems_.Resolve(p.string()).ValueOrDie(); }

  // The crashed run "r1": policy delete, its one output staged at `staged`.
  JournalPlan Plan() {
    JournalPlan plan;
    plan.run_id = "20260101T000000Z-aaaaaa";
    plan.table = table_.uri();
    plan.table_location = table_.uri();
    plan.staging_root = (root_ / "t/_s3_compaction/staging" / plan.run_id).string();
    plan.archive_root = (root_ / "t/_s3_compaction/archive" / plan.run_id).string();
    plan.policy = "delete";
    JournalPartition partition{"p=1", (root_ / "t/p=1").string(), (root_ / "t/p=1").string(), {}};
    for (const char* name : {"a.parquet", "b.parquet"}) {
      auto p = root_ / "t/p=1" / name;
      partition.inputs.push_back({p.string(), static_cast<int64_t>(fs::file_size(p)), 0});
    }
    plan.partitions.push_back(partition);
    return plan;
  }

  Location RunDir() { return Resolve(root_ / "t/_s3_compaction/runs/20260101T000000Z-aaaaaa"); }

  void Journal(const JournalPlan& plan, const PartitionRecord& record) {
    ASSERT_OK(WriteWholeFile(RunDir().Child("plan.json"), RunJournal::ToJson(plan)));
    ASSERT_OK(RunJournal::WriteRecord(RunDir(), "p=1", record));
  }

  // A compacted output of 4 rows, staged; the record names it.
  PartitionRecord Publishing(const JournalPlan& plan) {
    const fs::path staged = fs::path(plan.staging_root) / "p=1" / "part-00000-x-c000.parquet";
    EXPECT_OK(testing::WriteParquet(staged, 4));
    PartitionRecord record;
    record.state = PartitionState::kPublishing;
    record.outputs.push_back({staged.string(), "", (root_ / "t/p=1/part-00000-x-c000.parquet").string(),
                              static_cast<int64_t>(fs::file_size(staged)), 4});
    return record;
  }

  RecoveryReport Recover() {
    file_systems_.AllowDeletesUnder(table_);
    RunRecovery recovery(file_systems_, table_, Resolve(root_ / "t/_s3_compaction/runs"), "now", 1);
    return recovery.RecoverAll().ValueOrDie();
  }

  testing::TempDir temp_;
  const fs::path root_ = temp_.path();
  FileSystems file_systems_;
  Location table_;
};

TEST_F(RunRecoveryTest, PublishingWithEveryOutputSoundRollsForward) {
  JournalPlan plan = Plan();
  Journal(plan, Publishing(plan));
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0);
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_NE(report.lines[0].find("rolled forward; 2 original(s) deleted"), std::string::npos)
      << report.lines[0];
  EXPECT_TRUE(fs::exists(root_ / "t/p=1/part-00000-x-c000.parquet"));
  EXPECT_FALSE(fs::exists(root_ / "t/p=1/a.parquet"));
  EXPECT_FALSE(fs::exists(root_ / "t/p=1/b.parquet"));
  EXPECT_FALSE(fs::exists(RunDir().path));                          // journal gone
  EXPECT_FALSE(fs::exists(plan.staging_root));                      // staging swept
  EXPECT_TRUE(Recover().lines.empty());                             // idempotent
}

TEST_F(RunRecoveryTest, PublishingWithABrokenOutputRollsBack) {
  JournalPlan plan = Plan();
  PartitionRecord record = Publishing(plan);
  // Placed but truncated at its final name, and the staged copy gone: cannot be completed.
  fs::copy_file(record.outputs[0].staged, record.outputs[0].final);
  fs::resize_file(record.outputs[0].final, 10);
  fs::remove(record.outputs[0].staged);
  Journal(plan, record);
  RecoveryReport report = Recover();
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_NE(report.lines[0].find("rolled back"), std::string::npos) << report.lines[0];
  EXPECT_FALSE(fs::exists(record.outputs[0].final));
  EXPECT_TRUE(fs::exists(root_ / "t/p=1/a.parquet"));
  EXPECT_TRUE(fs::exists(root_ / "t/p=1/b.parquet"));
}

TEST_F(RunRecoveryTest, RemovingLeavesAnOriginalThatChanged) {
  JournalPlan plan = Plan();
  PartitionRecord record = Publishing(plan);
  fs::rename(record.outputs[0].staged, record.outputs[0].final);
  record.state = PartitionState::kRemoving;
  Journal(plan, record);
  ASSERT_OK(testing::WriteParquet(root_ / "t/p=1/b.parquet", 50));  // another writer replaced it
  RecoveryReport report = Recover();
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_NE(report.lines[0].find("b.parquet changed since planning; left where it was"),
            std::string::npos) << report.lines[0];
  EXPECT_FALSE(fs::exists(root_ / "t/p=1/a.parquet"));
  EXPECT_TRUE(fs::exists(root_ / "t/p=1/b.parquet"));
}

TEST_F(RunRecoveryTest, AJournalOfAnotherTableIsLeftAlone) {
  JournalPlan plan = Plan();
  PartitionRecord record = Publishing(plan);
  plan.table_location = (root_ / "elsewhere").string();
  Journal(plan, record);
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 1);
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_NE(report.lines[0].find("is about the table at"), std::string::npos);
  EXPECT_TRUE(fs::exists(root_ / "t/p=1/a.parquet"));
  EXPECT_TRUE(fs::exists(RunDir().path));
}

}  // namespace
}  // namespace s3c
