#pragma once
// FileSizePolicy: where a writer ends each file, so that every file of a stream but its last
// lands within `tolerance` of the target. Pure; the writer asks again at every row group, with
// an estimate that improves as it learns how many bytes a row takes in the output.
//
// A writer plans its stream once: given R, the bytes estimated from the start of the current file
// to the end of the stream,
//   R <= target x (1 + tolerance)          one file takes the rest (it is the last)
//   R / n within tolerance for n near R/t  n equal files: the remainder is spread evenly, so no
//                                          file is short (always possible once R >= ~6 targets)
//   otherwise                              files of exactly the target; the rest comes last
// and then keeps the plan's file count while the estimate drifts, spreading the drift over the
// files still to come; it plans again only when a share leaves the tolerance
// (FileSizePolicy::Keeps). Deciding afresh at every file would flip between the regimes near the
// end of a stream and leave a runt.

#include <cstdint>

namespace s3c {

/// How a stream's remaining bytes are cut into files.
struct FilePlan {
  int64_t files = 1;     // files from the current one to the end of the stream
  bool balanced = true;  // equal shares; false: files of the target, the rest last
};

struct FileSizePolicy {
  int64_t target_bytes = 128LL << 20;
  double tolerance = 0.10;

  /// The plan for R bytes.
  FilePlan Plan(double remaining_bytes) const;

  /// True while `plan` still suits R: the shares stay within tolerance, and a last file can
  /// hold the rest.
  bool Keeps(const FilePlan& plan, double remaining_bytes) const;

  /// The size to end the current file at under `plan`; R itself for the last file.
  int64_t FileTarget(const FilePlan& plan, double remaining_bytes) const;

  /// Plan and FileTarget in one, for a stream planned afresh.
  int64_t FileTarget(double remaining_bytes) const {
    return FileTarget(Plan(remaining_bytes), remaining_bytes);
  }

  /// True when `bytes` is within tolerance of the target.
  bool WithinTolerance(int64_t bytes) const;
};

/// How many rows the next row group should hold, given the bytes the file may still take,
/// the row group size to aim for and the current bytes-per-row estimate. `last` is set when
/// this row group should end the file. Always at least one row.
struct RowGroupPlan {
  int64_t rows = 1;
  bool last = false;
};
RowGroupPlan PlanRowGroup(int64_t remaining_file_bytes, int64_t row_group_bytes,
                          double bytes_per_row, int64_t max_rows);

}  // namespace s3c
