#include "storage/file_systems.h"

#include <filesystem>
#include <fstream>

#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include "aws/xml.h"
#include "util/test_util.h"
#include "util/testing/aws_env.h"
#include "util/testing/fake_http_server.h"
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

TEST_F(FileSystemsTest, RemoveExactlySaysWhatBecameOfEachFile) {
  file_systems_.AllowDeletesUnder(At("table"));
  ASSERT_OK_AND_ASSIGN(auto listed, file_systems_.ListWithIdentities(At("table/p=1")));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].location.path, At("table/p=1/a.parquet").path);
  std::vector<ExpectedFile> expected;
  for (const auto& file : listed) expected.push_back({file.location, file.identity});
  expected.push_back({At("table/p=1/never.parquet"), listed[0].identity});
  std::ofstream(dir_ / "table/p=1/b.parquet", std::ios::trunc) << "changed";

  auto removals = file_systems_.RemoveExactly(expected);
  ASSERT_EQ(removals.size(), 3u);
  EXPECT_EQ(removals[0].location.path, At("table/p=1/a.parquet").path);
  EXPECT_EQ(removals[0].outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(removals[1].outcome, RemovalOutcome::kChanged);
  EXPECT_EQ(removals[2].outcome, RemovalOutcome::kGone);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "table/p=1/a.parquet"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "table/p=1/b.parquet"));
}

TEST_F(FileSystemsTest, TheFenceStillRefusesExactRemovalsAndMovesOutsideIt) {
  file_systems_.AllowDeletesUnder(At("table"));
  ASSERT_OK_AND_ASSIGN(auto inside, file_systems_.ListWithIdentities(At("table/p=1")));
  ASSERT_OK_AND_ASSIGN(auto outside, file_systems_.ListWithIdentities(At("elsewhere")));
  ASSERT_EQ(outside.size(), 1u);

  auto removals = file_systems_.RemoveExactly(
      {{inside[0].location, inside[0].identity}, {outside[0].location, outside[0].identity}});
  ASSERT_EQ(removals.size(), 2u);
  EXPECT_EQ(removals[0].outcome, RemovalOutcome::kFailed);
  EXPECT_NE(removals[0].status.message().find("not attempted"), std::string::npos);
  EXPECT_EQ(removals[1].outcome, RemovalOutcome::kFailed);
  EXPECT_NE(removals[1].status.message().find("refusing to delete"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "table/p=1/a.parquet"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "elsewhere/c.parquet"));

  // A move out of the fence, and a move into a place outside it, are refused alike.
  auto moves = file_systems_.MoveExactly(
      {{inside[0].location, inside[0].identity, At("table/_archive/a.parquet")},
       {inside[1].location, inside[1].identity, At("elsewhere/b.parquet")}});
  ASSERT_EQ(moves.size(), 2u);
  EXPECT_EQ(moves[0].outcome, RemovalOutcome::kFailed);
  EXPECT_EQ(moves[1].outcome, RemovalOutcome::kFailed);
  EXPECT_NE(moves[1].status.message().find("elsewhere/b.parquet"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "table/p=1/a.parquet"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "elsewhere/b.parquet"));

  moves = file_systems_.MoveExactly(
      {{inside[0].location, inside[0].identity, At("table/_archive/a.parquet")}});
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].outcome, RemovalOutcome::kRemoved);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "table/_archive/a.parquet"));
}

// A local filesystem that calls itself "s3", so that Locations on it take FileSystems' S3 paths
// (which reach S3 through our own client, here a fake server) without Arrow's S3 support.
class FakeS3FileSystem : public arrow::fs::LocalFileSystem {
 public:
  std::string type_name() const override { return "s3"; }
};

// A listing of bucket/tbl/p=1 with a.parquet (ETag "ea") and b.parquet (ETag `b_etag`).
std::string Listing(const std::string& b_etag) {
  return "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
         "<Contents><Key>tbl%2Fp%3D1%2Fa.parquet</Key><LastModified>2026-11-24T22:15:00.000Z"
         "</LastModified><ETag>&quot;ea&quot;</ETag><Size>3</Size></Contents>"
         "<Contents><Key>tbl%2Fp%3D1%2Fb.parquet</Key><LastModified>2026-11-24T22:15:00.000Z"
         "</LastModified><ETag>&quot;" + b_etag + "&quot;</ETag><Size>4</Size></Contents>"
         "</ListBucketResult>";
}

// A DeleteObjects answer: every object deleted for which `deleted(key, etag)` says so, the
// others PreconditionFailed.
template <typename Deleted>
testing::FakeHttpServer::Response DeleteResult(const std::string& body, Deleted deleted) {
  std::string result;
  for (auto object : xml::Elements(body, "Object")) {
    std::string key = xml::FirstText(object, "Key");
    result += deleted(key, xml::FirstText(object, "ETag"))
                  ? "<Deleted><Key>" + key + "</Key></Deleted>"
                  : "<Error><Key>" + key + "</Key><Code>PreconditionFailed</Code></Error>";
  }
  return testing::FakeHttpServer::Response{200, {}, "<DeleteResult>" + result + "</DeleteResult>"};
}

std::shared_ptr<aws::AwsContext> FakeS3Context(const testing::FakeHttpServer& s3) {
  return aws::AwsContext::FromConfig(testing::ConfigFromVars({
      {"AWS_ENDPOINT_URL_S3", s3.url()},
      {"AWS_REGION", "us-east-1"},
      {"AWS_ACCESS_KEY_ID", "K"},
      {"AWS_SECRET_ACCESS_KEY", "S"},
      {"AWS_EC2_METADATA_DISABLED", "true"},
  }));
}

TEST(FileSystemsS3, ListsWithETagsAndRemovesExactlyThroughDeleteObjects) {
  // As AWS: an object goes only if its ETag is the one sent (b.parquet has changed since its
  // listing; the probe's name does not exist).
  testing::FakeHttpServer s3([](const testing::FakeHttpServer::Request& r) {
    if (r.method == "GET") return testing::FakeHttpServer::Response{200, {}, Listing("eb")};
    return DeleteResult(r.body, [](const std::string& key, const std::string& etag) {
      return key.find("a.parquet") != std::string::npos && etag == "\"ea\"";
    });
  });
  auto context = FakeS3Context(s3);
  FileSystems file_systems(context);
  auto fs = std::make_shared<FakeS3FileSystem>();
  file_systems.AllowDeletesUnder(Location{fs, "bucket/tbl"});

  ASSERT_OK_AND_ASSIGN(auto listed, file_systems.ListWithIdentities(Location{fs, "bucket/tbl/p=1"}));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].location.uri(), "s3://bucket/tbl/p=1/a.parquet");
  EXPECT_EQ(listed[0].identity.etag, "\"ea\"");
  EXPECT_EQ(listed[0].identity.size, 3);
  EXPECT_EQ(listed[0].identity.mtime_ns, 1795558500LL * 1000000000LL);
  EXPECT_EQ(listed[0].identity.inode, 0u);

  std::vector<ExpectedFile> expected;
  for (const auto& file : listed) expected.push_back({file.location, file.identity});
  expected.push_back({Location{fs, "bucket/tbl/p=1/c.parquet"}, FileIdentity{5, 0, "", 0, 0}});
  auto removals = file_systems.RemoveExactly(expected);
  ASSERT_EQ(removals.size(), 3u);
  EXPECT_EQ(removals[0].outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(removals[1].location.uri(), "s3://bucket/tbl/p=1/b.parquet");
  EXPECT_EQ(removals[1].outcome, RemovalOutcome::kChanged);
  EXPECT_EQ(removals[2].outcome, RemovalOutcome::kFailed);  // no ETag: never sent unconditionally
  // The listing, the bucket's one probe, the delete.
  ASSERT_EQ(s3.requests().size(), 3u);
  EXPECT_NE(s3.requests()[1].body.find("_s3_compaction_probe"), std::string::npos);
  EXPECT_EQ(s3.requests()[2].body.find("c.parquet"), std::string::npos);

  // Outside the fence: nothing is sent at all.
  auto refused = file_systems.RemoveExactly({{Location{fs, "bucket/other/x"}, listed[0].identity}});
  EXPECT_EQ(refused[0].outcome, RemovalOutcome::kFailed);
  EXPECT_EQ(s3.requests().size(), 3u);
  // No conditional moves on S3.
  auto moved = file_systems.MoveExactly(
      {{listed[0].location, listed[0].identity, Location{fs, "bucket/tbl/archive/a.parquet"}}});
  EXPECT_EQ(moved[0].outcome, RemovalOutcome::kFailed);
  EXPECT_TRUE(moved[0].status.IsNotImplemented());
}

TEST(FileSystemsS3, AStoreThatIgnoresConditionsGetsEachFolderListedAgainRightBeforeItsDelete) {
  // Deletes whatever it is asked to, ETag or not; b.parquet is replaced between the two listings.
  int listings = 0;
  testing::FakeHttpServer s3([&listings](const testing::FakeHttpServer::Request& r) {
    if (r.method == "GET") {
      return testing::FakeHttpServer::Response{200, {}, Listing(++listings == 1 ? "eb" : "eb2")};
    }
    return DeleteResult(r.body, [](const std::string&, const std::string&) { return true; });
  });
  auto context = FakeS3Context(s3);
  FileSystems file_systems(context);
  auto fs = std::make_shared<FakeS3FileSystem>();
  file_systems.AllowDeletesUnder(Location{fs, "bucket/tbl"});

  ASSERT_OK_AND_ASSIGN(auto listed, file_systems.ListWithIdentities(Location{fs, "bucket/tbl/p=1"}));
  std::vector<ExpectedFile> expected;
  for (const auto& file : listed) expected.push_back({file.location, file.identity});
  expected.push_back({Location{fs, "bucket/tbl/p=1/gone.parquet"}, listed[0].identity});
  auto removals = file_systems.RemoveExactly(expected);
  ASSERT_EQ(removals.size(), 3u);
  EXPECT_EQ(removals[0].outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(removals[1].outcome, RemovalOutcome::kChanged);
  EXPECT_EQ(removals[2].outcome, RemovalOutcome::kGone);
  // The listing, the probe (answered "deleted"), the folder listed again, the delete of a alone.
  ASSERT_EQ(s3.requests().size(), 4u);
  EXPECT_EQ(s3.requests()[2].method, "GET");
  EXPECT_NE(s3.requests()[3].body.find("a.parquet"), std::string::npos);
  EXPECT_EQ(s3.requests()[3].body.find("b.parquet"), std::string::npos);
  EXPECT_EQ(s3.requests()[3].body.find("<ETag>"), std::string::npos);

  // The probe is made once per bucket.
  ASSERT_OK_AND_ASSIGN(auto now, file_systems.ListWithIdentities(Location{fs, "bucket/tbl/p=1"}));
  auto again = file_systems.RemoveExactly({{now[1].location, now[1].identity}});
  EXPECT_EQ(again[0].outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(s3.requests().size(), 7u);  // listed, listed again right before, deleted
}

}  // namespace
}  // namespace s3c
