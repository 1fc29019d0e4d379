#pragma once
// HostEnvironment: the environment the programs we start should see. The bundle's launcher
// (deploy/bundle/launcher.c) changes three variables for the binary and notes how they were:
//
//   OPENSSL_CONF   set to the bundle's etc/openssl.cnf when the caller had none
//                  (S3C_HOST_OPENSSL_CONF_UNSET=1)
//   LD_PRELOAD     set aside as S3C_HOST_LD_PRELOAD (host libraries against the bundle's glibc)
//   LD_AUDIT       set aside as S3C_HOST_LD_AUDIT
//
// A credential_process is the host's program, run with the host's libraries: it gets them back.
// Outside the bundle none of the notes exist and commands run unchanged.

#include <string>

namespace s3c::aws {

class HostEnvironment {
 public:
  /// `command` (run by /bin/sh -c, as popen does) preceded by the shell statements that put
  /// the host's environment back; `command` itself when the launcher changed nothing.
  static std::string ShellCommand(const std::string& command);
};

}  // namespace s3c::aws
