#include "aws/credentials/instance_metadata_source.h"

#include <algorithm>

#include "aws/credentials/container_source.h"
#include "aws/http_client.h"

namespace s3c::aws {

arrow::Result<std::optional<Credentials>> InstanceMetadataSource::Load() {
  std::string disabled = config_.Get("AWS_EC2_METADATA_DISABLED").value_or("");
  std::transform(disabled.begin(), disabled.end(), disabled.begin(), ::tolower);
  if (disabled == "true") return std::nullopt;
  std::string endpoint =
      config_.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();

  auto request = [&](const std::string& method, const std::string& path) {
    HttpRequest r;
    r.method = method;
    r.url = endpoint + path;
    r.connect_timeout = std::chrono::milliseconds(1000);
    r.timeout = std::chrono::milliseconds(2000);
    return r;
  };
  HttpRequest token_request = request("PUT", "/latest/api/token");
  token_request.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  auto token = HttpClient::Send(token_request);
  if (!token.ok()) return std::nullopt;  // not on EC2 (or IMDS unreachable)
  if (token->status != 200) {
    return arrow::Status::IOError("instance metadata: token request answered HTTP ", token->status);
  }
  const std::pair<std::string, std::string> auth{"X-aws-ec2-metadata-token", token->body};

  HttpRequest role_request = request("GET", "/latest/meta-data/iam/security-credentials/");
  role_request.headers = {auth};
  ARROW_ASSIGN_OR_RAISE(auto role, HttpClient::Send(role_request));
  if (role.status == 404) return std::nullopt;  // an instance without a role
  if (role.status != 200) {
    return arrow::Status::IOError("instance metadata: role request answered HTTP ", role.status);
  }
  std::string name = role.body.substr(0, role.body.find('\n'));
  HttpRequest credentials_request =
      request("GET", "/latest/meta-data/iam/security-credentials/" + name);
  credentials_request.headers = {auth};
  ARROW_ASSIGN_OR_RAISE(auto response, HttpClient::Send(credentials_request));
  if (response.status != 200) {
    return arrow::Status::IOError("instance metadata: credentials request answered HTTP ",
                                  response.status);
  }
  ARROW_ASSIGN_OR_RAISE(auto credentials,
                        ParseCredentialsDocument(response.body, "instance metadata role " + name));
  return credentials;
}

}  // namespace s3c::aws
