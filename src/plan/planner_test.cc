#include "plan/planner.h"

#include <atomic>
#include <filesystem>

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include "util/test_util.h"
#include "util/testing/parquet_file.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_ / "p=1"); }

  void Write(const std::string& name, int64_t rows, bool with_extra_column = false) {
    arrow::Int64Builder ids;
    for (int64_t i = 0; i < rows; ++i) ASSERT_OK(ids.Append(i));
    std::shared_ptr<arrow::Array> id_array = ids.Finish().ValueOrDie();
    std::vector<std::shared_ptr<arrow::Field>> fields = {arrow::field("id", arrow::int64())};
    std::vector<std::shared_ptr<arrow::Array>> columns = {id_array};
    if (with_extra_column) {
      fields.push_back(arrow::field("extra", arrow::int64()));
      columns.push_back(id_array);
    }
    auto table = arrow::Table::Make(arrow::schema(fields), columns);
    ASSERT_OK(testing::WriteParquet(dir_ / "p=1" / name, *table));
  }

  PartitionListing Listing() {
    PartitionListing listing;
    Partition partition;
    partition.path = "p=1";
    partition.values = {"1"};
    partition.location = Location{fs_, (dir_ / "p=1").string()};
    listing.partitions.push_back(partition);
    return listing;
  }

  Table MakeTable() {
    Table table;
    table.name = dir_.string();
    table.location = Location{fs_, dir_.string()};
    table.keys = {PartitionKey{"p", KeyType::kUnknown}};
    return table;
  }

  testing::TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
  std::shared_ptr<arrow::fs::FileSystem> fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
};

TEST_F(PlannerTest, ReadsOneFooterOfSmallFilesWhenDeferring) {
  for (int i = 0; i < 5; ++i) Write("part-" + std::to_string(i) + ".parquet", 100 + i);
  std::atomic<int> seen{0};
  PlannerOptions options;
  options.packing.target_bytes = 1 << 20;
  options.defer_footers_up_to = 1 << 20;
  options.on_file_inspected = [&] { seen++; };
  ASSERT_OK_AND_ASSIGN(auto plan, Planner(options).Plan(MakeTable(), Listing()));
  ASSERT_EQ(plan.partitions.size(), 1u);
  const PartitionPlan& p = plan.partitions[0];
  EXPECT_EQ(p.action, PartitionAction::kCompact) << p.reason;
  ASSERT_EQ(p.files.size(), 5u);
  EXPECT_FALSE(p.files[0].footer_deferred);  // the sample
  EXPECT_EQ(p.files[0].rows, 100);
  for (size_t i = 1; i < 5; ++i) {
    EXPECT_TRUE(p.files[i].footer_deferred) << i;
    EXPECT_TRUE(p.files[i].SameShape(p.files[0])) << i;
    EXPECT_GT(p.files[i].rows, 0) << i;  // an estimate, scaled by size
  }
  EXPECT_EQ(seen.load(), 5);  // progress counts deferred files too
}

// inspect: decided from the listing alone, with no file opened (each file here is not Parquet
// at all, so a read would fail the partition).
TEST_F(PlannerTest, ListingOnlyDecidesFromNamesAndSizes) {
  auto put = [&](const std::string& name, size_t bytes) {
    std::FILE* f = std::fopen((dir_ / "p=1" / name).c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string junk(bytes, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  };
  for (int i = 0; i < 6; ++i) put("part-" + std::to_string(i) + ".parquet", 20000);
  put("large.parquet", 900000);
  put("notes.txt", 10);
  PlannerOptions options;
  options.packing.target_bytes = 1 << 20;
  options.listing_only = true;
  std::atomic<int> seen{0};
  options.on_file_inspected = [&] { seen++; };
  ASSERT_OK_AND_ASSIGN(auto plan, Planner(options).Plan(MakeTable(), Listing()));
  const PartitionPlan& p = plan.partitions[0];
  ASSERT_EQ(p.action, PartitionAction::kCompact) << p.reason;
  EXPECT_EQ(seen.load(), 0);
  EXPECT_EQ(p.files.size(), 7u);
  EXPECT_EQ(p.other_files.size(), 1u);
  EXPECT_EQ(p.kept.size(), 1u);  // the large file
  EXPECT_EQ(p.InputFiles(), 6);
  EXPECT_EQ(p.estimated_output_files, 1);

  // Fewer small files than --min_input_files: skipped with a run's reason.
  options.min_input_files = 7;
  ASSERT_OK_AND_ASSIGN(plan, Planner(options).Plan(MakeTable(), Listing()));
  EXPECT_EQ(plan.partitions[0].action, PartitionAction::kSkip);
  EXPECT_EQ(plan.partitions[0].reason, "6 small file(s), fewer than --min_input_files=7");

  // A zero-byte Parquet file fails the partition, as reading it would.
  options.min_input_files = 2;
  put("empty.parquet", 0);
  ASSERT_OK_AND_ASSIGN(plan, Planner(options).Plan(MakeTable(), Listing()));
  EXPECT_EQ(plan.partitions[0].action, PartitionAction::kFail);
  EXPECT_NE(plan.partitions[0].reason.find("empty.parquet"), std::string::npos);
}

TEST_F(PlannerTest, ReadsEveryFooterWithoutDeferring) {
  Write("a.parquet", 10);
  Write("b.parquet", 20, /*with_extra_column=*/true);
  PlannerOptions options;
  options.packing.target_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto plan, Planner(options).Plan(MakeTable(), Listing()));
  const PartitionPlan& p = plan.partitions[0];
  ASSERT_EQ(p.action, PartitionAction::kCompact) << p.reason;
  for (const auto& f : p.files) EXPECT_FALSE(f.footer_deferred);
  EXPECT_EQ(p.InputRows(), 30);
  EXPECT_EQ(p.output_schema->num_fields(), 2);  // the second file's column is seen
  EXPECT_FALSE(p.files[0].SameShape(p.files[1]));
}

TEST_F(PlannerTest, CopiedPartitionsGetExactFooters) {
  // To a target, a partition with too few small files is copied: its rows are reported exactly.
  Write("a.parquet", 10);
  Write("b.parquet", 20);
  Write("c.parquet", 30);
  std::filesystem::create_directories(dir_ / "target");
  PlannerOptions options;
  options.packing.target_bytes = 1 << 20;
  options.defer_footers_up_to = 1 << 20;
  options.min_input_files = 5;
  options.target_root = Location{fs_, (dir_ / "target").string()};
  ASSERT_OK_AND_ASSIGN(auto plan, Planner(options).Plan(MakeTable(), Listing()));
  const PartitionPlan& p = plan.partitions[0];
  ASSERT_EQ(p.action, PartitionAction::kCopy) << p.reason;
  int64_t rows = 0;
  for (const auto& f : p.files) {
    EXPECT_FALSE(f.footer_deferred);
    rows += f.rows;
  }
  EXPECT_EQ(rows, 60);
}

TEST_F(PlannerTest, PagesWhereTheInputsStoreColumnsAlike) {
  for (int i = 0; i < 3; ++i) Write("part-" + std::to_string(i) + ".parquet", 2000);
  PlannerOptions options;
  options.packing.target_bytes = 1 << 20;
  for (MergeMode mode : {MergeMode::kAuto, MergeMode::kPages, MergeMode::kRows}) {
    options.merge = mode;
    ASSERT_OK_AND_ASSIGN(auto plan, Planner(options).Plan(MakeTable(), Listing()));
    const PartitionPlan& p = plan.partitions[0];
    ASSERT_EQ(p.action, PartitionAction::kCompact) << p.reason;
    ASSERT_EQ(p.groups.size(), 1u);
    if (mode == MergeMode::kRows) {
      EXPECT_EQ(p.Method(), "rows");
      EXPECT_EQ(p.MethodReason(), "");  // asked for: nothing to explain
    } else {
      EXPECT_EQ(p.Method(), "pages") << p.groups[0].method_reason;
    }
  }
}

TEST_F(PlannerTest, RowsWhenTheInputsDifferWithTheReason) {
  Write("a.parquet", 2000);
  Write("b.parquet", 2000, /*with_extra_column=*/true);
  PlannerOptions options;
  options.packing.target_bytes = 1 << 20;
  options.merge = MergeMode::kPages;  // even when asked for: pages cannot hold both
  ASSERT_OK_AND_ASSIGN(auto plan, Planner(options).Plan(MakeTable(), Listing()));
  const PartitionPlan& p = plan.partitions[0];
  ASSERT_EQ(p.action, PartitionAction::kCompact) << p.reason;
  EXPECT_EQ(p.Method(), "rows");
  EXPECT_EQ(p.MethodReason(), "b.parquet stores its columns unlike a.parquet");
}

TEST_F(PlannerTest, AutoWritesRowsWhenInputPagesAreTiny) {
  for (int i = 0; i < 3; ++i) Write("part-" + std::to_string(i) + ".parquet", 5);
  PlannerOptions options;
  options.packing.target_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto plan, Planner(options).Plan(MakeTable(), Listing()));
  EXPECT_EQ(plan.partitions[0].Method(), "rows");
  EXPECT_NE(plan.partitions[0].MethodReason().find("would make pages too small"),
            std::string::npos);
  options.merge = MergeMode::kPages;  // asked for: tiny pages or not
  ASSERT_OK_AND_ASSIGN(plan, Planner(options).Plan(MakeTable(), Listing()));
  EXPECT_EQ(plan.partitions[0].Method(), "pages");
}

}  // namespace
}  // namespace s3c
