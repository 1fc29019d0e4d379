#pragma once
// AWS credentials, where they come from, and the provider clients ask for them.
//
// A CredentialsSource is one place credentials may be found (the environment, a profile, the
// container endpoint, ...). A CredentialsProvider hands out current credentials, refreshing
// them before they expire. Secrets never appear in a message or a log line: only the access
// key id's last four characters may, to tell keys apart.

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>

#include <arrow/result.h>

#include "aws/http_client.h"

namespace s3c {
class JsonFields;
}  // namespace s3c

namespace s3c::aws {

using Clock = std::chrono::system_clock;

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::optional<Clock::time_point> expiration;  // none: long-term keys
  std::string source;  // "environment", "profile prod", "web identity", ... for messages

  SigningKey signing_key() const { return {access_key_id, secret_access_key, session_token}; }
  /// "...WXYZ from profile prod": safe to print.
  std::string Describe() const;
};

class CredentialsSource {
 public:
  virtual ~CredentialsSource() = default;
  /// "environment", "web identity", "profile default", "container", "instance metadata".
  virtual std::string name() const = 0;
  /// nullopt when this source is not configured (the chain moves on); an error when it is
  /// configured but failed (the chain stops: a broken configuration must not be bypassed
  /// silently by, say, an instance role).
  virtual arrow::Result<std::optional<Credentials>> Load() = 0;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  /// Current credentials, refreshed when within five minutes of expiring. Thread-safe.
  virtual arrow::Result<Credentials> Get() = 0;
  /// Forgets cached credentials (after a service said they expired).
  virtual void Invalidate() = 0;
};

/// Credentials that never change (tests, and assumed roles' source credentials).
class StaticCredentialsProvider : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials)
      : credentials_(std::move(credentials)) {}
  arrow::Result<Credentials> Get() override { return credentials_; }
  void Invalidate() override {}

 private:
  Credentials credentials_;
};

/// The credentials of a JSON document (credential_process output, the container and instance
/// metadata endpoints): AccessKeyId and SecretAccessKey, non-empty strings; the session token,
/// the first of `token_keys` present, and Expiration, optional strings (null is absent). Errors
/// name the document and the field, never a value.
arrow::Result<Credentials> CredentialsFromJson(const JsonFields& fields,
                                               std::initializer_list<const char*> token_keys);

/// "2026-11-24T23:59:59Z" (fractional seconds and offsets accepted) to a time point; nullopt
/// when it is not such a time or a field is out of range. Years are clamped to 1970..2200, so
/// "9999-12-31T23:59:59Z" (never expires) cannot overflow the clock.
std::optional<Clock::time_point> ParseIso8601(const std::string& text);

}  // namespace s3c::aws
