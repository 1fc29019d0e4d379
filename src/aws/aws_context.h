#pragma once
// AwsContext: the AWS configuration and the credentials chain of one process, created once and
// shared by every AWS call: Glue, STS, S3 batch deletes, and Arrow's S3 reads and writes
// (RefreshingS3FileSystem hands it our credentials; the AWS SDK's own chain is never used).

#include <memory>

#include "aws/aws_config.h"
#include "aws/credentials_chain.h"

namespace s3c::aws {

class AwsContext {
 public:
  static std::shared_ptr<AwsContext> FromEnvironment() {
    return std::shared_ptr<AwsContext>(new AwsContext(AwsConfig::FromEnvironment()));
  }
  static std::shared_ptr<AwsContext> FromConfig(AwsConfig config) {
    return std::shared_ptr<AwsContext>(new AwsContext(std::move(config)));
  }

  const AwsConfig& config() const { return config_; }
  const std::shared_ptr<CredentialsChain>& credentials() const { return credentials_; }

 private:
  // The chain's sources keep a reference to config_: it must not move, hence no copies.
  explicit AwsContext(AwsConfig config)
      : config_(std::move(config)), credentials_(CredentialsChain::Default(config_)) {}
  AwsContext(const AwsContext&) = delete;
  AwsContext& operator=(const AwsContext&) = delete;

  AwsConfig config_;
  std::shared_ptr<CredentialsChain> credentials_;
};

}  // namespace s3c::aws
