#pragma once
// ContainerSource: the container credentials endpoint, as Glue, ECS and EKS Pod Identity hand
// credentials out.
//   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI   GET http://169.254.170.2<uri>
//   AWS_CONTAINER_CREDENTIALS_FULL_URI       GET <uri> (https, or http to a loopback or the
//                                            ECS/EKS link-local addresses only)
//   AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) sent as the Authorization header
// The answer is JSON: AccessKeyId, SecretAccessKey, Token, Expiration.

#include "aws/aws_config.h"
#include "aws/credentials.h"

namespace s3c::aws {

class ContainerSource : public CredentialsSource {
 public:
  explicit ContainerSource(const AwsConfig& config) : config_(config) {}
  std::string name() const override { return "container"; }
  arrow::Result<std::optional<Credentials>> Load() override;

  /// True for the hosts a FULL_URI over plain http may name.
  static bool AllowedHttpHost(const std::string& url);

 private:
  const AwsConfig& config_;
};

/// Reads the JSON credentials document of the container and instance metadata endpoints.
arrow::Result<Credentials> ParseCredentialsDocument(const std::string& body,
                                                    const std::string& source);

}  // namespace s3c::aws
