#pragma once
// CatalogStep: once every partition of a run is published, tells the catalog what changed,
// then finishes the partitions that waited for it.
//
//   carry     (repoint) files other writers added at a partition's old location meanwhile are
//             copied to the new one; if one cannot be, that partition is not repointed
//   record    the updates go to the run's journal (catalog.json) before they are sent, so a
//             crash just before leaves them for the next whole-table recovery
//             (DeferredCommit), and --update_catalog deferred leaves them for `commit`
//   send      one batched update: statistics, and with a target the new locations
//   finish    repointed partitions carry late newcomers, then remove their originals
//             (PartitionCommitter::FinishAfterCatalog); one whose update failed has its new
//             files removed and stays where it was
//
// In place the files are right whatever the catalog says: a failed update only leaves its
// statistics behind (a note). Only for catalogs that record locations (Glue); with a target
// and --update_catalog false the run is an export and nothing here happens.

#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "commit/partition_committer.h"
#include "commit/partition_run.h"
#include "commit/run_transaction.h"

namespace s3c {

class CatalogStep {
 public:
  struct Settings {
    bool repoint = false;   // partitions move to a target and the catalog follows them
    bool in_place = true;   // no target
    bool defer = false;     // --update_catalog deferred
  };

  CatalogStep(Catalog& catalog, const PartitionCommitter& committer, RunTransaction& transaction,
              FileSystems& file_systems, Settings settings)
      : catalog_(catalog),
        committer_(committer),
        transaction_(transaction),
        file_systems_(file_systems),
        settings_(settings) {}

  /// Returns lines for the summary's notes.
  std::vector<std::string> Run(std::vector<PartitionRun>& partitions);

 private:
  using Failures = std::map<std::string, std::string>;  // partition path -> why
  void CarryBefore(std::vector<PartitionRun>& partitions, Failures& failed);
  std::vector<PartitionUpdate> Updates(const std::vector<PartitionRun>& partitions,
                                       const Failures& failed) const;
  void Send(const std::vector<PartitionUpdate>& updates, Failures& failed);
  void FinishPartitions(std::vector<PartitionRun>& partitions, const Failures& failed);

  Catalog& catalog_;
  const PartitionCommitter& committer_;
  RunTransaction& transaction_;
  FileSystems& file_systems_;
  Settings settings_;
  std::vector<std::string> notes_;
};

}  // namespace s3c
