#include "storage/request_counting_file_system.h"

#include <fstream>
#include <set>
#include <string>

#include <arrow/buffer.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/future.h>
#include <gtest/gtest.h>

#include "storage/file_systems.h"
#include "util/test_util.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

// Local disk that calls itself "s3", so that the S3 mapping can be checked without a server.
class PretendS3 final : public ForwardingFileSystem {
 public:
  PretendS3() : base_(std::make_shared<arrow::fs::LocalFileSystem>()) {}
  std::string type_name() const override { return "s3"; }
  bool Equals(const arrow::fs::FileSystem& other) const override { return this == &other; }

 private:
  arrow::Status Call(Kind, std::string_view, const std::string&,
                     const std::function<arrow::Status(arrow::fs::FileSystem&)>& call)
      const override {
    return call(*base_);
  }
  std::shared_ptr<arrow::fs::FileSystem> base_;
};

std::string Describe(const RequestCounts& c) {
  return "list " + std::to_string(c.list) + ", head " + std::to_string(c.head) + ", get " +
         std::to_string(c.get) + ", put " + std::to_string(c.put) + ", copy " +
         std::to_string(c.copy) + ", delete " + std::to_string(c.del);
}

class RequestCountingFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "a.parquet") << "0123456789";
    std::ofstream(dir_.path() / "b.parquet") << "abc";
  }
  std::string P(const std::string& name) const { return (dir_.path() / name).string(); }
  // The requests of `op` alone.
  template <typename Op>
  RequestCounts Of(Op op) {
    const RequestCounts before = requests_->Counts();
    op();
    return requests_->Counts().Since(before);
  }

  testing::TempDir dir_;
  std::shared_ptr<StorageRequests> requests_ = std::make_shared<StorageRequests>();
};

#define EXPECT_COUNTS(actual, l, h, g, p, c, d) \
  EXPECT_EQ(Describe(actual), Describe(RequestCounts{l, h, g, p, c, d}))

TEST_F(RequestCountingFileSystemTest, LocalCallsCountAsOneOperationOfTheirKind) {
  RequestCountingFileSystem fs(std::make_shared<arrow::fs::LocalFileSystem>(), requests_);
  EXPECT_EQ(fs.type_name(), "local");
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.GetFileInfo(P("a.parquet")).status()); }), 0, 1, 0, 0, 0, 0);
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.GetFileInfo(P("missing")).status()); }), 0, 1, 0, 0, 0, 0);
  arrow::fs::FileSelector selector;
  selector.base_dir = dir_.path().string();
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.GetFileInfo(selector).status()); }), 1, 0, 0, 0, 0, 0);
  // Folders are not counted locally.
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.CreateDir(P("out/p=1"), true)); }), 0, 0, 0, 0, 0, 0);
  // An input opened from its listing costs nothing; each non-empty read is a GET.
  ASSERT_OK_AND_ASSIGN(auto info, fs.GetFileInfo(P("a.parquet")));
  EXPECT_COUNTS(Of([&] {
                  ASSERT_OK_AND_ASSIGN(auto in, fs.OpenInputFile(info));
                  ASSERT_OK(in->ReadAt(0, 4).status());
                  ASSERT_OK(in->ReadAt(4, 6).status());
                  ASSERT_OK(in->ReadAt(10, 5).status());  // at the end: nothing read
                  ASSERT_OK(in->ReadAsync(arrow::io::IOContext(), 0, 10).result().status());
                  ASSERT_OK(in->Close());
                }),
                0, 0, 3, 0, 0, 0);
  EXPECT_COUNTS(Of([&] {
                  ASSERT_OK_AND_ASSIGN(auto in, fs.OpenInputStream(P("b.parquet")));  // HEAD
                  ASSERT_OK(in->Read(3).status());
                  ASSERT_OK(in->Read(3).status());  // at the end
                }),
                0, 1, 1, 0, 0, 0);
  // A written file is one PUT, at Close (or when dropped unclosed).
  EXPECT_COUNTS(Of([&] {
                  ASSERT_OK_AND_ASSIGN(auto out, fs.OpenOutputStream(P("out/p=1/x")));
                  ASSERT_OK(out->Write("hello"));
                  ASSERT_OK(out->Close());
                  ASSERT_OK(out->Close());  // idempotent
                  ASSERT_OK_AND_ASSIGN(auto dropped, fs.OpenOutputStream(P("out/p=1/y")));
                  ASSERT_OK(dropped->Write("bye"));
                }),
                0, 0, 0, 2, 0, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "out/p=1/y"));
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.CopyFile(P("a.parquet"), P("c.parquet"))); }), 0, 0, 0, 0, 1, 0);
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.Move(P("c.parquet"), P("d.parquet"))); }), 0, 0, 0, 0, 1, 0);
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.DeleteFile(P("d.parquet"))); }), 0, 0, 0, 0, 0, 1);
  EXPECT_COUNTS(Of([&] { EXPECT_FALSE(fs.DeleteFile(P("d.parquet")).ok()); }), 0, 0, 0, 0, 0, 1);
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.DeleteDir(P("out"))); }), 0, 0, 0, 0, 0, 0);
}

TEST_F(RequestCountingFileSystemTest, ListingsArePagesOfAThousand) {
  arrow::fs::FileInfoVector entries;
  EXPECT_EQ(RequestCountingFileSystem::ListPages(entries, false), 1);
  for (int i = 0; i < 1000; ++i) entries.emplace_back("f" + std::to_string(i), arrow::fs::FileType::File);
  EXPECT_EQ(RequestCountingFileSystem::ListPages(entries, false), 1);
  entries.emplace_back("sub", arrow::fs::FileType::Directory);
  EXPECT_EQ(RequestCountingFileSystem::ListPages(entries, false), 2);  // a common prefix
  EXPECT_EQ(RequestCountingFileSystem::ListPages(entries, true), 1);   // an inferred folder
}

// A listing streamed through the wrappers: every entry once, a batch at a time, counted as the
// pages the batches hold, and an empty listing as the one request it is.
TEST_F(RequestCountingFileSystemTest, AStreamedListingCountsItsPages) {
  for (int i = 0; i < 2500; ++i) {
    std::ofstream(dir_.path() / ("f" + std::to_string(i) + ".parquet")) << "x";
  }
  auto fs = std::make_shared<RequestCountingFileSystem>(std::make_shared<PretendS3>(), requests_);
  const Location folder{fs, dir_.path().string()};
  std::set<std::string> seen;
  int batches = 0;
  const RequestCounts counted = Of([&] {
    ASSERT_OK(ListFolderInBatches(folder, /*recursive=*/false, 1,
                                  [&](std::vector<arrow::fs::FileInfo>&& batch) {
                                    ++batches;
                                    EXPECT_LE(batch.size(), 1000u);
                                    for (const auto& f : batch) EXPECT_TRUE(seen.insert(f.path()).second);
                                    return arrow::Status::OK();
                                  }));
  });
  EXPECT_EQ(seen.size(), 2502u);  // a.parquet and b.parquet too
  EXPECT_GE(batches, 3);
  EXPECT_EQ(counted.list, batches);
  const Location empty{fs, (dir_.path() / "none").string()};
  EXPECT_COUNTS(Of([&] {
    ASSERT_OK(ListFolderInBatches(empty, true, 4, [](std::vector<arrow::fs::FileInfo>&&) {
      ADD_FAILURE() << "no batch expected";
      return arrow::Status::OK();
    }));
  }), 1, 0, 0, 0, 0, 0);
  // A batch's consumer stops the listing with its error.
  EXPECT_TRUE(ListFolderInBatches(folder, false, 1, [](std::vector<arrow::fs::FileInfo>&&) {
                return arrow::Status::Invalid("stop");
              }).IsInvalid());
}

TEST_F(RequestCountingFileSystemTest, S3CallsCountWhatArrowSends) {
  RequestCountingFileSystem fs(std::make_shared<PretendS3>(), requests_);
  EXPECT_EQ(fs.type_name(), "s3");
  // HEAD; nothing there: Arrow lists to see whether it is a folder.
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.GetFileInfo(P("a.parquet")).status()); }), 0, 1, 0, 0, 0, 0);
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.GetFileInfo(P("missing")).status()); }), 1, 1, 0, 0, 0, 0);
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.GetFileInfo("").status()); }), 0, 0, 0, 0, 0, 0);
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.CopyFile(P("a.parquet"), P("c.parquet"))); }), 0, 0, 0, 0, 1, 0);
  // Move: a copy, a delete, and the marker Arrow puts back in the source's folder.
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.Move(P("c.parquet"), P("d.parquet"))); }), 0, 0, 0, 1, 1, 1);
  EXPECT_COUNTS(Of([&] { ASSERT_OK(fs.DeleteFile(P("d.parquet"))); }), 0, 1, 0, 1, 0, 1);

  const std::string part(10 << 20, 'x');
  // Below a part: one PutObject at Close.
  EXPECT_COUNTS(Of([&] {
                  ASSERT_OK_AND_ASSIGN(auto out, fs.OpenOutputStream(P("small")));
                  ASSERT_OK(out->Write(part.data(), 1000));
                  ASSERT_OK(out->Close());
                }),
                0, 0, 0, 1, 0, 0);
  // 25 MiB in 1 MiB writes: Create and two parts while writing, the last part and Complete.
  EXPECT_COUNTS(Of([&] {
                  const int64_t before = requests_->Counts().put;
                  ASSERT_OK_AND_ASSIGN(auto out, fs.OpenOutputStream(P("large")));
                  for (int i = 0; i < 25; ++i) ASSERT_OK(out->Write(part.data(), 1 << 20));
                  EXPECT_EQ(requests_->Counts().put - before, 3);
                  ASSERT_OK(out->Close());
                }),
                0, 0, 0, 5, 0, 0);
  // Exactly one part, in one write: Create, the part, Complete.
  EXPECT_COUNTS(Of([&] {
                  ASSERT_OK_AND_ASSIGN(auto out, fs.OpenOutputStream(P("one_part")));
                  ASSERT_OK(out->Write(arrow::Buffer::FromString(part)));
                  ASSERT_OK(out->Close());
                }),
                0, 0, 0, 3, 0, 0);
  // A started upload aborted: AbortMultipartUpload.
  EXPECT_COUNTS(Of([&] {
                  ASSERT_OK_AND_ASSIGN(auto out, fs.OpenOutputStream(P("aborted")));
                  ASSERT_OK(out->Write(part.data(), static_cast<int64_t>(part.size())));
                  ASSERT_OK(out->Abort());
                }),
                0, 0, 0, 2, 0, 1);
}

TEST_F(RequestCountingFileSystemTest, EqualsComparesTheWrappedFileSystems) {
  auto local = std::make_shared<arrow::fs::LocalFileSystem>();
  RequestCountingFileSystem a(local, requests_), b(local, requests_);
  EXPECT_TRUE(a.Equals(b));
  EXPECT_FALSE(a.Equals(*local));
}

}  // namespace
}  // namespace s3c
