// Glue answers whose fields have other types than Glue gives them: an error naming the field,
// never an exception.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/glue/glue_catalog.h"
#include "catalog/glue/glue_client.h"
#include "catalog/glue/glue_table_checks.h"
#include "util/test_util.h"
#include "util/testing/fake_http_server.h"

namespace s3c {
namespace {

using nlohmann::json;
using testing::FakeHttpServer;

// A Glue endpoint that answers every call with `answer`.
class FakeGlue {
 public:
  explicit FakeGlue(std::string answer)
      : server_([answer](const auto&) { return FakeHttpServer::Response{200, {}, answer}; }),
        config_(aws::AwsConfig::FromEnv([this](const std::string& name) -> std::optional<std::string> {
          if (name == "AWS_ENDPOINT_URL_GLUE") return server_.url();
          if (name == "AWS_REGION") return std::string("eu-west-1");
          return std::nullopt;
        })) {}

  std::shared_ptr<GlueClient> Client() const {
    return GlueClient::Make(config_, std::make_shared<aws::StaticCredentialsProvider>(
                                         aws::Credentials{"K", "S", "", std::nullopt, "test"}))
        .ValueOrDie();
  }

 private:
  FakeHttpServer server_;
  aws::AwsConfig config_;
};

json ParquetTable() {
  return json::parse(R"({
    "Name": "t", "DatabaseName": "db", "TableType": "EXTERNAL_TABLE",
    "PartitionKeys": [{"Name": "year", "Type": "string"}],
    "Parameters": {"classification": "parquet"},
    "StorageDescriptor": {"Location": "/tmp/s3c-glue-types-test/t",
                          "Columns": [{"Name": "id", "Type": "bigint"}]}})");
}

TEST(GlueTypes, CheckCompactableNamesTheField) {
  json table = ParquetTable();
  table["StorageDescriptor"] = "s3://bucket/t";
  EXPECT_EQ(CheckCompactable(table, "db.t").message(),
            "Glue table db.t: field 'StorageDescriptor' is not an object (it is a string)");
  table = ParquetTable();
  table["Parameters"]["classification"] = 1;
  EXPECT_EQ(CheckCompactable(table, "db.t").message(),
            "Glue table db.t: field 'Parameters.classification' is not a string (it is a number)");
  table = ParquetTable();
  table["PartitionKeys"] = {{"Name", "year"}};
  EXPECT_EQ(CheckCompactable(table, "db.t").message(),
            "Glue table db.t: field 'PartitionKeys' is not an array (it is an object)");
  EXPECT_EQ(CheckCompactable(json::array(), "db.t").message(),
            "Glue table db.t: not a JSON object (it is an array)");
}

TEST(GlueTypes, GetTableAnswers) {
  EXPECT_EQ(FakeGlue(R"({"Table": "t"})").Client()->GetTable("db", "t").status().message(),
            "Glue GetTable db.t: field 'Table' is not an object (it is a string)");
  EXPECT_EQ(FakeGlue("[]").Client()->GetTable("db", "t").status().message(),
            "Glue GetTable db.t: not a JSON object (it is an array)");
  EXPECT_EQ(FakeGlue("not json").Client()->GetTable("db", "t").status().message(),
            "Glue GetTable db.t: not JSON");

  json table = ParquetTable();
  table["PartitionKeys"][0]["Name"] = nullptr;
  FileSystems file_systems;
  const FakeGlue glue(json({{"Table", table}}).dump());
  GlueCatalog catalog(glue.Client(), "db", "t", file_systems);
  EXPECT_EQ(catalog.LoadTable().status().message(),
            "Glue table db.t: field 'PartitionKeys[0].Name' is null");
}

TEST(GlueTypes, GetPartitionsAnswers) {
  EXPECT_EQ(FakeGlue(R"({"Partitions": {}})").Client()
                ->GetPartitions("db", "t", "", std::nullopt, "").status().message(),
            "Glue GetPartitions db.t: field 'Partitions' is not an array (it is an object)");
  EXPECT_EQ(FakeGlue(R"({"Partitions": [], "NextToken": 7})").Client()
                ->GetPartitions("db", "t", "", std::nullopt, "").status().message(),
            "Glue GetPartitions db.t: field 'NextToken' is not a string (it is a number)");

  Table table;
  table.name = "db.t";
  table.keys = {PartitionKey{"year", KeyType::kString}};
  FileSystems file_systems;
  const auto list = [&](const json& partition) {
    const FakeGlue glue(json({{"Partitions", json::array({partition})}}).dump());
    GlueCatalog catalog(glue.Client(), "db", "t", file_systems, /*segments=*/1);
    return catalog.ListPartitions(table, PartitionPredicate::All()).status().message();
  };
  EXPECT_EQ(list({{"Values", {2023}}}),
            "Glue GetPartitions db.t: field 'Values[0]' is not a string (it is a number)");
  EXPECT_EQ(list({{"Values", {"2023"}}, {"StorageDescriptor", "s3://b/t/year=2023"}}),
            "Glue GetPartitions db.t: field 'StorageDescriptor' is not an object (it is a "
            "string)");
  EXPECT_EQ(list({{"Values", {"2023"}}, {"StorageDescriptor", {{"Location", false}}}}),
            "Glue GetPartitions db.t: field 'StorageDescriptor.Location' is not a string (it is "
            "a boolean)");
}

TEST(GlueTypes, BatchUpdatePartitionErrorsOfAnotherType) {
  EXPECT_EQ(FakeGlue(R"({"Errors": [1]})").Client()
                ->BatchUpdatePartition("db", "t", {json::object()}).status().message(),
            "Glue BatchUpdatePartition db.t: field 'Errors[0]' is not an object (it is a number)");
}

}  // namespace
}  // namespace s3c
