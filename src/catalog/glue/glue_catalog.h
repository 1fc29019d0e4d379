#pragma once
// GlueCatalog: a table registered in the AWS Glue Data Catalog.
//
//   LoadTable       GetTable; refuses what CheckCompactable refuses, and a table that does not
//                   exist (naming the database). Partition keys carry their Glue types, so the
//                   predicate compares string keys as text and numeric keys as numbers, as Glue
//                   does.
//   ListPartitions  GetPartitions with the predicate pushed down as Glue's Expression, paged
//                   with NextToken and split into Segments fetched in parallel; the predicate is
//                   also evaluated locally, and an expression Glue rejects falls back to listing
//                   every partition. A partition's files are where its StorageDescriptor.Location
//                   says, whatever the folder names.
//   UpdatePartitions BatchUpdatePartition, at most 100 a call, sending back each partition
//                   exactly as Glue gave it but for the new location and the statistics the
//                   tool owns: numFiles, totalSize, recordCount, and the crawler's objectCount and
//                   sizeKey, each only where the partition already has it.
//   A table with no partition keys is one partition (path ""): its own location, listed with
//   GetTable, updated with UpdateTable (the same fields changed, nothing else; guarded by the
//   table's VersionId).
//
// Not thread-safe (the job calls it from one thread).

#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/glue/glue_client.h"
#include "storage/file_systems.h"

namespace s3c {

class GlueCatalog : public Catalog {
 public:
  GlueCatalog(std::shared_ptr<GlueClient> client, std::string database, std::string table,
              FileSystems& file_systems, int segments = 4);

  std::string Describe() const override { return database_ + "." + table_; }
  arrow::Result<Table> LoadTable() override;
  arrow::Result<PartitionListing> ListPartitions(const Table& table,
                                                 const PartitionPredicate& predicate) override;
  bool RecordsLocations() const override { return true; }
  arrow::Result<std::vector<PartitionUpdateFailure>> UpdatePartitions(
      const std::vector<PartitionUpdate>& updates) override;

  /// The PartitionInput Glue takes back for `partition` (a GetPartitions entry), changed only by
  /// `update`. Pure; exposed for tests.
  static nlohmann::json PartitionInput(const nlohmann::json& partition,
                                       const PartitionUpdate& update);
  /// The TableInput Glue takes back for `table` (a GetTable `Table`), changed only by `update`.
  /// Pure; exposed for tests.
  static nlohmann::json TableInput(const nlohmann::json& table, const PartitionUpdate& update);

  /// What LoadTable reads of a GetTable `Table`, before resolving its location.
  struct Definition {
    std::string location;  // StorageDescriptor.Location, as written
    std::vector<PartitionKey> keys;
    std::vector<std::string> column_names;
  };
  /// Refuses what CheckCompactable refuses (naming the table `name`), else reads the
  /// definition, every field with its type checked. Pure; exposed for tests and the fuzz target.
  static arrow::Result<Definition> ReadDefinition(nlohmann::json table, const std::string& name);

  /// What ListPartitions reads of a GetPartitions entry: its raw Values
  /// (__HIVE_DEFAULT_PARTITION__ kept as is) and StorageDescriptor.Location ("" when none).
  /// A field of the wrong type (Values not strings, a StorageDescriptor or Parameters that is
  /// not an object) is an error naming `source`. Pure.
  struct PartitionEntry {
    std::vector<std::string> values;
    std::string location;
  };
  static arrow::Result<PartitionEntry> ReadPartitionEntry(const nlohmann::json& partition,
                                                          const std::string& source);

  /// The Glue column type as the predicate should compare it.
  static KeyType KeyTypeOf(const std::string& glue_type);

 private:
  arrow::Result<std::vector<nlohmann::json>> FetchPartitions(const std::string& expression) const;
  /// An unpartitioned table's update (path ""): UpdateTable, guarded by the VersionId of a
  /// GetTable made just before. A failure is returned as the partition's.
  arrow::Result<std::vector<PartitionUpdateFailure>> UpdateTable(const PartitionUpdate& update);

  std::shared_ptr<GlueClient> client_;
  std::string database_, table_;
  FileSystems& file_systems_;
  int segments_;
  std::map<std::string, nlohmann::json> partitions_by_path_;
  bool unpartitioned_ = false;  // the table has no partition keys (ListPartitions saw)
};

}  // namespace s3c
