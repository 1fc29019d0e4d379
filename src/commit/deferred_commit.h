#pragma once
// DeferredCommit: applies, in one batched catalog update, the updates that runs left in their
// journals (<run>/catalog.json): those of --update_catalog deferred, and those a run recorded
// but never sent because it crashed just before its catalog step. Runs under the whole
// table's lease, before recovery (every run without --shard, `recover`, and `commit`).
//
// For a partition moving to a target, only if its record still says "published" (not rolled
// back meanwhile), and only after the files other writers added at its old location are
// carried over (Newcomers). Recovery then finds the catalog at the new locations and rolls
// those partitions forward (the originals go), or back for an update that failed.
//
// Like recovery it trusts no place a journal names (JournalTrust): a run whose journal or
// partition does not check out is left alone, and so are its updates. Applied updates'
// catalog.json files are deleted, so they are never replayed over newer statistics.

#include <string>
#include <vector>

#include <arrow/result.h>

#include "catalog/catalog.h"
#include "commit/journal_trust.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

class DeferredCommit {
 public:
  struct Outcome {
    size_t updates = 0, failed = 0, runs = 0;
    std::vector<std::string> notes;
    /// "committed 3 of 4 deferred partition update(s) from 2 run(s)", or "nothing to commit".
    std::string Describe() const;
  };

  DeferredCommit(Catalog& catalog, const Table& table, const RunLayout& layout,
                 FileSystems& file_systems, JournalTrust::CatalogLocations catalog_locations)
      : catalog_(catalog),
        table_(table),
        layout_(layout),
        file_systems_(file_systems),
        trust_(layout, file_systems, std::move(catalog_locations)) {}

  /// `runs`: the run ids under layout.RunsDir(), listed by the caller (recovery uses them too).
  arrow::Result<Outcome> Apply(const std::vector<std::string>& runs);

 private:
  struct Moving;
  /// The updates of one run's catalog.json, with the partitions that move; false if none.
  arrow::Result<bool> Gather(const std::string& run, std::vector<PartitionUpdate>& updates,
                             std::vector<Moving>& moving, Outcome& done);

  Catalog& catalog_;
  const Table& table_;
  const RunLayout& layout_;
  FileSystems& file_systems_;
  JournalTrust trust_;
};

}  // namespace s3c
