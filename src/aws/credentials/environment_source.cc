#include "aws/credentials/environment_source.h"

namespace s3c::aws {

arrow::Result<std::optional<Credentials>> EnvironmentSource::Load() {
  auto id = config_.Get("AWS_ACCESS_KEY_ID");
  auto secret = config_.Get("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return std::nullopt;
  if (!id || !secret) {
    return arrow::Status::Invalid(id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                                     : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  }
  Credentials credentials;
  credentials.access_key_id = *id;
  credentials.secret_access_key = *secret;
  credentials.session_token = config_.Get("AWS_SESSION_TOKEN").value_or("");
  if (auto expiration = config_.Get("AWS_CREDENTIAL_EXPIRATION")) {
    credentials.expiration = ParseIso8601(*expiration);
  }
  credentials.source = "environment";
  return credentials;
}

}  // namespace s3c::aws
