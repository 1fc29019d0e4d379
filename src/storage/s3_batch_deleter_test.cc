#include "storage/s3_batch_deleter.h"

#include <gtest/gtest.h>

#include "aws/xml.h"
#include "util/test_util.h"
#include "util/testing/fake_http_server.h"

namespace s3c {
namespace {

using testing::FakeHttpServer;

TEST(S3BatchDeleter, BodyUrlAndChecksum) {
  EXPECT_EQ(S3BatchDeleter::BuildBody({"a/b.parquet", "x&<y>"}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/"
            "2006-03-01/\"><Quiet>true</Quiet><Object><Key>a/b.parquet</Key></Object><Object><Key>"
            "x&amp;&lt;y&gt;</Key></Object></Delete>");
  EXPECT_EQ(S3BatchDeleter::ContentMd5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(S3BatchDeleter::DeleteUrl("http://127.0.0.1:9000", true, "b", "us-east-1"),
            "http://127.0.0.1:9000/b?delete=");
  EXPECT_EQ(S3BatchDeleter::DeleteUrl("https://s3.eu-west-1.amazonaws.com", false, "b", "eu-west-1"),
            "https://b.s3.eu-west-1.amazonaws.com/?delete=");
  EXPECT_EQ(S3BatchDeleter::DeleteUrl("https://s3.eu-west-1.amazonaws.com", false, "a.b", "eu-west-1"),
            "https://s3.eu-west-1.amazonaws.com/a.b?delete=");
}

TEST(S3BatchDeleter, BatchesAThousandAndReportsWhatFailed) {
  FakeHttpServer s3([](const FakeHttpServer::Request& r) {
    std::string errors;
    if (r.body.find("<Key>k0001</Key>") != std::string::npos) {
      errors += "<Error><Key>k0001</Key><Code>AccessDenied</Code><Message>no</Message></Error>";
      errors += "<Error><Key>k0002</Key><Code>NoSuchKey</Code><Message>gone</Message></Error>";
    }
    return FakeHttpServer::Response{200, {}, "<DeleteResult>" + errors + "</DeleteResult>"};
  });
  auto context = aws::AwsContext::FromConfig(aws::AwsConfig::FromEnv(
      [&](const std::string& name) -> std::optional<std::string> {
        if (name == "AWS_ENDPOINT_URL_S3") return s3.url();
        if (name == "AWS_REGION") return std::string("us-east-1");
        if (name == "AWS_ACCESS_KEY_ID") return std::string("K");
        if (name == "AWS_SECRET_ACCESS_KEY") return std::string("S");
        if (name == "AWS_EC2_METADATA_DISABLED") return std::string("true");
        return std::nullopt;
      }));
  S3BatchDeleter deleter(context);
  std::vector<std::string> paths;
  for (int i = 0; i < 2500; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%04d", i);
    paths.push_back(std::string("bucket/") + key);
  }
  auto failures = deleter.Delete(paths);
  ASSERT_EQ(failures.size(), 1u);  // NoSuchKey counts as deleted
  EXPECT_EQ(failures[0].first, "bucket/k0001");
  EXPECT_NE(failures[0].second.message().find("AccessDenied"), std::string::npos);
  auto requests = s3.requests();
  ASSERT_EQ(requests.size(), 3u);
  size_t objects = 0;
  for (const auto& r : requests) {
    EXPECT_EQ(r.target, "/bucket?delete=");
    EXPECT_EQ(r.headers.at("content-md5"), S3BatchDeleter::ContentMd5(r.body));
    EXPECT_NE(r.headers.at("authorization").find("/us-east-1/s3/aws4_request"), std::string::npos);
    objects += xml::Elements(r.body, "Object").size();
  }
  EXPECT_EQ(objects, 2500u);
}

TEST(Xml, ElementsTextAndEntities) {
  std::string doc = "<R><Error><Key>a&amp;b</Key></Error><ErrorX>no</ErrorX><Error><Key>&#x65E5;&#26412;</Key></Error><Empty/></R>";
  auto errors = xml::Elements(doc, "Error");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(xml::FirstText(errors[0], "Key"), "a&b");
  EXPECT_EQ(xml::FirstText(errors[1], "Key"), "日本");
  EXPECT_EQ(xml::Elements(doc, "Empty").size(), 1u);
  EXPECT_EQ(xml::FirstText(doc, "Missing"), "");
  EXPECT_EQ(xml::Escape("<a href='x'>&\"</a>"), "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(xml::Unescape(xml::Escape("<a & b>")), "<a & b>");
}

}  // namespace
}  // namespace s3c
