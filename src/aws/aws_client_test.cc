#include "aws/aws_client.h"

#include <atomic>
#include <map>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws/aws_error.h"
#include "util/test_util.h"
#include "util/testing/fake_http_server.h"

namespace s3c::aws {
namespace {

using testing::FakeHttpServer;

std::string Hex(const unsigned char* data, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return Hex(md, n);
}

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n);
  return std::string(reinterpret_cast<char*>(md), n);
}

// SigV4, computed here from what the server received (a second implementation, to check the
// one libcurl performed on what we handed it).
std::string ExpectedSignature(const FakeHttpServer::Request& r, const std::string& secret,
                              const std::string& region, const std::string& service) {
  const std::string auth = r.headers.at("authorization");
  const std::string signed_marker = "SignedHeaders=";
  size_t s = auth.find(signed_marker) + signed_marker.size();
  std::string signed_headers = auth.substr(s, auth.find(',', s) - s);
  std::string canonical_headers;
  size_t start = 0;
  while (start <= signed_headers.size()) {
    size_t end = signed_headers.find(';', start);
    if (end == std::string::npos) end = signed_headers.size();
    std::string name = signed_headers.substr(start, end - start);
    canonical_headers += name + ":" + r.headers.at(name) + "\n";
    start = end + 1;
  }
  std::string path = r.target.substr(0, r.target.find('?'));
  std::string query = r.target.find('?') == std::string::npos ? "" : r.target.substr(r.target.find('?') + 1);
  std::string canonical = r.method + "\n" + path + "\n" + query + "\n" + canonical_headers + "\n" +
                          signed_headers + "\n" + Sha256Hex(r.body);
  const std::string amz_date = r.headers.at("x-amz-date");
  const std::string date = amz_date.substr(0, 8);
  std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + date + "/" + region + "/" +
                        service + "/aws4_request\n" + Sha256Hex(canonical);
  std::string key = Hmac(Hmac(Hmac(Hmac("AWS4" + secret, date), region), service), "aws4_request");
  std::string sig = Hmac(key, to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

FakeHttpServer::Response Json(int status, const std::string& body) {
  return {status, {{"Content-Type", "application/x-amz-json-1.1"}}, body};
}

class CountingProvider : public CredentialsProvider {
 public:
  arrow::Result<Credentials> Get() override {
    ++gets;
    return Credentials{"AKIDEXAMPLE", "secret/key+1", session, std::nullopt, "test"};
  }
  void Invalidate() override { ++invalidations; }
  std::atomic<int> gets{0}, invalidations{0};
  std::string session;
};

RetryOptions Fast(int attempts = 4) {
  RetryOptions retry;
  retry.max_attempts = attempts;
  retry.base_delay = std::chrono::milliseconds(1);
  retry.max_delay = std::chrono::milliseconds(5);
  return retry;
}

HttpRequest GlueLike(const std::string& url) {
  HttpRequest request;
  request.method = "POST";
  request.url = url + "/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "AWSGlue.GetTable"}};
  request.body = R"({"DatabaseName":"db","Name":"t"})";
  request.service = "glue";
  request.region = "eu-west-1";
  return request;
}

TEST(AwsClient, SignsWhatItSendsAsSigV4) {
  FakeHttpServer server([](const auto&) { return Json(200, "{}"); });
  auto provider = std::make_shared<CountingProvider>();
  provider->session = "session-token";
  ASSERT_OK(AwsClient(provider, Fast()).Send(GlueLike(server.url()), "GetTable db.t").status());
  auto r = server.requests().at(0);
  const std::string auth = r.headers.at("authorization");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u) << auth;
  EXPECT_NE(auth.find("/eu-west-1/glue/aws4_request"), std::string::npos) << auth;
  // Every header we set is signed, and none that is not sent (an empty Expect once was).
  EXPECT_NE(auth.find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"),
            std::string::npos) << auth;
  EXPECT_EQ(r.headers.at("x-amz-security-token"), "session-token");
  EXPECT_EQ(auth.substr(auth.find("Signature=") + 10),
            ExpectedSignature(r, "secret/key+1", "eu-west-1", "glue"));
  EXPECT_EQ(HttpClient::SigV4Provider("eu-west-1", "glue"), "aws:amz:eu-west-1:glue");
}

TEST(AwsClient, RetriesThrottlingAndServerErrors) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const auto&) {
    int n = ++calls;
    if (n == 1) return Json(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
    if (n == 2) return FakeHttpServer::Response{503, {}, "<Error><Code>SlowDown</Code></Error>"};
    if (n == 3) return FakeHttpServer::Response{0, {}, "", /*drop=*/true};
    return Json(200, R"({"ok":true})");
  });
  ASSERT_OK_AND_ASSIGN(auto response,
                       AwsClient(std::make_shared<CountingProvider>(), Fast(5))
                           .Send(GlueLike(server.url()), "GetTable db.t"));
  EXPECT_EQ(response.body, R"({"ok":true})");
  EXPECT_EQ(calls.load(), 4);
}

TEST(AwsClient, DoesNotRetryWhatWillNotChange) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const auto&) {
    ++calls;
    return Json(400, R"({"__type":"com.amazonaws.glue#AccessDeniedException","Message":"nope"})");
  });
  auto result = AwsClient(std::make_shared<CountingProvider>(), Fast())
                    .Send(GlueLike(server.url()), "GetPartitions db.t");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "GetPartitions db.t: AccessDeniedException: nope");
  EXPECT_EQ(AwsErrorCode(result.status()), "AccessDeniedException");
  EXPECT_EQ(calls.load(), 1);
}

TEST(AwsClient, GivesUpAfterTheLastAttempt) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const auto&) {
    ++calls;
    return Json(500, R"({"__type":"InternalServiceException","message":"down"})");
  });
  auto result = AwsClient(std::make_shared<CountingProvider>(), Fast(3))
                    .Send(GlueLike(server.url()), "GetTable db.t");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("InternalServiceException: down (gave up after 3 attempts)"),
            std::string::npos) << result.status().message();
  EXPECT_EQ(calls.load(), 3);
}

TEST(AwsClient, RefreshesExpiredCredentialsOnce) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const auto&) {
    return ++calls == 1 ? Json(400, R"({"__type":"ExpiredTokenException","message":"expired"})")
                        : Json(200, "{}");
  });
  auto provider = std::make_shared<CountingProvider>();
  ASSERT_OK(AwsClient(provider, Fast()).Send(GlueLike(server.url()), "GetTable db.t").status());
  EXPECT_EQ(provider->invalidations.load(), 1);
  EXPECT_EQ(provider->gets.load(), 2);
}

TEST(AwsClient, ConnectionRefusedIsRetriedThenNamed) {
  HttpRequest request = GlueLike("http://127.0.0.1:" + std::to_string(FakeHttpServer::ClosedPort()));
  auto result = AwsClient(nullptr, Fast(2)).Send(request, "GetTable db.t");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("GetTable db.t: POST http://127.0.0.1:"),
            std::string::npos) << result.status().message();
  EXPECT_NE(result.status().message().find("gave up after 2 attempts"), std::string::npos);
}

TEST(AwsClient, UnsignedWithoutAProvider) {
  FakeHttpServer server([](const auto&) { return Json(200, "{}"); });
  ASSERT_OK(AwsClient(nullptr, Fast()).Send(GlueLike(server.url()), "x").status());
  EXPECT_EQ(server.requests().at(0).headers.count("authorization"), 0u);
}

TEST(AwsClient, BackoffIsBoundedFullJitter) {
  RetryOptions retry;
  retry.base_delay = std::chrono::milliseconds(100);
  retry.max_delay = std::chrono::milliseconds(1000);
  for (int attempt = 1; attempt <= 10; ++attempt) {
    for (int i = 0; i < 50; ++i) {
      auto delay = AwsClient::Backoff(retry, attempt).count();
      EXPECT_GE(delay, 0);
      EXPECT_LE(delay, std::min<int64_t>(1000, 100LL << attempt));
    }
  }
}

TEST(AwsError, ParsesJsonXmlAndHeaders) {
  HttpResponse json{400, {}, R"({"__type":"com.amazonaws.glue#EntityNotFoundException","message":"Table t not found"})"};
  auto e = ParseError(json);
  EXPECT_EQ(e.code, "EntityNotFoundException");
  EXPECT_EQ(e.message, "Table t not found");
  HttpResponse colon{400, {}, R"({"__type":"ThrottlingException:http://internal","Message":"slow"})"};
  EXPECT_EQ(ParseError(colon).code, "ThrottlingException");
  HttpResponse xml{403, {}, "<Error><Code>AccessDenied</Code><Message>No &amp; no</Message></Error>"};
  EXPECT_EQ(ParseError(xml).code, "AccessDenied");
  EXPECT_EQ(ParseError(xml).message, "No & no");
  HttpResponse header{400, {{"x-amzn-errortype", "ValidationException:http://x"}}, ""};
  EXPECT_EQ(ParseError(header).code, "ValidationException");
  HttpResponse bare{503, {}, ""};
  EXPECT_EQ(ParseError(bare).code, "ServiceError");
  EXPECT_TRUE(IsRetryable(ParseError(bare)));
  EXPECT_FALSE(IsRetryable(ParseError(json)));
  EXPECT_TRUE(IsExpiredCredentials({"ExpiredToken", "", 400}));
}

}  // namespace
}  // namespace s3c::aws
