// The commit protocol under storage faults, in process: for every N, the Nth storage operation
// of a partition's commit (PartitionCommitter, PartitionPublisher) fails; then recovery
// (RunRecovery), itself failed at every N of its own operations and run again, must leave the
// partition with every row exactly once and nothing staged. Uses the same seam as the
// end-to-end sweep (StorageFaults, FaultInjectingFileSystem).

#include <filesystem>
#include <map>

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/file_reader.h>

#include "catalog/path/path_catalog.h"
#include "commit/partition_committer.h"
#include "commit/run_recovery.h"
#include "execute/group_compactor.h"
#include "plan/planner.h"
#include "storage/storage_faults.h"
#include "util/clock.h"
#include "util/test_util.h"
#include "util/testing/parquet_file.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kFiles = 3, kRowsPerFile = 10;

// The ids of every row in the partition's data files, counted.
std::map<int64_t, int> Ids(const fs::path& folder) {
  std::map<int64_t, int> ids;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name[0] == '_' || name[0] == '.') continue;
    auto file = arrow::io::ReadableFile::Open(entry.path().string()).ValueOrDie();
    std::unique_ptr<parquet::arrow::FileReader> reader =
        parquet::arrow::OpenFile(file, arrow::default_memory_pool()).ValueOrDie();
    std::shared_ptr<arrow::Table> table;
    EXPECT_OK(reader->ReadTable(&table));
    auto column = table->GetColumnByName("id");
    for (const auto& chunk : column->chunks()) {
      const auto& values = static_cast<const arrow::Int64Array&>(*chunk);
      for (int64_t i = 0; i < values.length(); ++i) ++ids[values.Value(i)];
    }
  }
  return ids;
}

std::map<int64_t, int> Expected() {
  std::map<int64_t, int> ids;
  for (int64_t i = 0; i < kFiles * kRowsPerFile; ++i) ids[i] = 1;
  return ids;
}

class CommitFaultsTest : public ::testing::TestWithParam<OriginalsAction> {
 protected:
  void TearDown() override { StorageFaults::DisableForTest(); }

  // A fresh table (one partition of kFiles small files), planned and written into staging;
  // the journal's plan written. Storage operations are counted from here (no fault yet).
  struct Case {
    std::unique_ptr<FileSystems> file_systems;
    Location table;
    RunLayout layout;
    PartitionPlan plan;
    PartitionWrite write;
    std::unique_ptr<RunJournal> journal;
  };

  Case Prepare(const fs::path& root) {
    Case c;
    for (int64_t f = 0; f < kFiles; ++f) {
      EXPECT_OK(testing::WriteParquet(root / "p=1" / ("f" + std::to_string(f) + ".parquet"),
                                      kRowsPerFile, f * kRowsPerFile));
    }
    StorageFaults::ConfigureForTest(0, 0, (root.parent_path() / "ops.log").string());
    c.file_systems = std::make_unique<FileSystems>();
    c.table = c.file_systems->Resolve(root.string()).ValueOrDie();
    c.file_systems->AllowDeletesUnder(c.table);
    PathCatalog catalog(c.table);
    Table table = catalog.LoadTable().ValueOrDie();
    auto listing = catalog.ListPartitions(table, PartitionPredicate::All()).ValueOrDie();
    PlannerOptions planner;
    planner.packing.target_bytes = 1 << 20;
    planner.io_threads = 1;
    CompactionPlan plan = Planner(planner).Plan(table, std::move(listing)).ValueOrDie();
    EXPECT_EQ(plan.partitions.size(), 1u);
    c.plan = plan.partitions[0];
    EXPECT_EQ(c.plan.action, PartitionAction::kCompact) << c.plan.reason;
    c.layout = RunLayout("20260101T000000Z-aaaaaa", c.table, c.table, std::nullopt);
    ExecuteOptions execute;
    execute.size.target_bytes = 1 << 20;
    auto written = GroupCompactor(c.plan, 0, c.layout, execute, nullptr).Run().ValueOrDie();
    c.write.outputs = written.files;
    c.write.rows_read = written.rows_read;
    JournalPlan journal;
    journal.run_id = c.layout.run_id();
    journal.table = journal.table_location = c.table.uri();
    journal.staging_root = c.layout.StagingRoot().uri();
    journal.archive_root = c.layout.ArchiveRoot().uri();
    journal.policy = GetParam() == OriginalsAction::kDelete ? "delete" : "archive";
    JournalPartition partition{"p=1", c.plan.partition.location.uri(), c.plan.output_dir.uri(), {}};
    for (const auto& f : c.plan.files) {
      partition.inputs.push_back({Location{c.table.fs, f.info.path()}.uri(), f.info.size(),
                                  MtimeNs(f.info)});
    }
    journal.partitions.push_back(partition);
    c.journal = RunJournal::Begin(*c.file_systems, c.layout, journal).ValueOrDie();
    return c;
  }

  CommitResult Commit(Case& c) {
    PartitionPublisher publisher(c.layout, *c.file_systems, GetParam(), 1);
    CommitSettings settings;
    settings.in_place = {GetParam(), 0};
    PartitionCommitter committer(publisher, *c.file_systems, *c.journal, nullptr, settings);
    return committer.Commit(c.plan, c.write);
  }

  // Recovery by a later run, failed at `fail` (0: never), then once more without faults.
  void Recover(Case& c, uint64_t fail, const std::string& log) {
    const RunLayout later("20260102T000000Z-bbbbbb", c.table, c.table, std::nullopt);
    StorageFaults::ConfigureForTest(fail, 0, log);
    auto first = RunRecovery(*c.file_systems, later, 1).RecoverAll();
    StorageFaults::ConfigureForTest(0, 0, log);
    auto again = RunRecovery(*c.file_systems, later, 1).RecoverAll();
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    std::string said;
    for (const auto* report : {&first, &again}) {
      said += report->ok() ? "" : (*report).status().ToString() + "\n";
      if (report->ok()) for (const auto& line : (*report)->lines) said += line + "\n";
    }
    last_said_ = said;
    EXPECT_EQ(again->failures, 0) << said;
  }

  // Every row once, and no file of the crashed run's staging or journal left (an empty folder
  // may stay: the next run's sweep of abandoned run folders takes it).
  void ExpectWhole(const fs::path& root, const std::string& what) {
    EXPECT_EQ(Ids(root / "p=1"), Expected()) << what << "\n" << last_said_;
    std::string left;
    for (const char* folder : {"_s3_compaction/staging", "_s3_compaction/runs"}) {
      if (!fs::exists(root / folder)) continue;
      for (const auto& e : fs::recursive_directory_iterator(root / folder)) {
        if (e.is_regular_file()) left += e.path().string() + "\n";
      }
    }
    EXPECT_EQ(left, "") << what << "\n" << last_said_;
  }

  testing::TempDir temp_;
  std::string last_said_;
};

TEST_P(CommitFaultsTest, EveryOperationOfACommitFailedInTurn) {
  // The reference: how many storage operations a commit makes.
  const fs::path reference = temp_.path() / "reference" / "t";
  Case ref = Prepare(reference);
  StorageFaults::ConfigureForTest(0, 0, (temp_.path() / "reference" / "ops.log").string());
  ASSERT_EQ(Commit(ref).status, PartitionStatus::kCompacted);
  const uint64_t m = StorageFaults::count();
  ASSERT_GT(m, 5u);
  for (uint64_t n = 1; n <= m; ++n) {
    const fs::path root = temp_.path() / ("n" + std::to_string(n)) / "t";
    const std::string log = (root.parent_path() / "ops.log").string();
    Case c = Prepare(root);
    StorageFaults::ConfigureForTest(n, 0, log);
    CommitResult result = Commit(c);
    StorageFaults::ConfigureForTest(0, 0, log);
    if (result.status == PartitionStatus::kCompacted && !result.journal_pending) {
      // Done despite the fault (a cleanup, retried): the partition is whole already.
      EXPECT_EQ(Ids(root / "p=1"), Expected()) << "commit, fault at " << n;
    }
    Recover(c, 0, log);
    ExpectWhole(root, "commit with a fault at operation " + std::to_string(n));
  }
}

TEST_P(CommitFaultsTest, EveryOperationOfARecoveryFailedInTurn) {
  // A run killed right after publishing: outputs placed, the record says "publishing". A
  // recovery fails at every N of its own operations; the next one must leave the partition
  // whole.
  auto crashed_after_publish = [&](const fs::path& root) {
    Case c = Prepare(root);
    PartitionRecord record;
    record.state = PartitionState::kPublishing;
    for (const auto& out : c.write.outputs) {
      const Location final = c.plan.output_dir.Child(BaseName(out.location.path));
      record.outputs.push_back({out.location.uri(), "", final.uri(), out.bytes, out.rows});
      EXPECT_OK(out.location.fs->Move(out.location.path, final.path));
    }
    EXPECT_OK(c.journal->Record("p=1", record));
    return c;
  };
  const fs::path reference = temp_.path() / "reference" / "t";
  Case ref = crashed_after_publish(reference);
  const std::string ref_log = (reference.parent_path() / "ops.log").string();
  StorageFaults::ConfigureForTest(0, 0, ref_log);
  const RunLayout later("20260102T000000Z-bbbbbb", ref.table, ref.table, std::nullopt);
  ASSERT_OK(RunRecovery(*ref.file_systems, later, 1).RecoverAll().status());
  const uint64_t m = StorageFaults::count();
  ASSERT_GT(m, 5u);
  ExpectWhole(reference, "reference recovery");
  for (uint64_t n = 1; n <= m; ++n) {
    const fs::path root = temp_.path() / ("r" + std::to_string(n)) / "t";
    Case c = crashed_after_publish(root);
    Recover(c, n, (root.parent_path() / "ops.log").string());
    ExpectWhole(root, "recovery with a fault at operation " + std::to_string(n));
  }
}

INSTANTIATE_TEST_SUITE_P(Policies, CommitFaultsTest,
                         ::testing::Values(OriginalsAction::kDelete, OriginalsAction::kArchive),
                         [](const auto& info) {
                           return info.param == OriginalsAction::kDelete ? std::string("Delete")
                                                                         : std::string("Archive");
                         });

}  // namespace
}  // namespace s3c
