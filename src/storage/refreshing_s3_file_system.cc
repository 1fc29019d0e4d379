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

arrow::Status RefreshingS3FileSystem::Call(
    Kind, std::string_view, const std::string&,
    const std::function<arrow::Status(arrow::fs::FileSystem&)>& call) const {
  ARROW_ASSIGN_OR_RAISE(auto fs, Current());
  return call(*fs);
}

arrow::fs::FileInfoGenerator RefreshingS3FileSystem::GetFileInfoGenerator(
    const arrow::fs::FileSelector& select) {
  auto fs = Current();
  if (!fs.ok()) return arrow::MakeFailingGenerator<arrow::fs::FileInfoVector>(fs.status());
  return (*fs)->GetFileInfoGenerator(select);
}

}  // namespace s3c
