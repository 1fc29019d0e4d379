#include "aws/credentials_chain.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "aws/credentials/container_source.h"
#include "aws/credentials/environment_source.h"
#include "aws/credentials/instance_metadata_source.h"
#include "aws/credentials/profile_source.h"
#include "aws/credentials/web_identity_source.h"
#include "util/test_util.h"
#include "util/testing/aws_env.h"
#include "util/testing/fake_http_server.h"
#include "util/testing/temp_dir.h"

namespace s3c::aws {
namespace {

using testing::FakeHttpServer;
using Vars = std::map<std::string, std::string>;

AwsConfig Config(Vars vars) { return testing::ConfigFromVars(std::move(vars)); }

std::string WriteFile(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

std::string Iso(Clock::time_point t) {
  std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A source whose answers the test scripts.
class FakeSource : public CredentialsSource {
 public:
  FakeSource(std::string name, std::optional<Credentials> answer, arrow::Status error = arrow::Status::OK())
      : name_(std::move(name)), answer_(std::move(answer)), error_(std::move(error)) {}
  std::string name() const override { return name_; }
  arrow::Result<std::optional<Credentials>> Load() override {
    ++loads;
    if (!error_.ok()) return error_;
    return answer_;
  }
  int loads = 0;
  std::string name_;
  std::optional<Credentials> answer_;
  arrow::Status error_;
};

Credentials Creds(const std::string& id, std::optional<Clock::time_point> expiration = std::nullopt) {
  return Credentials{id, "secret-" + id, "", expiration, "fake"};
}

TEST(CredentialsChain, FirstConfiguredSourceWins) {
  std::vector<std::unique_ptr<CredentialsSource>> sources;
  auto* none = new FakeSource("none", std::nullopt);
  auto* first = new FakeSource("first", Creds("A"));
  auto* second = new FakeSource("second", Creds("B"));
  sources.emplace_back(none);
  sources.emplace_back(first);
  sources.emplace_back(second);
  CredentialsChain chain(std::move(sources));
  ASSERT_OK_AND_ASSIGN(auto c, chain.Get());
  EXPECT_EQ(c.access_key_id, "A");
  EXPECT_EQ(second->loads, 0);
}

TEST(CredentialsChain, AConfiguredSourceThatFailsStopsTheChain) {
  std::vector<std::unique_ptr<CredentialsSource>> sources;
  sources.emplace_back(new FakeSource("broken", std::nullopt, arrow::Status::Invalid("bad profile")));
  auto* later = new FakeSource("later", Creds("B"));
  sources.emplace_back(later);
  CredentialsChain chain(std::move(sources));
  auto result = chain.Get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "AWS credentials from broken: bad profile");
  EXPECT_EQ(later->loads, 0);
}

TEST(CredentialsChain, NoneFoundNamesWhatWasTried) {
  std::vector<std::unique_ptr<CredentialsSource>> sources;
  sources.emplace_back(new FakeSource("environment", std::nullopt));
  sources.emplace_back(new FakeSource("container", std::nullopt));
  auto result = CredentialsChain(std::move(sources)).Get();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("no AWS credentials found (tried environment, container)"),
            std::string::npos);
}

TEST(CredentialsChain, CachesAndRefreshesBeforeExpiry) {
  std::vector<std::unique_ptr<CredentialsSource>> sources;
  auto* source = new FakeSource("s", Creds("A", Clock::now() + std::chrono::minutes(30)));
  sources.emplace_back(source);
  CredentialsChain chain(std::move(sources));
  ASSERT_OK(chain.Get().status());
  ASSERT_OK(chain.Get().status());
  EXPECT_EQ(source->loads, 1);  // cached while far from expiry
  // Within the refresh margin: fetched again, from the same source.
  source->answer_ = Creds("B", Clock::now() + std::chrono::minutes(3));
  chain.Invalidate();
  ASSERT_OK_AND_ASSIGN(auto b, chain.Get());
  EXPECT_EQ(b.access_key_id, "B");
  ASSERT_OK(chain.Get().status());
  EXPECT_EQ(source->loads, 3);  // expiring soon: every Get refreshes
  source->answer_ = Creds("C");  // long-term keys are cached for good
  ASSERT_OK(chain.Get().status());
  ASSERT_OK(chain.Get().status());
  EXPECT_EQ(source->loads, 4);
}

TEST(CredentialsSources, Environment) {
  auto both = EnvironmentSource(Config({{"AWS_ACCESS_KEY_ID", "K"}, {"AWS_SECRET_ACCESS_KEY", "S"},
                                        {"AWS_SESSION_TOKEN", "T"}})).Load();
  ASSERT_OK(both.status());
  ASSERT_TRUE(both->has_value());
  EXPECT_EQ((*both)->session_token, "T");
  EXPECT_FALSE(EnvironmentSource(Config({})).Load()->has_value());
  auto half = EnvironmentSource(Config({{"AWS_ACCESS_KEY_ID", "K"}})).Load();
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("AWS_SECRET_ACCESS_KEY is not"), std::string::npos);
  // Describe never shows the secret.
  EXPECT_EQ((*both)->Describe().find("S"), std::string::npos);
}

TEST(CredentialsSources, ProfileStaticKeysAndMissingProfiles) {
  const testing::TempDir dir;
  const std::string credentials =
      WriteFile(dir, "static", "[default]\naws_access_key_id = DEF\naws_secret_access_key = x\n"
                          "[ci]\naws_access_key_id = CI\naws_secret_access_key = y\n"
                          "[half]\naws_access_key_id = H\n");
  auto ci = ProfileSource(Config({{"AWS_PROFILE", "ci"}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}})).Load();
  ASSERT_OK(ci.status());
  EXPECT_EQ((*ci)->access_key_id, "CI");
  auto missing = ProfileSource(Config({{"AWS_PROFILE", "nope"}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}})).Load();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("profile 'nope' not found"), std::string::npos);
  auto no_default = ProfileSource(Config({{"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}})).Load();
  ASSERT_OK(no_default.status());
  EXPECT_FALSE(no_default->has_value());
  EXPECT_FALSE(ProfileSource(Config({{"AWS_PROFILE", "half"}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}})).Load().ok());
}

TEST(CredentialsSources, ProfileCredentialProcess) {
  const testing::TempDir dir;
  const std::string expiration = Iso(Clock::now() + std::chrono::hours(1));
  const std::string script = WriteFile(dir, "process.sh",
      "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"PROC\", \"SecretAccessKey\": \"s\", "
      "\"SessionToken\": \"t\", \"Expiration\": \"" + expiration + "\"}'\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  const std::string config = WriteFile(dir, "process_config", "[default]\ncredential_process = " + script + "\n"
                                       "[profile bad]\ncredential_process = sh -c 'echo SECRET; exit 3'\n");
  auto ok = ProfileSource(Config({{"AWS_CONFIG_FILE", config}})).Load();
  ASSERT_OK(ok.status());
  EXPECT_EQ((*ok)->access_key_id, "PROC");
  ASSERT_TRUE((*ok)->expiration.has_value());
  auto bad = ProfileSource(Config({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "bad"}})).Load();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("exited with status 3"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("SECRET"), std::string::npos);  // output never echoed
}

std::string StsAnswer(const std::string& id, const std::string& expiration) {
  return "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>" + id +
         "</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
         "<Expiration>" + expiration + "</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
}

TEST(CredentialsSources, ProfileAssumesARoleWithItsSourceProfile) {
  FakeHttpServer sts([](const auto&) {
    return FakeHttpServer::Response{200, {}, StsAnswer("ROLE", "2099-01-01T00:00:00Z")};
  });
  const testing::TempDir dir;
  const std::string config = WriteFile(dir, "role_config",
      "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\nexternal_id = ext\n");
  const std::string credentials = WriteFile(dir, "role_credentials", "[base]\naws_access_key_id = BASE\naws_secret_access_key = b\n");
  auto c = ProfileSource(Config({{"AWS_PROFILE", "app"}, {"AWS_CONFIG_FILE", config},
                                 {"AWS_SHARED_CREDENTIALS_FILE", credentials},
                                 {"AWS_ENDPOINT_URL_STS", sts.url()}, {"AWS_REGION", "eu-west-1"}})).Load();
  ASSERT_OK(c.status());
  EXPECT_EQ((*c)->access_key_id, "ROLE");
  auto request = sts.requests().at(0);
  EXPECT_NE(request.body.find("Action=AssumeRole&"), std::string::npos);
  EXPECT_NE(request.body.find("RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fapp"), std::string::npos);
  EXPECT_NE(request.body.find("ExternalId=ext"), std::string::npos);
  EXPECT_NE(request.headers.at("authorization").find("Credential=BASE/"), std::string::npos);
}

TEST(CredentialsSources, WebIdentityExchangesTheTokenUnsigned) {
  FakeHttpServer sts([](const auto&) {
    return FakeHttpServer::Response{200, {}, StsAnswer("WEB", "2099-01-01T00:00:00Z")};
  });
  const testing::TempDir dir;
  const std::string token = WriteFile(dir, "token", "header.payload.signature\n");
  auto c = WebIdentitySource(Config({{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                                     {"AWS_ROLE_ARN", "arn:aws:iam::1:role/eks"},
                                     {"AWS_ENDPOINT_URL_STS", sts.url()}})).Load();
  ASSERT_OK(c.status());
  EXPECT_EQ((*c)->access_key_id, "WEB");
  auto request = sts.requests().at(0);
  EXPECT_EQ(request.headers.count("authorization"), 0u);
  EXPECT_NE(request.body.find("Action=AssumeRoleWithWebIdentity"), std::string::npos);
  EXPECT_NE(request.body.find("WebIdentityToken=header.payload.signature"), std::string::npos);
  EXPECT_FALSE(WebIdentitySource(Config({{"AWS_ROLE_ARN", "arn"}})).Load().ok());
  EXPECT_FALSE(WebIdentitySource(Config({})).Load()->has_value());
}

TEST(CredentialsSources, ContainerEndpointWithItsToken) {
  FakeHttpServer endpoint([](const FakeHttpServer::Request& r) {
    if (r.headers.count("authorization") == 0 || r.headers.at("authorization") != "Bearer tok") {
      return FakeHttpServer::Response{401, {}, "{}"};
    }
    return FakeHttpServer::Response{200, {}, R"({"AccessKeyId":"CONT","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"})"};
  });
  const testing::TempDir dir;
  const std::string token_file = WriteFile(dir, "container_token", "Bearer tok\n");
  auto c = ContainerSource(Config({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url() + "/v1/creds"},
                                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}})).Load();
  ASSERT_OK(c.status());
  EXPECT_EQ((*c)->access_key_id, "CONT");
  EXPECT_EQ((*c)->session_token, "t");
  EXPECT_EQ(endpoint.requests().at(0).target, "/v1/creds");
  EXPECT_FALSE(ContainerSource(Config({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/x"}})).Load().ok());
  EXPECT_FALSE(ContainerSource(Config({})).Load()->has_value());
  EXPECT_TRUE(ContainerSource::AllowedHttpHost("http://169.254.170.23/v1"));
  EXPECT_TRUE(ContainerSource::AllowedHttpHost("https://anything.example/x"));
  EXPECT_FALSE(ContainerSource::AllowedHttpHost("http://10.0.0.1/x"));
}

TEST(CredentialsSources, InstanceMetadataV2) {
  FakeHttpServer imds([](const FakeHttpServer::Request& r) {
    if (r.method == "PUT" && r.target == "/latest/api/token") {
      return FakeHttpServer::Response{200, {}, "imds-token"};
    }
    if (r.headers.count("x-aws-ec2-metadata-token") == 0 ||
        r.headers.at("x-aws-ec2-metadata-token") != "imds-token") {
      return FakeHttpServer::Response{401, {}, ""};
    }
    if (r.target == "/latest/meta-data/iam/security-credentials/") {
      return FakeHttpServer::Response{200, {}, "my-role\n"};
    }
    if (r.target == "/latest/meta-data/iam/security-credentials/my-role") {
      return FakeHttpServer::Response{200, {}, R"({"Code":"Success","AccessKeyId":"EC2","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"})"};
    }
    return FakeHttpServer::Response{404, {}, ""};
  });
  auto c = InstanceMetadataSource(Config({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}})).Load();
  ASSERT_OK(c.status());
  EXPECT_EQ((*c)->access_key_id, "EC2");
  EXPECT_EQ(imds.requests().size(), 3u);
  auto disabled = InstanceMetadataSource(Config({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()},
                                                 {"AWS_EC2_METADATA_DISABLED", "TRUE"}})).Load();
  EXPECT_FALSE(disabled->has_value());
  auto unreachable = InstanceMetadataSource(Config({{"AWS_EC2_METADATA_SERVICE_ENDPOINT",
      "http://127.0.0.1:" + std::to_string(FakeHttpServer::ClosedPort())}})).Load();
  ASSERT_OK(unreachable.status());
  EXPECT_FALSE(unreachable->has_value());
}

TEST(CredentialsSources, DefaultChainOrder) {
  // Environment before profile: both configured, the environment wins.
  const testing::TempDir dir;
  const std::string credentials = WriteFile(dir, "order", "[default]\naws_access_key_id = PROF\naws_secret_access_key = p\n");
  AwsConfig config = Config({{"AWS_ACCESS_KEY_ID", "ENV"}, {"AWS_SECRET_ACCESS_KEY", "e"},
                             {"AWS_SHARED_CREDENTIALS_FILE", credentials}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  ASSERT_OK_AND_ASSIGN(auto c, CredentialsChain::Default(config)->Get());
  EXPECT_EQ(c.access_key_id, "ENV");
  AwsConfig profile_only = Config({{"AWS_SHARED_CREDENTIALS_FILE", credentials}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  ASSERT_OK_AND_ASSIGN(auto p, CredentialsChain::Default(profile_only)->Get());
  EXPECT_EQ(p.access_key_id, "PROF");
}

TEST(Credentials, ParsesIso8601) {
  auto t = ParseIso8601("2026-11-24T23:59:59Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(Clock::to_time_t(*t), 1795564799);
  EXPECT_EQ(Clock::to_time_t(*ParseIso8601("2026-11-24T23:59:59.123Z")), 1795564799);
  EXPECT_EQ(Clock::to_time_t(*ParseIso8601("2026-11-25T00:59:59+01:00")), 1795564799);
  // Far futures and pasts (a fuzz find: the clock overflowed) are clamped, nonsense refused.
  EXPECT_EQ(Clock::to_time_t(*ParseIso8601("9999-12-31T23:59:59Z")), 7289654399);  // 2200-12-31
  EXPECT_EQ(Clock::to_time_t(*ParseIso8601("1013-01-01T00:00:00Z")), 0);
  EXPECT_EQ(ParseIso8601("2026-13-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601("2026-01-01T25:00:00Z"), std::nullopt);
  EXPECT_FALSE(ParseIso8601("tomorrow").has_value());
}

}  // namespace
}  // namespace s3c::aws
