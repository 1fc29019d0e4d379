#pragma once
// SummaryBuilder: turns what a run planned and did into its RunSummary: one PartitionOutcome
// per partition (from its plan, or from its PartitionRun once committed), and the dry run's
// estimates of what a run would write. Pure functions.

#include <string>

#include "commit/originals_policy.h"
#include "commit/partition_run.h"
#include "plan/compaction_plan.h"
#include "report/run_summary.h"

namespace s3c {

class SummaryBuilder {
 public:
  /// What a partition's plan says before anything is written: skipped, failed (with the
  /// reason), or to be compacted or copied (files and bytes as they are).
  static PartitionOutcome FromPlan(const PartitionPlan& plan);
  /// --dry-run: the plan's estimates of what a run would write.
  static PartitionOutcome Planned(const PartitionPlan& plan);
  /// Planned, or deferred when a limit leaves it for a later run.
  static PartitionOutcome Planned(const PartitionRun& run);
  /// After the run: what the partition's commit did.
  static PartitionOutcome Finished(const PartitionRun& run);
};

}  // namespace s3c
