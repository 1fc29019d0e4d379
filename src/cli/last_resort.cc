#include "cli/last_resort.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "cli/exit_code.h"
#include "util/logging.h"

namespace s3c {
namespace {

// What the exception being handled is, for one line.
std::string Describe(const std::exception_ptr& e) {
  if (!e) return "std::terminate called without an exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return std::string("unexpected exception: ") + x.what();
  } catch (...) {
    return "unexpected exception of an unknown type";
  }
}

[[noreturn]] void OnTerminate() {
  // Not through log::: its lock may be held by the thread that is ending the process.
  const std::string line = "s3-compaction: error: internal error: " +
                           Describe(std::current_exception()) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  std::_Exit(kExitInternalError);
}

}  // namespace

void InstallTerminateHandler() { std::set_terminate(OnTerminate); }

int ExitCodeOf(const std::function<int()>& body) {
  try {
    return body();
  } catch (...) {
    log::Error("internal error: ", Describe(std::current_exception()));
    return kExitInternalError;
  }
}

}  // namespace s3c
