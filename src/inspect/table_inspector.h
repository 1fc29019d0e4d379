#pragma once
// TableInspector: `s3-compaction inspect`. Reads a table the way a --dry-run does (the same
// catalog listing, predicate, shard and planner settings), but writes nothing and, by
// default, reads no data file at all: each partition is decided from its listing
// (Planner's listing_only), which tells how many files are small and what a run would make of
// them. With `footers` every file's footer is read as well (one ranged GET each), for rows, row
// groups, codecs and schema drift, and the decision is exactly the one a run would make.
//
// Also reports what earlier runs left (PendingWork) and the newest run whose outputs are among
// the files (their names carry its id: no state is kept for it).
// Errors stop the inspection only when the table cannot be read at all (tagged with an
// ErrorKind as for a run); per-partition problems are in the result.

#include <arrow/result.h>

#include "catalog/catalog.h"
#include "inspect/table_health.h"
#include "job/compaction_options.h"
#include "storage/file_systems.h"

namespace s3c {

class TableInspector {
 public:
  TableInspector(CompactionOptions options, FileSystems& file_systems, bool footers)
      : options_(std::move(options)), file_systems_(file_systems), footers_(footers) {}

  arrow::Result<TableHealth> Inspect(Catalog& catalog);

 private:
  CompactionOptions options_;
  FileSystems& file_systems_;
  bool footers_;
};

}  // namespace s3c
