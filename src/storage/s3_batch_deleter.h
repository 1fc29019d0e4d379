#pragma once
// S3BatchDeleter: deletes exactly the named S3 objects with DeleteObjects, up to 1,000 keys a
// request. Arrow's DeleteFile costs a HEAD, a DELETE and a PUT of a zero-byte "folder/" marker
// per object (markers that then litter partitions); this costs one request per thousand objects
// and leaves nothing behind. Never deletes by prefix.
//
// Two modes:
//   Delete          unconditional, for the tool's own objects (staging, journal): an object
//                   already gone counts as deleted, as S3 itself says.
//   DeleteExactly   each object only if its current version still has a given ETag (S3's
//                   conditional delete: an <ETag> in each <Object>), for other writers' files:
//                   one already gone, or replaced, is reported as such and never as deleted.
// Thread-safe.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>

#include "aws/aws_client.h"
#include "aws/aws_context.h"
#include "storage/exact_removal.h"
#include "storage/storage_requests.h"

namespace s3c {

class S3BatchDeleter {
 public:
  /// An object to delete only if its current version has `etag`.
  struct ExpectedObject {
    std::string path;  // "bucket/key"
    std::string etag;  // as S3 returned it, e.g. from S3Lister; sent quoted either way
  };
  /// What became of one.
  struct ObjectRemoval {
    std::string path;  // "bucket/key"
    RemovalOutcome outcome = RemovalOutcome::kFailed;
    arrow::Status status;  // why, for kFailed; OK otherwise
  };

  /// Each DeleteObjects request is counted as a delete in `requests`, if given.
  explicit S3BatchDeleter(std::shared_ptr<aws::AwsContext> context,
                          std::shared_ptr<StorageRequests> requests = nullptr);

  /// `paths` are "bucket/key". Returns the objects that could not be deleted, each with why.
  /// An error means the request itself failed for every object of some batch (those are then
  /// among the returned failures too).
  std::vector<std::pair<std::string, arrow::Status>> Delete(const std::vector<std::string>& paths);

  /// Deletes each object only if its current version still has the ETag given: S3 evaluates
  /// each object's condition atomically with its delete (DeleteObjects with an <ETag> in each
  /// <Object>, 1,000 objects a request, a few requests in parallel). Needs s3:GetObject as well
  /// as s3:DeleteObject. Returns one result per object, in the order given:
  ///   kRemoved  the response lists it under <Deleted>;
  ///   kChanged  its <Error> is PreconditionFailed: another version is there, left in place;
  ///   kGone     its <Error> is NoSuchKey: nothing is there;
  ///   kFailed   any other <Error> (AccessDenied, ConditionalRequestConflict when a write raced
  ///             the delete, ...), the request failing for its whole batch, the response not
  ///             naming it, no ETag given (never sent: that would delete unconditionally), a
  ///             path without a key, or one path given twice with different ETags.
  /// Not quiet: S3 names every object it deleted, so nothing counts as removed by default.
  /// A request retried after its response was lost (AwsClient retries 5xx and dropped
  /// connections) can report as gone an object the lost attempt removed: kGone means "not
  /// there when S3 looked", never "removed".
  /// A store that ignores the <ETag> element deletes whatever version is there and calls a
  /// missing key deleted; this class cannot tell (FileSystems::RemoveExactly says more).
  std::vector<ObjectRemoval> DeleteExactly(const std::vector<ExpectedObject>& objects);

  /// The DeleteObjects request body for keys of one bucket (quiet mode: only errors come back).
  static std::string BuildBody(const std::vector<std::string>& keys);
  /// The conditional DeleteObjects request body for `objects` of one bucket (their paths'
  /// bucket is left out of the keys): each <Object> with its <Key> and <ETag>, the ETag quoted;
  /// not quiet.
  static std::string BuildConditionalBody(const std::vector<ExpectedObject>& objects);
  /// Reads a DeleteObjects response into one result per key of `keys` (keys of `bucket`, in
  /// order), as DeleteExactly describes.
  static std::vector<ObjectRemoval> ReadOutcomes(const std::string& bucket,
                                                 const std::vector<std::string>& keys,
                                                 std::string_view response);
  /// base64(MD5(body)), which S3 requires on DeleteObjects.
  static std::string ContentMd5(const std::string& body);
  /// The URL of a bucket's DeleteObjects: path-style for a configured endpoint, virtual-hosted
  /// for AWS itself (path-style too when the bucket name has dots).
  static std::string DeleteUrl(const std::string& endpoint, bool custom_endpoint,
                               const std::string& bucket, const std::string& region);

 private:
  std::vector<std::pair<std::string, arrow::Status>> DeleteBatch(
      const std::string& bucket, const std::vector<std::string>& keys);
  std::vector<ObjectRemoval> DeleteExactlyBatch(const std::string& bucket,
                                                const std::vector<ExpectedObject>& objects);
  arrow::Result<aws::HttpResponse> Post(const std::string& bucket, std::string body,
                                        const std::string& what);

  std::shared_ptr<aws::AwsContext> context_;
  aws::AwsClient client_;
  std::string region_;
  std::string endpoint_;
  bool custom_endpoint_ = false;
  std::shared_ptr<StorageRequests> requests_;
};

}  // namespace s3c
