#pragma once
// ProfileSource: the profile of the shared config and credentials files (AWS_PROFILE, else
// "default"), in the SDKs' order of precedence:
//
//   role_arn + source_profile       AssumeRole with the source profile's credentials
//   role_arn + credential_source    ... with Environment, Ec2InstanceMetadata or EcsContainer
//   role_arn + web_identity_token_file   AssumeRoleWithWebIdentity
//   aws_access_key_id + aws_secret_access_key (+ aws_session_token)   static keys
//   credential_process              runs the command; reads its JSON (Version 1) from stdout
//
// A profile asked for by name that does not exist is an error; the default profile missing, or
// a profile without any of these settings, just lets the chain move on.

#include "aws/aws_config.h"
#include "aws/credentials.h"

namespace s3c::aws {

class ProfileSource : public CredentialsSource {
 public:
  explicit ProfileSource(const AwsConfig& config) : config_(config) {}
  std::string name() const override { return "profile " + config_.profile(); }
  arrow::Result<std::optional<Credentials>> Load() override;

  /// Runs a credential_process command and reads its answer.
  static arrow::Result<Credentials> RunProcess(const std::string& command,
                                               const std::string& profile);

  /// Reads what a credential_process printed: a JSON object with "Version": 1, AccessKeyId,
  /// SecretAccessKey, and optionally SessionToken and Expiration. IOError naming `profile`
  /// otherwise, without echoing the output (it may hold secrets). Pure.
  static arrow::Result<Credentials> ParseProcessOutput(const std::string& output,
                                                       const std::string& profile);

 private:
  arrow::Result<std::optional<Credentials>> LoadProfile(const std::string& profile, int depth);

  const AwsConfig& config_;
};

}  // namespace s3c::aws
