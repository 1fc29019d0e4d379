#include "aws/credentials/container_source.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aws/aws_client.h"

namespace s3c::aws {

arrow::Result<Credentials> ParseCredentialsDocument(const std::string& body,
                                                    const std::string& source) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("AccessKeyId") || !json.contains("SecretAccessKey") ||
      !json["AccessKeyId"].is_string() || !json["SecretAccessKey"].is_string()) {
    return arrow::Status::IOError(source, " answered without credentials");
  }
  Credentials credentials;
  credentials.access_key_id = json["AccessKeyId"].get<std::string>();
  credentials.secret_access_key = json["SecretAccessKey"].get<std::string>();
  credentials.session_token = json.value("Token", json.value("SessionToken", ""));
  if (json.contains("Expiration") && json["Expiration"].is_string()) {
    credentials.expiration = ParseIso8601(json["Expiration"].get<std::string>());
  }
  credentials.source = source;
  return credentials;
}

bool ContainerSource::AllowedHttpHost(const std::string& url) {
  if (url.rfind("https://", 0) == 0) return true;
  if (url.rfind("http://", 0) != 0) return false;
  std::string rest = url.substr(7);
  std::string host;
  if (!rest.empty() && rest[0] == '[') {
    host = rest.substr(0, rest.find(']') + 1);
  } else {
    host = rest.substr(0, rest.find_first_of(":/"));
  }
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

arrow::Result<std::optional<Credentials>> ContainerSource::Load() {
  std::string url;
  if (auto relative = config_.Get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = "http://169.254.170.2" + *relative;
  } else if (auto full = config_.Get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    url = *full;
    if (!AllowedHttpHost(url)) {
      return arrow::Status::Invalid("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to "
                                    "a loopback or ECS/EKS address: ", url);
    }
  } else {
    return std::nullopt;
  }
  HttpRequest request;
  request.url = url;
  request.connect_timeout = std::chrono::milliseconds(2000);
  request.timeout = std::chrono::milliseconds(5000);
  std::string token;
  if (auto file = config_.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    std::ifstream in(*file);
    if (!in) return arrow::Status::IOError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ", *file);
    std::stringstream s;
    s << in.rdbuf();
    token = s.str();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  } else if (auto value = config_.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    token = *value;
  }
  if (!token.empty()) request.headers.push_back({"Authorization", token});
  RetryOptions retry;
  retry.max_attempts = 3;
  retry.base_delay = std::chrono::milliseconds(50);
  ARROW_ASSIGN_OR_RAISE(auto response,
                        AwsClient(nullptr, retry).Send(request, "container credentials " + url));
  ARROW_ASSIGN_OR_RAISE(auto credentials, ParseCredentialsDocument(response.body, "container"));
  return credentials;
}

}  // namespace s3c::aws
