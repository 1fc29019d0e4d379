#pragma once
// AwsConfig: the standard AWS environment, resolved as every AWS SDK does.
//
//   profile     AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default"
//   files       AWS_CONFIG_FILE (~/.aws/config), AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials)
//   region      AWS_REGION, else AWS_DEFAULT_REGION, else the profile's "region"
//   endpoint    AWS_ENDPOINT_URL_<SERVICE> (GLUE, S3, STS), else AWS_ENDPOINT_URL, else the
//               profile's endpoint_url, else https://<service>.<region>.amazonaws.com(.cn);
//               AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores all configured endpoints
//   attempts    AWS_MAX_ATTEMPTS, else the profile's "max_attempts", else 8: how many times a
//               request is sent before its error counts (S3, Glue, STS, batch deletes)
//
// The environment is read through a lookup function so tests can supply their own.
// Immutable after construction; thread-safe.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include <arrow/result.h>

#include "aws/ini_file.h"

namespace s3c::aws {

class AwsConfig {
 public:
  using Env = std::function<std::optional<std::string>(const std::string& name)>;

  /// The process environment.
  static AwsConfig FromEnvironment();
  /// The lookup FromEnvironment reads through (getenv), for a config made with FromEnv that
  /// must not change the environment (FromEnvironment may setenv).
  static Env ProcessEnv();
  static AwsConfig FromEnv(Env env);

  std::optional<std::string> Get(const std::string& name) const;  // non-empty env value
  const std::string& profile() const { return profile_; }
  bool profile_is_explicit() const { return profile_explicit_; }

  /// The profile's settings: its section of the config file ("[default]" or "[profile x]")
  /// overlaid by its section of the credentials file ("[x]"). nullopt if in neither.
  std::optional<IniFile::Section> ProfileSettings(const std::string& profile) const;

  /// The region, or Invalid saying how to set one.
  arrow::Result<std::string> Region() const;

  /// How many times a request is sent at most (first attempt included), or Invalid naming the
  /// setting when it is not a whole number from 1 to 100.
  arrow::Result<int> MaxAttempts() const;
  static constexpr int kDefaultMaxAttempts = 8;

  /// The endpoint URL for a service ("glue", "s3", "sts"), without a trailing slash; `custom`
  /// says whether it was configured rather than the AWS default.
  std::string Endpoint(const std::string& service, const std::string& region,
                       bool* custom = nullptr) const;

  std::string config_path() const { return config_path_; }
  std::string credentials_path() const { return credentials_path_; }

 private:
  Env env_;
  std::string profile_;
  bool profile_explicit_ = false;
  std::string config_path_, credentials_path_;
  IniFile config_, credentials_;
};

}  // namespace s3c::aws
