#pragma once
// EnvironmentSource: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
// One of the pair without the other is an error, not a reason to look elsewhere.

#include "aws/aws_config.h"
#include "aws/credentials.h"

namespace s3c::aws {

class EnvironmentSource : public CredentialsSource {
 public:
  explicit EnvironmentSource(const AwsConfig& config) : config_(config) {}
  std::string name() const override { return "environment"; }
  arrow::Result<std::optional<Credentials>> Load() override;

 private:
  const AwsConfig& config_;
};

}  // namespace s3c::aws
