#include "commit/run_journal.h"

#include <filesystem>

#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include "util/test_util.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

JournalPlan SamplePlan() {
  JournalPlan plan;
  plan.run_id = "20261128T000000Z-abcdef";
  plan.table = "db.events";
  plan.table_location = "s3://bucket/events";
  plan.staging_root = "s3://bucket/events/_s3_compaction/staging/20261128T000000Z-abcdef";
  plan.archive_root = "s3://bucket/events/_s3_compaction/archive/20261128T000000Z-abcdef";
  plan.policy = "delete";
  plan.repoint = true;
  plan.delete_grace_minutes = 30;
  plan.partitions.push_back({"year=2023/month=05", "s3://bucket/events/year=2023/month=05",
                             "s3://bucket/target/year=2023/month=05",
                             {{"s3://bucket/events/year=2023/month=05/a.parquet", 123, 456},
                              {"s3://bucket/events/year=2023/month=05/b \"q\".parquet", 7, 0}}});
  return plan;
}

TEST(RunJournal, PlanAndRecordRoundTrip) {
  const JournalPlan plan = SamplePlan();
  ASSERT_OK_AND_ASSIGN(JournalPlan back, RunJournal::PlanFromJson(RunJournal::ToJson(plan)));
  EXPECT_EQ(back.run_id, plan.run_id);
  EXPECT_EQ(back.policy, "delete");
  EXPECT_TRUE(back.repoint);
  EXPECT_EQ(back.delete_grace_minutes, 30);
  ASSERT_EQ(back.partitions.size(), 1u);
  EXPECT_EQ(back.partitions[0].output_dir, plan.partitions[0].output_dir);
  ASSERT_EQ(back.partitions[0].inputs.size(), 2u);
  EXPECT_EQ(back.partitions[0].inputs[1].uri, plan.partitions[0].inputs[1].uri);
  EXPECT_EQ(back.partitions[0].inputs[0].size, 123);
  EXPECT_EQ(back.partitions[0].inputs[0].mtime_ns, 456);

  PartitionRecord record;
  record.state = PartitionState::kRemoving;
  record.outputs = {{"s3://b/staged.parquet", "", "s3://b/final.parquet", 1000, 42},
                    {"", "s3://b/kept.parquet", "s3://b/t/kept.parquet", 10, -1}};
  record.pending_delete = {"s3://b/x.parquet"};
  record.delete_after_unix = 1800000000;
  record.problems = {"one"};
  ASSERT_OK_AND_ASSIGN(PartitionRecord r, RunJournal::RecordFromJson(RunJournal::ToJson(record)));
  EXPECT_EQ(r.state, PartitionState::kRemoving);
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[0].rows, 42);
  EXPECT_EQ(r.outputs[1].source, "s3://b/kept.parquet");
  EXPECT_EQ(r.pending_delete, record.pending_delete);
  EXPECT_EQ(r.delete_after_unix, 1800000000);
  EXPECT_EQ(r.problems, record.problems);
}

TEST(RunJournal, RefusesWhatItCannotTrust) {
  EXPECT_FALSE(RunJournal::PlanFromJson("{").ok());
  EXPECT_FALSE(RunJournal::PlanFromJson(R"({"version": 2})").ok());
  EXPECT_FALSE(RunJournal::RecordFromJson(R"({"state": "half-done", "outputs": []})").ok());
  for (auto state : {PartitionState::kPublishing, PartitionState::kPublished,
                     PartitionState::kRepointed, PartitionState::kRemoving, PartitionState::kDone,
                     PartitionState::kRolledBack}) {
    ASSERT_OK_AND_ASSIGN(auto back, StateFromName(StateName(state)));
    EXPECT_EQ(back, state);
  }
}

TEST(RunJournal, LocalRunsAreWrittenListedInOrderAndDeletedWhole) {
  const testing::TempDir temp;
  const std::filesystem::path dir = temp.path();
  auto fs = std::make_shared<arrow::fs::LocalFileSystem>();
  FileSystems file_systems;
  const Location runs{fs, (dir / "runs").string()};
  for (const char* id : {"20261128T020000Z-bbbbbb", "20261128T010000Z-aaaaaa"}) {
    JournalPlan plan = SamplePlan();
    plan.run_id = id;
    ASSERT_OK(WriteWholeFile(runs.Child(id).Child("plan.json"), RunJournal::ToJson(plan)));
  }
  ASSERT_OK_AND_ASSIGN(auto listed, RunJournal::ListRuns(runs));
  EXPECT_EQ(listed, (std::vector<std::string>{"20261128T010000Z-aaaaaa", "20261128T020000Z-bbbbbb"}));

  const Location run = runs.Child("20261128T010000Z-aaaaaa");
  PartitionRecord record;
  record.state = PartitionState::kDone;
  ASSERT_OK(RunJournal::WriteRecord(run, "year=2023/month=05", record));
  ASSERT_OK_AND_ASSIGN(auto read, RunJournal::ReadRecord(run, "year=2023/month=05"));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->state, PartitionState::kDone);
  ASSERT_OK_AND_ASSIGN(auto missing, RunJournal::ReadRecord(run, "year=2023/month=06"));
  EXPECT_FALSE(missing.has_value());
  EXPECT_FALSE(std::filesystem::exists(dir / "runs" / "20261128T010000Z-aaaaaa" / "plan.json.tmp"));

  // --update_catalog deferred: the updates round-trip, and go with the run.
  ASSERT_OK_AND_ASSIGN(auto none, RunJournal::ReadCatalogUpdates(run));
  EXPECT_FALSE(none.has_value());
  PartitionUpdate moved{"year=2023/month=05", "s3://b/t2/year=2023/month=05", 3, 300, 30};
  PartitionUpdate stats{"year=2023/month=06", std::nullopt, 2, 200, -1};
  ASSERT_OK(RunJournal::WriteCatalogUpdates(run, {moved, stats}));
  ASSERT_OK_AND_ASSIGN(auto updates, RunJournal::ReadCatalogUpdates(run));
  ASSERT_TRUE(updates.has_value());
  ASSERT_EQ(updates->size(), 2u);
  EXPECT_EQ((*updates)[0].path, moved.path);
  EXPECT_EQ((*updates)[0].location, moved.location);
  EXPECT_EQ((*updates)[0].rows, 30);
  EXPECT_FALSE((*updates)[1].location.has_value());
  EXPECT_EQ((*updates)[1].files, 2);
  EXPECT_EQ((*updates)[1].rows, -1);

  ASSERT_OK(RunJournal::DeleteRun(file_systems, run));
  EXPECT_FALSE(std::filesystem::exists(run.path));
  ASSERT_OK_AND_ASSIGN(auto left, RunJournal::ListRuns(runs));
  EXPECT_EQ(left, (std::vector<std::string>{"20261128T020000Z-bbbbbb"}));
}

}  // namespace
}  // namespace s3c
