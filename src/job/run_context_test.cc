#include "job/run_context.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "util/error_kind.h"
#include "util/test_util.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

namespace fs = std::filesystem;

class RunContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root_ / "t/p=1");
    table_.name = "t";
    table_.location = Resolve(root_ / "t");
    table_.keys = {PartitionKey{"p", KeyType::kUnknown}};
  }
  Location Resolve(const fs::path& p) { return file_systems_.Resolve(p.string()).ValueOrDie(); }
  arrow::Result<RunContext> Resolve(const CompactionOptions& options, bool catalog = false) {
    return ResolveRun(options, table_, catalog, file_systems_, "20260101T000000Z-aaaaaa", 2);
  }
  static bool Fenced(const RunContext& run, const Location& where) {
    for (const auto& f : run.fence) {
      if (f.Contains(where)) return true;
    }
    return false;
  }

  testing::TempDir temp_;
  const fs::path root_ = temp_.path();
  FileSystems file_systems_;
  Table table_;
};

TEST_F(RunContextTest, InPlaceArchivesAndFencesTheTableOnly) {
  ASSERT_OK_AND_ASSIGN(RunContext run, Resolve(CompactionOptions{}));
  EXPECT_FALSE(run.target_root);
  EXPECT_EQ(run.originals.action, OriginalsAction::kArchive);
  EXPECT_FALSE(run.repoint);
  EXPECT_EQ(run.parallelism, 2);
  EXPECT_EQ(run.io_threads, 2);  // local: as many as the groups
  EXPECT_TRUE(Fenced(run, table_.location.Child("p=1/x.parquet")));
  EXPECT_FALSE(Fenced(run, Resolve(root_ / "elsewhere/x.parquet")));
  EXPECT_EQ(run.layout.LeaseFile().path, (root_ / "t/_s3_compaction/lease.json").string());
  EXPECT_EQ(run.commit.in_place.action, OriginalsAction::kArchive);
}

TEST_F(RunContextTest, TheLeaseStaysAtTheTableWhateverTheJournalPath) {
  CompactionOptions options;
  options.journal_path = (root_ / "journals/t").string();
  ASSERT_OK_AND_ASSIGN(RunContext run, Resolve(options));
  EXPECT_EQ(run.layout.JournalRoot().path, (root_ / "journals/t").string());
  EXPECT_EQ(run.layout.LeaseFile().path, (root_ / "t/_s3_compaction/lease.json").string());
  EXPECT_TRUE(run.layout.JournalElsewhere());
  EXPECT_TRUE(Fenced(run, run.layout.RunsDir().Child("r/plan.json")));
}

TEST_F(RunContextTest, ATargetIsFencedAndKeepsTheOriginals) {
  CompactionOptions options;
  options.target_path = (root_ / "target").string();
  options.original_files = OriginalFiles::kDelete;
  options.delete_grace_minutes = 30;
  ASSERT_OK_AND_ASSIGN(RunContext run, Resolve(options, /*catalog=*/true));
  ASSERT_TRUE(run.target_root);
  EXPECT_TRUE(run.repoint);
  EXPECT_TRUE(run.commit.defer_originals);
  EXPECT_EQ(run.commit.elsewhere.action, OriginalsAction::kKeep);
  EXPECT_EQ(run.commit.elsewhere.delete_after_minutes, 30);
  // A partition already in its target folder is compacted where it is: archived, then deleted.
  EXPECT_EQ(run.commit.in_place.action, OriginalsAction::kArchive);
  EXPECT_EQ(run.originals.JournalName(), "delete");
  EXPECT_TRUE(Fenced(run, Resolve(root_ / "target/p=1/x.parquet")));
}

TEST_F(RunContextTest, TheTableItselfAsTargetIsInPlace) {
  CompactionOptions options;
  options.target_path = (root_ / "t").string();
  ASSERT_OK_AND_ASSIGN(RunContext run, Resolve(options));
  EXPECT_FALSE(run.target_root);
}

TEST_F(RunContextTest, ContradictionsAreUsageErrors) {
  auto usage = [&](CompactionOptions options, bool catalog, const std::string& says) {
    auto run = Resolve(options, catalog);
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(KindOf(run.status()), ErrorKind::kUsage) << run.status().ToString();
    EXPECT_NE(run.status().message().find(says), std::string::npos) << run.status().message();
  };
  CompactionOptions overlap;
  overlap.target_path = (root_ / "t/p=1").string();
  usage(overlap, false, "overlaps the table");
  CompactionOptions archive;
  archive.archive_path = (root_ / "t/old").string();
  usage(archive, false, "--archive_path");
  CompactionOptions journal;
  journal.journal_path = (root_ / "t/p=1/j").string();
  usage(journal, false, "--journal_path");
  CompactionOptions export_and_delete;
  export_and_delete.target_path = (root_ / "target").string();
  export_and_delete.update_catalog = false;
  export_and_delete.original_files = OriginalFiles::kDelete;
  usage(export_and_delete, true, "--update_catalog=false");
  CompactionOptions unknown_key;
  unknown_key.predicate = PartitionPredicate::Parse("q = '1'").ValueOrDie();
  usage(unknown_key, false, "q");
}

TEST_F(RunContextTest, AJournalUnderAHiddenFolderOfTheTableIsAllowed) {
  CompactionOptions options;
  options.journal_path = (root_ / "t/_journal").string();
  EXPECT_TRUE(Resolve(options).ok());
}

TEST_F(RunContextTest, AJournalInAnotherTablesToolFolderIsRefused) {
  // Its runs would take the journal for a copy of another table's, and remove it.
  for (const char* where : {"other/_s3_compaction", "other/_s3_compaction/journals"}) {
    CompactionOptions options;
    options.journal_path = (root_ / where).string();
    auto run = Resolve(options);
    ASSERT_FALSE(run.ok()) << where;
    EXPECT_EQ(KindOf(run.status()), ErrorKind::kUsage);
    EXPECT_NE(run.status().message().find("tool's own folder of the table at " +
                                          (root_ / "other").string()),
              std::string::npos)
        << run.status().message();
  }
  // The table's own is where its journal is anyway.
  CompactionOptions own;
  own.journal_path = (root_ / "t/_s3_compaction").string();
  EXPECT_TRUE(Resolve(own).ok());
}

TEST_F(RunContextTest, PathsAreCanonical) {
  fs::create_symlink(root_ / "t", root_ / "link");
  ASSERT_OK_AND_ASSIGN(Location via_link, file_systems_.Resolve((root_ / "link/./p=1/..").string()));
  EXPECT_EQ(via_link.path, table_.location.path);
  EXPECT_FALSE(file_systems_.Resolve("s3://bucket/a/../b").ok());
  EXPECT_FALSE(file_systems_.Resolve("s3://bucket/a//b").ok());
}

}  // namespace
}  // namespace s3c
