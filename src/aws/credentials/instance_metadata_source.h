#pragma once
// InstanceMetadataSource: the EC2 instance role, through IMDSv2 (a session token from a PUT,
// then the role's credentials). Skipped when AWS_EC2_METADATA_DISABLED=true; the endpoint is
// AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254. Off EC2 the endpoint does not
// answer within a second and the source is simply not there (not an error).

#include "aws/aws_config.h"
#include "aws/credentials.h"

namespace s3c::aws {

class InstanceMetadataSource : public CredentialsSource {
 public:
  explicit InstanceMetadataSource(const AwsConfig& config) : config_(config) {}
  std::string name() const override { return "instance metadata"; }
  arrow::Result<std::optional<Credentials>> Load() override;

 private:
  const AwsConfig& config_;
};

}  // namespace s3c::aws
