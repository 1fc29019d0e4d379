#include "commit/table_lease.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include "util/test_util.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

class TableLeaseTest : public ::testing::Test {
 protected:
  ConditionalObject Object() const {
    return ConditionalObject(Location{fs_, (dir_ / "lease.json").string()}, nullptr);
  }
  std::string Read() const {
    std::ifstream in(dir_ / "lease.json");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  testing::TempDir temp_;
  // Not created: the lease's folder does not exist before a table's first run.
  const std::filesystem::path dir_ = temp_ / "_s3_compaction";
  std::shared_ptr<arrow::fs::FileSystem> fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
};

TEST_F(TableLeaseTest, ConditionalObjectCreatesOnceAndReplacesOnlyTheVersionRead) {
  ConditionalObject object = Object();
  ASSERT_OK_AND_ASSIGN(auto first, object.CreateIfAbsent("one"));
  ASSERT_TRUE(first.has_value());
  ASSERT_OK_AND_ASSIGN(auto again, object.CreateIfAbsent("two"));
  EXPECT_FALSE(again.has_value());
  EXPECT_EQ(Read(), "one");
  ASSERT_OK_AND_ASSIGN(auto replaced, object.ReplaceIf("three", *first));
  ASSERT_TRUE(replaced.has_value());
  ASSERT_OK_AND_ASSIGN(auto stale, object.ReplaceIf("four", *first));  // an old tag
  EXPECT_FALSE(stale.has_value());
  EXPECT_EQ(Read(), "three");
  ASSERT_OK_AND_ASSIGN(auto version, object.Read());
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->tag, *replaced);
  ASSERT_OK(object.Delete());
  ASSERT_OK(object.Delete());  // gone already: fine
  ASSERT_OK_AND_ASSIGN(auto gone, object.Read());
  EXPECT_FALSE(gone.has_value());
  ASSERT_OK_AND_ASSIGN(auto vanished, object.ReplaceIf("five", *replaced));
  EXPECT_FALSE(vanished.has_value());
}

TEST_F(TableLeaseTest, ASecondRunIsRefusedWithTheHolderNamed) {
  ASSERT_OK_AND_ASSIGN(auto first, TableLease::Acquire(Object(), "run-A", std::chrono::seconds(60),
                                                       LeasePolicy{}));
  auto second = TableLease::Acquire(Object(), "run-B", std::chrono::seconds(60), LeasePolicy{});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("being compacted by run run-A"), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find("--force_unlock"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(bool held, first->Confirm());
  EXPECT_TRUE(held);
  ASSERT_OK(first->Release());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "lease.json"));
  ASSERT_OK_AND_ASSIGN(auto third, TableLease::Acquire(Object(), "run-C", std::chrono::seconds(60), LeasePolicy{}));
  ASSERT_OK(third->Release());
}

TEST_F(TableLeaseTest, ForceTakesTheLeaseAndTheLoserNoticesAndLeavesItAlone) {
  ASSERT_OK_AND_ASSIGN(auto first, TableLease::Acquire(Object(), "run-A", std::chrono::seconds(60), LeasePolicy{}));
  ASSERT_OK_AND_ASSIGN(auto second, TableLease::Acquire(Object(), "run-B", std::chrono::seconds(60),
                                                        LeasePolicy{.force_unlock = true}));
  ASSERT_OK_AND_ASSIGN(bool held, first->Confirm());
  EXPECT_FALSE(held);
  EXPECT_FALSE(first->held());
  ASSERT_OK(first->Release());  // must not delete run-B's lease
  EXPECT_NE(Read().find("run-B"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(bool still, second->Confirm());
  EXPECT_TRUE(still);
  ASSERT_OK(second->Release());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "lease.json"));
}

TEST_F(TableLeaseTest, ExpiredAndDeadHoldersAreTakenOver) {
  // Expired: a holder elsewhere whose time ran out.
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "lease.json")
      << R"({"run_id":"run-old","host":"another-host","pid":1,"acquired_unix":1,"expires_unix":2})";
  {
    ASSERT_OK_AND_ASSIGN(auto taker, TableLease::Acquire(Object(), "run-new", std::chrono::seconds(60), LeasePolicy{}));
    EXPECT_NE(Read().find("run-new"), std::string::npos);
    ASSERT_OK(taker->Release());
  }
  // Dead: a process of this machine that has exited, with a lease still long valid.
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  {
    ASSERT_OK_AND_ASSIGN(auto mine, TableLease::Acquire(Object(), "run-dead", std::chrono::seconds(600), LeasePolicy{}));
    std::string text = Read();
    const std::string pid = "\"pid\":" + std::to_string(::getpid());
    auto at = text.find(pid);
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, pid.size(), "\"pid\":" + std::to_string(child));
    ASSERT_OK(mine->Release());
    std::ofstream(dir_ / "lease.json") << text;
  }
  ASSERT_OK_AND_ASSIGN(auto taker, TableLease::Acquire(Object(), "run-next", std::chrono::seconds(60), LeasePolicy{}));
  EXPECT_NE(Read().find("run-next"), std::string::npos);
  ASSERT_OK(taker->Release());
}

TEST_F(TableLeaseTest, AHolderOnAnotherHostIsNeverPresumedDead) {
  std::filesystem::create_directories(dir_);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::ofstream(dir_ / "lease.json")
      << R"({"run_id":"run-far","host":"another-host","pid":1,"acquired_unix":)" << now
      << R"(,"expires_unix":)" << now + 600 << R"(,"machine":"x"})";
  auto refused = TableLease::Acquire(Object(), "run-here", std::chrono::seconds(60), LeasePolicy{});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("host another-host, pid 1"), std::string::npos);
}

TEST_F(TableLeaseTest, ALeaseNoRunCouldHaveWrittenIsTakenOver) {
  // Found by an adversarial review: a forged lease (pid -1, expiry in the year 219 million)
  // locked the table until --force_unlock.
  std::filesystem::create_directories(dir_);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  for (const std::string forged :
       {R"({"run_id":"r","host":"h","pid":-1,"acquired_unix":0,"expires_unix":)" +
            std::to_string(now + 600) + "}",
        std::string(R"({"run_id":"r","host":"h","pid":7,"acquired_unix":0,"expires_unix":9223372036854775807})")}) {
    std::ofstream(dir_ / "lease.json") << forged;
    auto holder = TableLease::Holder::FromJson(forged);
    EXPECT_FALSE(holder.ok()) << forged;
    ASSERT_OK_AND_ASSIGN(auto taker, TableLease::Acquire(Object(), "run-new", std::chrono::seconds(60), LeasePolicy{}));
    EXPECT_NE(Read().find("run-new"), std::string::npos);
    ASSERT_OK(taker->Release());
  }
}

}  // namespace
}  // namespace s3c
