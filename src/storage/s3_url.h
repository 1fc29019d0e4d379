#pragma once
// S3 URLs for the requests we send ourselves (batch deletes, conditional writes): path-style
// for a configured endpoint (moto, MinIO, a proxy) and for bucket names with dots, virtual-hosted
// for AWS itself. Keys are URI-encoded as SigV4 wants them: everything but unreserved characters
// and '/'. Pure functions.

#include <string>

namespace s3c {

struct S3Endpoint {
  std::string url;  // the configured endpoint, or AWS's regional one
  bool custom = false;
  std::string region;
};

/// <bucket URL>/<encoded key>[?query]
std::string S3ObjectUrl(const S3Endpoint& endpoint, const std::string& bucket,
                        const std::string& key, const std::string& query = "");

/// The URL of a bucket-level request (DeleteObjects, ListObjectsV2): "<endpoint>/<bucket>?query"
/// path-style, "https://<bucket>.s3.<region>.amazonaws.com/?query" virtual-hosted.
std::string S3BucketUrl(const S3Endpoint& endpoint, const std::string& bucket,
                        const std::string& query);

/// Percent-encodes all but A-Z a-z 0-9 - _ . ~ and '/'.
std::string S3EncodeKey(const std::string& key);

}  // namespace s3c
