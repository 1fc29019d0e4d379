#include "storage/storage_faults.h"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/conditional_object.h"
#include "storage/file_systems.h"
#include "util/test_util.h"
#include "util/testing/read_lines.h"

namespace s3c {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const fs::path& file) { return testing::ReadLines(file); }

class StorageFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("s3c_faults_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    log_ = (dir_ / "ops.log").string();
  }
  void TearDown() override {
    StorageFaults::DisableForTest();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::string log_;
};

TEST_F(StorageFaultsTest, NothingIsCountedWhenDisabled) {
  StorageFaults::DisableForTest();
  EXPECT_FALSE(StorageFaults::enabled());
  int calls = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_OK(StorageFaults::Run("Op", "obj", [&] {
      ++calls;
      return arrow::Status::OK();
    }));
  }
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(StorageFaults::count(), 0u);
  ASSERT_OK_AND_ASSIGN(uint64_t n, StorageFaults::Begin("Op", "obj"));
  EXPECT_EQ(n, 0u);
  StorageFaults::End(n);
}

TEST_F(StorageFaultsTest, TheNthFailsWithoutRunningAndTheOthersSucceed) {
  StorageFaults::ConfigureForTest(/*fail_op=*/3, 0, "");
  EXPECT_TRUE(StorageFaults::enabled());
  std::vector<int> ran;
  for (int i = 1; i <= 5; ++i) {
    auto st = StorageFaults::Run("DeleteFile", "/t/p=" + std::to_string(i), [&] {
      ran.push_back(i);
      return arrow::Status::OK();
    });
    if (i == 3) {
      EXPECT_TRUE(st.IsIOError());
      EXPECT_EQ(st.message(), "injected fault: storage operation 3 (DeleteFile /t/p=3)");
    } else {
      EXPECT_OK(st);
    }
  }
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 4, 5}));
  EXPECT_EQ(StorageFaults::count(), 5u);
}

TEST_F(StorageFaultsTest, RunReturnsTheFunctionsResultType) {
  StorageFaults::ConfigureForTest(/*fail_op=*/2, 0, "");
  arrow::Result<int> first = StorageFaults::Run("Get", "a", [] { return arrow::Result<int>(7); });
  arrow::Result<int> second = StorageFaults::Run("Get", "b", [] { return arrow::Result<int>(8); });
  ASSERT_OK_AND_ASSIGN(int value, first);
  EXPECT_EQ(value, 7);
  EXPECT_TRUE(second.status().IsIOError());
  EXPECT_EQ(second.status().message(), "injected fault: storage operation 2 (Get b)");
}

TEST_F(StorageFaultsTest, TheLogHasOneLinePerOperationWrittenWhenItStarts) {
  StorageFaults::ConfigureForTest(0, 0, log_);
  ASSERT_OK(StorageFaults::Run("CreateDir", "/t", [&] {
    // Already logged while it runs: a crash during the operation still leaves its line.
    EXPECT_EQ(Lines(log_), (std::vector<std::string>{"1\tCreateDir\t/t"}));
    return arrow::Status::OK();
  }));
  ASSERT_OK(StorageFaults::Run("Move", "/t/a\tb\n -> /t/c", [] { return arrow::Status::OK(); }));
  EXPECT_EQ(Lines(log_),
            (std::vector<std::string>{"1\tCreateDir\t/t", "2\tMove\t/t/a b  -> /t/c"}));
}

TEST_F(StorageFaultsTest, ReconfiguringRestartsTheCount) {
  StorageFaults::ConfigureForTest(0, 0, log_);
  ASSERT_OK(StorageFaults::Run("Op", "a", [] { return arrow::Status::OK(); }));
  StorageFaults::ConfigureForTest(/*fail_op=*/1, 0, "");
  EXPECT_EQ(StorageFaults::count(), 0u);
  EXPECT_FALSE(StorageFaults::Run("Op", "b", [] { return arrow::Status::OK(); }).ok());
  EXPECT_EQ(Lines(log_).size(), 1u);  // the new configuration logs nothing
}

TEST_F(StorageFaultsTest, CrashKillsWithSigkillRightAfterTheNthCompleted) {
  const fs::path effect = dir_ / "effect", after = dir_ / "after";
  EXPECT_EXIT(
      {
        StorageFaults::ConfigureForTest(0, /*crash_after_op=*/2, log_);
        auto st = StorageFaults::Run("One", "x", [] { return arrow::Status::OK(); });
        st &= StorageFaults::Run("Two", "y", [&] {
          std::ofstream(effect) << "done";  // the Nth's effect is on storage before the kill
          return arrow::Status::OK();
        });
        std::ofstream(after) << "ran on";  // never reached
        std::exit(st.ok() ? 0 : 1);
      },
      ::testing::KilledBySignal(SIGKILL), "");
  EXPECT_TRUE(fs::exists(effect));
  EXPECT_FALSE(fs::exists(after));
  EXPECT_EQ(Lines(log_), (std::vector<std::string>{"1\tOne\tx", "2\tTwo\ty"}));
}

TEST_F(StorageFaultsTest, CrashComesAfterTheNthEvenWhenItFailed) {
  EXPECT_EXIT(
      {
        StorageFaults::ConfigureForTest(0, /*crash_after_op=*/1, "");
        auto st = StorageFaults::Run("One", "x", [] { return arrow::Status::IOError("real"); });
        std::exit(st.ok() ? 0 : 1);
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

// Our own storage calls outside Arrow's filesystems go through the same count: here the
// local-disk ConditionalObject (the lease), one operation per call.
TEST_F(StorageFaultsTest, ConditionalObjectCallsAreOperations) {
  FileSystems file_systems;
  ASSERT_OK_AND_ASSIGN(Location lease, file_systems.Resolve((dir_ / "j/lease.json").string()));
  ConditionalObject object(lease, nullptr);
  StorageFaults::ConfigureForTest(0, 0, log_);
  ASSERT_OK_AND_ASSIGN(auto created, object.CreateIfAbsent("one"));
  ASSERT_TRUE(created.has_value());
  ASSERT_OK_AND_ASSIGN(auto read, object.Read());
  ASSERT_TRUE(read.has_value());
  ASSERT_OK_AND_ASSIGN(auto replaced, object.ReplaceIf("two", read->tag));
  ASSERT_TRUE(replaced.has_value());
  ASSERT_OK(object.Delete());
  const std::string uri = lease.uri();
  EXPECT_EQ(Lines(log_), (std::vector<std::string>{"1\tConditionalCreate\t" + uri,
                                                   "2\tConditionalRead\t" + uri,
                                                   "3\tConditionalReplace\t" + uri,
                                                   "4\tConditionalDelete\t" + uri}));

  StorageFaults::ConfigureForTest(/*fail_op=*/1, 0, "");
  auto failed = object.CreateIfAbsent("three");
  EXPECT_TRUE(failed.status().IsIOError()) << failed.status().ToString();
  EXPECT_FALSE(fs::exists(lease.path));  // the failed operation did not happen
}

}  // namespace
}  // namespace s3c
