#include "aws/credentials/host_environment.h"

#include <cstdlib>

namespace s3c::aws {

std::string HostEnvironment::ShellCommand(const std::string& command) {
  const bool conf = std::getenv("S3C_HOST_OPENSSL_CONF_UNSET") != nullptr;
  const bool preload = std::getenv("S3C_HOST_LD_PRELOAD") != nullptr;
  const bool audit = std::getenv("S3C_HOST_LD_AUDIT") != nullptr;
  if (!conf && !preload && !audit) return command;
  std::string prefix;
  if (conf) prefix += "unset OPENSSL_CONF; ";
  // The values are read by the shell from the variables, never pasted into the command.
  if (preload) prefix += "LD_PRELOAD=\"$S3C_HOST_LD_PRELOAD\"; export LD_PRELOAD; ";
  if (audit) prefix += "LD_AUDIT=\"$S3C_HOST_LD_AUDIT\"; export LD_AUDIT; ";
  prefix += "unset S3C_HOST_OPENSSL_CONF_UNSET S3C_HOST_LD_PRELOAD S3C_HOST_LD_AUDIT; ";
  return prefix + command;
}

}  // namespace s3c::aws
