#pragma once
// PendingWork: what earlier runs left that a later run must finish, read without changing it:
// their journals (a run half done, originals awaiting their grace period, catalog updates
// awaiting `s3-compaction commit`, a run whose plan was lost, a run folder without a plan) and
// the table's leases (who is compacting it now, or died holding it). For `s3-compaction inspect`.
//
// Read-only: listings and GETs of the tool's own small objects, never a data file. A journal
// or lease that cannot be read is reported as such, never trusted for anything.

#include <set>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "inspect/table_health.h"
#include "storage/run_layout.h"

namespace s3c {

class PendingWork {
 public:
  /// The journals under layout.RunsDir(), oldest first. Reads each run's plan and up to
  /// `max_records` partition records per run (one GET each). A run named in `live_runs` (its
  /// lease is held) is in progress, not half done; a journal about another table's location
  /// (a copied table) is said to be left alone, as recovery leaves it.
  static arrow::Result<std::vector<PendingRun>> Journals(const RunLayout& layout,
                                                         const std::set<std::string>& live_runs,
                                                         std::vector<std::string>* notes,
                                                         size_t max_records = 1000);
  /// The leases in layout.ToolFolder() (the whole table's and shards'). A lease that is not a
  /// small regular file is reported unreadable, never read whole.
  static arrow::Result<std::vector<LeaseState>> Leases(const RunLayout& layout);
};

}  // namespace s3c
