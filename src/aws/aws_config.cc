#include "aws/aws_config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace s3c::aws {

AwsConfig::Env AwsConfig::ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

AwsConfig AwsConfig::FromEnvironment() {
  AwsConfig config = FromEnv(ProcessEnv());
  // The AWS SDK inside Arrow reads these files on its own, line by line without a bound (a
  // config named /dev/zero took 16 GiB): one we refused is hidden from it too. It needs
  // nothing from them: our chain signs everything, and region and endpoint are passed.
  // (Early, before any thread of ours reads the environment.)
  if (config.config_.oversized()) ::setenv("AWS_CONFIG_FILE", "/dev/null", 1);
  if (config.credentials_.oversized()) ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
  return config;
}

AwsConfig AwsConfig::FromEnv(Env env) {
  AwsConfig config;
  config.env_ = std::move(env);
  if (auto p = config.Get("AWS_PROFILE")) {
    config.profile_ = *p;
    config.profile_explicit_ = true;
  } else if (auto d = config.Get("AWS_DEFAULT_PROFILE")) {
    config.profile_ = *d;
    config.profile_explicit_ = true;
  } else {
    config.profile_ = "default";
  }
  const std::string home = config.Get("HOME").value_or("");
  config.config_path_ = config.Get("AWS_CONFIG_FILE").value_or(home + "/.aws/config");
  config.credentials_path_ =
      config.Get("AWS_SHARED_CREDENTIALS_FILE").value_or(home + "/.aws/credentials");
  config.config_ = IniFile::Load(config.config_path_);
  config.credentials_ = IniFile::Load(config.credentials_path_);
  return config;
}

std::optional<std::string> AwsConfig::Get(const std::string& name) const {
  auto value = env_ ? env_(name) : std::nullopt;
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::optional<IniFile::Section> AwsConfig::ProfileSettings(const std::string& profile) const {
  std::optional<IniFile::Section> settings;
  const IniFile::Section* in_config =
      config_.Find(profile == "default" ? "default" : "profile " + profile);
  if (!in_config && profile == "default") in_config = config_.Find("profile default");
  if (in_config) settings = *in_config;
  if (const IniFile::Section* in_credentials = credentials_.Find(profile)) {
    if (!settings) settings.emplace();
    for (const auto& [key, value] : *in_credentials) (*settings)[key] = value;
  }
  return settings;
}

arrow::Result<std::string> AwsConfig::Region() const {
  if (auto r = Get("AWS_REGION")) return *r;
  if (auto r = Get("AWS_DEFAULT_REGION")) return *r;
  if (auto settings = ProfileSettings(profile_)) {
    auto it = settings->find("region");
    if (it != settings->end() && !it->second.empty()) return it->second;
  }
  return arrow::Status::Invalid("no AWS region: set AWS_REGION, or a region in profile '",
                                profile_, "' of ", config_path_);
}

arrow::Result<int> AwsConfig::MaxAttempts() const {
  std::optional<std::string> value = Get("AWS_MAX_ATTEMPTS");
  std::string where = "AWS_MAX_ATTEMPTS";
  if (!value) {
    if (auto settings = ProfileSettings(profile_)) {
      auto it = settings->find("max_attempts");
      if (it != settings->end() && !it->second.empty()) {
        value = it->second;
        where = "max_attempts of profile '" + profile_ + "'";
      }
    }
  }
  if (!value) return kDefaultMaxAttempts;
  int attempts = 0;
  auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), attempts);
  if (error != std::errc() || end != value->data() + value->size() || attempts < 1 ||
      attempts > 100) {
    return arrow::Status::Invalid(where, " is '", *value,
                                  "': it must be a whole number of attempts from 1 to 100");
  }
  return attempts;
}

std::string AwsConfig::Endpoint(const std::string& service, const std::string& region,
                                bool* custom) const {
  auto strip = [](std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  };
  if (custom) *custom = true;
  const bool ignore = Get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("") == "true";
  if (!ignore) {
    std::string upper = service;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    if (auto url = Get("AWS_ENDPOINT_URL_" + upper)) return strip(*url);
    if (auto url = Get("AWS_ENDPOINT_URL")) return strip(*url);
    if (auto settings = ProfileSettings(profile_)) {
      auto it = settings->find("endpoint_url");
      if (it != settings->end() && !it->second.empty()) return strip(it->second);
    }
  }
  if (custom) *custom = false;
  const std::string suffix = region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com";
  return "https://" + service + "." + region + suffix;
}

}  // namespace s3c::aws
