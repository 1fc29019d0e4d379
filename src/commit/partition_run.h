#pragma once
// PartitionRun: one partition's passage through a run: what was planned, what its groups
// wrote, and how its commit went. The job keeps one per planned partition (never parallel
// vectors indexed by number); the scheduler fills `write`, the committer and the catalog step
// `commit`, and the summary is built from it.

#include <optional>
#include <string>
#include <vector>

#include "commit/partition_committer.h"
#include "execute/partition_write.h"
#include "plan/compaction_plan.h"
#include "plan/run_budget.h"

namespace s3c {

struct PartitionRun {
  PartitionPlan plan;
  PartitionWrite write;
  CommitResult commit;
  bool committed = false;  // reached the committer (a compacted or copied partition)
  int carried = 0;         // files other writers added meanwhile, carried to the target
  std::string rows_instead;  // PartitionWrite::rows_instead, kept when the write is committed
  SortOutput sort;           // PartitionWrite::sort, likewise
  /// Left for a later run by a limit (RunBudget): never journaled, written or touched.
  std::optional<Deferral> deferral;

  /// One per partition of the plan, in order.
  static std::vector<PartitionRun> FromPlans(std::vector<PartitionPlan> plans) {
    std::vector<PartitionRun> runs(plans.size());
    for (size_t i = 0; i < plans.size(); ++i) runs[i].plan = std::move(plans[i]);
    return runs;
  }
};

}  // namespace s3c
