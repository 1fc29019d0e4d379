#pragma once
// RefreshingS3FileSystem: Arrow's S3FileSystem, signed with the credentials of our own chain
// (aws::CredentialsChain) rather than the AWS SDK's, so that S3 and Glue act as one identity
// resolved one way (the SDK's chain, for one, does not send STS calls to AWS_ENDPOINT_URL_STS).
//
// Arrow takes credentials only as static keys (the SDK's provider types are not in the pyarrow
// wheel), so this decorator forwards every call (ForwardingFileSystem's hook) to an inner
// S3FileSystem built with the current keys, and builds a new one when the chain refreshes them
// (five minutes before they expire). Streams already open keep the filesystem they came from,
// whose keys are still valid. The chain is the only source of credentials: when it fails (a
// broken credential_process, no credentials at all), every call fails with its error; the SDK's
// own default chain is never asked, and nothing is sent anonymously.
// Thread-safe.

#include <memory>
#include <mutex>
#include <optional>

#include <arrow/filesystem/s3fs.h>

#include "aws/credentials.h"
#include "storage/forwarding_file_system.h"

namespace s3c {

class RefreshingS3FileSystem final : public ForwardingFileSystem {
 public:
  RefreshingS3FileSystem(arrow::fs::S3Options options,
                         std::shared_ptr<aws::CredentialsProvider> credentials);

  std::string type_name() const override { return "s3"; }
  bool Equals(const arrow::fs::FileSystem& other) const override { return this == &other; }

  /// Lists through the current filesystem's own generator (S3 pages asynchronously).
  arrow::fs::FileInfoGenerator GetFileInfoGenerator(const arrow::fs::FileSelector& select) override;

  /// The filesystem for the current credentials (built or rebuilt as needed).
  arrow::Result<std::shared_ptr<arrow::fs::FileSystem>> Current() const;

 private:
  arrow::Status Call(Kind kind, std::string_view op, const std::string& object,
                     const std::function<arrow::Status(arrow::fs::FileSystem&)>& call)
      const override;

  const arrow::fs::S3Options options_;
  std::shared_ptr<aws::CredentialsProvider> credentials_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<arrow::fs::FileSystem> current_;
  mutable std::string current_key_;  // access key id + session token it was built with
  mutable std::optional<aws::Clock::time_point> current_expiration_;  // of those credentials
};

}  // namespace s3c
