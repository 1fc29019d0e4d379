#pragma once
// HttpClient: one HTTP(S) request over libcurl, optionally signed with AWS Signature V4 by
// libcurl itself (CURLOPT_AWS_SIGV4). The one place libcurl is used.
//
// Thread-safe: each call uses its own curl handle; connections are reused through a shared
// connection cache. curl_global_init runs once, on first use.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

namespace s3c::aws {

/// What SigV4 signs with. Never logged.
struct SigningKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

struct HttpRequest {
  std::string method = "GET";  // GET, PUT, POST, DELETE
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// When set, the request is signed for `service` in `region` (SigV4).
  std::optional<SigningKey> signing_key;
  std::string service;
  std::string region;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class HttpClient {
 public:
  /// Sends the request. A response with any status is a result; only a transport failure
  /// (connection refused or reset, timeout, TLS) is an error: IOError with curl's message, which
  /// names the host and never a secret.
  static arrow::Result<HttpResponse> Send(const HttpRequest& request);

  /// Whether a failure of Send() would fail the same way again: no CA certificates found, or
  /// a server certificate that does not verify. Callers do not retry those.
  static bool IsPermanent(const arrow::Status& status);

  /// The SigV4 provider string curl wants: "aws:amz:<region>:<service>".
  static std::string SigV4Provider(const std::string& region, const std::string& service);
};

}  // namespace s3c::aws
