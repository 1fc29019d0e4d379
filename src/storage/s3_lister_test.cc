#include "storage/s3_lister.h"

#include <gtest/gtest.h>

#include "aws/aws_error.h"
#include "util/test_util.h"
#include "util/testing/aws_env.h"
#include "util/testing/fake_http_server.h"

namespace s3c {
namespace {

using testing::FakeHttpServer;

std::shared_ptr<aws::AwsContext> ContextFor(const FakeHttpServer& s3) {
  return aws::AwsContext::FromConfig(testing::ConfigFromVars({
      {"AWS_ENDPOINT_URL_S3", s3.url()},
      {"AWS_REGION", "eu-west-1"},
      {"AWS_ACCESS_KEY_ID", "K"},
      {"AWS_SECRET_ACCESS_KEY", "S"},
      {"AWS_EC2_METADATA_DISABLED", "true"},
  }));
}

std::string Contents(const std::string& key, int64_t size, const std::string& etag,
                     const std::string& modified = "2026-11-24T22:15:00.123Z") {
  return "<Contents><Key>" + key + "</Key><LastModified>" + modified + "</LastModified><ETag>" +
         etag + "</ETag><Size>" + std::to_string(size) +
         "</Size><StorageClass>STANDARD</StorageClass></Contents>";
}

std::string Page(const std::string& contents, const std::string& next_token,
                 const std::string& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult "
         "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name>"
         "<Prefix>tbl%2Fp%3D1%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
         "<Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>" +
         std::string(next_token.empty() ? "false" : "true") + "</IsTruncated>" + contents + extra +
         (next_token.empty() ? "" : "<NextContinuationToken>" + next_token +
                                        "</NextContinuationToken>") +
         "</ListBucketResult>";
}

TEST(S3Lister, QuerySortedAndEncodedForSigV4) {
  EXPECT_EQ(S3Lister::Query("tbl/p=1/", ""),
            "delimiter=%2F&encoding-type=url&list-type=2&prefix=tbl%2Fp%3D1%2F");
  EXPECT_EQ(S3Lister::Query("", "1/a+b=="),
            "continuation-token=1%2Fa%2Bb%3D%3D&delimiter=%2F&encoding-type=url&list-type=2&"
            "prefix=");
  EXPECT_EQ(S3Lister::Query("a b/é/", ""),
            "delimiter=%2F&encoding-type=url&list-type=2&prefix=a%20b%2F%C3%A9%2F");
}

TEST(S3Lister, TimesKeepTheirMilliseconds) {
  EXPECT_EQ(S3Lister::ParseTimeNs("2026-11-24T23:59:59.000Z"), 1795564799LL * 1000000000LL);
  EXPECT_EQ(S3Lister::ParseTimeNs("2026-11-24T23:59:59.123Z"),
            1795564799LL * 1000000000LL + 123000000LL);
  EXPECT_EQ(S3Lister::ParseTimeNs("2026-11-24T23:59:59Z"), 1795564799LL * 1000000000LL);
  EXPECT_FALSE(S3Lister::ParseTimeNs("yesterday").has_value());
}

TEST(S3Lister, PageKeepsOnlyObjectsDirectlyUnderThePrefix) {
  const std::string body =
      Page(Contents("tbl%2Fp%3D1%2F", 0, "&quot;d41d8cd98f00b204e9800998ecf8427e&quot;") +  // marker
               Contents("tbl%2Fp%3D1%2Fa+b%2Bc.parquet", 10, "&quot;e1&quot;") +
               Contents("tbl%2Fp%3D1%2Fsub%2Fdeep.parquet", 11, "&quot;e2&quot;") +  // no delimiter
               Contents("tbl%2Fp%3D1%2F%26%3C%E6%97%A5%3E%0D", 12, "&quot;e3-2&quot;"),
           "", "<CommonPrefixes><Prefix>tbl%2Fp%3D1%2Fsub%2F</Prefix></CommonPrefixes>");
  ASSERT_OK_AND_ASSIGN(auto page, S3Lister::ParsePage(body, "tbl/p=1/"));
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "tbl/p=1/a b+c.parquet");
  EXPECT_EQ(page.objects[0].size, 10);
  EXPECT_EQ(page.objects[0].etag, "\"e1\"");
  EXPECT_EQ(page.objects[0].last_modified_ns, 1795558500123000000LL);
  EXPECT_EQ(page.objects[1].key, "tbl/p=1/&<日>\r");
  EXPECT_EQ(page.objects[1].etag, "\"e3-2\"");
  EXPECT_TRUE(page.next_token.empty());
}

TEST(S3Lister, PageNotUrlEncodedIsTakenAsIs) {
  // A store that ignores encoding-type=url says so by leaving out <EncodingType>.
  const std::string body = "<ListBucketResult><IsTruncated>false</IsTruncated>" +
                           Contents("p/a+b%20c &amp; d", 1, "\"e\"") + "</ListBucketResult>";
  ASSERT_OK_AND_ASSIGN(auto page, S3Lister::ParsePage(body, "p/"));
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "p/a+b%20c & d");
  EXPECT_EQ(page.objects[0].etag, "\"e\"");
}

TEST(S3Lister, MalformedPagesAreErrors) {
  EXPECT_FALSE(S3Lister::ParsePage(Page("<Contents><Key>p%2Fa</Key></Contents>", ""), "p/").ok());
  EXPECT_FALSE(S3Lister::ParsePage(Page(Contents("p%2Fa", 1, "e", "soon"), ""), "p/").ok());
  auto truncated = S3Lister::ParsePage(
      "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", "p/");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("NextContinuationToken"), std::string::npos);
}

TEST(S3Lister, FollowsContinuationTokens) {
  FakeHttpServer s3([](const FakeHttpServer::Request& r) {
    if (r.target.find("continuation-token=") == std::string::npos) {
      return FakeHttpServer::Response{
          200, {}, Page(Contents("tbl%2Fp%3D1%2Fa.parquet", 1, "&quot;a&quot;"), "t/1+=")};
    }
    if (r.target.find("continuation-token=t%2F1%2B%3D&") != std::string::npos) {
      return FakeHttpServer::Response{
          200, {}, Page(Contents("tbl%2Fp%3D1%2Fb.parquet", 2, "&quot;b&quot;"), "t2")};
    }
    return FakeHttpServer::Response{
        200, {}, Page(Contents("tbl%2Fp%3D1%2Fc%20d.parquet", 3, "&quot;c&quot;"), "")};
  });
  auto counted = std::make_shared<StorageRequests>();
  S3Lister lister(ContextFor(s3), counted);
  ASSERT_OK_AND_ASSIGN(auto objects, lister.List("bucket/tbl/p=1"));
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(counted->Counts().list, 3);  // one per page
  EXPECT_EQ(counted->Counts().Total(), 3);
  EXPECT_EQ(objects[0].key, "tbl/p=1/a.parquet");
  EXPECT_EQ(objects[1].key, "tbl/p=1/b.parquet");
  EXPECT_EQ(objects[2].key, "tbl/p=1/c d.parquet");
  EXPECT_EQ(objects[2].size, 3);
  EXPECT_EQ(objects[2].etag, "\"c\"");

  auto requests = s3.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target,
            "/bucket?delimiter=%2F&encoding-type=url&list-type=2&prefix=tbl%2Fp%3D1%2F");
  EXPECT_EQ(requests[1].target,
            "/bucket?continuation-token=t%2F1%2B%3D&delimiter=%2F&encoding-type=url&list-type=2&"
            "prefix=tbl%2Fp%3D1%2F");
  EXPECT_NE(requests[2].target.find("continuation-token=t2&"), std::string::npos);
  for (const auto& r : requests) {
    EXPECT_NE(r.headers.at("authorization").find("/eu-west-1/s3/aws4_request"), std::string::npos);
  }
}

TEST(S3Lister, AWholeBucketAndATrailingSlash) {
  FakeHttpServer s3([](const FakeHttpServer::Request& r) {
    return FakeHttpServer::Response{
        200, {}, "<ListBucketResult><IsTruncated>false</IsTruncated>" +
                     Contents("top.parquet", 5, "\"t\"") + "</ListBucketResult>"};
  });
  S3Lister lister(ContextFor(s3));
  ASSERT_OK_AND_ASSIGN(auto objects, lister.List("bucket"));
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].key, "top.parquet");
  ASSERT_OK_AND_ASSIGN(auto again, lister.List("bucket/tbl/"));
  EXPECT_TRUE(again.empty());  // top.parquet is not under tbl/
  auto requests = s3.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].target.find("&prefix="), std::string::npos);
  EXPECT_EQ(requests[0].target.substr(requests[0].target.size() - 7), "prefix=");
  EXPECT_NE(requests[1].target.find("prefix=tbl%2F"), std::string::npos);
}

TEST(S3Lister, ErrorsNameTheOperationAndTheFolder) {
  FakeHttpServer s3([](const FakeHttpServer::Request& r) {
    if (r.target.find("prefix=bad") != std::string::npos) {
      return FakeHttpServer::Response{200, {}, "<ListBucketResult><IsTruncated>true</IsTruncated>"
                                               "</ListBucketResult>"};
    }
    return FakeHttpServer::Response{
        403, {{"Content-Type", "application/xml"}},
        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"};
  });
  S3Lister lister(ContextFor(s3));
  auto denied = lister.List("bucket/tbl/p=1");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().message().rfind("ListObjectsV2 s3://bucket/tbl/p=1/: ", 0), 0u)
      << denied.status().message();
  EXPECT_EQ(aws::AwsErrorCode(denied.status()), "AccessDenied");
  auto malformed = lister.List("bucket/bad");
  ASSERT_FALSE(malformed.ok());
  EXPECT_NE(malformed.status().message().find("ListObjectsV2 s3://bucket/bad/: malformed response"),
            std::string::npos)
      << malformed.status().message();
}

}  // namespace
}  // namespace s3c
