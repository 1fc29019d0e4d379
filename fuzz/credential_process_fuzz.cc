// Fuzz target: the JSON a credential_process prints (ProfileSource::ParseProcessOutput).
#include <cstdint>
#include <string>

#include "aws/credentials/profile_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string output(reinterpret_cast<const char*>(data), size);
  auto credentials = s3c::aws::ProfileSource::ParseProcessOutput(output, "fuzz");
  if (credentials.ok()) (void)credentials->Describe();
  return 0;
}
