#pragma once
// Newcomers: files other writers add to a partition while a run moves it to a target. They
// must never be hidden: just before the catalog repoints the partition, and again just after,
// the old location is listed and every file the run did not plan is copied to the new one
// (and left at the old one too). Stateless.

#include <set>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "commit/partition_committer.h"
#include "commit/run_journal.h"

namespace s3c {

class Newcomers {
 public:
  /// Copies the files at `dir` that are neither in `known` (paths or URIs) nor already among
  /// `outputs` (as sources) to `output_dir`, adding each to `outputs` (as a copy: no staged
  /// file) and, if given, to `published`. Hidden names are left. Returns how many it copied;
  /// an error if `dir` cannot be listed or a file cannot be copied (the caller then leaves the
  /// partition where it was).
  static arrow::Result<int> Carry(const Location& dir, const Location& output_dir,
                                  const std::set<std::string>& known,
                                  std::vector<JournalOutput>* outputs, Published* published);

  /// Carry for a partition this run repoints (everything it planned is known), then records the
  /// copies in its journal record, which guards the repoint.
  static arrow::Result<int> CarryFor(const PartitionPlan& plan, CommitResult& commit,
                                     RunJournal& journal);
};

}  // namespace s3c
