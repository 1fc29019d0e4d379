#pragma once
// S3BatchDeleter: deletes exactly the named S3 objects with DeleteObjects, up to 1,000 keys a
// request. Arrow's DeleteFile costs a HEAD, a DELETE and a PUT of a zero-byte "folder/" marker
// per object (markers that then litter partitions); this costs one request per thousand objects
// and leaves nothing behind. Never deletes by prefix. An object already gone counts as deleted,
// as S3 itself says. Thread-safe.

#include <memory>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "aws/aws_client.h"
#include "aws/aws_context.h"

namespace s3c {

class S3BatchDeleter {
 public:
  explicit S3BatchDeleter(std::shared_ptr<aws::AwsContext> context);

  /// `paths` are "bucket/key". Returns the objects that could not be deleted, each with why.
  /// An error means the request itself failed for every object of some batch (those are then
  /// among the returned failures too).
  std::vector<std::pair<std::string, arrow::Status>> Delete(const std::vector<std::string>& paths);

  /// The DeleteObjects request body for keys of one bucket (quiet mode: only errors come back).
  static std::string BuildBody(const std::vector<std::string>& keys);
  /// base64(MD5(body)), which S3 requires on DeleteObjects.
  static std::string ContentMd5(const std::string& body);
  /// The URL of a bucket's DeleteObjects: path-style for a configured endpoint, virtual-hosted
  /// for AWS itself (path-style too when the bucket name has dots).
  static std::string DeleteUrl(const std::string& endpoint, bool custom_endpoint,
                               const std::string& bucket, const std::string& region);

 private:
  std::vector<std::pair<std::string, arrow::Status>> DeleteBatch(
      const std::string& bucket, const std::vector<std::string>& keys);

  std::shared_ptr<aws::AwsContext> context_;
  aws::AwsClient client_;
  std::string region_;
  std::string endpoint_;
  bool custom_endpoint_ = false;
};

}  // namespace s3c
