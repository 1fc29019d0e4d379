// s3-compaction: flags -> options -> run -> summary -> exit code.

#include <arrow/compute/initialize.h>

#include "cli/command_line.h"
#include "cli/exit_code.h"
#include "cli/last_resort.h"
#include "storage/file_systems.h"
#include "util/logging.h"

namespace {

int Main(int argc, char** argv) {
  auto parsed = s3c::CommandLine::Parse(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  const s3c::CliRequest& request = std::get<s3c::CliRequest>(parsed);
  s3c::log::Configure(request.log_level, request.log_format);

  if (auto st = arrow::compute::Initialize(); !st.ok()) {
    s3c::log::Error("initialising Arrow compute: ", st.message());
    return s3c::kExitInternalError;
  }
  return s3c::RunRequest(request);
}

}  // namespace

int main(int argc, char** argv) {
  s3c::InstallTerminateHandler();
  int code = s3c::ExitCodeOf([&] { return Main(argc, argv); });
  // Every S3 filesystem is gone by now; Arrow's S3 support may be shut down.
  s3c::FileSystems::FinalizeS3IfUsed();
  return code;
}
