#pragma once
// AwsClient: sends AWS requests, signed with the current credentials, and retries what is worth
// retrying: dropped connections and time-outs, throttling (ThrottlingException, 429, S3's 503
// SlowDown) and 5xx, with exponential back-off and full jitter (and Retry-After when a service
// sends one); after an expired-credentials error it refreshes the credentials once and retries.
// Errors are translated once (AwsError), naming the operation and the object.
//
// Thread-safe.

#include <chrono>
#include <memory>
#include <string>

#include <arrow/result.h>

#include "aws/aws_config.h"
#include "aws/credentials.h"
#include "aws/http_client.h"

namespace s3c::aws {

struct RetryOptions {
  int max_attempts = AwsConfig::kDefaultMaxAttempts;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{20000};

  /// The configured attempts (AWS_MAX_ATTEMPTS, the profile's max_attempts). A setting that is
  /// not valid counts as the default here: the command line refuses it before any request.
  static RetryOptions From(const AwsConfig& config) {
    RetryOptions retry;
    retry.max_attempts = config.MaxAttempts().ValueOr(AwsConfig::kDefaultMaxAttempts);
    return retry;
  }
};

class AwsClient {
 public:
  /// `credentials` may be null: requests are then sent unsigned (STS web identity, IMDS).
  explicit AwsClient(std::shared_ptr<CredentialsProvider> credentials, RetryOptions retry = {})
      : credentials_(std::move(credentials)), retry_(retry) {}

  /// 2xx: the response. Otherwise an IOError "<what>: <code>: <message>" carrying the AWS error
  /// code (AwsErrorCode), or the transport error after the last attempt.
  arrow::Result<HttpResponse> Send(HttpRequest request, const std::string& what) const;

  /// The delay before retry number `attempt` (1-based): uniform in [0, min(max, base * 2^attempt)).
  static std::chrono::milliseconds Backoff(const RetryOptions& retry, int attempt);

 private:
  std::shared_ptr<CredentialsProvider> credentials_;
  RetryOptions retry_;
};

}  // namespace s3c::aws
