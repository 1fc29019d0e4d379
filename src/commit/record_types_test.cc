// Our own records (journal plan and partition records, catalog updates, the lease) with fields
// of other types: an error naming the record and the field, never an exception.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "commit/run_journal.h"
#include "commit/table_lease.h"
#include "util/test_util.h"

namespace s3c {
namespace {

using nlohmann::json;

json Plan() {
  JournalPlan plan;
  plan.run_id = "20261128T000000Z-abcdef";
  plan.table = "db.t";
  plan.partitions.push_back({"p=1", "/t/p=1", "/t/p=1", {JournalFile{"/t/p=1/a.parquet", 1, 2, "", 0, 0}}});
  return json::parse(RunJournal::ToJson(plan));
}

json Record() {
  PartitionRecord record;
  record.outputs.push_back({"/s/a", "", "/t/p=1/a", 10, 5});
  return json::parse(RunJournal::ToJson(record));
}

TEST(RecordTypes, RunPlan) {
  ASSERT_OK(RunJournal::PlanFromJson(Plan().dump()).status());
  json plan = Plan();
  plan["version"] = "1";
  EXPECT_EQ(RunJournal::PlanFromJson(plan.dump()).status().message(),
            "run plan: field 'version' is not an integer (it is a string)");
  plan = Plan();
  plan["repoint"] = "false";
  EXPECT_EQ(RunJournal::PlanFromJson(plan.dump()).status().message(),
            "run plan: field 'repoint' is not a boolean (it is a string)");
  plan = Plan();
  plan["partitions"][0]["inputs"][0]["size"] = "1";
  EXPECT_EQ(RunJournal::PlanFromJson(plan.dump()).status().message(),
            "run plan: field 'partitions[0].inputs[0].size' is not an integer (it is a string)");
  plan = Plan();
  plan["partitions"] = json::object();
  EXPECT_EQ(RunJournal::PlanFromJson(plan.dump()).status().message(),
            "run plan: field 'partitions' is not an array (it is an object)");
}

TEST(RecordTypes, PartitionRecord) {
  ASSERT_OK(RunJournal::RecordFromJson(Record().dump()).status());
  json record = Record();
  record["state"] = 3;
  EXPECT_EQ(RunJournal::RecordFromJson(record.dump()).status().message(),
            "partition record: field 'state' is not a string (it is a number)");
  record = Record();
  record["outputs"][0]["bytes"] = nullptr;
  EXPECT_EQ(RunJournal::RecordFromJson(record.dump()).status().message(),
            "partition record: field 'outputs[0].bytes' is null");
  record = Record();
  record["pending_delete"] = {1};
  EXPECT_EQ(RunJournal::RecordFromJson(record.dump()).status().message(),
            "partition record: field 'pending_delete[0]' is not a string (it is a number)");
  EXPECT_EQ(RunJournal::RecordFromJson("[]").status().message(),
            "partition record: not a JSON object (it is an array)");
}

TEST(RecordTypes, CatalogUpdates) {
  const json good = {{"version", 1},
                     {"updates", {{{"path", "p=1"}, {"location", nullptr}, {"files", 1},
                                   {"bytes", 2}, {"rows", 3}}}}};
  ASSERT_OK_AND_ASSIGN(auto updates, RunJournal::CatalogUpdatesFromJson(good.dump(), "u"));
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_FALSE(updates[0].location.has_value());
  json bad = good;
  bad["updates"][0]["location"] = 5;
  EXPECT_EQ(RunJournal::CatalogUpdatesFromJson(bad.dump(), "catalog updates /j/catalog.json")
                .status()
                .message(),
            "catalog updates /j/catalog.json: field 'updates[0].location' is not a string (it is "
            "a number)");
}

TEST(RecordTypes, Lease) {
  TableLease::Holder holder{"run", "host", 42, 1, 2, "machine"};
  ASSERT_OK_AND_ASSIGN(auto back, TableLease::Holder::FromJson(holder.ToJson()));
  EXPECT_EQ(back.pid, 42);
  json lease = json::parse(holder.ToJson());
  lease["pid"] = "42";
  EXPECT_EQ(TableLease::Holder::FromJson(lease.dump()).status().message(),
            "unreadable lease: field 'pid' is not an integer (it is a string)");
  lease = json::parse(holder.ToJson());
  lease["expires_unix"] = 1.5;
  EXPECT_EQ(TableLease::Holder::FromJson(lease.dump()).status().message(),
            "unreadable lease: field 'expires_unix' is not an integer (it is a floating-point "
            "number)");
}

}  // namespace
}  // namespace s3c
