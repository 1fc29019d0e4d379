#pragma once
// StsClient: the two STS calls credentials need, over the query protocol (form-encoded POST,
// XML answer): AssumeRoleWithWebIdentity (unsigned; the token is the proof) and AssumeRole
// (signed with the source credentials). Endpoint: AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, else
// the regional endpoint (sts.<region>.amazonaws.com), else the global one when no region is set.

#include <memory>
#include <string>

#include <arrow/result.h>

#include "aws/aws_config.h"
#include "aws/credentials.h"

namespace s3c::aws {

class StsClient {
 public:
  explicit StsClient(const AwsConfig& config) : config_(config) {}

  arrow::Result<Credentials> AssumeRoleWithWebIdentity(const std::string& role_arn,
                                                       const std::string& session_name,
                                                       const std::string& token) const;

  arrow::Result<Credentials> AssumeRole(std::shared_ptr<CredentialsProvider> source,
                                        const std::string& role_arn,
                                        const std::string& session_name,
                                        const std::string& external_id,
                                        int duration_seconds) const;

  /// Reads the <Credentials> of an AssumeRole* response.
  static arrow::Result<Credentials> ParseCredentials(const std::string& xml_body,
                                                     const std::string& source);

  /// application/x-www-form-urlencoded escaping.
  static std::string FormEncode(const std::string& value);

 private:
  arrow::Result<std::string> Call(std::shared_ptr<CredentialsProvider> signer,
                                  const std::string& body, const std::string& what) const;

  const AwsConfig& config_;
};

}  // namespace s3c::aws
