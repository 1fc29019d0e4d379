#pragma once
// RefreshingS3FileSystem: Arrow's S3FileSystem, signed with the credentials of our own chain
// (aws::CredentialsChain) rather than the AWS SDK's, so that S3 and Glue act as one identity
// resolved one way (the SDK's chain, for one, does not send STS calls to AWS_ENDPOINT_URL_STS).
//
// Arrow takes credentials only as static keys (the SDK's provider types are not in the pyarrow
// wheel), so this decorator forwards every call to an inner S3FileSystem built with the current
// keys, and builds a new one when the chain refreshes them (five minutes before they expire).
// Streams already open keep the filesystem they came from, whose keys are still valid. When the
// chain finds no credentials at all, the SDK's own default chain is used.
// Thread-safe.

#include <memory>
#include <mutex>

#include <arrow/filesystem/filesystem.h>
#include <arrow/filesystem/s3fs.h>

#include "aws/credentials.h"

namespace s3c {

class RefreshingS3FileSystem : public arrow::fs::FileSystem {
 public:
  RefreshingS3FileSystem(arrow::fs::S3Options options,
                         std::shared_ptr<aws::CredentialsProvider> credentials);

  std::string type_name() const override { return "s3"; }
  bool Equals(const arrow::fs::FileSystem& other) const override { return this == &other; }

  arrow::Result<std::string> NormalizePath(std::string path) override;
  arrow::Result<std::string> PathFromUri(const std::string& uri) const override;
  arrow::Result<std::string> MakeUri(std::string path) const override;

  arrow::Result<arrow::fs::FileInfo> GetFileInfo(const std::string& path) override;
  arrow::Result<arrow::fs::FileInfoVector> GetFileInfo(const arrow::fs::FileSelector& select) override;
  arrow::fs::FileInfoGenerator GetFileInfoGenerator(const arrow::fs::FileSelector& select) override;

  arrow::Status CreateDir(const std::string& path, bool recursive) override;
  arrow::Status DeleteDir(const std::string& path) override;
  arrow::Status DeleteDirContents(const std::string& path, bool missing_dir_ok) override;
  arrow::Status DeleteRootDirContents() override;
  arrow::Status DeleteFile(const std::string& path) override;
  arrow::Status Move(const std::string& src, const std::string& dest) override;
  arrow::Status CopyFile(const std::string& src, const std::string& dest) override;

  arrow::Result<std::shared_ptr<arrow::io::InputStream>> OpenInputStream(
      const std::string& path) override;
  arrow::Result<std::shared_ptr<arrow::io::InputStream>> OpenInputStream(
      const arrow::fs::FileInfo& info) override;
  arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
      const std::string& path) override;
  arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
      const arrow::fs::FileInfo& info) override;
  arrow::Result<std::shared_ptr<arrow::io::OutputStream>> OpenOutputStream(
      const std::string& path,
      const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) override;
  arrow::Result<std::shared_ptr<arrow::io::OutputStream>> OpenAppendStream(
      const std::string& path,
      const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) override;

  /// The filesystem for the current credentials (built or rebuilt as needed).
  arrow::Result<std::shared_ptr<arrow::fs::FileSystem>> Current() const;

 private:
  const arrow::fs::S3Options options_;
  std::shared_ptr<aws::CredentialsProvider> credentials_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<arrow::fs::FileSystem> current_;
  mutable std::string current_key_;  // access key id + session token it was built with
};

}  // namespace s3c
