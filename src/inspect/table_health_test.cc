#include "inspect/table_health.h"

#include <gtest/gtest.h>

namespace s3c {
namespace {

PartitionHealth Partition(std::string path, int64_t small, int64_t small_bytes,
                          std::string last_run = "", int64_t last_files = 0) {
  PartitionHealth p;
  p.partition = std::move(path);
  p.files = small + 1;
  p.small_files = small;
  p.small_bytes = small_bytes;
  p.last_run = std::move(last_run);
  p.last_run_files = last_files;
  p.action = small >= 2 ? "compact" : "skip";
  p.files_after = small >= 2 ? 2 : p.files;
  return p;
}

TEST(TableHealth, ScanRequestsAreAListPerThousandAndTwoGetsPerFile) {
  EXPECT_EQ(ScanRequests(0), 0);
  EXPECT_EQ(ScanRequests(1), 3);
  EXPECT_EQ(ScanRequests(1000), 2001);
  EXPECT_EQ(ScanRequests(1001), 2004);
}

TEST(TableHealth, WorstFirstAndTheNewestRun) {
  TableHealth health;
  health.partitions = {Partition("a", 3, 300, "20261130T010000Z-aaaaaa", 1),
                       Partition("b", 9, 100),
                       Partition("c", 3, 900, "20261201T020304Z-bbbbbb", 2),
                       Partition("d", 3, 900, "20261201T020304Z-bbbbbb", 1)};
  health.SortWorstFirst();
  std::vector<std::string> order;
  for (const auto& p : health.partitions) order.push_back(p.partition);
  EXPECT_EQ(order, (std::vector<std::string>{"b", "c", "d", "a"}));
  const nlohmann::json last = health.LastRun();
  EXPECT_EQ(last["run_id"], "20261201T020304Z-bbbbbb");
  EXPECT_EQ(last["started_at"], "2026-12-01T02:03:04Z");
  EXPECT_EQ(last["partitions"], 2);
  EXPECT_EQ(last["files"], 3);
  const nlohmann::json doc = health.ToJson();
  EXPECT_EQ(doc["kind"], "inspection");
  EXPECT_EQ(doc["totals"]["to_compact"], 4);
  EXPECT_EQ(doc["partitions"][0]["partition"], "b");
  EXPECT_TRUE(doc["partitions"][0]["last_run"].is_null());
}

TEST(TableHealth, TextKeepsEveryNameOnItsLine) {
  TableHealth health;
  health.table = "t";
  health.partitions = {Partition("d=a\nb\x1b[31m", 3, 10), Partition("d=\xff", 2, 10)};
  const std::string text = health.ToText();
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("d=a\\x0Ab\\x1B[31m"), std::string::npos) << text;
  EXPECT_NE(text.find("d=\\xFF"), std::string::npos) << text;
  EXPECT_EQ(TableHealth().LastRun(), nullptr);
  EXPECT_NE(TableHealth().ToText().find("no file here was written by s3-compaction"), std::string::npos);
}

}  // namespace
}  // namespace s3c
