#include "storage/refreshing_s3_file_system.h"

#include <arrow/util/async_generator.h>

#include "util/logging.h"

namespace s3c {

RefreshingS3FileSystem::RefreshingS3FileSystem(
    arrow::fs::S3Options options, std::shared_ptr<aws::CredentialsProvider> credentials)
    : options_(std::move(options)), credentials_(std::move(credentials)) {}

arrow::Result<std::shared_ptr<arrow::fs::FileSystem>> RefreshingS3FileSystem::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto credentials = credentials_ ? credentials_->Get()
                                  : arrow::Result<aws::Credentials>(arrow::Status::Invalid(""));
  if (!credentials.ok()) {
    if (!current_) {
      // None from our chain: let the SDK look for itself (a public bucket needs none).
      log::Debug("S3 uses the AWS SDK's credentials chain: ", credentials.status().message());
      ARROW_ASSIGN_OR_RAISE(current_, arrow::fs::S3FileSystem::Make(options_));
      current_key_.clear();
    }
    return current_;
  }
  const std::string key = credentials->access_key_id + "\n" + credentials->session_token;
  if (!current_ || key != current_key_) {
    arrow::fs::S3Options options = options_;
    options.ConfigureAccessKey(credentials->access_key_id, credentials->secret_access_key,
                               credentials->session_token);
    ARROW_ASSIGN_OR_RAISE(current_, arrow::fs::S3FileSystem::Make(options));
    if (!current_key_.empty()) log::Debug("S3 credentials refreshed: ", credentials->Describe());
    current_key_ = key;
  }
  return current_;
}

#define S3C_FORWARD(call)                         \
  ARROW_ASSIGN_OR_RAISE(auto fs__, Current()); \
  return fs__->call

arrow::Result<std::string> RefreshingS3FileSystem::NormalizePath(std::string path) {
  S3C_FORWARD(NormalizePath(std::move(path)));
}
arrow::Result<std::string> RefreshingS3FileSystem::PathFromUri(const std::string& uri) const {
  S3C_FORWARD(PathFromUri(uri));
}
arrow::Result<std::string> RefreshingS3FileSystem::MakeUri(std::string path) const {
  S3C_FORWARD(MakeUri(std::move(path)));
}
arrow::Result<arrow::fs::FileInfo> RefreshingS3FileSystem::GetFileInfo(const std::string& path) {
  S3C_FORWARD(GetFileInfo(path));
}
arrow::Result<arrow::fs::FileInfoVector> RefreshingS3FileSystem::GetFileInfo(
    const arrow::fs::FileSelector& select) {
  S3C_FORWARD(GetFileInfo(select));
}
arrow::fs::FileInfoGenerator RefreshingS3FileSystem::GetFileInfoGenerator(
    const arrow::fs::FileSelector& select) {
  auto fs = Current();
  if (!fs.ok()) return arrow::MakeFailingGenerator<arrow::fs::FileInfoVector>(fs.status());
  return (*fs)->GetFileInfoGenerator(select);
}
arrow::Status RefreshingS3FileSystem::CreateDir(const std::string& path, bool recursive) {
  S3C_FORWARD(CreateDir(path, recursive));
}
arrow::Status RefreshingS3FileSystem::DeleteDir(const std::string& path) {
  S3C_FORWARD(DeleteDir(path));
}
arrow::Status RefreshingS3FileSystem::DeleteDirContents(const std::string& path,
                                                        bool missing_dir_ok) {
  S3C_FORWARD(DeleteDirContents(path, missing_dir_ok));
}
arrow::Status RefreshingS3FileSystem::DeleteRootDirContents() {
  S3C_FORWARD(DeleteRootDirContents());
}
arrow::Status RefreshingS3FileSystem::DeleteFile(const std::string& path) {
  S3C_FORWARD(DeleteFile(path));
}
arrow::Status RefreshingS3FileSystem::Move(const std::string& src, const std::string& dest) {
  S3C_FORWARD(Move(src, dest));
}
arrow::Status RefreshingS3FileSystem::CopyFile(const std::string& src, const std::string& dest) {
  S3C_FORWARD(CopyFile(src, dest));
}
arrow::Result<std::shared_ptr<arrow::io::InputStream>> RefreshingS3FileSystem::OpenInputStream(
    const std::string& path) {
  S3C_FORWARD(OpenInputStream(path));
}
arrow::Result<std::shared_ptr<arrow::io::InputStream>> RefreshingS3FileSystem::OpenInputStream(
    const arrow::fs::FileInfo& info) {
  S3C_FORWARD(OpenInputStream(info));
}
arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> RefreshingS3FileSystem::OpenInputFile(
    const std::string& path) {
  S3C_FORWARD(OpenInputFile(path));
}
arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> RefreshingS3FileSystem::OpenInputFile(
    const arrow::fs::FileInfo& info) {
  S3C_FORWARD(OpenInputFile(info));
}
arrow::Result<std::shared_ptr<arrow::io::OutputStream>> RefreshingS3FileSystem::OpenOutputStream(
    const std::string& path, const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) {
  S3C_FORWARD(OpenOutputStream(path, metadata));
}
arrow::Result<std::shared_ptr<arrow::io::OutputStream>> RefreshingS3FileSystem::OpenAppendStream(
    const std::string& path, const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) {
  S3C_FORWARD(OpenAppendStream(path, metadata));
}

#undef S3C_FORWARD

}  // namespace s3c
