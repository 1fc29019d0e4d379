// Fuzz target: the body of an AWS error response, JSON or XML (aws::ParseError), and what is
// derived from it (retryable, expired credentials, the status and its code).
#include <cstdint>
#include <string>

#include "aws/aws_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  s3c::aws::HttpResponse response;
  // The first byte picks the HTTP status, so every branch of the fallback codes is reached.
  static const long kStatuses[] = {400, 403, 404, 429, 500, 503, 301, 409};
  response.status = size > 0 ? kStatuses[data[0] % 8] : 400;
  if (size > 0 && data[0] & 0x80) response.headers["x-amzn-errortype"] = "Throttling:http://x";
  response.body.assign(reinterpret_cast<const char*>(data), size);
  const s3c::aws::AwsErrorInfo error = s3c::aws::ParseError(response);
  (void)s3c::aws::IsRetryable(error);
  (void)s3c::aws::IsExpiredCredentials(error);
  (void)s3c::aws::AwsErrorCode(s3c::aws::ToStatus("Fuzz op", error));
  return 0;
}
