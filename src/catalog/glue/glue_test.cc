#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aws/aws_error.h"
#include "catalog/glue/glue_catalog.h"
#include "catalog/glue/glue_client.h"
#include "catalog/glue/glue_table_checks.h"
#include "util/test_util.h"
#include "util/testing/fake_http_server.h"

namespace s3c {
namespace {

using nlohmann::json;
using testing::FakeHttpServer;

aws::AwsConfig Config(const std::string& endpoint) {
  return aws::AwsConfig::FromEnv([endpoint](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_ENDPOINT_URL_GLUE") return endpoint;
    if (name == "AWS_REGION") return std::string("eu-west-1");
    return std::nullopt;
  });
}

std::unique_ptr<GlueClient> Client(const aws::AwsConfig& config) {
  aws::RetryOptions retry;
  retry.base_delay = std::chrono::milliseconds(1);
  return GlueClient::Make(config, std::make_shared<aws::StaticCredentialsProvider>(
                                      aws::Credentials{"K", "S", "", std::nullopt, "test"}),
                          retry)
      .ValueOrDie();
}

TEST(GlueClient, BuildsJson11Requests) {
  auto r = GlueClient::BuildRequest("https://glue.eu-west-1.amazonaws.com", "eu-west-1", "GetTable",
                                    {{"DatabaseName", "db"}, {"Name", "t"}});
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://glue.eu-west-1.amazonaws.com/");
  EXPECT_EQ(r.service, "glue");
  EXPECT_EQ(r.region, "eu-west-1");
  EXPECT_EQ(r.headers, (std::vector<std::pair<std::string, std::string>>{
                           {"Content-Type", "application/x-amz-json-1.1"},
                           {"X-Amz-Target", "AWSGlue.GetTable"}}));
  EXPECT_EQ(json::parse(r.body), json({{"DatabaseName", "db"}, {"Name", "t"}}));
}

TEST(GlueClient, PagesSegmentsAndExpressions) {
  FakeHttpServer glue([](const FakeHttpServer::Request& r) {
    json body = json::parse(r.body);
    json answer = {{"Partitions", json::array({{{"Values", {"2023"}}}})}};
    if (!body.contains("NextToken")) answer["NextToken"] = "page2";
    return FakeHttpServer::Response{200, {}, answer.dump()};
  });
  auto config = Config(glue.url());
  auto client = Client(config);
  ASSERT_OK_AND_ASSIGN(auto first, client->GetPartitions("db", "t", "year = '2023'",
                                                         GlueClient::Segment{2, 4}, ""));
  EXPECT_EQ(first.next_token, "page2");
  ASSERT_OK_AND_ASSIGN(auto second, client->GetPartitions("db", "t", "", std::nullopt, "page2"));
  EXPECT_EQ(second.next_token, "");
  auto requests = glue.requests();
  json a = json::parse(requests[0].body), b = json::parse(requests[1].body);
  EXPECT_EQ(requests[0].headers.at("x-amz-target"), "AWSGlue.GetPartitions");
  EXPECT_EQ(a["Expression"], "year = '2023'");
  EXPECT_EQ(a["Segment"], json({{"SegmentNumber", 2}, {"TotalSegments", 4}}));
  EXPECT_EQ(a["MaxResults"], 1000);
  EXPECT_FALSE(b.contains("Expression"));
  EXPECT_FALSE(b.contains("Segment"));
  EXPECT_EQ(b["NextToken"], "page2");
}

TEST(GlueClient, ErrorsNameTheOperationAndTable) {
  FakeHttpServer glue([](const auto&) {
    return FakeHttpServer::Response{400, {}, R"({"__type":"EntityNotFoundException","Message":"Table t not found."})"};
  });
  auto config = Config(glue.url());
  auto result = Client(config)->GetTable("db", "t");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "GetTable db.t: EntityNotFoundException: Table t not found.");
  EXPECT_EQ(aws::AwsErrorCode(result.status()), "EntityNotFoundException");
}

TEST(GlueClient, BatchUpdatePartitionReturnsPerPartitionErrors) {
  FakeHttpServer glue([](const auto&) {
    return FakeHttpServer::Response{200, {}, R"({"Errors":[{"PartitionValueList":["1"],"ErrorDetail":{"ErrorCode":"EntityNotFoundException","ErrorMessage":"gone"}}]})"};
  });
  auto config = Config(glue.url());
  ASSERT_OK_AND_ASSIGN(auto errors, Client(config)->BatchUpdatePartition("db", "t", {json::object()}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["ErrorDetail"]["ErrorCode"], "EntityNotFoundException");
  json sent = json::parse(glue.requests().at(0).body);
  EXPECT_EQ(sent["Entries"].size(), 1u);
}

json CrawlerTable() {
  return json::parse(R"({
    "Name": "events", "DatabaseName": "db", "TableType": "EXTERNAL_TABLE",
    "PartitionKeys": [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "int"}],
    "Parameters": {"classification": "parquet", "compressionType": "none"},
    "StorageDescriptor": {
      "Location": "s3://bucket/events/",
      "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
      "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
      "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
      "Columns": [{"Name": "id", "Type": "bigint"}]}})");
}

TEST(GlueTableChecks, AcceptsACrawlerMadeParquetTable) {
  EXPECT_OK(CheckCompactable(CrawlerTable(), "db.events"));
  json athena = CrawlerTable();  // Athena's CREATE TABLE sets no classification
  athena["Parameters"].erase("classification");
  EXPECT_OK(CheckCompactable(athena, "db.events"));
  json flat = CrawlerTable();  // no partition keys: compacted as one partition
  flat["PartitionKeys"] = json::array();
  EXPECT_OK(CheckCompactable(flat, "db.events"));
  flat.erase("PartitionKeys");
  EXPECT_OK(CheckCompactable(flat, "db.events"));
}

TEST(GlueTableChecks, RefusesWithAReason) {
  auto refused = [](std::function<void(json&)> change, const std::string& expected) {
    json t = CrawlerTable();
    change(t);
    auto st = CheckCompactable(t, "db.events");
    EXPECT_FALSE(st.ok()) << expected;
    EXPECT_NE(st.message().find("Glue table db.events " + expected), std::string::npos) << st.message();
  };
  refused([](json& t) { t["TableType"] = "VIRTUAL_VIEW"; }, "is a view");
  refused([](json& t) { t["TableType"] = "GOVERNED"; }, "is a governed");
  refused([](json& t) { t["Parameters"]["table_type"] = "ICEBERG"; }, "is an Iceberg table");
  refused([](json& t) { t["Parameters"]["spark.sql.sources.provider"] = "delta"; }, "is a Delta Lake table");
  refused([](json& t) { t["StorageDescriptor"]["InputFormat"] = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat"; },
          "is a Delta Lake table");
  refused([](json& t) { t["StorageDescriptor"]["InputFormat"] = "org.apache.hudi.hadoop.HoodieParquetInputFormat"; },
          "is a Hudi table");
  refused([](json& t) { t["Parameters"]["projection.enabled"] = "true"; }, "uses partition projection");
  refused([](json& t) { t["Parameters"]["classification"] = "csv"; }, "is not a Parquet table (classification csv)");
  refused([](json& t) {
    t["Parameters"].erase("classification");
    t["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] = "org.openx.data.jsonserde.JsonSerDe";
  }, "is not a Parquet table");
  refused([](json& t) { t["StorageDescriptor"]["Location"] = ""; }, "has no location");
}

TEST(GlueCatalog, PartitionInputChangesOnlyLocationAndOwnedStatistics) {
  json partition = json::parse(R"({
    "Values": ["2023", "5"], "DatabaseName": "db", "TableName": "events", "CreationTime": 1700000000,
    "LastAccessTime": 1700000001, "CatalogId": "123",
    "StorageDescriptor": {"Location": "s3://b/old", "Columns": [{"Name": "id", "Type": "bigint"}],
                          "SerdeInfo": {"SerializationLibrary": "x"}},
    "Parameters": {"numFiles": "40", "totalSize": "600000", "recordCount": "10000",
                   "classification": "parquet", "averageRecordSize": "60"}})");
  PartitionUpdate update{"year=2023/month=5", std::string("s3://b/new/year=2023/month=5"), 3, 450000, 10000};
  json input = GlueCatalog::PartitionInput(partition, update);
  EXPECT_FALSE(input.contains("DatabaseName"));
  EXPECT_FALSE(input.contains("CreationTime"));
  EXPECT_FALSE(input.contains("CatalogId"));
  EXPECT_EQ(input["Values"], partition["Values"]);
  EXPECT_EQ(input["LastAccessTime"], partition["LastAccessTime"]);
  EXPECT_EQ(input["StorageDescriptor"]["Location"], "s3://b/new/year=2023/month=5");
  EXPECT_EQ(input["StorageDescriptor"]["Columns"], partition["StorageDescriptor"]["Columns"]);
  EXPECT_EQ(input["Parameters"]["numFiles"], "3");
  EXPECT_EQ(input["Parameters"]["totalSize"], "450000");
  EXPECT_EQ(input["Parameters"]["recordCount"], "10000");
  EXPECT_EQ(input["Parameters"]["averageRecordSize"], "60");  // not ours: untouched
  EXPECT_FALSE(input["Parameters"].contains("objectCount"));  // absent stays absent
  PartitionUpdate stats_only{"p", std::nullopt, 2, -1, -1};
  json kept = GlueCatalog::PartitionInput(partition, stats_only);
  EXPECT_EQ(kept["StorageDescriptor"]["Location"], "s3://b/old");
  EXPECT_EQ(kept["Parameters"]["totalSize"], "600000");
}

TEST(GlueCatalog, TableInputChangesOnlyTheOwnedStatistics) {
  json table = json::parse(R"({
    "Name": "dim", "DatabaseName": "db", "CreateTime": 1700000000, "UpdateTime": 1700000002,
    "VersionId": "7", "CatalogId": "123", "IsRegisteredWithLakeFormation": false,
    "Owner": "etl", "Retention": 0, "TableType": "EXTERNAL_TABLE", "PartitionKeys": [],
    "StorageDescriptor": {"Location": "s3://b/dim", "Columns": [{"Name": "id", "Type": "bigint"}]},
    "Parameters": {"numFiles": "40", "totalSize": "600000", "classification": "parquet",
                   "EXTERNAL": "TRUE"}})");
  json input = GlueCatalog::TableInput(table, PartitionUpdate{"", std::nullopt, 3, 450000, 10000});
  for (const char* glue_own : {"DatabaseName", "CreateTime", "UpdateTime", "VersionId",
                               "CatalogId", "IsRegisteredWithLakeFormation"}) {
    EXPECT_FALSE(input.contains(glue_own)) << glue_own;
  }
  for (const char* kept : {"Name", "Owner", "Retention", "TableType", "PartitionKeys",
                           "StorageDescriptor"}) {
    EXPECT_EQ(input[kept], table[kept]) << kept;
  }
  EXPECT_EQ(input["Parameters"]["numFiles"], "3");
  EXPECT_EQ(input["Parameters"]["totalSize"], "450000");
  EXPECT_EQ(input["Parameters"]["EXTERNAL"], "TRUE");
  EXPECT_FALSE(input["Parameters"].contains("recordCount"));  // absent stays absent
}

TEST(GlueCatalog, KeyTypes) {
  EXPECT_EQ(GlueCatalog::KeyTypeOf("int"), KeyType::kNumeric);
  EXPECT_EQ(GlueCatalog::KeyTypeOf("BIGINT"), KeyType::kNumeric);
  EXPECT_EQ(GlueCatalog::KeyTypeOf("decimal(10,2)"), KeyType::kNumeric);
  EXPECT_EQ(GlueCatalog::KeyTypeOf("string"), KeyType::kString);
  EXPECT_EQ(GlueCatalog::KeyTypeOf("varchar(10)"), KeyType::kString);
  EXPECT_EQ(GlueCatalog::KeyTypeOf("date"), KeyType::kString);
}

}  // namespace
}  // namespace s3c

namespace s3c {
namespace {

TEST(GlueCatalog, UpdatesInBatchesOfAHundredAndReportsFailures) {
  std::vector<int> batch_sizes;
  std::mutex mutex;
  FakeHttpServer glue([&](const FakeHttpServer::Request& r) {
    const std::string target = r.headers.at("x-amz-target");
    json body = json::parse(r.body);
    if (target == "AWSGlue.GetPartitions") {
      json partitions = json::array();
      if (!body.contains("Segment") || body["Segment"]["SegmentNumber"] == 0) {
        for (int i = 0; i < 150; ++i) {
          partitions.push_back({{"Values", {std::to_string(i)}},
                                {"StorageDescriptor", {{"Location", "/tmp/s3c-glue-test/" + std::to_string(i)}}},
                                {"Parameters", {{"numFiles", "9"}}}});
        }
      }
      return FakeHttpServer::Response{200, {}, json({{"Partitions", partitions}}).dump()};
    }
    std::lock_guard<std::mutex> lock(mutex);
    batch_sizes.push_back(static_cast<int>(body["Entries"].size()));
    json errors = json::array();
    for (const auto& entry : body["Entries"]) {
      if (entry["PartitionValueList"][0] == "7") {
        errors.push_back({{"PartitionValueList", {"7"}},
                          {"ErrorDetail", {{"ErrorCode", "EntityNotFoundException"}, {"ErrorMessage", "gone"}}}});
      }
    }
    return FakeHttpServer::Response{200, {}, json({{"Errors", errors}}).dump()};
  });
  auto config = Config(glue.url());
  FileSystems file_systems;
  GlueCatalog catalog(std::shared_ptr<GlueClient>(Client(config)), "db", "t", file_systems);
  Table table;
  table.keys = {PartitionKey{"k", KeyType::kNumeric}};
  ASSERT_OK_AND_ASSIGN(auto listing, catalog.ListPartitions(table, PartitionPredicate::All()));
  ASSERT_EQ(listing.partitions.size(), 150u);  // four segments, each partition once
  std::vector<PartitionUpdate> updates;
  for (const auto& p : listing.partitions) updates.push_back({p.path, std::nullopt, 1, -1, -1});
  ASSERT_OK_AND_ASSIGN(auto failures, catalog.UpdatePartitions(updates));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].path, "k=7");
  EXPECT_NE(failures[0].message.find("EntityNotFoundException: gone"), std::string::npos);
  std::sort(batch_sizes.begin(), batch_sizes.end());
  EXPECT_EQ(batch_sizes, (std::vector<int>{50, 100}));
}

}  // namespace
}  // namespace s3c
