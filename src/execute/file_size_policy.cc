#include "execute/file_size_policy.h"

#include <algorithm>
#include <cmath>

namespace s3c {

int64_t FileSizePolicy::FileTarget(double remaining) const {
  const double t = static_cast<double>(target_bytes);
  if (remaining <= t * (1.0 + tolerance)) return static_cast<int64_t>(std::ceil(remaining));
  // Of the two file counts around R/t, the one whose equal share is closest to the target.
  double best_share = t;
  double best_error = INFINITY;
  for (double n : {std::floor(remaining / t), std::ceil(remaining / t)}) {
    if (n < 1) continue;
    double share = remaining / n;
    double error = std::fabs(share - t) / t;
    if (error < best_error) {
      best_error = error;
      best_share = share;
    }
  }
  if (best_error <= tolerance) return static_cast<int64_t>(best_share);
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
