#include "aws/credentials/web_identity_source.h"

#include <fstream>
#include <sstream>

#include "aws/sts_client.h"

namespace s3c::aws {

arrow::Result<Credentials> WebIdentitySource::Exchange(const AwsConfig& config,
                                                       const std::string& token_file,
                                                       const std::string& role_arn,
                                                       const std::string& session_name) {
  std::ifstream in(token_file);
  if (!in) return arrow::Status::IOError("cannot read web identity token file ", token_file);
  std::stringstream token;
  token << in.rdbuf();
  std::string text = token.str();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) return arrow::Status::IOError("web identity token file ", token_file, " is empty");
  return StsClient(config).AssumeRoleWithWebIdentity(role_arn, session_name, text);
}

arrow::Result<std::optional<Credentials>> WebIdentitySource::Load() {
  auto token_file = config_.Get("AWS_WEB_IDENTITY_TOKEN_FILE");
  auto role_arn = config_.Get("AWS_ROLE_ARN");
  if (!token_file && !role_arn) return std::nullopt;
  if (!token_file || !role_arn) {
    return arrow::Status::Invalid(token_file
                                      ? "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"
                                      : "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
  }
  std::string session = config_.Get("AWS_ROLE_SESSION_NAME").value_or("s3-compaction");
  ARROW_ASSIGN_OR_RAISE(auto credentials, Exchange(config_, *token_file, *role_arn, session));
  return credentials;
}

}  // namespace s3c::aws
