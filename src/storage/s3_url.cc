#include "storage/s3_url.h"

#include "aws/uri_encode.h"

namespace s3c {

std::string S3EncodeKey(const std::string& key) { return aws::UriEncode(key, /*keep_slash=*/true); }

std::string S3ObjectUrl(const S3Endpoint& endpoint, const std::string& bucket,
                        const std::string& key, const std::string& query) {
  std::string url;
  if (endpoint.custom || bucket.find('.') != std::string::npos) {
    url = endpoint.url + "/" + bucket + "/" + S3EncodeKey(key);
  } else {
    const std::string suffix =
        endpoint.region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com";
    url = "https://" + bucket + ".s3." + endpoint.region + suffix + "/" + S3EncodeKey(key);
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

std::string S3BucketUrl(const S3Endpoint& endpoint, const std::string& bucket,
                        const std::string& query) {
  std::string url = S3ObjectUrl(endpoint, bucket, "", query);
  // Path-style ".../bucket/?q" and ".../bucket?q" are the same resource; S3 and its imitations
  // accept the latter everywhere.
  auto slash = url.find("/?");
  if (slash != std::string::npos && (endpoint.custom || bucket.find('.') != std::string::npos)) {
    url.erase(slash, 1);
  }
  return url;
}

}  // namespace s3c
