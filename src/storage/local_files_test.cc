#include "storage/local_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

class LocalFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("s3c_local_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "p");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Location At(const std::string& rel) const { return Location{fs_, (dir_ / rel).string()}; }
  void Write(const std::string& rel, const std::string& content) const {
    std::ofstream(dir_ / rel, std::ios::trunc) << content;
  }
  std::string Read(const std::string& rel) const {
    std::ifstream in(dir_ / rel);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  FileIdentity Identity(const std::string& rel) const {
    auto stat = LstatLocal(At(rel).path);
    EXPECT_TRUE(stat.ok() && stat->has_value()) << rel;
    return stat.ok() && stat->has_value() ? (*stat)->identity : FileIdentity{};
  }
  // Gives `rel` exactly the modification time `like` has.
  void SameTimeAs(const std::string& rel, const FileIdentity& like) const {
    timespec times[2];
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = like.mtime_ns / 1000000000;
    times[1].tv_nsec = like.mtime_ns % 1000000000;
    ASSERT_EQ(::utimensat(AT_FDCWD, At(rel).path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  }

  std::filesystem::path dir_;
  std::shared_ptr<arrow::fs::FileSystem> fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
};

TEST(FileIdentity, SameFileComparesWhatEachStoreCanVouchFor) {
  FileIdentity s3{10, 1000, "\"abc\"", 0, 0};
  FileIdentity s3_unquoted{10, 2000, "abc", 0, 0};  // another time: not compared on S3
  EXPECT_TRUE(SameFile(s3, s3));
  EXPECT_TRUE(SameFile(s3, s3_unquoted));
  EXPECT_FALSE(SameFile(s3, FileIdentity{11, 1000, "\"abc\"", 0, 0}));
  EXPECT_FALSE(SameFile(s3, FileIdentity{10, 1000, "\"abd\"", 0, 0}));

  FileIdentity local{10, 1000, "", 7, 42};
  EXPECT_TRUE(SameFile(local, local));
  EXPECT_FALSE(SameFile(local, FileIdentity{10, 1000, "", 7, 43}));  // a new inode
  EXPECT_FALSE(SameFile(local, FileIdentity{10, 1000, "", 8, 42}));
  EXPECT_FALSE(SameFile(local, FileIdentity{10, 1001, "", 7, 42}));  // rewritten in place
  EXPECT_FALSE(SameFile(local, FileIdentity{11, 1000, "", 7, 42}));

  EXPECT_FALSE(SameFile(s3, local));
  EXPECT_FALSE(SameFile(local, s3));
  EXPECT_FALSE(SameFile(FileIdentity{}, FileIdentity{}));
  EXPECT_FALSE(SameFile(FileIdentity{10, 1000, "", 0, 0}, FileIdentity{10, 1000, "", 0, 0}));
  EXPECT_EQ(UnquotedETag("\"a-2\""), "a-2");
  EXPECT_EQ(UnquotedETag("a"), "a");
  EXPECT_EQ(ToString(RemovalOutcome::kGone), "gone");
}

TEST_F(LocalFilesTest, ListsFilesAndLinksDirectlyInTheFolderWithIdentities) {
  Write("p/b.parquet", "bb");
  Write("p/.hidden", "h");
  std::filesystem::create_directories(dir_ / "p/sub");
  Write("p/sub/deep.parquet", "d");
  std::filesystem::create_symlink(dir_ / "p/b.parquet", dir_ / "p/a-link.parquet");
  ASSERT_OK_AND_ASSIGN(auto files, ListLocalFolder(At("p")));
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].location.path, At("p/.hidden").path);
  EXPECT_EQ(files[1].location.path, At("p/a-link.parquet").path);
  EXPECT_TRUE(files[1].symlink);
  EXPECT_EQ(files[2].location.path, At("p/b.parquet").path);
  EXPECT_FALSE(files[2].symlink);
  EXPECT_EQ(files[2].identity.size, 2);
  EXPECT_NE(files[2].identity.inode, 0u);
  EXPECT_NE(files[1].identity.inode, files[2].identity.inode);  // the link's own, not its target's
  EXPECT_TRUE(SameFile(files[2].identity, Identity("p/b.parquet")));

  ASSERT_OK_AND_ASSIGN(auto none, ListLocalFolder(At("missing")));
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(ListLocalFolder(At("p/b.parquet")).ok());  // not a folder
}

TEST_F(LocalFilesTest, RemovesOnlyTheVersionIdentified) {
  Write("p/a.parquet", "aaaa");
  const FileIdentity a = Identity("p/a.parquet");
  auto removed = RemoveLocalIfSame({At("p/a.parquet"), a});
  EXPECT_EQ(removed.outcome, RemovalOutcome::kRemoved);
  EXPECT_TRUE(removed.status.ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "p/a.parquet"));

  // Already gone: not a success.
  auto again = RemoveLocalIfSame({At("p/a.parquet"), a});
  EXPECT_EQ(again.outcome, RemovalOutcome::kGone);
  EXPECT_EQ(RemoveLocalIfSame({At("nowhere/x/a.parquet"), a}).outcome, RemovalOutcome::kGone);
}

TEST_F(LocalFilesTest, AReplacementWithTheSameSizeAndTimeIsAnotherFile) {
  Write("p/a.parquet", "aaaa");
  const FileIdentity a = Identity("p/a.parquet");
  // Another writer renames a new file over it: same size, same mtime, new inode.
  Write("p/.a.tmp", "AAAA");
  SameTimeAs("p/.a.tmp", a);
  std::filesystem::rename(dir_ / "p/.a.tmp", dir_ / "p/a.parquet");
  const FileIdentity now = Identity("p/a.parquet");
  ASSERT_EQ(now.size, a.size);
  ASSERT_EQ(now.mtime_ns, a.mtime_ns);
  ASSERT_NE(now.inode, a.inode);

  auto changed = RemoveLocalIfSame({At("p/a.parquet"), a});
  EXPECT_EQ(changed.outcome, RemovalOutcome::kChanged);
  EXPECT_EQ(Read("p/a.parquet"), "AAAA");
  auto moved = MoveLocalIfSame({At("p/a.parquet"), a, At("archive/p/a.parquet")});
  EXPECT_EQ(moved.outcome, RemovalOutcome::kChanged);
  EXPECT_EQ(Read("p/a.parquet"), "AAAA");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "archive/p/a.parquet"));
}

TEST_F(LocalFilesTest, AFileRewrittenInPlaceIsChanged) {
  Write("p/a.parquet", "aaaa");
  const FileIdentity a = Identity("p/a.parquet");
  Write("p/a.parquet", "bbbbb");  // same inode, new size and time
  EXPECT_EQ(RemoveLocalIfSame({At("p/a.parquet"), a}).outcome, RemovalOutcome::kChanged);
  EXPECT_EQ(Read("p/a.parquet"), "bbbbb");
  // A folder where the file was is another thing too, and is never removed.
  std::filesystem::remove(dir_ / "p/a.parquet");
  std::filesystem::create_directories(dir_ / "p/a.parquet");
  EXPECT_EQ(RemoveLocalIfSame({At("p/a.parquet"), a}).outcome, RemovalOutcome::kChanged);
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "p/a.parquet"));
}

TEST_F(LocalFilesTest, ASymbolicLinkGoesItselfNeverItsTarget) {
  Write("target.parquet", "t");
  std::filesystem::create_symlink(dir_ / "target.parquet", dir_ / "p/link.parquet");
  const FileIdentity link = Identity("p/link.parquet");
  // The target's identity does not stand for the link.
  EXPECT_EQ(RemoveLocalIfSame({At("p/link.parquet"), Identity("target.parquet")}).outcome,
            RemovalOutcome::kChanged);
  EXPECT_EQ(RemoveLocalIfSame({At("p/link.parquet"), link}).outcome, RemovalOutcome::kRemoved);
  EXPECT_FALSE(std::filesystem::is_symlink(dir_ / "p/link.parquet"));
  EXPECT_EQ(Read("target.parquet"), "t");
}

TEST_F(LocalFilesTest, MovesOnlyTheVersionIdentifiedAndNeverOverAnotherFile) {
  Write("p/a.parquet", "aaaa");
  Write("p/b.parquet", "bbbb");
  const FileIdentity a = Identity("p/a.parquet");
  const FileIdentity b = Identity("p/b.parquet");

  auto moved = MoveLocalIfSame({At("p/a.parquet"), a, At("archive/run/p/a.parquet")});
  EXPECT_EQ(moved.outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(moved.location.path, At("p/a.parquet").path);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "p/a.parquet"));
  EXPECT_EQ(Read("archive/run/p/a.parquet"), "aaaa");
  // The same identity is kept by the rename: the archived file is that very version.
  EXPECT_TRUE(SameFile(a, Identity("archive/run/p/a.parquet")));

  EXPECT_EQ(MoveLocalIfSame({At("p/a.parquet"), a, At("archive/run/p/a2.parquet")}).outcome,
            RemovalOutcome::kGone);

  // The destination exists: not replaced, the source stays.
  auto refused = MoveLocalIfSame({At("p/b.parquet"), b, At("archive/run/p/a.parquet")});
  EXPECT_EQ(refused.outcome, RemovalOutcome::kFailed);
  EXPECT_NE(refused.status.message().find("destination exists"), std::string::npos);
  EXPECT_EQ(Read("p/b.parquet"), "bbbb");
  EXPECT_EQ(Read("archive/run/p/a.parquet"), "aaaa");
}

TEST_F(LocalFilesTest, AcrossDevicesTheMoveCopiesThenRemovesExactly) {
  const std::filesystem::path other = "/dev/shm";
  struct stat here, there;
  if (::stat(dir_.c_str(), &here) != 0 || ::stat(other.c_str(), &there) != 0 ||
      here.st_dev == there.st_dev) {
    GTEST_SKIP() << "no second filesystem at " << other;
  }
  const std::filesystem::path archive = other / ("s3c_archive_" + std::to_string(::getpid()));
  std::filesystem::remove_all(archive);
  Write("p/a.parquet", "aaaa");
  const FileIdentity a = Identity("p/a.parquet");
  auto moved =
      MoveLocalIfSame({At("p/a.parquet"), a, Location{fs_, (archive / "a.parquet").string()}});
  EXPECT_EQ(moved.outcome, RemovalOutcome::kRemoved) << moved.status.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "p/a.parquet"));
  EXPECT_TRUE(std::filesystem::exists(archive / "a.parquet"));
  // Nothing there to move: gone, and no copy is left behind.
  auto gone =
      MoveLocalIfSame({At("p/a.parquet"), a, Location{fs_, (archive / "b.parquet").string()}});
  EXPECT_EQ(gone.outcome, RemovalOutcome::kGone);
  EXPECT_FALSE(std::filesystem::exists(archive / "b.parquet"));
  std::filesystem::remove_all(archive);
}

}  // namespace
}  // namespace s3c
