#include "aws/credentials/container_source.h"

#include <fstream>
#include <sstream>

#include "aws/aws_client.h"
#include "util/json_fields.h"

namespace s3c::aws {

arrow::Result<Credentials> ParseCredentialsDocument(const std::string& body,
                                                    const std::string& source) {
  ARROW_ASSIGN_OR_RAISE(auto json, ParseJsonObject(body, source));
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(json, source));
  // Instance metadata says whether it succeeded; the container endpoint does not.
  ARROW_ASSIGN_OR_RAISE(auto code, fields.OptionalString("Code"));
  if (code && *code != "Success") {
    return fields.FieldError("Code", "is '" + *code + "', not Success");
  }
  ARROW_ASSIGN_OR_RAISE(auto credentials, CredentialsFromJson(fields, {"Token", "SessionToken"}));
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
  ARROW_ASSIGN_OR_RAISE(auto credentials, ParseCredentialsDocument(response.body, "container credentials " + url));
  return credentials;
}

}  // namespace s3c::aws
