// Fuzz target: a Glue GetPartitions answer, read as GlueCatalog::ListPartitions reads it: the
// page (GlueClient::PageOf), each partition's values for a table of one and of two keys
// (GlueCatalog::PartitionValues), its Hive path, and its location
// (GlueCatalog::PartitionLocation), plus what UpdatePartitions sends back (PartitionInput).
#include <cstdint>
#include <string>

#include "catalog/glue/glue_catalog.h"
#include "catalog/glue/glue_client.h"
#include "catalog/hive_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto answer = s3c::GlueClient::ParseAnswer(body, "GetPartitions db.t");
  if (!answer.ok()) return 0;
  const s3c::GlueClient::PartitionPage page = s3c::GlueClient::PageOf(std::move(*answer));
  for (const auto& partition : page.partitions) {
    for (size_t keys : {1, 2}) {
      auto values = s3c::GlueCatalog::PartitionValues(partition, keys);
      if (!values) continue;
      std::vector<std::optional<std::string>> decoded;
      for (const auto& v : *values) {
        if (v == s3c::hive::kDefaultPartitionName) {
          decoded.push_back(std::nullopt);
        } else {
          decoded.push_back(v);
        }
      }
      (void)s3c::hive::MakePartitionPath(std::vector<std::string>(keys, "k"), decoded);
    }
    (void)s3c::GlueCatalog::PartitionLocation(partition);
    s3c::PartitionUpdate update;
    update.path = "k=v";
    update.location = "s3://b/t/k=v";
    update.files = 1;
    update.bytes = 2;
    update.rows = 3;
    (void)s3c::GlueCatalog::PartitionInput(partition, update).dump();
  }
  return 0;
}
