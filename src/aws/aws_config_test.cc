#include "aws/aws_config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "util/test_util.h"
#include "util/testing/aws_env.h"
#include "util/testing/temp_dir.h"

namespace s3c::aws {
namespace {

using Vars = std::map<std::string, std::string>;

AwsConfig Config(Vars vars) { return testing::ConfigFromVars(std::move(vars)); }

std::string WriteFile(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(IniFile, SectionsCommentsAndSubProperties) {
  IniFile f = IniFile::Parse(
      "# comment\n[default]\nregion = eu-west-1 ; inline\naws_access_key_id=AKID\n"
      "s3 =\n  max_concurrent_requests = 10\n[profile x]\n  ; indented comment\nregion=us-east-2\n");
  ASSERT_NE(f.Find("default"), nullptr);
  EXPECT_EQ(f.Find("default")->at("region"), "eu-west-1");
  EXPECT_EQ(f.Find("default")->at("aws_access_key_id"), "AKID");
  EXPECT_EQ(f.Find("default")->count("max_concurrent_requests"), 0u);
  EXPECT_EQ(f.Find("profile x")->at("region"), "us-east-2");
  EXPECT_EQ(f.Find("nope"), nullptr);
  EXPECT_TRUE(IniFile::Load("/nonexistent/file").empty());
}

TEST(AwsConfig, RegionInTheStandardOrder) {
  const testing::TempDir dir;
  const std::string config = WriteFile(dir, "region", "[default]\nregion = ap-south-1\n[profile p]\nregion = sa-east-1\n");
  EXPECT_EQ(Config({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-east-2"},
                    {"AWS_CONFIG_FILE", config}}).Region().ValueOrDie(), "eu-west-1");
  EXPECT_EQ(Config({{"AWS_DEFAULT_REGION", "us-east-2"}, {"AWS_CONFIG_FILE", config}})
                .Region().ValueOrDie(), "us-east-2");
  EXPECT_EQ(Config({{"AWS_CONFIG_FILE", config}}).Region().ValueOrDie(), "ap-south-1");
  EXPECT_EQ(Config({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "p"}}).Region().ValueOrDie(),
            "sa-east-1");
  auto none = Config({{"AWS_CONFIG_FILE", "/nonexistent"}, {"AWS_REGION", ""}}).Region();
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("set AWS_REGION"), std::string::npos);
}

TEST(AwsConfig, MaxAttemptsInTheStandardOrderAndChecked) {
  const testing::TempDir dir;
  const std::string config = WriteFile(dir, "attempts", "[default]\nmax_attempts = 5\n[profile p]\nmax_attempts = x\n");
  EXPECT_EQ(Config({{"AWS_CONFIG_FILE", "/nonexistent"}}).MaxAttempts().ValueOrDie(),
            AwsConfig::kDefaultMaxAttempts);
  EXPECT_EQ(Config({{"AWS_CONFIG_FILE", config}}).MaxAttempts().ValueOrDie(), 5);
  EXPECT_EQ(Config({{"AWS_CONFIG_FILE", config}, {"AWS_MAX_ATTEMPTS", "2"}}).MaxAttempts().ValueOrDie(), 2);
  auto bad_profile = Config({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "p"}}).MaxAttempts();
  ASSERT_FALSE(bad_profile.ok());
  EXPECT_EQ(bad_profile.status().message(),
            "max_attempts of profile 'p' is 'x': it must be a whole number of attempts from 1 to 100");
  for (const char* bad : {"0", "-1", "101", "3x", " 3", "99999999999999999999"}) {
    auto r = Config({{"AWS_CONFIG_FILE", "/nonexistent"}, {"AWS_MAX_ATTEMPTS", bad}}).MaxAttempts();
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalid()) << bad;
    EXPECT_NE(r.status().message().find("AWS_MAX_ATTEMPTS is '"), std::string::npos) << bad;
  }
  EXPECT_EQ(Config({{"AWS_CONFIG_FILE", "/nonexistent"}, {"AWS_MAX_ATTEMPTS", "100"}})
                .MaxAttempts().ValueOrDie(), 100);
}

TEST(AwsConfig, ProfilesFromBothFiles) {
  const testing::TempDir dir;
  const std::string config = WriteFile(dir, "profiles_config", "[profile dev]\nregion = eu-west-1\n");
  const std::string credentials =
      WriteFile(dir, "profiles_credentials", "[dev]\naws_access_key_id = K\naws_secret_access_key = S\n");
  AwsConfig c = Config({{"AWS_PROFILE", "dev"}, {"AWS_CONFIG_FILE", config},
                        {"AWS_SHARED_CREDENTIALS_FILE", credentials}});
  EXPECT_EQ(c.profile(), "dev");
  EXPECT_TRUE(c.profile_is_explicit());
  auto settings = c.ProfileSettings("dev");
  ASSERT_TRUE(settings.has_value());
  EXPECT_EQ(settings->at("region"), "eu-west-1");
  EXPECT_EQ(settings->at("aws_access_key_id"), "K");
  EXPECT_FALSE(c.ProfileSettings("other").has_value());
  EXPECT_EQ(Config({{"HOME", "/nonexistent"}}).profile(), "default");
  EXPECT_EQ(Config({{"AWS_DEFAULT_PROFILE", "legacy"}}).profile(), "legacy");
}

TEST(AwsConfig, EndpointsInTheStandardOrder) {
  const testing::TempDir dir;
  const std::string config = WriteFile(dir, "endpoint", "[default]\nendpoint_url = http://profile:1\n");
  bool custom = false;
  EXPECT_EQ(Config({{"AWS_ENDPOINT_URL_GLUE", "http://glue:1/"}, {"AWS_ENDPOINT_URL", "http://all:2"}})
                .Endpoint("glue", "eu-west-1", &custom), "http://glue:1");
  EXPECT_TRUE(custom);
  EXPECT_EQ(Config({{"AWS_ENDPOINT_URL_S3", "http://s3:1"}, {"AWS_ENDPOINT_URL", "http://all:2"}})
                .Endpoint("glue", "eu-west-1"), "http://all:2");
  EXPECT_EQ(Config({{"AWS_CONFIG_FILE", config}}).Endpoint("glue", "eu-west-1"), "http://profile:1");
  EXPECT_EQ(Config({{"AWS_ENDPOINT_URL", "http://all:2"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}})
                .Endpoint("glue", "eu-west-1", &custom), "https://glue.eu-west-1.amazonaws.com");
  EXPECT_FALSE(custom);
  EXPECT_EQ(Config({}).Endpoint("glue", "cn-north-1"), "https://glue.cn-north-1.amazonaws.com.cn");
}

}  // namespace
}  // namespace s3c::aws
