#pragma once
// S3Lister: lists the objects directly under an S3 "folder" with what identifies each one's
// version: key, size, ETag and LastModified. Arrow's listing drops the ETag, which is what S3's
// own conditions (If-Match, DeleteObjects' <ETag>) compare. One ListObjectsV2 request per
// 1,000 objects (delimiter "/", prefix "<folder>/", continuation tokens followed), signed and
// retried by our own client (aws::AwsClient).
//
// Keys are asked for URL-encoded (encoding-type=url, as the AWS SDKs do: XML 1.0 cannot carry
// every byte a key may hold) and decoded iff the response says it encoded them.
//
// Thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>

#include "aws/aws_client.h"
#include "aws/aws_context.h"
#include "storage/s3_url.h"
#include "storage/storage_requests.h"

namespace s3c {

class S3Lister {
 public:
  struct Object {
    std::string key;               // the whole key: "<prefix>/<name>"
    int64_t size = 0;              // bytes
    std::string etag;              // exactly as S3 returns it, surrounding quotes included
    int64_t last_modified_ns = 0;  // ns since the epoch; S3 gives milliseconds
  };

  /// One page of a listing: its objects directly under the prefix, and the token of the next
  /// page (empty on the last).
  struct Page {
    std::vector<Object> objects;
    std::string next_token;
  };

  /// Each ListObjectsV2 request is counted as a list in `requests`, if given.
  explicit S3Lister(std::shared_ptr<aws::AwsContext> context,
                    std::shared_ptr<StorageRequests> requests = nullptr);

  /// `folder` is "bucket" or "bucket/prefix" (trailing '/' ignored), as a Location's path.
  /// Returns the objects whose key is "<prefix>/<name>" with no further '/', in S3's order,
  /// leaving out the folder's own marker object ("<prefix>/") and everything in subfolders.
  /// A folder that does not exist lists as empty, as on S3 it is indistinguishable from one
  /// that is empty.
  /// Errors: IOError "ListObjectsV2 s3://bucket/prefix/: <AWS code>: <message>" (carrying the
  /// code for aws::AwsErrorCode), or "...: malformed response: ..." for a page we cannot read.
  arrow::Result<std::vector<Object>> List(const std::string& folder) const;

  /// The query of one ListObjectsV2 request, parameters sorted and encoded as SigV4 wants them.
  /// `prefix` ends with '/' (or is empty for a whole bucket); `token` is empty on the first page.
  static std::string Query(const std::string& prefix, const std::string& token);

  /// Reads one ListObjectsV2 response. Objects not directly under `prefix` (a store that ignored
  /// the delimiter) and the marker "<prefix>" itself are left out.
  /// Errors: Invalid describing what is malformed (no Key or Size in a <Contents>, a size or time
  /// that does not parse, a truncated page without a continuation token).
  static arrow::Result<Page> ParsePage(std::string_view body, const std::string& prefix);

  /// "2026-11-24T22:15:00.123Z" -> ns since the epoch; nullopt if it does not parse.
  static std::optional<int64_t> ParseTimeNs(const std::string& text);

 private:
  std::shared_ptr<aws::AwsContext> context_;
  aws::AwsClient client_;
  S3Endpoint endpoint_;
  std::shared_ptr<StorageRequests> requests_;
};

}  // namespace s3c
