#pragma once
// ConditionalObject: one small object that several processes may race for, written only under
// a condition. Created only if absent; replaced only if unchanged since it was read
// (compare-and-swap on a version tag). On S3: PUT with If-None-Match: * and If-Match: <ETag>,
// which S3 evaluates atomically. Locally: the content is written to a temp file and link()ed
// into place (atomic, fails if the name exists), and replacements hold an exclusive lock.
// The table lease is built on it. Each request (S3) or local operation is counted in the
// StorageRequests given, if any: Read a get, CreateIfAbsent and ReplaceIf a put, Delete a delete.
// Thread-safe.

#include <memory>
#include <optional>
#include <string>

#include <arrow/result.h>

#include "aws/aws_client.h"
#include "aws/aws_context.h"
#include "storage/location.h"
#include "storage/s3_url.h"
#include "storage/storage_requests.h"

namespace s3c {

class ConditionalObject {
 public:
  struct Version {
    std::string body;
    std::string tag;  // the S3 ETag, or a hash of the local content
  };

  ConditionalObject(Location location, std::shared_ptr<aws::AwsContext> aws,
                    std::shared_ptr<StorageRequests> requests = nullptr);

  arrow::Result<std::optional<Version>> Read() const;
  /// The new version's tag if created; nullopt if the object already existed (nothing written).
  arrow::Result<std::optional<std::string>> CreateIfAbsent(const std::string& body) const;
  /// The new version's tag if replaced; nullopt if it changed (or vanished) since `tag`.
  arrow::Result<std::optional<std::string>> ReplaceIf(const std::string& body,
                                                      const std::string& tag) const;
  /// Deletes it; not an error if it is gone.
  arrow::Status Delete() const;

  /// Whether the store honours the conditions above, probed on this object, which the caller
  /// has just created or replaced (`tag` its version, `body` its content): the same body is
  /// written twice more under conditions that must both fail, If-None-Match: * (the object
  /// exists) and If-Match with a version that is not the object's. Returns the first condition
  /// the store ignored ("If-None-Match", "If-Match"), or "" when it honoured both; if a probe
  /// wrote, `tag` becomes the object's new version. Asked once per store and bucket in a
  /// process (two PUTs; the answer is remembered). Locally (link(), a lock) there is nothing
  /// to probe: "".
  arrow::Result<std::string> IgnoredCondition(const std::string& body, std::string* tag) const;
  /// Where S3 requests go ("" locally), for messages.
  const std::string& endpoint_url() const { return endpoint_.url; }

  const Location& location() const { return location_; }

 private:
  void Count(RequestKind kind) const {
    if (requests_) requests_->Add(kind);
  }
  arrow::Result<aws::HttpResponse> S3Send(const std::string& method, const std::string& body,
                                          std::vector<std::pair<std::string, std::string>> headers,
                                          const std::string& what, bool* precondition_failed) const;

  Location location_;
  std::shared_ptr<aws::AwsContext> aws_;
  std::unique_ptr<aws::AwsClient> client_;
  S3Endpoint endpoint_;
  std::string bucket_, key_;
  std::shared_ptr<StorageRequests> requests_;
};

}  // namespace s3c
