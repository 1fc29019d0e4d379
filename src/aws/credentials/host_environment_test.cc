#include "aws/credentials/host_environment.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace s3c::aws {
namespace {

// Runs `command` the way ProfileSource does (popen) and returns what it printed.
std::string Output(const std::string& command) {
  FILE* pipe = ::popen(HostEnvironment::ShellCommand(command).c_str(), "r");
  std::string out;
  char buffer[256];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

class HostEnvironmentTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* name : {"S3C_HOST_OPENSSL_CONF_UNSET", "S3C_HOST_LD_PRELOAD",
                             "S3C_HOST_LD_AUDIT", "OPENSSL_CONF", "LD_PRELOAD", "LD_AUDIT"}) {
      ::unsetenv(name);
    }
  }
};

TEST_F(HostEnvironmentTest, OutsideTheBundleCommandsRunUnchanged) {
  EXPECT_EQ(HostEnvironment::ShellCommand("printf '%s' \"$OPENSSL_CONF\""),
            "printf '%s' \"$OPENSSL_CONF\"");
}

TEST_F(HostEnvironmentTest, TheLaunchersChangesAreUndoneForTheChild) {
  // As the launcher leaves them: OPENSSL_CONF the bundle's, the host's preload set aside.
  ::setenv("OPENSSL_CONF", "/opt/s3-compaction/etc/openssl.cnf", 1);
  ::setenv("S3C_HOST_OPENSSL_CONF_UNSET", "1", 1);
  ::setenv("S3C_HOST_LD_PRELOAD", "/usr/lib/a b.so $(touch /tmp/never)", 1);
  EXPECT_EQ(Output("printf '%s|%s|%s|%s' \"${OPENSSL_CONF-unset}\" \"$LD_PRELOAD\" "
                   "\"${S3C_HOST_LD_PRELOAD-gone}\" \"${S3C_HOST_OPENSSL_CONF_UNSET-gone}\""),
            "unset|/usr/lib/a b.so $(touch /tmp/never)|gone|gone");
}

TEST_F(HostEnvironmentTest, AnOpensslConfTheCallerChoseIsKept) {
  ::setenv("OPENSSL_CONF", "/etc/mine.cnf", 1);
  ::setenv("S3C_HOST_LD_AUDIT", "/x.so", 1);
  EXPECT_EQ(Output("printf '%s|%s' \"$OPENSSL_CONF\" \"$LD_AUDIT\""), "/etc/mine.cnf|/x.so");
}

}  // namespace
}  // namespace s3c::aws
