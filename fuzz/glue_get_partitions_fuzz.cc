// Fuzz target: a Glue GetPartitions answer, read as GlueCatalog::ListPartitions reads it: the
// page (GlueClient::PageOf), each partition entry with its types checked
// (GlueCatalog::ReadPartitionEntry), its Hive path for a table of one and of two keys, and
// what UpdatePartitions sends back for it (PartitionInput).
#include <cstdint>
#include <string>

#include "catalog/glue/glue_catalog.h"
#include "catalog/glue/glue_client.h"
#include "catalog/hive_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto answer = s3c::GlueClient::ParseAnswer(body, "GetPartitions db.t");
  if (!answer.ok()) return 0;
  auto page = s3c::GlueClient::PageOf(std::move(*answer), "db.t");
  if (!page.ok()) return 0;
  for (const auto& partition : page->partitions) {
    auto entry = s3c::GlueCatalog::ReadPartitionEntry(partition, "Glue GetPartitions db.t");
    if (!entry.ok()) continue;
    std::vector<std::optional<std::string>> decoded;
    for (const auto& v : entry->values) {
      if (v == s3c::hive::kDefaultPartitionName) {
        decoded.push_back(std::nullopt);
      } else {
        decoded.push_back(v);
      }
    }
    (void)s3c::hive::MakePartitionPath(std::vector<std::string>(decoded.size(), "k"), decoded);
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
