#pragma once
// CredentialsChain: the standard AWS credentials order, as the SDKs resolve it:
//
//   1. environment          AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
//   2. web identity         AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, via STS (EKS, IRSA)
//   3. shared files         the profile (AWS_PROFILE): static keys, role_arn with
//                           source_profile or credential_source (STS AssumeRole),
//                           web_identity_token_file, credential_process
//   4. container            AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI (Glue, ECS, EKS)
//   5. instance metadata    EC2 IMDSv2, unless AWS_EC2_METADATA_DISABLED=true
//
// The first source that is configured wins; one that is configured but fails stops the chain
// with its error. Credentials are cached and fetched again five minutes before they expire,
// from the source that gave them. Thread-safe.

#include <memory>
#include <mutex>
#include <vector>

#include "aws/aws_config.h"
#include "aws/credentials.h"

namespace s3c::aws {

class CredentialsChain : public CredentialsProvider {
 public:
  explicit CredentialsChain(std::vector<std::unique_ptr<CredentialsSource>> sources);

  /// The standard chain for `config`.
  static std::shared_ptr<CredentialsChain> Default(const AwsConfig& config);

  arrow::Result<Credentials> Get() override;
  void Invalidate() override;

  /// Refresh this long before expiry.
  static constexpr std::chrono::minutes kRefreshMargin{5};

 private:
  arrow::Result<Credentials> Resolve();

  std::mutex mutex_;
  std::vector<std::unique_ptr<CredentialsSource>> sources_;
  std::optional<Credentials> cached_;
  CredentialsSource* winner_ = nullptr;
};

}  // namespace s3c::aws
