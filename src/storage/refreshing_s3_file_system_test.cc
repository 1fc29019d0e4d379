#include "storage/refreshing_s3_file_system.h"

#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

// A credentials chain that fails, as a broken credential_process makes it.
class FailingProvider : public aws::CredentialsProvider {
 public:
  arrow::Result<aws::Credentials> Get() override {
    ++calls;
    return arrow::Status::IOError("AWS credentials from profile ci: credential_process exited with status 1");
  }
  void Invalidate() override {}
  int calls = 0;
};

TEST(RefreshingS3FileSystem, OurChainFailingIsTheCallsError) {
  // Never the SDK's own chain, never anonymous: the chain's error is every call's.
  auto provider = std::make_shared<FailingProvider>();
  arrow::fs::S3Options options;  // Defaults() would need S3 initialised; never used here anyway
  options.endpoint_override = "127.0.0.1:1";
  options.scheme = "http";
  RefreshingS3FileSystem fs(options, provider);
  auto info = fs.GetFileInfo("bucket/key");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(),
            "AWS credentials from profile ci: credential_process exited with status 1");
  arrow::fs::FileSelector selector;
  selector.base_dir = "bucket/prefix";
  EXPECT_FALSE(fs.GetFileInfo(selector).ok());
  EXPECT_GE(provider->calls, 2);
  EXPECT_FALSE(fs.Current().ok());
}

}  // namespace
}  // namespace s3c
