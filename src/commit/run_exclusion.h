#pragma once
// RunExclusion: keeps runs over overlapping data apart, whatever path each was given, and keeps
// a run from going on past a journal it cannot see from its own.
//
// Every run takes its lease in the tool folder of its table's canonical root (RunLayout::
// LeaseFile). Two runs whose roots are the same meet at the same lease file. Two runs whose
// roots nest (s3://b/t and s3://b/t/y=1) have different lease files, so after taking its own,
// each run looks at the other's: the inner one at every ancestor's tool folder
// (CheckAround), the outer one at every tool folder its listing met below its root
// (CheckBelow). Of two such runs at least one sees the other's lease, since each looks after
// taking its own.
//
// In another table's tool folder (an ancestor's or a descendant's), any of these stops the run
// (Invalid naming the folder and what to do): a live lease; a run journal (runs/<run>/plan.json)
// left there; a pointer to a journal kept elsewhere (--journal_path) that holds runs. In the
// run's own tool folder: a live lease of a scope that may not run beside this one (a shard and
// a whole-table run, or shards of another N); a pointer to a journal other than this run's
// that holds runs (the run that wrote it must be finished first, with its --journal_path); and,
// when this run's journal is elsewhere, runs left in the default journal.
//
// A catalog (Glue) may place partitions anywhere, and its runs do not list the table: such a
// run also holds the folder of each partition outside its table (a lease in that folder's tool
// folder, RunTransaction::HoldOutside) and checks the tool folders of the folders between its
// partitions and its root, and above its outside partitions (CheckPartitionFolders); a
// partition folder holding a tool folder is checked when the planner lists it. Stateless;
// every call is read-only except that CheckAround deletes pointers of this table that name an
// empty journal.

#include <memory>
#include <string>
#include <vector>

#include <arrow/status.h>

#include "aws/aws_context.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

class RunExclusion {
 public:
  RunExclusion(const RunLayout& layout, std::string scope, FileSystems& file_systems)
      : layout_(layout), scope_(std::move(scope)), file_systems_(file_systems) {}

  /// REQUIRES: this run holds its lease. Checks the run's own tool folder and every
  /// ancestor's (one listing each, up to the bucket or the file system's root).
  arrow::Status CheckAround() const;

  /// REQUIRES: this run holds its lease. `tool_folders`: the tool folders of other tables found
  /// below this table's root (PartitionListing::tool_folders), or in its partitions' folders.
  /// This run's own leases there are not a conflict.
  arrow::Status CheckBelow(const std::vector<Location>& tool_folders) const;

  /// For a catalog whose partitions are not found by listing the table (Glue): checks the tool
  /// folders of the folders between each partition and the table root, and of every folder
  /// above a partition placed outside the table (whose own folder this run must hold:
  /// RunTransaction::HoldOutside). One listing per distinct folder.
  arrow::Status CheckPartitionFolders(const std::vector<Location>& locations) const;

  /// The journal root a journal pointer's text names ({"journal_root": "<uri>"}), unresolved;
  /// an error naming the field when the text is not such an object. Pure; exposed for the
  /// fuzz target.
  static arrow::Result<std::string> JournalRootOf(const std::string& pointer_text);

 private:
  arrow::Status CheckOwn() const;
  /// `relation`: "contains" or "is inside", for the message.
  arrow::Status CheckOther(const Location& tool_folder, const std::string& relation) const;
  /// Invalid when the journal at `journal_root` holds runs; `how` is the recover command.
  arrow::Status CheckNoRuns(const Location& journal_root, const std::string& what,
                            const std::string& how) const;
  /// The journal root a pointer file names.
  arrow::Result<Location> ReadPointer(const Location& pointer) const;

  const RunLayout& layout_;
  const std::string scope_;
  FileSystems& file_systems_;
};

}  // namespace s3c
