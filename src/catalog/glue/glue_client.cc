#include "catalog/glue/glue_client.h"

#include "storage/storage_faults.h"
#include "util/logging.h"

namespace s3c {

arrow::Result<std::unique_ptr<GlueClient>> GlueClient::Make(
    const aws::AwsConfig& config, std::shared_ptr<aws::CredentialsProvider> credentials,
    aws::RetryOptions retry) {
  ARROW_ASSIGN_OR_RAISE(std::string region, config.Region());
  std::string endpoint = config.Endpoint("glue", region);
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
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return arrow::Status::IOError(what, ": the answer is not JSON");
  }
  return json;
}

arrow::Result<nlohmann::json> GlueClient::TableOf(nlohmann::json answer,
                                                  const std::string& object) {
  if (!answer.contains("Table") || !answer["Table"].is_object()) {
    return arrow::Status::IOError("GetTable ", object, ": no Table in the answer");
  }
  return answer["Table"];
}

GlueClient::PartitionPage GlueClient::PageOf(nlohmann::json answer) {
  PartitionPage page;
  if (answer.contains("Partitions") && answer["Partitions"].is_array()) {
    for (auto& partition : answer["Partitions"]) page.partitions.push_back(std::move(partition));
  }
  if (answer.contains("NextToken") && answer["NextToken"].is_string()) {
    page.next_token = answer["NextToken"].get<std::string>();
  }
  return page;
}

arrow::Result<nlohmann::json> GlueClient::GetTable(const std::string& database,
                                                   const std::string& table) const {
  ARROW_ASSIGN_OR_RAISE(auto answer, Call("GetTable", {{"DatabaseName", database}, {"Name", table}},
                                          database + "." + table));
  return TableOf(std::move(answer), database + "." + table);
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
  ARROW_ASSIGN_OR_RAISE(auto answer, Call("GetPartitions", body, database + "." + table));
  return PageOf(std::move(answer));
}

arrow::Result<std::vector<nlohmann::json>> GlueClient::BatchUpdatePartition(
    const std::string& database, const std::string& table,
    const std::vector<nlohmann::json>& entries) const {
  nlohmann::json body = {{"DatabaseName", database}, {"TableName", table}, {"Entries", entries}};
  ARROW_ASSIGN_OR_RAISE(auto answer, Call("BatchUpdatePartition", body, database + "." + table));
  std::vector<nlohmann::json> errors;
  if (answer.contains("Errors") && answer["Errors"].is_array()) {
    for (auto& error : answer["Errors"]) errors.push_back(std::move(error));
  }
  return errors;
}

}  // namespace s3c
