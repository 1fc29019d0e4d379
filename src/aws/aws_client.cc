#include "aws/aws_client.h"

#include <algorithm>
#include <random>
#include <thread>

#include "aws/aws_error.h"
#include "util/logging.h"

namespace s3c::aws {

std::chrono::milliseconds AwsClient::Backoff(const RetryOptions& retry, int attempt) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const double cap = static_cast<double>(retry.max_delay.count());
  const double ceiling =
      std::min(cap, static_cast<double>(retry.base_delay.count()) * std::pow(2.0, attempt));
  std::uniform_real_distribution<double> jitter(0.0, std::max(1.0, ceiling));
  return std::chrono::milliseconds(static_cast<int64_t>(jitter(rng)));
}

arrow::Result<HttpResponse> AwsClient::Send(HttpRequest request, const std::string& what) const {
  bool refreshed = false;
  arrow::Status last;
  for (int attempt = 1; attempt <= retry_.max_attempts; ++attempt) {
    if (credentials_) {
      auto credentials = credentials_->Get();
      if (!credentials.ok()) {
        return credentials.status().WithMessage(what, ": ", credentials.status().message());
      }
      request.signing_key = credentials->signing_key();
    }
    auto response = HttpClient::Send(request);
    std::chrono::milliseconds delay{0};
    if (!response.ok()) {
      last = response.status().WithMessage(what, ": ", response.status().message());
      if (HttpClient::IsPermanent(response.status())) return last;
      delay = Backoff(retry_, attempt);
    } else if (response->status >= 200 && response->status < 300) {
      return response;
    } else {
      AwsErrorInfo error = ParseError(*response);
      last = ToStatus(what, error);
      if (IsExpiredCredentials(error) && credentials_ && !refreshed) {
        refreshed = true;
        credentials_->Invalidate();
        log::Info(what, ": credentials expired, fetching fresh ones");
        continue;
      }
      if (!IsRetryable(error)) return last;
      delay = Backoff(retry_, attempt);
      auto retry_after = response->headers.find("retry-after");
      if (retry_after != response->headers.end()) {
        char* end = nullptr;
        double seconds = std::strtod(retry_after->second.c_str(), &end);
        if (end != retry_after->second.c_str() && seconds > 0) {
          delay = std::min<std::chrono::milliseconds>(
              retry_.max_delay, std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
        }
      }
    }
    if (attempt == retry_.max_attempts) break;
    log::Debug(last.message(), "; retrying in ", delay.count(), " ms (attempt ", attempt + 1,
               " of ", retry_.max_attempts, ")");
    std::this_thread::sleep_for(delay);
  }
  return last.WithMessage(last.message(), " (gave up after ", retry_.max_attempts,
                          " attempts)");
}

}  // namespace s3c::aws
