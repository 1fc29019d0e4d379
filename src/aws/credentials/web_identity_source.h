#pragma once
// WebIdentitySource: AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (and AWS_ROLE_SESSION_NAME),
// exchanged at STS for role credentials (EKS service accounts, GitHub OIDC). The token file is
// read again at every refresh: the platform rotates it.

#include "aws/aws_config.h"
#include "aws/credentials.h"

namespace s3c::aws {

class WebIdentitySource : public CredentialsSource {
 public:
  explicit WebIdentitySource(const AwsConfig& config) : config_(config) {}
  std::string name() const override { return "web identity"; }
  arrow::Result<std::optional<Credentials>> Load() override;

  /// Shared with profiles that set web_identity_token_file.
  static arrow::Result<Credentials> Exchange(const AwsConfig& config, const std::string& token_file,
                                             const std::string& role_arn,
                                             const std::string& session_name);

 private:
  const AwsConfig& config_;
};

}  // namespace s3c::aws
