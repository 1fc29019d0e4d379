#include "storage/refreshing_s3_file_system.h"

#include <arrow/util/async_generator.h>

#include "util/logging.h"

namespace s3c {

RefreshingS3FileSystem::RefreshingS3FileSystem(
    arrow::fs::S3Options options, std::shared_ptr<aws::CredentialsProvider> credentials)
    : options_(std::move(options)), credentials_(std::move(credentials)) {}

arrow::Result<std::shared_ptr<arrow::fs::FileSystem>> RefreshingS3FileSystem::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!credentials_) return arrow::Status::Invalid("S3: no AWS credentials provider");
  auto credentials = credentials_->Get();
  if (!credentials.ok()) {
    // Our chain is the only one: the SDK's own never signs in its place (it would find other
    // credentials than Glue's, or none and go anonymous). Keys that failed to refresh but have
    // not expired yet still serve.
    if (current_ && current_expiration_ && aws::Clock::now() < *current_expiration_) {
      log::Debug("S3 keeps its credentials until they expire: ", credentials.status().message());
      return current_;
    }
    return credentials.status();
  }
  const std::string key = credentials->access_key_id + "\n" + credentials->session_token;
  if (!current_ || key != current_key_) {
    arrow::fs::S3Options options = options_;
    options.ConfigureAccessKey(credentials->access_key_id, credentials->secret_access_key,
                               credentials->session_token);
    ARROW_ASSIGN_OR_RAISE(current_, arrow::fs::S3FileSystem::Make(options));
    if (!current_key_.empty()) log::Debug("S3 credentials refreshed: ", credentials->Describe());
    current_key_ = key;
    current_expiration_ = credentials->expiration;
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
