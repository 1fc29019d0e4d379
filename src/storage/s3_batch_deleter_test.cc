#include "storage/s3_batch_deleter.h"

#include <gtest/gtest.h>

#include "aws/aws_error.h"
#include "aws/xml.h"
#include "util/test_util.h"
#include "util/testing/fake_http_server.h"

namespace s3c {
namespace {

using testing::FakeHttpServer;

std::shared_ptr<aws::AwsContext> ContextFor(const FakeHttpServer& s3) {
  return aws::AwsContext::FromConfig(aws::AwsConfig::FromEnv(
      [&](const std::string& name) -> std::optional<std::string> {
        if (name == "AWS_ENDPOINT_URL_S3") return s3.url();
        if (name == "AWS_REGION") return std::string("us-east-1");
        if (name == "AWS_ACCESS_KEY_ID") return std::string("K");
        if (name == "AWS_SECRET_ACCESS_KEY") return std::string("S");
        if (name == "AWS_EC2_METADATA_DISABLED") return std::string("true");
        if (name == "HOME") return std::string("/nonexistent");
        return std::nullopt;
      }));
}

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
  auto context = ContextFor(s3);
  auto counted = std::make_shared<StorageRequests>();
  S3BatchDeleter deleter(context, counted);
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
  EXPECT_EQ(counted->Counts().del, 3);  // a request is one delete, whatever its keys
  EXPECT_EQ(counted->Counts().Total(), 3);
}


TEST(S3BatchDeleter, ConditionalBodyCarriesEachObjectsETagQuoted) {
  EXPECT_EQ(S3BatchDeleter::BuildConditionalBody(
                {{"b/p=1/a.parquet", "\"9b2c\""}, {"b/x&<y>\r", "abc-2"}}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/"
            "2006-03-01/\"><Quiet>false</Quiet><Object><Key>p=1/a.parquet</Key><ETag>&quot;9b2c&quot;"
            "</ETag></Object><Object><Key>x&amp;&lt;y&gt;&#13;</Key><ETag>&quot;abc-2&quot;</ETag>"
            "</Object></Delete>");
}

TEST(S3BatchDeleter, ReadsEachKeysOutcome) {
  const std::string response =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult xmlns=\"http://s3.amazonaws.com/doc/"
      "2006-03-01/\"><Deleted><Key>a&amp;b</Key></Deleted>"
      "<Deleted><Key>v</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>x"
      "</DeleteMarkerVersionId></Deleted>"
      "<Error><Key>changed</Key><Code>PreconditionFailed</Code><Message>At least one of the "
      "pre-conditions you specified did not hold</Message></Error>"
      "<Error><Key>gone</Key><Code>NoSuchKey</Code><Message>The specified key does not exist."
      "</Message></Error>"
      "<Error><Key>denied</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
      "</DeleteResult>";
  auto outcomes = S3BatchDeleter::ReadOutcomes(
      "bucket", {"gone", "a&b", "changed", "denied", "unmentioned", "v"}, response);
  ASSERT_EQ(outcomes.size(), 6u);
  EXPECT_EQ(outcomes[0].path, "bucket/gone");
  EXPECT_EQ(outcomes[0].outcome, RemovalOutcome::kGone);
  EXPECT_EQ(outcomes[1].path, "bucket/a&b");
  EXPECT_EQ(outcomes[1].outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(outcomes[2].outcome, RemovalOutcome::kChanged);
  EXPECT_TRUE(outcomes[2].status.ok());
  EXPECT_EQ(outcomes[3].outcome, RemovalOutcome::kFailed);
  EXPECT_EQ(aws::AwsErrorCode(outcomes[3].status), "AccessDenied");
  EXPECT_NE(outcomes[3].status.message().find("DeleteObjects s3://bucket/denied"), std::string::npos);
  EXPECT_EQ(outcomes[4].outcome, RemovalOutcome::kFailed);  // never counted removed by default
  EXPECT_NE(outcomes[4].status.message().find("neither deleted nor failed"), std::string::npos);
  EXPECT_EQ(outcomes[5].outcome, RemovalOutcome::kRemoved);
}

TEST(S3BatchDeleter, DeletesExactlyInBatchesAndKeepsTheCallersOrder) {
  // Answers as S3 does: an object whose ETag differs from the one asked for is left and reported
  // PreconditionFailed, a missing one NoSuchKey; here decided by the key's name.
  FakeHttpServer s3([](const FakeHttpServer::Request& r) {
    std::string result;
    for (std::string_view object : xml::Elements(r.body, "Object")) {
      const std::string key = xml::FirstText(object, "Key");
      const std::string etag = xml::FirstText(object, "ETag");
      if (etag.empty() || etag.front() != '"') return FakeHttpServer::Response{400, {}, "no etag"};
      std::string code = key.find("changed") != std::string::npos ? "PreconditionFailed"
                         : key.find("gone") != std::string::npos  ? "NoSuchKey"
                         : key.find("denied") != std::string::npos ? "AccessDenied"
                                                                   : "";
      result += code.empty() ? "<Deleted><Key>" + xml::Escape(key) + "</Key></Deleted>"
                             : "<Error><Key>" + xml::Escape(key) + "</Key><Code>" + code +
                                   "</Code><Message>m</Message></Error>";
    }
    return FakeHttpServer::Response{200, {}, "<DeleteResult>" + result + "</DeleteResult>"};
  });
  S3BatchDeleter deleter(ContextFor(s3));
  std::vector<S3BatchDeleter::ExpectedObject> objects;
  for (int i = 0; i < 2500; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "k%04d", i);
    objects.push_back({std::string("bucket/") + key, "\"e\""});
  }
  objects[3].path = "bucket/p=1/changed & <odd>.parquet";
  objects[1500].path = "bucket/gone.parquet";
  objects[2400].path = "bucket/denied.parquet";
  objects.push_back({"other/x.parquet", "e"});        // another bucket; unquoted ETag
  objects.push_back({"bucket/no-etag.parquet", ""});  // never sent
  objects.push_back({"bucket/k0000", "\"f\""});       // the same path, another ETag
  objects.push_back({"bucket/k0001", "e"});           // the same path and ETag, unquoted
  objects.push_back({"bucket", "\"e\""});             // no key

  auto removals = deleter.DeleteExactly(objects);
  ASSERT_EQ(removals.size(), objects.size());
  for (size_t i = 0; i < objects.size(); ++i) EXPECT_EQ(removals[i].path, objects[i].path);
  EXPECT_EQ(removals[0].outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(removals[3].outcome, RemovalOutcome::kChanged);
  EXPECT_EQ(removals[1500].outcome, RemovalOutcome::kGone);
  EXPECT_EQ(removals[2400].outcome, RemovalOutcome::kFailed);
  EXPECT_EQ(aws::AwsErrorCode(removals[2400].status), "AccessDenied");
  EXPECT_EQ(removals[2500].outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(removals[2501].outcome, RemovalOutcome::kFailed);
  EXPECT_NE(removals[2501].status.message().find("no ETag"), std::string::npos);
  EXPECT_EQ(removals[2502].outcome, RemovalOutcome::kFailed);
  EXPECT_NE(removals[2502].status.message().find("different ETags"), std::string::npos);
  EXPECT_EQ(removals[2503].outcome, RemovalOutcome::kRemoved);
  EXPECT_EQ(removals[2504].outcome, RemovalOutcome::kFailed);
  size_t removed = 0;
  for (const auto& r : removals) removed += r.outcome == RemovalOutcome::kRemoved;
  EXPECT_EQ(removed, 2500u - 3u + 1u + 1u);

  auto requests = s3.requests();
  ASSERT_EQ(requests.size(), 4u);  // bucket: 1000 + 1000 + 500; other: 1
  size_t sent = 0;
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_TRUE(r.target == "/bucket?delete=" || r.target == "/other?delete=") << r.target;
    EXPECT_EQ(r.headers.at("content-md5"), S3BatchDeleter::ContentMd5(r.body));
    EXPECT_NE(r.body.find("<Quiet>false</Quiet>"), std::string::npos);
    auto body_objects = xml::Elements(r.body, "Object");
    EXPECT_LE(body_objects.size(), 1000u);
    for (auto object : body_objects) EXPECT_NE(xml::FirstText(object, "ETag"), "");
    sent += body_objects.size();
    EXPECT_EQ(r.body.find("no-etag"), std::string::npos);
  }
  EXPECT_EQ(sent, 2501u);
}

TEST(S3BatchDeleter, AFailedRequestFailsEveryObjectOfItsBatch) {
  FakeHttpServer s3([](const FakeHttpServer::Request&) {
    return FakeHttpServer::Response{403, {{"Content-Type", "application/xml"}},
                                    "<Error><Code>AccessDenied</Code><Message>no</Message></Error>"};
  });
  S3BatchDeleter deleter(ContextFor(s3));
  auto removals = deleter.DeleteExactly({{"bucket/a", "\"1\""}, {"bucket/b", "\"2\""}});
  ASSERT_EQ(removals.size(), 2u);
  for (const auto& r : removals) {
    EXPECT_EQ(r.outcome, RemovalOutcome::kFailed);
    EXPECT_EQ(aws::AwsErrorCode(r.status), "AccessDenied");
    EXPECT_NE(r.status.message().find("DeleteObjects s3://bucket"), std::string::npos);
  }
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
  EXPECT_EQ(xml::Escape("a\r\nb"), "a&#13;&#10;b");
  EXPECT_EQ(xml::Unescape(xml::Escape("a\r\nb")), "a\r\nb");
}

}  // namespace
}  // namespace s3c
