#include "aws/http_client.h"

#include <strings.h>

#include <algorithm>
#include <mutex>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "aws/tls_trust.h"

namespace s3c::aws {
namespace {

std::once_flag g_curl_init;

// Marks a transport failure that no retry can mend: no CA certificates, or a certificate that
// does not verify (the same roots, the same server, the same answer).
class PermanentFailure : public arrow::StatusDetail {
 public:
  const char* type_id() const override { return "s3c::aws::PermanentFailure"; }
  std::string ToString() const override { return "not worth retrying"; }
};

// The hex SHA-256 of `body`: S3 wants it in x-amz-content-sha256 on every SigV4 request (AWS
// documents the header as required; S3 imitations such as MinIO and SeaweedFS take a missing
// one for an empty payload and refuse the signature of any request with a body).
std::string Sha256Hex(const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(body.data(), body.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

arrow::Status Permanent(arrow::Status status) {
  return status.WithDetail(std::make_shared<PermanentFailure>());
}

bool IsCertificateError(CURLcode rc) {
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:  // 60: not signed by a trusted CA, or another name
    case CURLE_SSL_CACERT_BADFILE:        // 77: the CA file cannot be read or parsed
    case CURLE_SSL_CERTPROBLEM:           // 58
    case CURLE_SSL_ISSUER_ERROR:          // 83
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:  // 90
      return true;
    default:
      return false;
  }
}

// Connections (and TLS sessions, DNS) are shared across handles and threads.
class SharedConnections {
 public:
  SharedConnections() {
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  CURLSH* get() { return share_; }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<SharedConnections*>(self)->mutexes_[data % kLocks].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<SharedConnections*>(self)->mutexes_[data % kLocks].unlock();
  }
  static constexpr int kLocks = 8;
  CURLSH* share_;
  std::mutex mutexes_[kLocks];
};

SharedConnections& Shared() {
  static SharedConnections* shared = new SharedConnections();  // lives until exit
  return *shared;
}

size_t WriteBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    auto first = value.find_first_not_of(" \t");
    auto last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

}  // namespace

bool HttpClient::IsPermanent(const arrow::Status& status) {
  return status.detail() && std::string(status.detail()->type_id()) == "s3c::aws::PermanentFailure";
}

std::string HttpClient::SigV4Provider(const std::string& region, const std::string& service) {
  return "aws:amz:" + region + ":" + service;
}

arrow::Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return arrow::Status::IOError("curl_easy_init failed");
  CURL* h = curl.get();
  // HTTPS verifies against the roots TlsTrust found on this host (the bundle's libcurl does not
  // know where this distribution keeps them); no roots at all is an error naming the paths tried.
  const bool https = request.url.size() >= 8 &&
                     strncasecmp(request.url.c_str(), "https://", 8) == 0;
  const TlsTrust* trust = nullptr;
  if (https) {
    const auto& found = TlsTrust::ForProcess();
    if (!found.ok()) {
      return Permanent(found.status().WithMessage(request.method, " ", request.url, ": ",
                                                  found.status().message()));
    }
    trust = &found.ValueUnsafe();
  }

  HttpResponse response;
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  if (request.signing_key && !request.signing_key->session_token.empty()) {
    headers = curl_slist_append(
        headers, ("X-Amz-Security-Token: " + request.signing_key->session_token).c_str());
  }
  const bool has_content_sha = std::any_of(
      request.headers.begin(), request.headers.end(),
      [](const auto& h) { return strcasecmp(h.first.c_str(), "x-amz-content-sha256") == 0; });
  if (request.signing_key && request.service == "s3" && !has_content_sha) {
    // curl (7.88) signs the payload but does not send its hash; it signs this header with the
    // others.
    headers = curl_slist_append(
        headers, ("x-amz-content-sha256: " + Sha256Hex(request.body)).c_str());
  }
  // No "Expect:" here to suppress 100-continue: curl would sign the empty header without
  // sending it, and AWS would refuse the signature. (curl's own Expect, for bodies over 1 MiB,
  // is added after signing and is not signed.)
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          &curl_slist_free_all);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_SHARE, Shared().get());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // AWS endpoints are reached directly
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (trust) {
    curl_easy_setopt(h, CURLOPT_CAINFO, trust->ca_file.empty() ? nullptr : trust->ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, trust->ca_dir.empty() ? nullptr : trust->ca_dir.c_str());
  }
  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "DELETE" || !request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  if (request.signing_key) {
    const std::string provider = SigV4Provider(request.region, request.service);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, provider.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, request.signing_key->access_key_id.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, request.signing_key->secret_access_key.c_str());
  }
  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    auto status = arrow::Status::IOError(request.method, " ", request.url, ": ",
                                         error[0] ? error : curl_easy_strerror(rc));
    return IsCertificateError(rc) ? Permanent(std::move(status)) : status;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace s3c::aws
