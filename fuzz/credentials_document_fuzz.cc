// Fuzz target: the JSON credentials document of the container endpoint (ECS, EKS Pod
// Identity, Glue) and of the EC2 instance metadata service (IMDS): both sources read it with
// ParseCredentialsDocument (aws/credentials/container_source.h), so one target covers both.
#include <cstdint>
#include <string>

#include "aws/credentials/container_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto credentials = s3c::aws::ParseCredentialsDocument(body, "container");
  if (credentials.ok()) (void)credentials->Describe();
  return 0;
}
