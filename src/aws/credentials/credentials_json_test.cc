// The JSON credentials documents (credential_process output, the container and instance
// metadata endpoints) read with checked types: a wrong type is an error naming the source and
// the field, never an exception, and never holds a secret.

#include <gtest/gtest.h>

#include "aws/credentials/container_source.h"
#include "aws/credentials/profile_source.h"
#include "util/test_util.h"

namespace s3c::aws {
namespace {

constexpr const char* kSecret = "s3cr3t-never-printed";
constexpr const char* kToken = "token-never-printed";

std::string ProcessError(const std::string& output) {
  auto result = ProfileSource::ParseProcessOutput(output, "ci");
  EXPECT_FALSE(result.ok()) << output;
  const std::string message = result.status().message();
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
  EXPECT_EQ(message.find(kToken), std::string::npos) << message;
  return message;
}

TEST(CredentialsJson, ProcessOutputWithANullSessionTokenHasNone) {
  ASSERT_OK_AND_ASSIGN(auto c, ProfileSource::ParseProcessOutput(
      R"({"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "s", "SessionToken": null,
          "Expiration": null})", "ci"));
  EXPECT_EQ(c.access_key_id, "AKID");
  EXPECT_EQ(c.session_token, "");
  EXPECT_FALSE(c.expiration.has_value());
  EXPECT_EQ(c.source, "profile ci (credential_process)");
}

TEST(CredentialsJson, ProcessOutputOfWrongTypes) {
  const std::string secret = kSecret, token = kToken;
  EXPECT_EQ(ProcessError(R"({"Version": "1", "AccessKeyId": "A", "SecretAccessKey": ")" + secret + "\"}"),
            "credential_process for profile 'ci': field 'Version' is not an integer (it is a "
            "string); it must be the number 1");
  EXPECT_EQ(ProcessError(R"({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": ")" + secret + "\"}"),
            "credential_process for profile 'ci': field 'Version' is 2; only version 1 is "
            "supported");
  EXPECT_EQ(ProcessError(R"({"AccessKeyId": "A", "SecretAccessKey": ")" + secret + "\"}"),
            "credential_process for profile 'ci': field 'Version' is missing; it must be the "
            "number 1");
  EXPECT_EQ(ProcessError(R"({"Version": 1, "AccessKeyId": 123, "SecretAccessKey": ")" + secret + "\"}"),
            "credential_process for profile 'ci': field 'AccessKeyId' is not a string (it is a "
            "number)");
  EXPECT_EQ(ProcessError(R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": [")" + secret + "\"]}"),
            "credential_process for profile 'ci': field 'SecretAccessKey' is not a string (it is "
            "an array)");
  EXPECT_EQ(ProcessError(R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": ")" + secret +
                         R"(", "SessionToken": {"t": ")" + token + "\"}}"),
            "credential_process for profile 'ci': field 'SessionToken' is not a string (it is an "
            "object)");
  EXPECT_EQ(ProcessError(R"({"Version": 1, "AccessKeyId": "", "SecretAccessKey": ")" + secret + "\"}"),
            "credential_process for profile 'ci': field 'AccessKeyId' is empty");
  EXPECT_EQ(ProcessError(R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": ")" + secret +
                         R"(", "Expiration": "tomorrow"})"),
            "credential_process for profile 'ci': field 'Expiration' is not an ISO 8601 time");
  EXPECT_EQ(ProcessError(R"([")" + secret + "\"]"),
            "credential_process for profile 'ci': not a JSON object (it is an array)");
  EXPECT_EQ(ProcessError(std::string("AccessKeyId=") + kSecret),
            "credential_process for profile 'ci': not JSON");
}

TEST(CredentialsJson, EndpointDocumentsOfWrongTypes) {
  ASSERT_OK_AND_ASSIGN(auto c, ParseCredentialsDocument(
      R"({"AccessKeyId": "A", "SecretAccessKey": "s", "Token": "t"})", "container credentials x"));
  EXPECT_EQ(c.session_token, "t");
  const auto error = [](const std::string& body) {
    return ParseCredentialsDocument(body, "instance metadata role r").status().message();
  };
  EXPECT_EQ(error(R"({"AccessKeyId": "A", "SecretAccessKey": "s", "Token": 5})"),
            "instance metadata role r: field 'Token' is not a string (it is a number)");
  EXPECT_EQ(error(R"({"AccessKeyId": null, "SecretAccessKey": "s"})"),
            "instance metadata role r: field 'AccessKeyId' is null");
  EXPECT_EQ(error(R"({"Code": "AssumeRoleUnauthorizedAccess", "AccessKeyId": "A",
                      "SecretAccessKey": "s"})"),
            "instance metadata role r: field 'Code' is 'AssumeRoleUnauthorizedAccess', not "
            "Success");
  EXPECT_EQ(error(R"({"AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": 1700000000})"),
            "instance metadata role r: field 'Expiration' is not a string (it is a number)");
}

}  // namespace
}  // namespace s3c::aws
