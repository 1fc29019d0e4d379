#include "aws/credentials_chain.h"

#include "aws/credentials/container_source.h"
#include "aws/credentials/environment_source.h"
#include "aws/credentials/instance_metadata_source.h"
#include "aws/credentials/profile_source.h"
#include "aws/credentials/web_identity_source.h"
#include "util/logging.h"

namespace s3c::aws {

CredentialsChain::CredentialsChain(std::vector<std::unique_ptr<CredentialsSource>> sources)
    : sources_(std::move(sources)) {}

std::shared_ptr<CredentialsChain> CredentialsChain::Default(const AwsConfig& config) {
  std::vector<std::unique_ptr<CredentialsSource>> sources;
  sources.push_back(std::make_unique<EnvironmentSource>(config));
  sources.push_back(std::make_unique<WebIdentitySource>(config));
  sources.push_back(std::make_unique<ProfileSource>(config));
  sources.push_back(std::make_unique<ContainerSource>(config));
  sources.push_back(std::make_unique<InstanceMetadataSource>(config));
  return std::make_shared<CredentialsChain>(std::move(sources));
}

void CredentialsChain::Invalidate() {
  std::lock_guard<std::mutex> lock(mutex_);
  cached_.reset();
}

arrow::Result<Credentials> CredentialsChain::Get() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cached_ && (!cached_->expiration ||
                  Clock::now() + kRefreshMargin < *cached_->expiration)) {
    return *cached_;
  }
  // The source that worked before is asked first; a source that stops working sends us back
  // through the whole chain.
  if (winner_) {
    auto again = winner_->Load();
    if (again.ok() && again->has_value()) {
      cached_ = **again;
      log::Debug("AWS credentials refreshed: ", cached_->Describe());
      return *cached_;
    }
  }
  ARROW_ASSIGN_OR_RAISE(Credentials credentials, Resolve());
  cached_ = credentials;
  return credentials;
}

arrow::Result<Credentials> CredentialsChain::Resolve() {
  std::string tried;
  for (auto& source : sources_) {
    auto loaded = source->Load();
    if (!loaded.ok()) {
      return loaded.status().WithMessage("AWS credentials from ", source->name(), ": ",
                                         loaded.status().message());
    }
    if (loaded->has_value()) {
      winner_ = source.get();
      log::Debug("AWS credentials: ", (*loaded)->Describe());
      return **loaded;
    }
    tried += (tried.empty() ? "" : ", ") + source->name();
  }
  return arrow::Status::IOError("no AWS credentials found (tried ", tried,
                                "); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE");
}

}  // namespace s3c::aws
