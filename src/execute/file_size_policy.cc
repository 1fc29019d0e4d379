#include "execute/file_size_policy.h"

#include <algorithm>
#include <cmath>

namespace s3c {

FilePlan FileSizePolicy::Plan(double remaining) const {
  const double t = static_cast<double>(target_bytes);
  if (remaining <= t * (1.0 + tolerance)) return FilePlan{1, true};
  // Of the two file counts around R/t, the one whose equal share is closest to the target.
  double best_n = 0;
  double best_error = INFINITY;
  for (double n : {std::floor(remaining / t), std::ceil(remaining / t)}) {
    if (n < 1) continue;
    double error = std::fabs(remaining / n - t) / t;
    if (error < best_error) {
      best_error = error;
      best_n = n;
    }
  }
  if (best_error <= tolerance) return FilePlan{static_cast<int64_t>(best_n), true};
  return FilePlan{static_cast<int64_t>(std::ceil(remaining / t)), false};
}

bool FileSizePolicy::Keeps(const FilePlan& plan, double remaining) const {
  const double t = static_cast<double>(target_bytes);
  if (plan.files < 1) return false;
  if (plan.files == 1) return remaining <= t * (1.0 + tolerance);
  if (plan.balanced) return std::fabs(remaining / plan.files - t) <= tolerance * t;
  // Files of the target with the rest last: the rest must fit in that last file.
  const double rest = remaining - t * static_cast<double>(plan.files - 1);
  return rest > 0 && rest <= t * (1.0 + tolerance);
}

int64_t FileSizePolicy::FileTarget(const FilePlan& plan, double remaining) const {
  if (plan.files <= 1) return static_cast<int64_t>(std::ceil(remaining));
  if (plan.balanced) return static_cast<int64_t>(remaining / static_cast<double>(plan.files));
  return target_bytes;
}

bool FileSizePolicy::WithinTolerance(int64_t bytes) const {
  const double t = static_cast<double>(target_bytes);
  return std::fabs(static_cast<double>(bytes) - t) <= tolerance * t;
}

RowGroupPlan PlanRowGroup(int64_t remaining_file_bytes, int64_t row_group_bytes,
                          double bytes_per_row, int64_t max_rows) {
  RowGroupPlan plan;
  bytes_per_row = std::max(bytes_per_row, 1e-3);
  double bytes;
  // A tail shorter than half a row group is folded into the last one rather than written as
  // a runt row group.
  if (static_cast<double>(remaining_file_bytes) <= 1.5 * static_cast<double>(row_group_bytes)) {
    plan.last = true;
    bytes = static_cast<double>(remaining_file_bytes);
  } else {
    double groups = std::ceil(static_cast<double>(remaining_file_bytes) /
                              static_cast<double>(row_group_bytes));
    bytes = static_cast<double>(remaining_file_bytes) / groups;
  }
  double rows = std::floor(bytes / bytes_per_row);
  plan.rows = static_cast<int64_t>(std::clamp(rows, 1.0, static_cast<double>(max_rows)));
  return plan;
}

}  // namespace s3c
