#include "commit/run_recovery.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "storage/storage_faults.h"
#include "util/test_util.h"
#include "util/testing/parquet_file.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRun = "20260101T000000Z-aaaaaa";
constexpr const char* kOutput = "part-00000-20260101T000000Z-aaaaaa-c000.parquet";

bool Says(const RecoveryReport& report, const std::string& words) {
  for (const auto& line : report.lines) {
    if (line.find(words) != std::string::npos) return true;
  }
  return false;
}

std::string Lines(const RecoveryReport& report) {
  std::string out;
  for (const auto& line : report.lines) out += line + "\n";
  return out;
}

// A table with one partition p=1 holding two originals (ids 0-1 and 2-3), and the journal of a
// crashed run that compacted them into one output (ids 0-3).
class RunRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(testing::WriteParquet(root_ / "t/p=1/a.parquet", 2, 0));
    ASSERT_OK(testing::WriteParquet(root_ / "t/p=1/b.parquet", 2, 2));
    table_ = Resolve(root_ / "t");
  }

  Location Resolve(const fs::path& p) { return file_systems_.Resolve(p.string()).ValueOrDie(); }
  fs::path Partition() const { return root_ / "t/p=1"; }
  fs::path Final() const { return Partition() / kOutput; }

  JournalPlan Plan() {
    JournalPlan plan;
    plan.run_id = kRun;
    plan.table = table_.uri();
    plan.table_location = table_.uri();
    plan.staging_root = (root_ / "t/_s3_compaction/staging" / kRun).string();
    plan.archive_root = (root_ / "t/_s3_compaction/archive" / kRun).string();
    plan.policy = "delete";
    JournalPartition partition{"p=1", Partition().string(), Partition().string(), {}};
    for (const char* name : {"a.parquet", "b.parquet"}) {
      auto p = Partition() / name;
      partition.inputs.push_back({p.string(), static_cast<int64_t>(fs::file_size(p)), 0});
    }
    plan.partitions.push_back(partition);
    return plan;
  }

  Location RunDir() { return Resolve(root_ / "t/_s3_compaction/runs" / kRun); }

  void Journal(const JournalPlan& plan, const PartitionRecord& record) {
    ASSERT_OK(WriteWholeFile(RunDir().Child("plan.json"), RunJournal::ToJson(plan)));
    ASSERT_OK(RunJournal::WriteRecord(RunDir(), "p=1", record));
  }

  // The compacted output (ids 0-3), staged; the record names it.
  PartitionRecord Publishing(const JournalPlan& plan, int64_t first_id = 0) {
    const fs::path staged = fs::path(plan.staging_root) / "p=1" / kOutput;
    EXPECT_OK(testing::WriteParquet(staged, 4, first_id));
    PartitionRecord record;
    record.state = PartitionState::kPublishing;
    record.outputs.push_back({staged.string(), "", Final().string(),
                              static_cast<int64_t>(fs::file_size(staged)), 4});
    return record;
  }

  // The same, with the output already placed in the partition.
  PartitionRecord Published(const JournalPlan& plan, PartitionState state, int64_t first_id = 0) {
    PartitionRecord record = Publishing(plan, first_id);
    fs::rename(record.outputs[0].staged, record.outputs[0].final);
    record.state = state;
    return record;
  }

  RecoveryReport Recover() {
    file_systems_.AllowDeletesUnder(table_);
    layout_ = RunLayout("20261231T000000Z-bbbbbb", table_, table_, std::nullopt);
    RunRecovery recovery(file_systems_, layout_, 1);
    return recovery.RecoverAll().ValueOrDie();
  }

  testing::TempDir temp_;
  const fs::path root_ = temp_.path();
  FileSystems file_systems_;
  Location table_;
  RunLayout layout_;
};

TEST_F(RunRecoveryTest, PublishingWithEveryOutputSoundRollsForward) {
  JournalPlan plan = Plan();
  Journal(plan, Publishing(plan));
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_TRUE(Says(report, "rolled forward; 2 original(s) deleted")) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_FALSE(fs::exists(Partition() / "a.parquet"));
  EXPECT_FALSE(fs::exists(Partition() / "b.parquet"));
  EXPECT_FALSE(fs::exists(RunDir().path));     // journal gone
  EXPECT_FALSE(fs::exists(plan.staging_root));  // staging swept
  EXPECT_TRUE(Recover().lines.empty());         // idempotent
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
  EXPECT_TRUE(Says(report, "rolled back")) << Lines(report);
  EXPECT_FALSE(fs::exists(record.outputs[0].final));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
}

TEST_F(RunRecoveryTest, RemovingLeavesAnOriginalThatChanged) {
  JournalPlan plan = Plan();
  Journal(plan, Published(plan, PartitionState::kRemoving));
  ASSERT_OK(testing::WriteParquet(Partition() / "b.parquet", 50));  // another writer replaced it
  RecoveryReport report = Recover();
  EXPECT_TRUE(Says(report, "b.parquet changed since planning; left where it was")) << Lines(report);
  EXPECT_FALSE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_TRUE(fs::exists(Final()));
  // Its rows as planned are in the output, as changed in b: a person picks one (found by the
  // adversarial review: it was reported done, and compacted with its rows twice).
  EXPECT_EQ(report.failures, 1) << Lines(report);
  EXPECT_EQ(report.blocked.count("p=1"), 1u);
  EXPECT_TRUE(Says(report, "changed after its run began removing")) << Lines(report);
  RecoveryReport again = Recover();
  EXPECT_EQ(again.blocked.count("p=1"), 1u) << Lines(again);
  // Said again by every later run (the record keeps which files changed), not only by the one
  // that rolled forward: a scheduled run's log may be the only one read.
  EXPECT_TRUE(Says(again, "changed after its run began removing")) << Lines(again);
  // The way out it names: the file removed (its rows as planned kept).
  fs::remove(Partition() / "b.parquet");
  RecoveryReport settled = Recover();
  EXPECT_EQ(settled.failures, 0) << Lines(settled);
  EXPECT_FALSE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, PublishingWithAnOriginalChangedRollsBack) {
  // Nothing removed yet, and a writer replaced b.parquet: rolled forward, b would stand beside
  // the output holding its earlier rows (found by the adversarial review). Undone instead, as
  // the run itself would have.
  JournalPlan plan = Plan();
  Journal(plan, Published(plan, PartitionState::kPublishing));
  ASSERT_OK(testing::WriteParquet(Partition() / "b.parquet", 3, 2));  // a new version
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_TRUE(Says(report, "rolled back (")) << Lines(report);
  EXPECT_TRUE(Says(report, "b.parquet changed since planning")) << Lines(report);
  EXPECT_FALSE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_FALSE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, ARollbackCutShortBesideAChangedOriginalFinishes) {
  // As above, but the recovery that rolled back was cut short after removing the output: the
  // record still says publishing, and the output can no longer be completed. It was settled by
  // content then, and the changed file, sharing rows with nothing left, blocked the partition
  // for good (found by the adversarial review). It finishes the rollback.
  JournalPlan plan = Plan();
  PartitionRecord record = Published(plan, PartitionState::kPublishing);
  Journal(plan, record);
  ASSERT_OK(testing::WriteParquet(Partition() / "b.parquet", 3, 2));
  fs::remove(Final());
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_TRUE(Says(report, "rolled back (an output could not be completed)")) << Lines(report);
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_FALSE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, RollForwardRemovesOnlyOriginalsWhoseRowsTheOutputsHold) {
  // A record read from storage says the output holds the originals' rows; it does not (ids
  // 10-13): recovery must not delete them.
  JournalPlan plan = Plan();
  Journal(plan, Published(plan, PartitionState::kRemoving, /*first_id=*/10));
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 1) << Lines(report);
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_TRUE(fs::exists(RunDir().path));  // kept for a look by hand
}

TEST_F(RunRecoveryTest, AJournalOfAnotherTableIsSettledByContent) {
  // A copy of the table made with its journal: the journal names the other table, but the
  // half-published output is here too, and its rows are all in the originals.
  JournalPlan plan = Plan();
  PartitionRecord record = Published(plan, PartitionState::kPublishing);
  plan.table_location = (root_ / "elsewhere").string();
  Journal(plan, record);
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_TRUE(Says(report, "is about the table at")) << Lines(report);
  EXPECT_TRUE(Says(report, "settled by content")) << Lines(report);
  EXPECT_FALSE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_FALSE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, AnUnreadableRecordIsSettledByContent) {
  JournalPlan plan = Plan();
  Journal(plan, Published(plan, PartitionState::kPublishing));
  ASSERT_OK(WriteWholeFile(RunDir().Child(RunLayout::PartitionRecordName("p=1")), "{\"sta"));
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_FALSE(fs::exists(Final()));  // its rows are all in the originals
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
}

TEST_F(RunRecoveryTest, ARecordNamingTheTablesOwnFileAsOutputIsNotBelieved) {
  JournalPlan plan = Plan();
  PartitionRecord record = Publishing(plan);
  record.outputs[0].final = (Partition() / "a.parquet").string();  // forged
  record.outputs[0].bytes = static_cast<int64_t>(fs::file_size(Partition() / "a.parquet"));
  record.outputs[0].rows = 2;
  record.state = PartitionState::kRemoving;
  Journal(plan, record);
  RecoveryReport report = Recover();
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_TRUE(Says(report, "not a name that run gives")) << Lines(report);
}

TEST_F(RunRecoveryTest, AConflictWhoseRowsAreElsewhereRemovesTheOutputs) {
  // While the run removed its originals, another removed a.parquet, having put its rows in
  // other.parquet: the output only doubles rows that are all still in the partition.
  JournalPlan plan = Plan();
  Journal(plan, Published(plan, PartitionState::kConflict));
  fs::rename(Partition() / "a.parquet", Partition() / "other.parquet");
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_TRUE(Says(report, "settled by content")) << Lines(report);
  EXPECT_FALSE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "other.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
}

TEST_F(RunRecoveryTest, AConflictWhoseRowsAreNowhereElseKeepsTheOutputs) {
  // a.parquet was removed (by someone else) with its rows nowhere else but in the output: the
  // output stays, and b.parquet, whose rows it holds, goes.
  JournalPlan plan = Plan();
  Journal(plan, Published(plan, PartitionState::kConflict));
  fs::remove(Partition() / "a.parquet");
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_FALSE(fs::exists(Partition() / "b.parquet"));
}

TEST_F(RunRecoveryTest, AConflictSharingSomeRowsIsLeftForAHuman) {
  JournalPlan plan = Plan();
  Journal(plan, Published(plan, PartitionState::kConflict));
  fs::remove(Partition() / "a.parquet");
  ASSERT_OK(testing::WriteParquet(Partition() / "other.parquet", 2, 1));  // ids 1-2: one shared
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 1) << Lines(report);
  EXPECT_EQ(report.blocked.count("p=1"), 1u);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "other.parquet"));
}

TEST_F(RunRecoveryTest, ADoneRecordBesideItsPlannedOriginalsIsLeftToAPerson) {
  // Done in place means the originals went. A record that says so while one is there is
  // forged or stale (believed, the output would stay beside them: every row twice), or the
  // file was delivered again, a hard link even (settled, a duplicate kept on purpose would
  // go): nothing is touched, the partition is blocked, the journal stays.
  JournalPlan plan = Plan();
  Journal(plan, Published(plan, PartitionState::kDone));
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 1) << Lines(report);
  EXPECT_EQ(report.blocked.count("p=1"), 1u);
  EXPECT_TRUE(Says(report, "recorded done, but its planned original")) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_TRUE(fs::exists(RunDir().path));
  // Moved out (the way out it says), the record is believed and the journal goes.
  fs::rename(Partition() / "a.parquet", root_ / "a.parquet");
  fs::rename(Partition() / "b.parquet", root_ / "b.parquet");
  RecoveryReport again = Recover();
  EXPECT_EQ(again.failures, 0) << Lines(again);
  EXPECT_FALSE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, AnEmptiedRunFolderBesideFilesSharingItsRowsIsLeftToAPerson) {
  // The run's journal objects removed after it published: its outputs are found by name. No
  // record vouches for the files holding their rows (the originals here; a finished run's
  // would be gone, and such files would be duplicates kept on purpose): nothing goes.
  JournalPlan plan = Plan();
  Published(plan, PartitionState::kPublishing);
  fs::create_directories(RunDir().path);
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 1) << Lines(report);
  EXPECT_EQ(report.blocked.count("p=1"), 1u);
  EXPECT_TRUE(Says(report, "remove " + RunDir().uri())) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, AnEmptiedRunFolderOfAFinishedRunIsRemoved) {
  // A finished run's cleanup cut short before its folder went: its outputs share no row with
  // the partition's other files (a non-Parquet one among them): they stay, the folder goes.
  JournalPlan plan = Plan();
  Published(plan, PartitionState::kDone);
  fs::remove(Partition() / "a.parquet");
  fs::remove(Partition() / "b.parquet");
  ASSERT_OK(testing::WriteParquet(Partition() / "new.parquet", 2, 100));
  ASSERT_OK(WriteWholeFile(*file_systems_.Resolve((Partition() / "manifest.json").string()), "{}"));
  fs::create_directories(RunDir().path);
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "new.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "manifest.json"));
  EXPECT_FALSE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, ARunFolderThatCannotBeRemovedIsCountedApart) {
  // As above, but removing the folder fails: the partition is settled (no failure), and the
  // folder is counted as left, for a person (the run that met it exits 4).
  JournalPlan plan = Plan();
  Published(plan, PartitionState::kDone);
  fs::remove(Partition() / "a.parquet");
  fs::remove(Partition() / "b.parquet");
  fs::create_directories(RunDir().path);
  const fs::path saved = root_ / "saved";
  fs::copy(root_ / "t", saved, fs::copy_options::recursive);
  // Which storage operation removes the folder: counted on a first recovery, then failed on a
  // second one of the same state.
  // File systems made after the faults are configured: they are wrapped when first used.
  auto recover = [&] {
    FileSystems counted;
    const Location table = *counted.Resolve((root_ / "t").string());
    counted.AllowDeletesUnder(table);
    const RunLayout layout("20261231T000000Z-bbbbbb", table, table, std::nullopt);
    auto report = RunRecovery(counted, layout, 1).RecoverAll();
    StorageFaults::DisableForTest();
    return report.ValueOrDie();
  };
  const fs::path log = root_ / "ops.log";
  StorageFaults::ConfigureForTest(0, 0, log.string());
  ASSERT_EQ(recover().failures, 0);
  uint64_t remove_op = 0;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("\tDeleteDir\t") != std::string::npos &&
        line.find(std::string(kRun)) != std::string::npos) {
      remove_op = std::stoull(line);
    }
  }
  ASSERT_GT(remove_op, 0u) << "no DeleteDir of the run folder in " << log;
  fs::remove_all(root_ / "t");
  fs::copy(saved, root_ / "t", fs::copy_options::recursive);
  StorageFaults::ConfigureForTest(remove_op, 0, "");
  RecoveryReport report = recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_EQ(report.folders_left, 1) << Lines(report);
  EXPECT_TRUE(Says(report, "by hand")) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, AFinishedRunsOutputsStayBesideALaterRedelivery) {
  // The run finished (its originals gone); a writer then delivered the same rows again. Its
  // folder, left empty, says nothing of whether it finished: a file no record vouches for
  // never makes its outputs removable, so nothing goes and the partition waits for a person.
  JournalPlan plan = Plan();
  Published(plan, PartitionState::kDone);
  fs::remove(Partition() / "a.parquet");
  fs::remove(Partition() / "b.parquet");
  const auto written = fs::last_write_time(Final());
  ASSERT_OK(testing::WriteParquet(Partition() / "again.parquet", 4, 0));
  // Copied keeping its time, or by a writer whose clock is behind: no time makes it evidence.
  fs::last_write_time(Partition() / "again.parquet", written - std::chrono::seconds(5));
  fs::create_directories(RunDir().path);
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 1) << Lines(report);
  EXPECT_EQ(report.blocked.count("p=1"), 1u);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "again.parquet"));
  EXPECT_TRUE(fs::exists(RunDir().path));
}

TEST_F(RunRecoveryTest, AFinishedRunsFolderWithGarbageTouchesNothing) {
  // No plan, and nothing that reads as a record: not something this tool leaves behind. Where
  // the run's outputs are, nothing is settled (the partition waits for a person); the folder
  // of a run with no outputs anywhere is removed.
  JournalPlan plan = Plan();
  Published(plan, PartitionState::kDone);
  ASSERT_OK(WriteWholeFile(RunDir().Child(RunLayout::PartitionRecordName("p=1")), "garbage"));
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 1) << Lines(report);
  EXPECT_TRUE(Says(report, "nothing was touched")) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  fs::remove(Final());
  RecoveryReport again = Recover();
  EXPECT_EQ(again.failures, 0) << Lines(again);
  EXPECT_FALSE(fs::exists(RunDir().path));
}

}  // namespace
}  // namespace s3c

namespace s3c {
namespace {

// A run of two waves that crashed in its second: plan.json names a partition already done (its
// record in wave 0's batch), plan-000001.json names p=1, whose batch record says publishing.
class WaveRecoveryTest : public RunRecoveryTest {
 protected:
  JournalPlan FirstWave() {
    JournalPlan first = Plan();
    first.partitions[0].path = "p=0";
    first.partitions[0].location = first.partitions[0].output_dir = (root_ / "t/p=0").string();
    first.partitions[0].inputs.clear();
    return first;
  }

  void Journal(const JournalPlan& first, const JournalPlan& second, const PartitionRecord& record) {
    ASSERT_OK(WriteWholeFile(RunDir().Child("plan.json"), RunJournal::ToJson(first)));
    PartitionRecord done;
    done.state = PartitionState::kDone;
    ASSERT_OK(WriteWholeFile(RunDir().Child(RunLayout::BatchRecordName(0, 1)),
                             RunJournal::BatchToJson({{"p=0", done}})));
    ASSERT_OK(WriteWholeFile(RunDir().Child(RunLayout::WavePlanName(1)),
                             RunJournal::ToJson(second)));
    ASSERT_OK(WriteWholeFile(RunDir().Child(RunLayout::BatchRecordName(1, 2)),
                             RunJournal::BatchToJson({{"p=1", record}})));
  }
};

TEST_F(WaveRecoveryTest, ALaterWaveIsRecoveredFromItsOwnPlanAndBatch) {
  const JournalPlan second = Plan();
  Journal(FirstWave(), second, Publishing(second));
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_TRUE(Says(report, "rolled forward; 2 original(s) deleted")) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_FALSE(fs::exists(Partition() / "a.parquet"));
  EXPECT_FALSE(fs::exists(Partition() / "b.parquet"));
  EXPECT_FALSE(fs::exists(RunDir().path));
}

TEST_F(WaveRecoveryTest, ARecordInAnotherWavesBatchIsNotFollowed) {
  // p=1's record put in wave 0's batch (copied, or forged): wave 1 reads only its own batches,
  // so p=1 has no record, and its staged output is swept with the staging.
  const JournalPlan second = Plan();
  const PartitionRecord publishing = Publishing(second);
  Journal(FirstWave(), second, publishing);
  ASSERT_OK(WriteWholeFile(RunDir().Child(RunLayout::BatchRecordName(1, 2)),
                           RunJournal::BatchToJson({})));
  PartitionRecord done;
  done.state = PartitionState::kDone;
  ASSERT_OK(WriteWholeFile(RunDir().Child(RunLayout::BatchRecordName(0, 1)),
                           RunJournal::BatchToJson({{"p=0", done}, {"p=1", publishing}})));
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_FALSE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_FALSE(fs::exists(publishing.outputs[0].staged));
}

TEST_F(WaveRecoveryTest, AWavePlanOfAnotherRunLeavesItsPartitionToAPerson) {
  // The second wave's plan is another run's (copied in): which partitions this run's second
  // wave covered, and what their originals were, cannot be taken from it. Its output is found
  // by name; with no original vouched for, files holding its rows may be the originals or
  // duplicates kept on purpose: nothing goes, the partition is blocked, the journal stays.
  JournalPlan second = Plan();
  const PartitionRecord record = Published(second, PartitionState::kPublishing);
  second.run_id = "20260101T000000Z-cccccc";
  Journal(FirstWave(), second, record);
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 1) << Lines(report);
  EXPECT_EQ(report.blocked.count("p=1"), 1u);
  EXPECT_TRUE(Says(report, "not this run's wave")) << Lines(report);
  EXPECT_TRUE(Says(report, "If that run finished")) << Lines(report);
  EXPECT_TRUE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
  EXPECT_TRUE(fs::exists(RunDir().path));
}

TEST_F(WaveRecoveryTest, APartitionInTwoWavesIsSettledByContent) {
  JournalPlan second = Plan();
  const PartitionRecord record = Published(second, PartitionState::kPublishing);
  JournalPlan first = Plan();  // p=1 in wave 0 too, with no record there
  Journal(first, second, record);
  RecoveryReport report = Recover();
  EXPECT_EQ(report.failures, 0) << Lines(report);
  EXPECT_TRUE(Says(report, "is in two of its waves")) << Lines(report);
  EXPECT_FALSE(fs::exists(Final()));
  EXPECT_TRUE(fs::exists(Partition() / "a.parquet"));
  EXPECT_TRUE(fs::exists(Partition() / "b.parquet"));
}

}  // namespace
}  // namespace s3c
