#include "commit/statistics_refresh.h"

#include "storage/run_layout.h"

namespace s3c {

std::vector<std::string> StatisticsRefresh::Run(
    Catalog& catalog, const Table& table, FileSystems& file_systems,
    const std::vector<std::pair<std::string, std::string>>& settled) {
  if (!catalog.RecordsLocations() || settled.empty()) return {};
  auto listed = catalog.ListPartitions(table, PartitionPredicate::All());
  if (!listed.ok()) return {"catalog statistics not refreshed: " + listed.status().message()};
  std::vector<PartitionUpdate> updates;
  for (const auto& [path, uri] : settled) {
    auto where = file_systems.Resolve(uri);
    if (!where.ok()) continue;
    auto files = ListFolder(*where);
    if (!files.ok()) continue;
    PartitionUpdate update;
    update.path = path;
    update.files = 0;
    update.bytes = 0;  // rows: compaction keeps them, so the catalog's count stands
    for (const auto& f : *files) {
      if (f.IsFile() && !RunLayout::IsHidden(BaseName(f.path()))) {
        ++update.files;
        update.bytes += f.size();
      }
    }
    updates.push_back(std::move(update));
  }
  if (updates.empty()) return {};
  auto result = catalog.UpdatePartitions(updates);
  if (!result.ok()) return {"catalog statistics not refreshed: " + result.status().message()};
  std::vector<std::string> lines;
  for (const auto& f : *result) {
    lines.push_back("partition " + PartitionName(f.path) + ": catalog statistics not refreshed: " + f.message);
  }
  return lines;
}

}  // namespace s3c
