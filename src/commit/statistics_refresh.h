#pragma once
// StatisticsRefresh: after recovery rolled partitions forward in place, the catalog's file
// count and size for them are stale (the crashed run never reached its catalog step). Lists
// each such partition and sends one batched update; the row count stands (compaction keeps
// the rows). Problems become report lines, never errors: the files are right whatever the
// catalog's statistics say. Only for catalogs that record locations.

#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "storage/file_systems.h"

namespace s3c {

class StatisticsRefresh {
 public:
  /// `settled`: (partition path, location URI) of the partitions to refresh.
  /// Returns the lines to report.
  static std::vector<std::string> Run(Catalog& catalog, const Table& table,
                                      FileSystems& file_systems,
                                      const std::vector<std::pair<std::string, std::string>>& settled);
};

}  // namespace s3c
