#pragma once
// RunBudget: what one run takes on when it must fit a window (--max_runtime_minutes,
// --max_partitions, --max_input_gb), so a scheduled run over a large backlog finishes in time
// and leaves the rest for the next run instead of timing out with nothing done.
//
// Partitions are taken in order of benefit: the most small files removed per byte read first
// (a partition of a thousand 10 KiB files before one of twenty 50 MiB files). The partition
// and byte limits are applied to the plan, before anything is journaled: a partition that
// would exceed them is deferred (a partition larger than the byte limit on its own is deferred
// with a note saying so, and never taken until the limit is raised). The runtime limit is
// applied as partitions start: once the run has lasted M minutes, no new partition starts;
// those under way finish and commit (a partition refused then is in the run's plan.json but
// never gets a record, so recovery sees it planned with nothing visible). The first partition always starts, so every run makes
// progress whatever its planning cost.
//
// Pure and thread-compatible; MayStart is called under the scheduler's lock.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plan/compaction_plan.h"

namespace s3c {

struct RunLimits {
  double max_runtime_minutes = 0;  // 0: none
  int64_t max_partitions = 0;      // 0: none
  double max_input_gb = 0;         // GiB of input read; 0: none

  bool any() const { return max_runtime_minutes > 0 || max_partitions > 0 || max_input_gb > 0; }
};

/// A partition left for a later run: why, and what it holds (input files and bytes).
struct Deferral {
  std::string reason;
  int64_t files = 0;
  int64_t bytes = 0;
};

class RunBudget {
 public:
  explicit RunBudget(RunLimits limits) : limits_(limits) {}

  const RunLimits& limits() const { return limits_; }
  /// The limits as flags, for the summary: {"--max_partitions 5", ...}; empty when none.
  std::vector<std::string> Describe() const;

  /// Indices of `plans` in the order they should run: by benefit, the most small files removed
  /// per byte read first (ties: plan order). Only partitions that write (compact or copy).
  static std::vector<size_t> ByBenefit(const std::vector<const PartitionPlan*>& plans);

  /// One entry per plan: the deferral of each partition that writes and that the partition or
  /// byte limit leaves for a later run, taken in ByBenefit order. A partition larger than the
  /// byte limit alone adds a line to `notes`.
  std::vector<std::optional<Deferral>> Select(const std::vector<const PartitionPlan*>& plans,
                                              std::vector<std::string>* notes) const;

  /// True when a partition may start after `elapsed_seconds` of the run, `started` partitions
  /// having started already.
  bool MayStart(double elapsed_seconds, int64_t started) const {
    return started == 0 || limits_.max_runtime_minutes <= 0 ||
           elapsed_seconds < limits_.max_runtime_minutes * 60.0;
  }

  /// The deferral of `plan` when the runtime limit stopped it from starting.
  Deferral OutOfTime(const PartitionPlan& plan) const;

 private:
  RunLimits limits_;
};

}  // namespace s3c
