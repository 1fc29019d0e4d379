#include "aws/sts_client.h"

#include "aws/aws_client.h"
#include "aws/uri_encode.h"
#include "aws/xml.h"

namespace s3c::aws {

std::string StsClient::FormEncode(const std::string& value) { return UriEncode(value); }

arrow::Result<Credentials> StsClient::ParseCredentials(const std::string& body,
                                                       const std::string& source) {
  Credentials credentials;
  credentials.source = source;
  credentials.access_key_id = xml::FirstText(body, "AccessKeyId");
  credentials.secret_access_key = xml::FirstText(body, "SecretAccessKey");
  credentials.session_token = xml::FirstText(body, "SessionToken");
  credentials.expiration = ParseIso8601(xml::FirstText(body, "Expiration"));
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return arrow::Status::IOError("STS answered without credentials");
  }
  return credentials;
}

arrow::Result<std::string> StsClient::Call(std::shared_ptr<CredentialsProvider> signer,
                                           const std::string& body,
                                           const std::string& what) const {
  std::string region = config_.Region().ValueOr("");
  bool custom = false;
  std::string endpoint = config_.Endpoint("sts", region.empty() ? "us-east-1" : region, &custom);
  if (!custom && region.empty()) endpoint = "https://sts.amazonaws.com";
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint + "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = body;
  request.service = "sts";
  request.region = region.empty() ? "us-east-1" : region;
  ARROW_ASSIGN_OR_RAISE(auto response, AwsClient(std::move(signer)).Send(request, what));
  return response.body;
}

arrow::Result<Credentials> StsClient::AssumeRoleWithWebIdentity(const std::string& role_arn,
                                                               const std::string& session_name,
                                                               const std::string& token) const {
  std::string body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" +
                     FormEncode(role_arn) + "&RoleSessionName=" + FormEncode(session_name) +
                     "&WebIdentityToken=" + FormEncode(token);
  ARROW_ASSIGN_OR_RAISE(auto xml_body,
                        Call(nullptr, body, "AssumeRoleWithWebIdentity " + role_arn));
  return ParseCredentials(xml_body, "web identity (" + role_arn + ")");
}

arrow::Result<Credentials> StsClient::AssumeRole(std::shared_ptr<CredentialsProvider> source,
                                                 const std::string& role_arn,
                                                 const std::string& session_name,
                                                 const std::string& external_id,
                                                 int duration_seconds) const {
  std::string body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + FormEncode(role_arn) +
                     "&RoleSessionName=" + FormEncode(session_name);
  if (!external_id.empty()) body += "&ExternalId=" + FormEncode(external_id);
  if (duration_seconds > 0) body += "&DurationSeconds=" + std::to_string(duration_seconds);
  ARROW_ASSIGN_OR_RAISE(auto xml_body, Call(std::move(source), body, "AssumeRole " + role_arn));
  return ParseCredentials(xml_body, "role " + role_arn);
}

}  // namespace s3c::aws
