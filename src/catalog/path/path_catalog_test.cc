#include "catalog/path/path_catalog.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include "util/test_util.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

class PathCatalogTest : public ::testing::Test {
 protected:
  void Touch(const std::string& rel) {
    auto path = root_ / rel;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << "x";
  }

  PathCatalog Catalog() { return PathCatalog(Location{fs_, root_.string()}); }

  std::vector<std::string> Paths(const PartitionListing& listing) {
    std::vector<std::string> out;
    for (const auto& p : listing.partitions) out.push_back(p.path);
    return out;
  }

  testing::TempDir temp_;
  const std::filesystem::path root_ = temp_.path();
  std::shared_ptr<arrow::fs::FileSystem> fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
};

TEST_F(PathCatalogTest, DiscoversPartitionsAtAnyDepthWithTheirFiles) {
  Touch("year=2023/month=05/a.parquet");
  Touch("year=2023/month=05/b.parquet");
  Touch("year=2023/month=06/a.parquet");
  Touch("year=2024/month=01/a.parquet");
  auto catalog = Catalog();
  ASSERT_OK_AND_ASSIGN(Table table, catalog.LoadTable());
  EXPECT_EQ(table.KeyNames(), (std::vector<std::string>{"year", "month"}));
  ASSERT_OK_AND_ASSIGN(auto listing, catalog.ListPartitions(table, PartitionPredicate::All()));
  EXPECT_EQ(Paths(listing), (std::vector<std::string>{"year=2023/month=05", "year=2023/month=06",
                                                      "year=2024/month=01"}));
  const Partition& first = listing.partitions[0];
  ASSERT_TRUE(first.files.has_value());
  EXPECT_EQ(first.files->size(), 2u);
  EXPECT_EQ(first.values, (std::vector<std::optional<std::string>>{"2023", "05"}));
  EXPECT_EQ(first.location.path, (root_ / "year=2023/month=05").string());
  EXPECT_TRUE(listing.notes.empty());
}

// Past the files it may keep, every partition comes with its count only (its wave lists it
// again); below, with its files, sorted.
TEST_F(PathCatalogTest, KeepsFilesOnlyUpToItsLimit) {
  for (const char* p : {"p=1", "p=2", "p=3"}) {
    for (const char* f : {"d.parquet", "a.parquet", "c.parquet", "b.parquet"}) {
      Touch(std::string(p) + "/" + f);
    }
  }
  for (int64_t keep : {100, 12, 5}) {
    auto catalog = Catalog();
    catalog.KeepListedFilesUpTo(keep);
    ASSERT_OK_AND_ASSIGN(Table table, catalog.LoadTable());
    ASSERT_OK_AND_ASSIGN(auto listing, catalog.ListPartitions(table, PartitionPredicate::All()));
    EXPECT_EQ(Paths(listing), (std::vector<std::string>{"p=1", "p=2", "p=3"}));
    for (const Partition& p : listing.partitions) {
      EXPECT_EQ(p.listed_files, 4) << keep;
      EXPECT_EQ(p.files.has_value(), keep >= 12) << keep;
      if (!p.files) continue;
      ASSERT_EQ(p.files->size(), 4u);
      EXPECT_TRUE(std::is_sorted(p.files->begin(), p.files->end(),
                                 [](const auto& a, const auto& b) { return a.path() < b.path(); }));
    }
  }
}

TEST_F(PathCatalogTest, DecodesEscapesAndTheDefaultPartition) {
  Touch("city=a%2Fb/x.parquet");
  Touch("city=__HIVE_DEFAULT_PARTITION__/x.parquet");
  auto catalog = Catalog();
  ASSERT_OK_AND_ASSIGN(Table table, catalog.LoadTable());
  ASSERT_OK_AND_ASSIGN(auto is_null, PartitionPredicate::Parse("city IS NULL"));
  ASSERT_OK_AND_ASSIGN(auto listing, catalog.ListPartitions(table, is_null));
  EXPECT_EQ(Paths(listing), (std::vector<std::string>{"city=__HIVE_DEFAULT_PARTITION__"}));
  ASSERT_OK_AND_ASSIGN(auto slash, PartitionPredicate::Parse("city = 'a/b'"));
  ASSERT_OK_AND_ASSIGN(listing, catalog.ListPartitions(table, slash));
  EXPECT_EQ(Paths(listing), (std::vector<std::string>{"city=a%2Fb"}));
}

TEST_F(PathCatalogTest, PrunesWithThePredicate) {
  Touch("year=2023/month=05/a.parquet");
  Touch("year=2023/month=06/a.parquet");
  Touch("year=2024/month=05/a.parquet");
  auto catalog = Catalog();
  ASSERT_OK_AND_ASSIGN(Table table, catalog.LoadTable());
  ASSERT_OK_AND_ASSIGN(auto p, PartitionPredicate::Parse("year = 2023 AND month = '05'"));
  ASSERT_OK_AND_ASSIGN(auto listing, catalog.ListPartitions(table, p));
  EXPECT_EQ(Paths(listing), (std::vector<std::string>{"year=2023/month=05"}));
  ASSERT_OK_AND_ASSIGN(auto months, PartitionPredicate::Parse("month = '05'"));
  ASSERT_OK_AND_ASSIGN(listing, catalog.ListPartitions(table, months));
  EXPECT_EQ(Paths(listing), (std::vector<std::string>{"year=2023/month=05", "year=2024/month=05"}));
}

TEST_F(PathCatalogTest, SkipsHiddenNamesAndNotesStrays) {
  Touch("p=1/a.parquet");
  Touch("p=1/_SUCCESS");
  Touch("p=1/.a.parquet.crc");
  Touch("_s3_compaction/staging/run/p=1/x.parquet");
  Touch("stray.parquet");
  Touch("backup/p=1/a.parquet");
  Touch("q=1/a.parquet");  // a key the table does not have
  Touch("p=2/nested/a.parquet");
  auto catalog = Catalog();
  ASSERT_OK_AND_ASSIGN(Table table, catalog.LoadTable());
  ASSERT_OK_AND_ASSIGN(auto listing, catalog.ListPartitions(table, PartitionPredicate::All()));
  EXPECT_EQ(Paths(listing), (std::vector<std::string>{"p=1"}));
  EXPECT_EQ(listing.partitions[0].files->size(), 1u);
  std::string notes;
  for (const auto& n : listing.notes) notes += n + "\n";
  EXPECT_NE(notes.find("outside partition folders"), std::string::npos) << notes;
  EXPECT_NE(notes.find("not key=value"), std::string::npos) << notes;
  EXPECT_NE(notes.find("key differs"), std::string::npos) << notes;
  EXPECT_NE(notes.find("subfolders of a partition"), std::string::npos) << notes;
}

TEST_F(PathCatalogTest, RefusesWhatItCannotCompactAndTakesAFlatFolderAsOnePartition) {
  auto missing = PathCatalog(Location{fs_, (root_ / "nope").string()}).LoadTable();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("table path not found"), std::string::npos);

  Touch("flat.parquet");
  auto flat = Catalog().LoadTable();
  ASSERT_OK(flat.status());  // no key=value folders: one partition, the table's folder
  EXPECT_TRUE(flat->keys.empty());
  ASSERT_OK_AND_ASSIGN(auto listing, Catalog().ListPartitions(*flat, PartitionPredicate::All()));
  ASSERT_EQ(listing.partitions.size(), 1u);
  EXPECT_EQ(listing.partitions[0].path, "");
  EXPECT_EQ(listing.partitions[0].location.path, root_.string());
  ASSERT_TRUE(listing.partitions[0].files.has_value());
  EXPECT_EQ(listing.partitions[0].files->size(), 1u);

  auto file = PathCatalog(Location{fs_, (root_ / "flat.parquet").string()}).LoadTable();
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("is a file, not a folder"), std::string::npos);
}

}  // namespace
}  // namespace s3c
