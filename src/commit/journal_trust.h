#pragma once
// JournalTrust: what a run journal found on storage may make this run touch. A journal is data
// read from storage: it may be stale, copied along with its table, or forged by anyone who can
// write under the table's _s3_compaction folder. So nothing it names is trusted for a delete,
// a move or a write: every place is recomputed from this run's own arguments (RunLayout: the
// table, the target, the archive) and the catalog, and a journal naming anything else is
// reported and left alone.
//
// A run's journal may be acted on only if its folder name is a run id, its plan says the same
// run id, and its table is this table (compared canonically: another spelling of the same
// place is the same table). Then each partition is checked on its own:
//   path          plain key=value segments (no "." or "..": it is joined to folders as text)
//   location      inside the table, or inside this run's target, or where the catalog says
//                 a partition is
//   output_dir    the location itself (in place), or <this run's target>/<partition path>
//   inputs        directly in the location, and not named as that run's outputs
//   outputs       staged in <output root>/_s3_compaction/staging/<run>/<partition path>/,
//                 placed in the output_dir, named as that run names its outputs
//                 (RunLayout::IsOutputOf: only the run itself writes such names); copies (to a
//                 target) of files of the location, under their own names
//   pending       (deletions after a grace period) in this run's archive folder for that run,
//                 or, for a partition that moved to a target, among its planned inputs
// A partition that fails is left alone with the reason, which says which flag would let a run
// finish it (the target or archive the crashed run was given). Thread-compatible.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "commit/originals_policy.h"
#include "commit/run_journal.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

/// A journal partition whose every location checked out, resolved.
struct TrustedPartition {
  const JournalPartition* partition = nullptr;
  Location location;    // where its originals are
  Location output_dir;  // where its outputs go
  Location staging;     // the run's staging folder for it
  Location archive;     // where this run would archive its originals
  bool in_place = true;
  OriginalsPolicy policy;
  /// The planned inputs, resolved, with what planning recorded of them.
  std::vector<std::pair<Location, JournalFile>> inputs;
};

class JournalTrust {
 public:
  /// Partition path -> the location (URI) the catalog records for it now; null when the
  /// catalog records no locations. Asked at most when a location is outside the table.
  using CatalogLocations =
      std::function<arrow::Result<const std::map<std::string, std::string>*>()>;

  /// `layout`: this run's (its table root, target, archive and journal).
  JournalTrust(const RunLayout& layout, FileSystems& file_systems,
               CatalogLocations catalog_locations)
      : layout_(layout),
        file_systems_(file_systems),
        catalog_locations_(std::move(catalog_locations)) {}

  /// OK when the journal in folder `run_id` may be acted on at all.
  arrow::Status CheckRun(const std::string& run_id, const JournalPlan& plan) const;

  /// The partition's places, when they are where this run's arguments put them.
  arrow::Result<TrustedPartition> CheckPartition(const JournalPlan& plan,
                                                 const JournalPartition& partition) const;

  /// OK when every file `record` names is where `partition` allows.
  arrow::Status CheckRecord(const JournalPlan& plan, const TrustedPartition& partition,
                            const PartitionRecord& record) const;

  /// A URI the journal names, resolved (Invalid if it does not resolve).
  arrow::Result<Location> Resolve(const std::string& uri) const;

 private:
  arrow::Status CheckLocation(const JournalPartition& partition, const Location& location) const;

  const RunLayout& layout_;
  FileSystems& file_systems_;
  CatalogLocations catalog_locations_;
};

}  // namespace s3c
