#pragma once
// An AwsConfig read from a map instead of the process environment, for tests. HOME points
// nowhere unless given, so no real ~/.aws file is ever read.

#include <map>
#include <string>

#include "aws/aws_config.h"

namespace s3c::testing {

inline aws::AwsConfig ConfigFromVars(std::map<std::string, std::string> vars) {
  vars.emplace("HOME", "/nonexistent");
  return aws::AwsConfig::FromEnv([vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

}  // namespace s3c::testing
