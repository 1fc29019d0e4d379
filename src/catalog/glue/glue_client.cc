#include "catalog/glue/glue_client.h"

#include "storage/storage_faults.h"
#include "util/json_fields.h"
#include "util/logging.h"

namespace s3c {

arrow::Result<std::unique_ptr<GlueClient>> GlueClient::Make(
    const aws::AwsConfig& config, std::shared_ptr<aws::CredentialsProvider> credentials,
    aws::RetryOptions retry) {
  ARROW_ASSIGN_OR_RAISE(std::string region, config.Region());
  std::string endpoint = config.Endpoint("glue", region);
  ARROW_ASSIGN_OR_RAISE(retry.max_attempts, config.MaxAttempts());
  return std::unique_ptr<GlueClient>(
      new GlueClient(endpoint, region, aws::AwsClient(std::move(credentials), retry)));
}

aws::HttpRequest GlueClient::BuildRequest(const std::string& endpoint, const std::string& region,
                                          const std::string& operation,
                                          const nlohmann::json& body) {
  aws::HttpRequest request;
  request.method = "POST";
  request.url = endpoint + "/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "AWSGlue." + operation}};
  request.body = body.dump();
  request.service = "glue";
  request.region = region;
  return request;
}

arrow::Result<nlohmann::json> GlueClient::Call(const std::string& operation,
                                               const nlohmann::json& body,
                                               const std::string& object) const {
  const std::string what = operation + " " + object;
  log::Debug("Glue ", what);
  ARROW_ASSIGN_OR_RAISE(auto response, StorageFaults::Run(operation, object, [&] {
                          return client_.Send(BuildRequest(endpoint_, region_, operation, body),
                                              what);
                        }));
  return ParseAnswer(response.body, what);
}

arrow::Result<nlohmann::json> GlueClient::ParseAnswer(const std::string& body,
                                                      const std::string& what) {
  return ParseJsonObject(body, "Glue " + what);
}

arrow::Result<nlohmann::json> GlueClient::TableOf(nlohmann::json answer,
                                                  const std::string& object) {
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(answer, "Glue GetTable " + object));
  ARROW_ASSIGN_OR_RAISE(auto definition, fields.Object("Table"));
  return definition.json();
}

arrow::Result<GlueClient::PartitionPage> GlueClient::PageOf(nlohmann::json answer,
                                                            const std::string& object) {
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(answer, "Glue GetPartitions " + object));
  ARROW_ASSIGN_OR_RAISE(auto partitions, fields.OptionalObjects("Partitions"));
  PartitionPage page;
  for (const auto& partition : partitions) page.partitions.push_back(partition.json());
  ARROW_ASSIGN_OR_RAISE(page.next_token, fields.StringOr("NextToken", ""));
  return page;
}

arrow::Result<nlohmann::json> GlueClient::GetTable(const std::string& database,
                                                   const std::string& table) const {
  const std::string object = database + "." + table;
  ARROW_ASSIGN_OR_RAISE(auto answer, Call("GetTable", {{"DatabaseName", database}, {"Name", table}},
                                          object));
  return TableOf(std::move(answer), object);
}

arrow::Result<GlueClient::PartitionPage> GlueClient::GetPartitions(
    const std::string& database, const std::string& table, const std::string& expression,
    std::optional<Segment> segment, const std::string& next_token) const {
  nlohmann::json body = {{"DatabaseName", database}, {"TableName", table}, {"MaxResults", 1000}};
  if (!expression.empty()) body["Expression"] = expression;
  if (segment) {
    body["Segment"] = {{"SegmentNumber", segment->number}, {"TotalSegments", segment->total}};
  }
  if (!next_token.empty()) body["NextToken"] = next_token;
  const std::string object = database + "." + table;
  ARROW_ASSIGN_OR_RAISE(auto answer, Call("GetPartitions", body, object));
  return PageOf(std::move(answer), object);
}

arrow::Result<std::vector<nlohmann::json>> GlueClient::BatchUpdatePartition(
    const std::string& database, const std::string& table,
    const std::vector<nlohmann::json>& entries) const {
  nlohmann::json body = {{"DatabaseName", database}, {"TableName", table}, {"Entries", entries}};
  const std::string object = database + "." + table;
  ARROW_ASSIGN_OR_RAISE(auto answer, Call("BatchUpdatePartition", body, object));
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(answer, "Glue BatchUpdatePartition " + object));
  ARROW_ASSIGN_OR_RAISE(auto entries_in_error, fields.OptionalObjects("Errors"));
  std::vector<nlohmann::json> errors;
  for (const auto& error : entries_in_error) errors.push_back(error.json());
  return errors;
}

}  // namespace s3c
