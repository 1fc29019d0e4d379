#pragma once
// GlueClient: the AWS Glue Data Catalog operations the tool uses, over Glue's JSON API
// (AWS JSON 1.1: POST /, X-Amz-Target: AWSGlue.<Operation>, Content-Type
// application/x-amz-json-1.1), signed and retried by AwsClient. Errors name the operation and
// the table: "GetPartitions my_db.my_table: AccessDeniedException: ...". An answer that is not
// a JSON object, or whose fields read here have other types, is an error naming the field:
// "Glue GetTable my_db.my_table: field 'Table' is not an object (it is a string)".
// Thread-safe.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "aws/aws_client.h"
#include "aws/aws_config.h"

namespace s3c {

class GlueClient {
 public:
  /// Resolves the region (required), the endpoint (AWS_ENDPOINT_URL_GLUE, ...) and the attempts
  /// per request (AwsConfig::MaxAttempts, which replaces retry.max_attempts).
  static arrow::Result<std::unique_ptr<GlueClient>> Make(
      const aws::AwsConfig& config, std::shared_ptr<aws::CredentialsProvider> credentials,
      aws::RetryOptions retry = {});

  /// The request for one operation, unsigned (AwsClient signs it).
  static aws::HttpRequest BuildRequest(const std::string& endpoint, const std::string& region,
                                       const std::string& operation, const nlohmann::json& body);

  /// One operation; `object` names what it concerns in errors ("my_db.my_table").
  arrow::Result<nlohmann::json> Call(const std::string& operation, const nlohmann::json& body,
                                     const std::string& object) const;

  arrow::Result<nlohmann::json> GetTable(const std::string& database,
                                         const std::string& table) const;

  struct Segment {
    int number = 0;
    int total = 1;
  };
  struct PartitionPage {
    std::vector<nlohmann::json> partitions;
    std::string next_token;  // empty on the last page
  };
  arrow::Result<PartitionPage> GetPartitions(const std::string& database,
                                             const std::string& table,
                                             const std::string& expression,
                                             std::optional<Segment> segment,
                                             const std::string& next_token) const;

  /// At most 100 entries per call. Returns the per-partition errors Glue reported.
  arrow::Result<std::vector<nlohmann::json>> BatchUpdatePartition(
      const std::string& database, const std::string& table,
      const std::vector<nlohmann::json>& entries) const;

  // The readers of the answers, pure; exposed for tests and the fuzz targets.

  /// An answer's body as a JSON object; an error naming "Glue <what>" otherwise.
  static arrow::Result<nlohmann::json> ParseAnswer(const std::string& body,
                                                   const std::string& what);
  /// The `Table` object of a GetTable answer; an error naming `object` and the field when it
  /// is missing or not an object.
  static arrow::Result<nlohmann::json> TableOf(nlohmann::json answer, const std::string& object);
  /// A GetPartitions answer as a page: its `Partitions` (none when absent; each must be an
  /// object) and its `NextToken` (empty when absent); a wrong type is an error naming `object`.
  static arrow::Result<PartitionPage> PageOf(nlohmann::json answer, const std::string& object);

  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }

 private:
  GlueClient(std::string endpoint, std::string region, aws::AwsClient client)
      : endpoint_(std::move(endpoint)), region_(std::move(region)), client_(std::move(client)) {}

  std::string endpoint_;
  std::string region_;
  aws::AwsClient client_;
};

}  // namespace s3c
