// Fuzz target: the XML answer of STS AssumeRole / AssumeRoleWithWebIdentity
// (StsClient::ParseCredentials, over aws/xml.h), and the XML helpers on the same text.
#include <cstdint>
#include <string>

#include "aws/sts_client.h"
#include "aws/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto credentials = s3c::aws::StsClient::ParseCredentials(body, "role fuzz");
  if (credentials.ok()) (void)credentials->Describe();
  for (std::string_view element : s3c::xml::Elements(body, "Error")) {
    (void)s3c::xml::FirstText(element, "Code");
  }
  (void)s3c::xml::Unescape(body);
  return 0;
}
