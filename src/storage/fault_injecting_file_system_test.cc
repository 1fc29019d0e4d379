#include "storage/fault_injecting_file_system.h"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <arrow/buffer.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/future.h>
#include <gtest/gtest.h>

#include "storage/file_systems.h"
#include "storage/storage_faults.h"
#include "util/test_util.h"
#include "util/testing/read_lines.h"

namespace s3c {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const fs::path& file) { return testing::ReadLines(file); }

// The op names of the log's lines, in order.
std::vector<std::string> Ops(const fs::path& file) {
  std::vector<std::string> ops;
  for (const auto& line : Lines(file)) {
    auto first = line.find('\t');
    ops.push_back(line.substr(first + 1, line.find('\t', first + 1) - first - 1));
  }
  return ops;
}

std::string Contents(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class FaultInjectingFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("s3c_fifs_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    std::ofstream(dir_ / "data/a.parquet") << "0123456789";
    std::ofstream(dir_ / "data/b.parquet") << "abc";
    log_ = dir_ / "ops.log";
    fs_ = std::make_shared<FaultInjectingFileSystem>(
        std::make_shared<arrow::fs::LocalFileSystem>());
    StorageFaults::ConfigureForTest(0, 0, log_.string());
  }
  void TearDown() override {
    StorageFaults::DisableForTest();
    fs::remove_all(dir_);
  }

  std::string P(const std::string& rel) const { return (dir_ / rel).string(); }

  arrow::Status WriteFile(const std::string& rel, const std::string& text) {
    ARROW_ASSIGN_OR_RAISE(auto out, fs_->OpenOutputStream(P(rel)));
    ARROW_RETURN_NOT_OK(out->Write(text));
    return out->Close();
  }

  // A known sequence: one operation per step.
  std::vector<std::pair<std::string, std::function<arrow::Status()>>> Steps() {
    return {
        {"CreateDir", [&] { return fs_->CreateDir(P("out/p=1")); }},
        {"GetFileInfo", [&] { return fs_->GetFileInfo(P("data/a.parquet")).status(); }},
        {"ListDir",
         [&] {
           arrow::fs::FileSelector selector;
           selector.base_dir = P("data");
           return fs_->GetFileInfo(selector).status();
         }},
        {"CopyFile", [&] { return fs_->CopyFile(P("data/a.parquet"), P("out/p=1/c.parquet")); }},
        {"Move", [&] { return fs_->Move(P("out/p=1/c.parquet"), P("out/p=1/d.parquet")); }},
        {"DeleteFile", [&] { return fs_->DeleteFile(P("data/b.parquet")); }},
        {"DeleteDirContents", [&] { return fs_->DeleteDirContents(P("out"), false); }},
        {"DeleteDir", [&] { return fs_->DeleteDir(P("out")); }},
    };
  }

  fs::path dir_, log_;
  std::shared_ptr<FaultInjectingFileSystem> fs_;
};

TEST_F(FaultInjectingFileSystemTest, KeepsTheWrappedTypeNameAndComparesTheWrappedOnes) {
  EXPECT_EQ(fs_->type_name(), "local");
  auto same = std::make_shared<FaultInjectingFileSystem>(
      std::make_shared<arrow::fs::LocalFileSystem>());
  EXPECT_TRUE(fs_->Equals(*same));
  EXPECT_FALSE(fs_->Equals(*fs_->base()));  // a wrapper is not the bare filesystem
}

TEST_F(FaultInjectingFileSystemTest, CountsAKnownSequenceExactly) {
  std::vector<std::string> expected;
  for (auto& [op, step] : Steps()) {
    ASSERT_OK(step());
    expected.push_back(op);
  }
  EXPECT_EQ(StorageFaults::count(), expected.size());
  EXPECT_EQ(Ops(log_), expected);
  EXPECT_EQ(Lines(log_)[3], "4\tCopyFile\t" + P("data/a.parquet") + " -> " + P("out/p=1/c.parquet"));
}

TEST_F(FaultInjectingFileSystemTest, TheNthFailsForEveryN) {
  const size_t m = Steps().size();
  for (size_t n = 1; n <= m; ++n) {
    SetUp();  // a fresh folder and count for each N
    StorageFaults::ConfigureForTest(n, 0, "");
    auto steps = Steps();
    for (size_t i = 0; i < n; ++i) {
      auto st = steps[i].second();
      if (i + 1 < n) {
        ASSERT_TRUE(st.ok()) << "N=" << n << ": " << st.ToString();
      } else {
        EXPECT_TRUE(st.IsIOError()) << "N=" << n << ": " << st.ToString();
        const std::string prefix = "injected fault: storage operation " + std::to_string(n) +
                                   " (" + steps[i].first + " ";
        EXPECT_EQ(st.message().substr(0, prefix.size()), prefix);
      }
    }
    TearDown();
  }
}

TEST_F(FaultInjectingFileSystemTest, AFailedOperationDoesNotHappenAndTheOthersDo) {
  StorageFaults::ConfigureForTest(/*fail_op=*/2, 0, "");
  ASSERT_OK(fs_->CopyFile(P("data/a.parquet"), P("data/c.parquet")));
  EXPECT_FALSE(fs_->DeleteFile(P("data/b.parquet")).ok());
  ASSERT_OK(fs_->Move(P("data/c.parquet"), P("data/d.parquet")));
  EXPECT_TRUE(fs::exists(dir_ / "data/b.parquet"));
  EXPECT_TRUE(fs::exists(dir_ / "data/d.parquet"));
  EXPECT_FALSE(fs::exists(dir_ / "data/c.parquet"));
  EXPECT_EQ(StorageFaults::count(), 3u);
}

TEST_F(FaultInjectingFileSystemTest, VectorOverloadsCountOnePerPath) {
  ASSERT_OK_AND_ASSIGN(auto infos, fs_->GetFileInfo(std::vector<std::string>{
                                       P("data/a.parquet"), P("data/b.parquet"), P("none")}));
  ASSERT_EQ(infos.size(), 3u);
  EXPECT_EQ(infos[2].type(), arrow::fs::FileType::NotFound);
  ASSERT_OK(fs_->DeleteFiles({P("data/a.parquet"), P("data/b.parquet")}));
  EXPECT_EQ(Ops(log_), (std::vector<std::string>{"GetFileInfo", "GetFileInfo", "GetFileInfo",
                                                 "DeleteFile", "DeleteFile"}));
}

TEST_F(FaultInjectingFileSystemTest, OutputStreamsCountTheirOpenAndClose) {
  ASSERT_OK_AND_ASSIGN(auto out, fs_->OpenOutputStream(P("data/new.parquet")));
  ASSERT_OK(out->Write(std::string_view("hello ")));
  ASSERT_OK(out->Write(arrow::Buffer::FromString("world")));
  ASSERT_OK(out->Flush());
  ASSERT_OK_AND_ASSIGN(int64_t position, out->Tell());
  EXPECT_EQ(position, 11);
  EXPECT_EQ(StorageFaults::count(), 1u);  // writes are not operations
  ASSERT_OK(out->Close());
  ASSERT_OK(out->Close());  // closing again touches nothing
  EXPECT_EQ(Ops(log_), (std::vector<std::string>{"OpenOutputStream", "Close"}));
  EXPECT_EQ(Contents(dir_ / "data/new.parquet"), "hello world");

  ASSERT_OK_AND_ASSIGN(auto append, fs_->OpenAppendStream(P("data/new.parquet")));
  ASSERT_OK(append->Write(std::string_view("!")));
  append.reset();  // closed by its destructor: still counted
  EXPECT_EQ(Ops(log_), (std::vector<std::string>{"OpenOutputStream", "Close", "OpenAppendStream",
                                                 "Close"}));
  EXPECT_EQ(Contents(dir_ / "data/new.parquet"), "hello world!");
}

TEST_F(FaultInjectingFileSystemTest, AFailedCloseReturnsTheErrorAndAbandonsTheStream) {
  StorageFaults::ConfigureForTest(/*fail_op=*/2, 0, log_.string());
  ASSERT_OK_AND_ASSIGN(auto out, fs_->OpenOutputStream(P("data/new.parquet")));
  ASSERT_OK(out->Write(std::string_view("x")));
  auto st = out->Close();
  EXPECT_TRUE(st.IsIOError());
  EXPECT_EQ(st.message(),
            "injected fault: storage operation 2 (Close " + P("data/new.parquet") + ")");
  EXPECT_TRUE(out->closed());
  out.reset();
  EXPECT_EQ(StorageFaults::count(), 2u);  // the destructor does not close it again
}

TEST_F(FaultInjectingFileSystemTest, InputReadsAreOperations) {
  ASSERT_OK_AND_ASSIGN(auto info, fs_->GetFileInfo(P("data/a.parquet")));
  ASSERT_OK_AND_ASSIGN(auto file, fs_->OpenInputFile(info));
  ASSERT_OK_AND_ASSIGN(int64_t size, file->GetSize());
  EXPECT_EQ(size, 10);
  ASSERT_OK_AND_ASSIGN(auto tail, file->ReadAt(6, 4));
  EXPECT_EQ(tail->ToString(), "6789");
  char buf[3];
  ASSERT_OK_AND_ASSIGN(int64_t n, file->ReadAt(0, 3, buf));
  EXPECT_EQ(std::string(buf, n), "012");
  ASSERT_OK(file->Seek(3));
  ASSERT_OK_AND_ASSIGN(auto next, file->Read(2));
  EXPECT_EQ(next->ToString(), "34");
  // The async reads the executor and the Parquet reader use fall back to ReadAt: counted too.
  ASSERT_OK_AND_ASSIGN(auto whole, file->ReadAsync(arrow::io::default_io_context(), 0, 10).result());
  EXPECT_EQ(whole->ToString(), "0123456789");
  auto many = file->ReadManyAsync({{0, 2}, {8, 2}});
  ASSERT_EQ(many.size(), 2u);
  for (auto& f : many) ASSERT_OK(f.status());
  ASSERT_OK(file->Close());

  ASSERT_OK_AND_ASSIGN(auto stream, fs_->OpenInputStream(P("data/b.parquet")));
  ASSERT_OK_AND_ASSIGN(auto first, stream->Read(2));
  EXPECT_EQ(first->ToString(), "ab");
  ASSERT_OK_AND_ASSIGN(auto rest, stream->Read(10));
  EXPECT_EQ(rest->ToString(), "c");
  ASSERT_OK(stream->Close());

  EXPECT_EQ(Ops(log_),
            (std::vector<std::string>{"GetFileInfo", "OpenInputFile", "ReadAt", "ReadAt", "Read",
                                      "ReadAt", "ReadAt", "ReadAt", "OpenInputStream", "Read",
                                      "Read"}));
  EXPECT_EQ(Lines(log_)[2], "3\tReadAt\t" + P("data/a.parquet") + " @6+4");
}

TEST_F(FaultInjectingFileSystemTest, AFailedReadReturnsTheError) {
  StorageFaults::ConfigureForTest(/*fail_op=*/3, 0, "");
  ASSERT_OK_AND_ASSIGN(auto file, fs_->OpenInputFile(P("data/a.parquet")));
  ASSERT_OK(file->ReadAt(0, 1).status());
  auto failed = file->ReadAsync(arrow::io::default_io_context(), 0, 10).result();
  EXPECT_TRUE(failed.status().IsIOError());
  EXPECT_NE(failed.status().message().find("storage operation 3 (ReadAt "), std::string::npos);
  ASSERT_OK(file->ReadAt(0, 1).status());
}

TEST_F(FaultInjectingFileSystemTest, CrashKillsRightAfterTheNthOperation) {
  EXPECT_EXIT(
      {
        StorageFaults::ConfigureForTest(0, /*crash_after_op=*/2, log_.string());
        auto st = fs_->GetFileInfo(P("data/a.parquet")).status();
        st &= fs_->CopyFile(P("data/a.parquet"), P("data/c.parquet"));
        st &= fs_->DeleteFile(P("data/a.parquet"));
        std::exit(st.ok() ? 0 : 1);
      },
      ::testing::KilledBySignal(SIGKILL), "");
  EXPECT_TRUE(fs::exists(dir_ / "data/c.parquet"));  // the 2nd happened
  EXPECT_TRUE(fs::exists(dir_ / "data/a.parquet"));  // the 3rd did not
  EXPECT_EQ(Ops(log_), (std::vector<std::string>{"GetFileInfo", "CopyFile"}));
}

TEST_F(FaultInjectingFileSystemTest, CrashAfterACloseLeavesTheWrittenFile) {
  EXPECT_EXIT(
      {
        StorageFaults::ConfigureForTest(0, /*crash_after_op=*/2, "");
        auto st = WriteFile("data/new.parquet", "payload");
        std::exit(st.ok() ? 0 : 1);
      },
      ::testing::KilledBySignal(SIGKILL), "");
  EXPECT_EQ(Contents(dir_ / "data/new.parquet"), "payload");
}

TEST_F(FaultInjectingFileSystemTest, NothingIsCountedWhenDisabled) {
  StorageFaults::DisableForTest();
  for (auto& [op, step] : Steps()) ASSERT_OK(step());
  ASSERT_OK(WriteFile("data/new.parquet", "x"));
  EXPECT_EQ(StorageFaults::count(), 0u);
  EXPECT_TRUE(Lines(log_).empty());
}

TEST_F(FaultInjectingFileSystemTest, FileSystemsWrapsItsFileSystemsOnlyWhenEnabled) {
  {
    FileSystems file_systems;  // enabled (SetUp)
    ASSERT_OK_AND_ASSIGN(Location location, file_systems.Resolve(P("data")));
    EXPECT_NE(dynamic_cast<FaultInjectingFileSystem*>(location.fs.get()), nullptr);
    EXPECT_FALSE(location.is_s3());
    ASSERT_OK(location.fs->GetFileInfo(location.path).status());
    EXPECT_EQ(StorageFaults::count(), 1u);
  }
  StorageFaults::DisableForTest();
  FileSystems file_systems;
  ASSERT_OK_AND_ASSIGN(Location location, file_systems.Resolve(P("data")));
  EXPECT_EQ(dynamic_cast<FaultInjectingFileSystem*>(location.fs.get()), nullptr);
}

}  // namespace
}  // namespace s3c
