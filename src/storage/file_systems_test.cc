#include "storage/file_systems.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "util/test_util.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

class FileSystemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "table" / "p=1");
    std::filesystem::create_directories(dir_ / "elsewhere");
    for (const char* f : {"table/p=1/a.parquet", "table/p=1/b.parquet", "elsewhere/c.parquet"}) {
      std::ofstream(dir_ / f) << "x";
    }
  }

  Location At(const std::string& rel) {
    return file_systems_.Resolve((dir_ / rel).string()).ValueOrDie();
  }

  testing::TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
  FileSystems file_systems_;
};

TEST_F(FileSystemsTest, TheFenceRefusesEveryDeleteOutsideItsFolders) {
  file_systems_.AllowDeletesUnder(At("table"));
  auto failed = file_systems_.DeleteFiles({At("table/p=1/a.parquet"), At("elsewhere/c.parquet")});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].second.message().find("refusing to delete"), std::string::npos);
  EXPECT_NE(failed[0].second.message().find("elsewhere/c.parquet"), std::string::npos);
  // A batch with anything outside deletes nothing at all.
  EXPECT_TRUE(std::filesystem::exists(dir_ / "table/p=1/a.parquet"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "elsewhere/c.parquet"));

  EXPECT_TRUE(file_systems_.DeleteFiles({At("table/p=1/a.parquet")}).empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "table/p=1/a.parquet"));
  EXPECT_FALSE(file_systems_.DeleteFolder(At("elsewhere")).ok());
  EXPECT_FALSE(file_systems_.DeleteFolder(At("table")).ok());  // the fenced folder itself
  EXPECT_TRUE(std::filesystem::exists(dir_ / "elsewhere/c.parquet"));
  ASSERT_OK(file_systems_.DeleteFolder(At("table/p=1")));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "table/p=1"));
}

TEST_F(FileSystemsTest, EmptyToolFoldersGoUpToTheirRootAndNoFurther) {
  std::filesystem::create_directories(dir_ / "table/_s3_compaction/staging/run-1/p=1");
  FileSystems::RemoveEmptyFolders(At("table/_s3_compaction/staging/run-1/p=1"), "_s3_compaction");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "table/_s3_compaction"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "table"));
  // Not below a folder of that name: nothing is touched.
  std::filesystem::create_directories(dir_ / "mine/_s3_compaction_x/empty");
  FileSystems::RemoveEmptyFolders(At("mine/_s3_compaction_x/empty"), "_s3_compaction");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "mine/_s3_compaction_x/empty"));
  // A folder that is not empty stops the climb.
  std::filesystem::create_directories(dir_ / "table/_s3_compaction/runs/r");
  std::ofstream(dir_ / "table/_s3_compaction/lease.json") << "{}";
  FileSystems::RemoveEmptyFolders(At("table/_s3_compaction/runs/r"), "_s3_compaction");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "table/_s3_compaction/runs"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "table/_s3_compaction/lease.json"));
}

}  // namespace
}  // namespace s3c
