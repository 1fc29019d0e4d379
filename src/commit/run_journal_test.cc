#include "commit/run_journal.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

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

// The plan is written a partition at a time into the text around its other fields: none, one
// or several partitions, and fields that spell the splice point, all read back.
TEST(RunJournal, APlanOfAnySizeReadsBack) {
  JournalPlan plan = SamplePlan();
  plan.table = "db.\"partitions\": []";
  plan.archive_root = "s3://b/\"partitions\": [],\n x";
  for (size_t n : {0u, 1u, 3u}) {
    JournalPlan sized = plan;
    sized.partitions.clear();
    for (size_t i = 0; i < n; ++i) {
      JournalPartition p = plan.partitions[0];
      p.path = "year=2023/month=0" + std::to_string(i);
      sized.partitions.push_back(p);
    }
    ASSERT_OK_AND_ASSIGN(JournalPlan back, RunJournal::PlanFromJson(RunJournal::ToJson(sized)));
    EXPECT_EQ(back.table, plan.table);
    EXPECT_EQ(back.archive_root, plan.archive_root);
    ASSERT_EQ(back.partitions.size(), n);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(back.partitions[i].path, sized.partitions[i].path);
      ASSERT_EQ(back.partitions[i].inputs.size(), 2u);
      EXPECT_EQ(back.partitions[i].inputs[1].uri, sized.partitions[i].inputs[1].uri);
    }
  }
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

PartitionRecord InState(PartitionState state) {
  PartitionRecord record;
  record.state = state;
  return record;
}

std::vector<std::string> Names(const std::filesystem::path& dir, const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(RunJournal, ABatchKeepsItsPartitionsInOneObjectAndLaterRecordsOverrideIt) {
  const testing::TempDir temp;
  auto fs = std::make_shared<arrow::fs::LocalFileSystem>();
  FileSystems file_systems;
  const Location table{fs, (temp.path() / "t").string()};
  const RunLayout layout("20261201T000000Z-abcdef", table, table, std::nullopt);
  JournalPlan plan = SamplePlan();
  plan.run_id = layout.run_id();
  ASSERT_OK_AND_ASSIGN(auto journal, RunJournal::Begin(file_systems, layout, plan));
  const Location run = journal->run_dir();
  const std::filesystem::path dir = run.path;

  journal->Assign({"a=1", "a=2"});
  ASSERT_OK(journal->RecordMany({{"a=1", InState(PartitionState::kPublishing)},
                                 {"a=2", InState(PartitionState::kPublishing)}}));
  EXPECT_EQ(Names(dir, "b-"), std::vector<std::string>{"b-000000-000001.json"});
  EXPECT_TRUE(Names(dir, "p-").empty());
  ASSERT_OK(journal->Record("a=3", InState(PartitionState::kDone)));  // in no batch: alone
  EXPECT_EQ(Names(dir, "p-").size(), 1u);
  ASSERT_OK(journal->Record("a=1", InState(PartitionState::kRemoving)));
  EXPECT_EQ(Names(dir, "b-").size(), 1u);  // rewritten whole, still one object

  auto state_of = [&](const RunJournal::Records& records, const std::string& path) {
    const auto& r = records.at(path);
    if (!r.ok()) return std::string("error");
    return *r ? StateName((*r)->state) : std::string("none");
  };
  const std::vector<std::string> paths = {"a=1", "a=2", "a=3", "a=4"};
  ASSERT_OK_AND_ASSIGN(auto records, RunJournal::ReadRecords(run, paths));
  EXPECT_EQ(state_of(records, "a=1"), "removing");
  EXPECT_EQ(state_of(records, "a=2"), "publishing");
  EXPECT_EQ(state_of(records, "a=3"), "done");
  EXPECT_EQ(state_of(records, "a=4"), "none");
  ASSERT_OK_AND_ASSIGN(auto one, RunJournal::ReadRecord(run, "a=2"));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->state, PartitionState::kPublishing);

  // Recovery settles a partition alone, later: its p- record overrides the batch's entry.
  ASSERT_OK(RunJournal::WriteRecord(run, "a=2", InState(PartitionState::kRolledBack)));
  ASSERT_OK_AND_ASSIGN(records, RunJournal::ReadRecords(run, paths));
  EXPECT_EQ(state_of(records, "a=2"), "rolled_back");

  // A write that fails leaves the batch as it was, in storage and for the next write.
  std::filesystem::remove(dir / "b-000000-000001.json");
  std::filesystem::create_directories(dir / "b-000000-000001.json" / "in-the-way");
  EXPECT_FALSE(journal->Record("a=1", InState(PartitionState::kDone)).ok());
  std::filesystem::remove_all(dir / "b-000000-000001.json");
  ASSERT_OK(journal->Record("a=2", InState(PartitionState::kConflict)));
  ASSERT_OK_AND_ASSIGN(records, RunJournal::ReadRecords(run, {"a=1"}));
  EXPECT_EQ(state_of(records, "a=1"), "removing");  // not the "done" that was never written

  // A batch object that cannot be parsed may have held any partition without a p- record.
  std::ofstream(dir / "b-000000-000001.json") << "{not json";
  ASSERT_OK_AND_ASSIGN(records, RunJournal::ReadRecords(run, paths));
  EXPECT_EQ(state_of(records, "a=1"), "error");
  EXPECT_EQ(state_of(records, "a=2"), "rolled_back");
  EXPECT_EQ(state_of(records, "a=3"), "done");
  EXPECT_EQ(state_of(records, "a=4"), "error");
  EXPECT_TRUE(records.at("a=1").status().IsInvalid()) << records.at("a=1").status().ToString();
  EXPECT_NE(records.at("a=1").status().message().find("b-000000-000001.json"), std::string::npos);
}

TEST(RunJournal, BatchRecordsRoundTripAndRefuseAPartitionTwice) {
  std::map<std::string, PartitionRecord> records;
  records["x=1"] = InState(PartitionState::kPublished);
  records["x=1"].outputs.push_back({"s3://b/t/_s3_compaction/staging/r/x=1/o.parquet", "",
                                    "s3://b/t/x=1/o.parquet", 10, 2});
  records["x=\"2\""] = InState(PartitionState::kDone);
  ASSERT_OK_AND_ASSIGN(auto back, RunJournal::BatchFromJson(RunJournal::BatchToJson(records)));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back.at("x=1").outputs.at(0).final, "s3://b/t/x=1/o.parquet");
  EXPECT_EQ(back.at("x=\"2\"").state, PartitionState::kDone);
  const std::string twice =
      R"({"version": 1, "partitions": [{"path": "a", "record": {"state": "done", "outputs": [],)"
      R"( "pending_delete": [], "delete_after_unix": 0, "problems": []}}, {"path": "a", "record":)"
      R"( {"state": "done", "outputs": [], "pending_delete": [], "delete_after_unix": 0,)"
      R"( "problems": []}}]})";
  EXPECT_FALSE(RunJournal::BatchFromJson(twice).ok());
  EXPECT_FALSE(RunJournal::BatchFromJson(R"({"version": 2, "partitions": []})").ok());
}

TEST(RunLayout, BatchAndWavePlanNames) {
  EXPECT_EQ(RunLayout::BatchRecordName(0, 1), "b-000000-000001.json");
  EXPECT_EQ(RunLayout::BatchRecordWave(RunLayout::BatchRecordName(12, 1234567)), 12);
  EXPECT_EQ(RunLayout::BatchRecordWave("b-000001.json"), 0);  // an earlier version's
  for (const char* name : {"b-00001x.json", "b-.json", "b-000001-.json", "b--000001.json",
                           "b-000001-00001x.json", "b-1-1.json", "b-000001.jsonx", "p-000001.json",
                           "b-0000000000001-000001.json", "b-0000001-000002.json"}) {
    EXPECT_FALSE(RunLayout::IsBatchRecordName(name)) << name;
  }
  EXPECT_EQ(RunLayout::WavePlanName(0), "plan.json");
  EXPECT_EQ(RunLayout::WavePlanName(3), "plan-000003.json");
  EXPECT_EQ(RunLayout::PlanWave("plan.json"), 0);
  EXPECT_EQ(RunLayout::PlanWave(RunLayout::WavePlanName(1234567)), 1234567);
  for (const char* name : {"plan-000000.json", "plan-1.json", "plan-00000x.json", "plan-.json",
                           "plan.json.tmp", "plan-000003.json.tmp", "xplan.json",
                           "plan-0000001.json"}) {
    EXPECT_FALSE(RunLayout::PlanWave(name).has_value()) << name;
  }
}

TEST(RunLayout, JournalObjectNames) {
  for (const std::string name :
       {std::string("plan.json"), RunLayout::WavePlanName(2), RunLayout::BatchRecordName(0, 1),
        RunLayout::PartitionRecordName("p=1"), std::string("catalog.json")}) {
    EXPECT_TRUE(RunLayout::IsJournalObjectName(name)) << name;
  }
  for (const char* name : {"plan.json.tmp", "p-0123456789abcdeg.json", "p-0123.json",
                           "p-0123456789abcdef.json.tmp", "x.parquet", "lease.json"}) {
    EXPECT_FALSE(RunLayout::IsJournalObjectName(name)) << name;
  }
}

// A folder with journal objects but no plan.json lost its plan after the run began: it is not
// litter. One with nothing of a journal is a run that died writing its plan.
TEST(RunJournal, ARunWhosePlanWasLostIsNotAbandoned) {
  const testing::TempDir temp;
  auto fs = std::make_shared<arrow::fs::LocalFileSystem>();
  const Location runs{fs, (temp.path() / "runs").string()};
  const std::string planned = "20261128T010000Z-aaaaaa", lost = "20261128T020000Z-bbbbbb",
                    dead = "20261128T030000Z-cccccc";
  JournalPlan plan = SamplePlan();
  plan.run_id = planned;
  ASSERT_OK(WriteWholeFile(runs.Child(planned).Child("plan.json"), RunJournal::ToJson(plan)));
  ASSERT_OK(RunJournal::WriteRecord(runs.Child(lost), "p=1", InState(PartitionState::kPublishing)));
  ASSERT_OK(WriteWholeFile(runs.Child(dead).Child("plan.json.tmp"), "{"));
  ASSERT_OK_AND_ASSIGN(auto folders, RunJournal::ListRunFolders(runs));
  EXPECT_EQ(folders.runs, std::vector<std::string>{planned});
  EXPECT_EQ(folders.plan_lost, std::vector<std::string>{lost});
  EXPECT_EQ(folders.abandoned, std::vector<std::string>{dead});
  ASSERT_OK_AND_ASSIGN(auto listed, RunJournal::ListRuns(runs));
  EXPECT_EQ(listed, (std::vector<std::string>{planned, lost}));
}

// Evidence that a run was under way: some object that reads as what the tool writes. Garbage
// under journal names, an empty batch, or nothing at all is none.
TEST(RunJournal, HoldsJournalOnlyWhenAnObjectReadsAsOne) {
  const testing::TempDir temp;
  auto fs = std::make_shared<arrow::fs::LocalFileSystem>();
  const Location runs{fs, (temp.path() / "runs").string()};
  auto holds = [&](const std::string& run) { return RunJournal::HoldsJournal(runs.Child(run)); };
  ASSERT_OK_AND_ASSIGN(bool none, holds("20261128T010000Z-aaaaaa"));  // no folder at all
  EXPECT_FALSE(none);
  const Location garbage = runs.Child("20261128T020000Z-bbbbbb");
  ASSERT_OK(WriteWholeFile(garbage.Child(RunLayout::PartitionRecordName("p=1")), "not json"));
  ASSERT_OK(WriteWholeFile(garbage.Child("plan.json"), "{"));
  ASSERT_OK(WriteWholeFile(garbage.Child(RunLayout::BatchRecordName(0, 0)), "{}"));
  ASSERT_OK(WriteWholeFile(garbage.Child("notes.json"), "{\"state\": \"done\"}"));
  ASSERT_OK_AND_ASSIGN(bool from_garbage, holds("20261128T020000Z-bbbbbb"));
  EXPECT_FALSE(from_garbage);
  ASSERT_OK(RunJournal::WriteRecord(garbage, "p=2", InState(PartitionState::kDone)));
  ASSERT_OK_AND_ASSIGN(bool with_record, holds("20261128T020000Z-bbbbbb"));
  EXPECT_TRUE(with_record);
  const Location planned = runs.Child("20261128T030000Z-cccccc");
  ASSERT_OK(WriteWholeFile(planned.Child("plan.json"), RunJournal::ToJson(SamplePlan())));
  ASSERT_OK_AND_ASSIGN(bool with_plan, holds("20261128T030000Z-cccccc"));
  EXPECT_TRUE(with_plan);
}

// A run of two waves: each wave's plan its own object, its batches named for it, the whole plan
// read back in order, and each wave's records read from its own batch objects only.
TEST(RunJournal, WavesHaveTheirOwnPlansAndBatches) {
  const testing::TempDir temp;
  auto fs = std::make_shared<arrow::fs::LocalFileSystem>();
  FileSystems file_systems;
  const Location table{fs, (temp.path() / "t").string()};
  const RunLayout layout("20261201T000000Z-abcdef", table, table, std::nullopt);
  JournalPlan first = SamplePlan();
  first.run_id = layout.run_id();
  JournalPlan second = first;
  second.partitions[0].path = "year=2023/month=06";
  ASSERT_OK_AND_ASSIGN(auto journal, RunJournal::Begin(file_systems, layout, first));
  const Location run = journal->run_dir();
  const std::filesystem::path dir = run.path;
  EXPECT_EQ(journal->wave(), 0);
  journal->Assign({"year=2023/month=05"});
  ASSERT_OK(journal->Record("year=2023/month=05", InState(PartitionState::kDone)));
  ASSERT_OK(journal->BeginWave(second));
  EXPECT_EQ(journal->wave(), 1);
  journal->Assign({"year=2023/month=06"});
  ASSERT_OK(journal->Record("year=2023/month=06", InState(PartitionState::kPublishing)));
  EXPECT_EQ(Names(dir, "plan"), (std::vector<std::string>{"plan-000001.json", "plan.json"}));
  EXPECT_EQ(Names(dir, "b-"),
            (std::vector<std::string>{"b-000000-000001.json", "b-000001-000002.json"}));

  ASSERT_OK_AND_ASSIGN(JournalPlan whole, RunJournal::ReadPlan(run));
  ASSERT_EQ(whole.partitions.size(), 2u);
  EXPECT_EQ(whole.partitions[0].path, "year=2023/month=05");
  EXPECT_EQ(whole.partitions[1].path, "year=2023/month=06");
  ASSERT_OK_AND_ASSIGN(auto objects, RunJournal::ListRun(run));
  EXPECT_EQ(RunJournal::Waves(objects), (std::vector<int>{0, 1}));
  const std::vector<std::string> both = {"year=2023/month=05", "year=2023/month=06"};
  auto wave0 = RunJournal::ReadRecords(run, both, objects, 0);
  ASSERT_TRUE(wave0.at("year=2023/month=05").ok());
  EXPECT_EQ((*wave0.at("year=2023/month=05"))->state, PartitionState::kDone);
  EXPECT_FALSE(wave0.at("year=2023/month=06")->has_value());  // not in wave 0's batches
  auto wave1 = RunJournal::ReadRecords(run, both, objects, 1);
  EXPECT_FALSE(wave1.at("year=2023/month=05")->has_value());
  EXPECT_EQ((*wave1.at("year=2023/month=06"))->state, PartitionState::kPublishing);

  // A wave's plan of another run, or naming a partition of an earlier wave, is not this run's.
  JournalPlan other = second;
  other.run_id = "20261201T000000Z-ffffff";
  std::ofstream(dir / "plan-000001.json") << RunJournal::ToJson(other);
  auto foreign = RunJournal::ReadWave(run, 1, &first);
  EXPECT_TRUE(foreign.status().IsInvalid()) << foreign.status().ToString();
  EXPECT_TRUE(RunJournal::ReadPlan(run).status().IsInvalid());
  JournalPlan again = first;  // wave 0's partition once more
  std::ofstream(dir / "plan-000001.json", std::ios::trunc) << RunJournal::ToJson(again);
  auto twice = RunJournal::ReadPlan(run);
  EXPECT_TRUE(twice.status().IsInvalid()) << twice.status().ToString();
  EXPECT_NE(twice.status().message().find("earlier wave"), std::string::npos);
  // Deleted whole: the waves and batches first, plan.json last.
  ASSERT_OK(RunJournal::DeleteRun(file_systems, run));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace s3c
