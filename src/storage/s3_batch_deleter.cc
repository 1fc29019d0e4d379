#include "storage/s3_batch_deleter.h"

#include <map>
#include <mutex>

#include <openssl/evp.h>

#include "aws/aws_error.h"
#include "aws/xml.h"
#include "storage/file_identity.h"
#include "storage/s3_url.h"
#include "storage/storage_faults.h"
#include "util/logging.h"
#include "util/parallel_for.h"

namespace s3c {

S3BatchDeleter::S3BatchDeleter(std::shared_ptr<aws::AwsContext> context,
                               std::shared_ptr<StorageRequests> requests)
    : context_(std::move(context)),
      client_(context_->credentials(), aws::RetryOptions::From(context_->config())),
      requests_(std::move(requests)) {
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

std::string S3BatchDeleter::BuildConditionalBody(const std::vector<ExpectedObject>& objects) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>false</Quiet>";
  for (const auto& object : objects) {
    const std::string key = object.path.substr(object.path.find('/') + 1);
    body += "<Object><Key>" + xml::Escape(key) + "</Key><ETag>" +
            xml::Escape("\"" + UnquotedETag(object.etag) + "\"") + "</ETag></Object>";
  }
  return body + "</Delete>";
}

std::vector<S3BatchDeleter::ObjectRemoval> S3BatchDeleter::ReadOutcomes(
    const std::string& bucket, const std::vector<std::string>& keys, std::string_view response) {
  std::map<std::string, ObjectRemoval> by_key;
  for (std::string_view deleted : xml::Elements(response, "Deleted")) {
    const std::string key = xml::FirstText(deleted, "Key");
    by_key[key] = {bucket + "/" + key, RemovalOutcome::kRemoved, arrow::Status::OK()};
  }
  for (std::string_view error : xml::Elements(response, "Error")) {
    const std::string key = xml::FirstText(error, "Key");
    aws::AwsErrorInfo info{xml::FirstText(error, "Code"), xml::FirstText(error, "Message"), 200};
    ObjectRemoval removal{bucket + "/" + key, RemovalOutcome::kFailed, arrow::Status::OK()};
    if (info.code == "PreconditionFailed") {
      removal.outcome = RemovalOutcome::kChanged;
    } else if (info.code == "NoSuchKey") {
      removal.outcome = RemovalOutcome::kGone;
    } else {
      removal.status = aws::ToStatus("DeleteObjects s3://" + bucket + "/" + key, info);
    }
    by_key[key] = std::move(removal);
  }
  std::vector<ObjectRemoval> out;
  for (const auto& key : keys) {
    auto it = by_key.find(key);
    if (it != by_key.end()) {
      out.push_back(it->second);
      continue;
    }
    out.push_back({bucket + "/" + key, RemovalOutcome::kFailed,
                   arrow::Status::IOError("DeleteObjects s3://", bucket, "/", key,
                                          ": the response names it neither deleted nor failed")});
  }
  return out;
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
  return S3BucketUrl(S3Endpoint{endpoint, custom_endpoint, region}, bucket, "delete=");
}

arrow::Result<aws::HttpResponse> S3BatchDeleter::Post(const std::string& bucket, std::string body,
                                                      const std::string& what) {
  aws::HttpRequest request;
  request.method = "POST";
  request.url = DeleteUrl(endpoint_, custom_endpoint_, bucket, region_);
  request.body = std::move(body);
  request.headers = {{"Content-Type", "application/xml"}, {"Content-MD5", ContentMd5(request.body)}};
  request.service = "s3";
  request.region = region_;
  return StorageFaults::Run("DeleteObjects", what, [&] {
    if (requests_) requests_->Add(RequestKind::kDelete);
    return client_.Send(request, what);
  });
}

std::vector<std::pair<std::string, arrow::Status>> S3BatchDeleter::DeleteBatch(
    const std::string& bucket, const std::vector<std::string>& keys) {
  std::vector<std::pair<std::string, arrow::Status>> failures;
  const std::string what = "DeleteObjects s3://" + bucket + " (" + std::to_string(keys.size()) +
                           " objects)";
  auto response = Post(bucket, BuildBody(keys), what);
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

std::vector<S3BatchDeleter::ObjectRemoval> S3BatchDeleter::DeleteExactlyBatch(
    const std::string& bucket, const std::vector<ExpectedObject>& objects) {
  std::vector<std::string> keys;
  for (const auto& object : objects) keys.push_back(object.path.substr(bucket.size() + 1));
  const std::string what = "DeleteObjects s3://" + bucket + " (" +
                           std::to_string(objects.size()) + " objects, each if its ETag matches)";
  auto response = Post(bucket, BuildConditionalBody(objects), what);
  if (!response.ok()) {
    std::vector<ObjectRemoval> out;
    for (const auto& object : objects) {
      out.push_back({object.path, RemovalOutcome::kFailed, response.status()});
    }
    return out;
  }
  return ReadOutcomes(bucket, keys, response->body);
}

std::vector<S3BatchDeleter::ObjectRemoval> S3BatchDeleter::DeleteExactly(
    const std::vector<ExpectedObject>& objects) {
  std::vector<ObjectRemoval> out(objects.size());
  // Each distinct path once, in batches of up to 1,000 keys of one bucket; `asked` maps each
  // path sent to the indices of `objects` that named it.
  std::map<std::string, std::vector<size_t>> asked;
  std::map<std::string, std::vector<ExpectedObject>> by_bucket;
  for (size_t i = 0; i < objects.size(); ++i) {
    const auto& object = objects[i];
    out[i] = {object.path, RemovalOutcome::kFailed, arrow::Status::OK()};
    const auto slash = object.path.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == object.path.size()) {
      out[i].status = arrow::Status::Invalid("not deleting s3://", object.path, ": no key");
      continue;
    }
    if (object.etag.empty()) {
      out[i].status = arrow::Status::Invalid("not deleting s3://", object.path,
                                             ": no ETag to make the delete conditional on");
      continue;
    }
    auto [it, first] = asked.try_emplace(object.path);
    if (!first && UnquotedETag(objects[it->second.front()].etag) != UnquotedETag(object.etag)) {
      out[i].status = arrow::Status::Invalid("not deleting s3://", object.path,
                                             ": asked for twice, with different ETags");
      continue;
    }
    it->second.push_back(i);
    if (first) by_bucket[object.path.substr(0, slash)].push_back(object);
  }
  struct Batch {
    std::string bucket;
    std::vector<ExpectedObject> objects;
  };
  std::vector<Batch> batches;
  for (auto& [bucket, list] : by_bucket) {
    for (size_t i = 0; i < list.size(); i += 1000) {
      const size_t end = std::min(list.size(), i + 1000);
      batches.push_back({bucket, std::vector<ExpectedObject>(list.begin() + i, list.begin() + end)});
    }
  }
  std::mutex mutex;
  ParallelFor(batches.size(), 4, [&](size_t b) {
    auto removals = DeleteExactlyBatch(batches[b].bucket, batches[b].objects);
    std::lock_guard<std::mutex> lock(mutex);
    for (auto& removal : removals) {
      for (size_t i : asked[removal.path]) out[i] = removal;
    }
  });
  return out;
}

}  // namespace s3c
