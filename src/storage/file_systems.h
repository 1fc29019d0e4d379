#pragma once
// FileSystems: turns what the user typed (a local path, file://, s3://bucket/prefix) into a
// Location, creating each Arrow filesystem once and sharing it for the whole run.
//
// S3 follows the standard AWS environment, as every AWS SDK does:
//   region      AWS_REGION, else AWS_DEFAULT_REGION, else the SDK's own resolution
//   endpoint    AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (path-style addressing when set)
//   credentials the SDK's default chain (environment, profile, web identity, container, IMDS)
// and retries throttling and 5xx errors with the AWS standard retry strategy.
//
// S3 support is initialised on first use; FinalizeS3IfUsed() must run before the process
// exits (the CLI does it in main). Thread-safe.

#include <memory>
#include <mutex>
#include <string>

#include <arrow/result.h>

#include "storage/location.h"

namespace s3c {

class FileSystems {
 public:
  /// Resolves `uri_or_path`. Local paths are made absolute; a trailing '/' is dropped.
  /// Errors: Invalid for an s3:// URI without a bucket or an unsupported scheme.
  arrow::Result<Location> Resolve(const std::string& uri_or_path);

  /// Finalises Arrow's S3 support if this process initialised it. Idempotent.
  static void FinalizeS3IfUsed();

 private:
  arrow::Result<std::shared_ptr<arrow::fs::FileSystem>> S3();

  std::mutex mutex_;
  std::shared_ptr<arrow::fs::FileSystem> local_;
  std::shared_ptr<arrow::fs::FileSystem> s3_;
};

}  // namespace s3c
