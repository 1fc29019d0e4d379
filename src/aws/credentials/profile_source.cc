#include "aws/credentials/profile_source.h"

#include <cstdio>
#include <sys/wait.h>

#include "aws/credentials/container_source.h"
#include "aws/credentials/environment_source.h"
#include "aws/credentials/host_environment.h"
#include "aws/credentials/instance_metadata_source.h"
#include "aws/credentials/web_identity_source.h"
#include "aws/sts_client.h"
#include "util/json_fields.h"

namespace s3c::aws {
namespace {

std::string Setting(const IniFile::Section& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? "" : it->second;
}

}  // namespace

arrow::Result<Credentials> ProfileSource::RunProcess(const std::string& command,
                                                     const std::string& profile) {
  // The host's program, with the host's environment (the bundle's launcher changed ours).
  FILE* pipe = ::popen(HostEnvironment::ShellCommand(command).c_str(), "r");
  if (!pipe) return arrow::Status::IOError("profile ", profile, ": cannot run credential_process");
  // Credentials are a few hundred bytes; a process that prints without end (`yes`) is cut off
  // (closing the pipe ends it with SIGPIPE) instead of filling the memory.
  constexpr size_t kMaxOutput = 1 << 20;
  std::string output;
  char buffer[4096];
  size_t n;
  while (output.size() <= kMaxOutput && (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, n);
  }
  int status = ::pclose(pipe);
  if (output.size() > kMaxOutput) {
    return arrow::Status::IOError("profile ", profile,
                                  ": credential_process printed more than 1 MiB; not credentials");
  }
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // Its output may hold secrets: never echo it.
    return arrow::Status::IOError("profile ", profile, ": credential_process exited with status ",
                                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  return ParseProcessOutput(output, profile);
}

arrow::Result<Credentials> ProfileSource::ParseProcessOutput(const std::string& output,
                                                             const std::string& profile) {
  const std::string source = "credential_process for profile '" + profile + "'";
  ARROW_ASSIGN_OR_RAISE(auto json, ParseJsonObject(output, source));
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(json, source));
  // Version 1 is the only format there is; the AWS CLI refuses anything else, "1" included.
  auto version = fields.Int("Version");
  if (!version.ok()) {
    return version.status().WithMessage(version.status().message(), "; it must be the number 1");
  }
  if (*version != 1) {
    return fields.FieldError("Version", "is " + std::to_string(*version) +
                                            "; only version 1 is supported");
  }
  // SessionToken and Expiration are optional, and null is as good as absent (AWS CLI).
  ARROW_ASSIGN_OR_RAISE(auto credentials, CredentialsFromJson(fields, {"SessionToken"}));
  credentials.source = "profile " + profile + " (credential_process)";
  return credentials;
}

arrow::Result<std::optional<Credentials>> ProfileSource::Load() {
  return LoadProfile(config_.profile(), 0);
}

arrow::Result<std::optional<Credentials>> ProfileSource::LoadProfile(const std::string& profile,
                                                                     int depth) {
  if (depth > 5) {
    return arrow::Status::Invalid("profile ", profile, ": source_profile chain too long (a cycle?)");
  }
  auto settings = config_.ProfileSettings(profile);
  if (!settings) {
    if (depth > 0 || config_.profile_is_explicit()) {
      return arrow::Status::Invalid("profile '", profile, "' not found in ", config_.config_path(),
                                    " or ", config_.credentials_path());
    }
    return std::nullopt;
  }
  const std::string role_arn = Setting(*settings, "role_arn");
  if (!role_arn.empty()) {
    std::string session = Setting(*settings, "role_session_name");
    if (session.empty()) session = "s3-compaction";
    const std::string web_identity = Setting(*settings, "web_identity_token_file");
    if (!web_identity.empty()) {
      ARROW_ASSIGN_OR_RAISE(auto c, WebIdentitySource::Exchange(config_, web_identity, role_arn,
                                                                session));
      return c;
    }
    std::optional<Credentials> source;
    const std::string source_profile = Setting(*settings, "source_profile");
    const std::string credential_source = Setting(*settings, "credential_source");
    if (!source_profile.empty()) {
      if (source_profile == profile) {
        // A profile may hold both the role and the static keys it is assumed with.
        const std::string id = Setting(*settings, "aws_access_key_id");
        if (id.empty()) return arrow::Status::Invalid("profile ", profile, " is its own source_profile but has no keys");
        source = Credentials{id, Setting(*settings, "aws_secret_access_key"),
                             Setting(*settings, "aws_session_token"), std::nullopt,
                             "profile " + profile};
      } else {
        ARROW_ASSIGN_OR_RAISE(source, LoadProfile(source_profile, depth + 1));
      }
    } else if (credential_source == "Environment") {
      ARROW_ASSIGN_OR_RAISE(source, EnvironmentSource(config_).Load());
    } else if (credential_source == "Ec2InstanceMetadata") {
      ARROW_ASSIGN_OR_RAISE(source, InstanceMetadataSource(config_).Load());
    } else if (credential_source == "EcsContainer") {
      ARROW_ASSIGN_OR_RAISE(source, ContainerSource(config_).Load());
    } else {
      return arrow::Status::Invalid("profile ", profile,
                                    " has role_arn but no source_profile, credential_source or "
                                    "web_identity_token_file");
    }
    if (!source) {
      return arrow::Status::Invalid("profile ", profile, ": its source of credentials has none");
    }
    int duration = 0;
    if (auto d = Setting(*settings, "duration_seconds"); !d.empty()) duration = std::atoi(d.c_str());
    ARROW_ASSIGN_OR_RAISE(
        auto assumed,
        StsClient(config_).AssumeRole(std::make_shared<StaticCredentialsProvider>(*source),
                                      role_arn, session, Setting(*settings, "external_id"),
                                      duration));
    assumed.source = "profile " + profile + " (role " + role_arn + ")";
    return assumed;
  }
  const std::string id = Setting(*settings, "aws_access_key_id");
  const std::string secret = Setting(*settings, "aws_secret_access_key");
  if (!id.empty() || !secret.empty()) {
    if (id.empty() || secret.empty()) {
      return arrow::Status::Invalid("profile ", profile,
                                    " has only one of aws_access_key_id and aws_secret_access_key");
    }
    return Credentials{id, secret, Setting(*settings, "aws_session_token"), std::nullopt,
                       "profile " + profile};
  }
  const std::string process = Setting(*settings, "credential_process");
  if (!process.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto c, RunProcess(process, profile));
    return c;
  }
  return std::nullopt;
}

}  // namespace s3c::aws
