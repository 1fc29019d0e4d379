#include "storage/s3_batch_deleter.h"

#include <map>
#include <mutex>

#include <openssl/evp.h>

#include "aws/aws_error.h"
#include "aws/xml.h"
#include "storage/s3_url.h"
#include "storage/storage_faults.h"
#include "util/logging.h"
#include "util/parallel_for.h"

namespace s3c {

S3BatchDeleter::S3BatchDeleter(std::shared_ptr<aws::AwsContext> context)
    : context_(std::move(context)), client_(context_->credentials()) {
  region_ = context_->config().Region().ValueOr("us-east-1");
  endpoint_ = context_->config().Endpoint("s3", region_, &custom_endpoint_);
}

std::string S3BatchDeleter::BuildBody(const std::vector<std::string>& keys) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
  for (const auto& key : keys) body += "<Object><Key>" + xml::Escape(key) + "</Key></Object>";
  return body + "</Delete>";
}

std::string S3BatchDeleter::ContentMd5(const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(body.data(), body.size(), digest, &length, EVP_md5(), nullptr);
  unsigned char encoded[64];
  int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(n));
}

std::string S3BatchDeleter::DeleteUrl(const std::string& endpoint, bool custom_endpoint,
                                      const std::string& bucket, const std::string& region) {
  // The bucket itself: an empty key, and the "delete" subresource.
  std::string url = S3ObjectUrl(S3Endpoint{endpoint, custom_endpoint, region}, bucket, "", "delete=");
  // Path-style ".../bucket/?delete=" and ".../bucket?delete=" are the same resource; S3 and its
  // imitations accept the latter everywhere.
  auto slash = url.find("/?");
  if (slash != std::string::npos && (custom_endpoint || bucket.find('.') != std::string::npos)) {
    url.erase(slash, 1);
  }
  return url;
}

std::vector<std::pair<std::string, arrow::Status>> S3BatchDeleter::DeleteBatch(
    const std::string& bucket, const std::vector<std::string>& keys) {
  std::vector<std::pair<std::string, arrow::Status>> failures;
  aws::HttpRequest request;
  request.method = "POST";
  request.url = DeleteUrl(endpoint_, custom_endpoint_, bucket, region_);
  request.body = BuildBody(keys);
  request.headers = {{"Content-Type", "application/xml"}, {"Content-MD5", ContentMd5(request.body)}};
  request.service = "s3";
  request.region = region_;
  const std::string what = "DeleteObjects s3://" + bucket + " (" + std::to_string(keys.size()) +
                           " objects)";
  auto response = StorageFaults::Run(
      "DeleteObjects", "s3://" + bucket + " (" + std::to_string(keys.size()) + " keys)",
      [&] { return client_.Send(request, what); });
  if (!response.ok()) {
    for (const auto& key : keys) failures.emplace_back(bucket + "/" + key, response.status());
    return failures;
  }
  for (std::string_view error : xml::Elements(response->body, "Error")) {
    const std::string key = xml::FirstText(error, "Key");
    aws::AwsErrorInfo info{xml::FirstText(error, "Code"), xml::FirstText(error, "Message"), 200};
    if (info.code == "NoSuchKey") continue;  // already gone: deleted
    failures.emplace_back(bucket + "/" + key,
                          aws::ToStatus("DeleteObjects s3://" + bucket + "/" + key, info));
  }
  return failures;
}

std::vector<std::pair<std::string, arrow::Status>> S3BatchDeleter::Delete(
    const std::vector<std::string>& paths) {
  std::map<std::string, std::vector<std::string>> by_bucket;
  for (const auto& path : paths) {
    auto slash = path.find('/');
    if (slash == std::string::npos || slash + 1 == path.size()) continue;  // never a bucket
    by_bucket[path.substr(0, slash)].push_back(path.substr(slash + 1));
  }
  struct Batch {
    std::string bucket;
    std::vector<std::string> keys;
  };
  std::vector<Batch> batches;
  for (auto& [bucket, keys] : by_bucket) {
    for (size_t i = 0; i < keys.size(); i += 1000) {
      batches.push_back({bucket, std::vector<std::string>(
                                     keys.begin() + i,
                                     keys.begin() + std::min(keys.size(), i + 1000))});
    }
  }
  std::mutex mutex;
  std::vector<std::pair<std::string, arrow::Status>> failures;
  ParallelFor(batches.size(), 4, [&](size_t b) {
    auto batch_failures = DeleteBatch(batches[b].bucket, batches[b].keys);
    std::lock_guard<std::mutex> lock(mutex);
    failures.insert(failures.end(), batch_failures.begin(), batch_failures.end());
  });
  log::Debug("deleted ", paths.size() - failures.size(), " S3 object(s) in ", batches.size(),
             " DeleteObjects request(s)");
  return failures;
}

}  // namespace s3c
