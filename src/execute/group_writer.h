#pragma once
// GroupWriter: the seam between the orchestration and the ways a group of input files can be
// turned into output files. The planner picks each group's GroupMethod; MakeGroupWriter returns
// the writer for it; the scheduler only ever calls Run(). A new method (a page-level merge, say)
// is one more GroupMethod, one more implementation and one more case in MakeGroupWriter.
//
// The contract every implementation keeps: Run writes only under the run's staging folder for
// the partition (RunLayout::StagingDir), in files named by RunLayout::OutputFileName; on error
// it deletes what it wrote and returns the error; on success every file is complete, its rows
// add up to `rows_read`, and `rows_read` has been checked against the inputs' footers. A
// PlanMismatch error (execute/plan_mismatch.h) asks for the partition to be planned again.
// One Run per instance; instances run in parallel.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "execute/file_size_policy.h"
#include "execute/rolling_file_writer.h"
#include "execute/row_digest.h"
#include "plan/compaction_plan.h"
#include "storage/run_layout.h"

namespace s3c {

class StageClock;  // report/stage_clock.h

struct ExecuteOptions {
  FileSizePolicy size;
  /// Target row group size; 0 picks target/4 within [64 KiB, 128 MiB].
  int64_t row_group_bytes = 0;
  /// Files up to this size are read whole in one request, and fetched ahead.
  int64_t whole_file_read_limit = 32LL << 20;
  /// How many input files are fetched ahead of the one being written.
  int prefetch_files = 2;
  /// Take a RowDigest of every row written (--verify=content).
  bool digest = false;
  /// Small input batches are gathered to this many rows (or bytes) before they are written
  /// (BatchCoalescer).
  int64_t coalesce_rows = 65536;
  int64_t coalesce_bytes = 32LL << 20;
  /// With --sort_by: each sorting group's memory before it spills, and where it spills.
  int64_t sort_memory_bytes = int64_t{256} << 20;
  std::string spill_path;
  /// The run's clock: groups are timed as reading (fetching and decoding inputs) and writing
  /// (the rest). May be null.
  StageClock* clock = nullptr;
};

/// What sorting a group took (--sort_by).
struct SortOutput {
  int64_t rows = 0;
  int64_t runs_spilled = 0;
  int64_t bytes_spilled = 0;
};

struct GroupOutput {
  std::vector<WrittenFile> files;
  int64_t rows_read = 0;
  RowDigest digest;  // of the rows written, when ExecuteOptions::digest
  /// Set when a group planned for pages went through the row path after all: why.
  std::string rows_instead;
  SortOutput sort;
};

class GroupWriter {
 public:
  virtual ~GroupWriter() = default;
  virtual arrow::Result<GroupOutput> Run() = 0;
};

/// Creates the staging folder `staging` where folders exist (S3 needs none, and an empty
/// "folder/" marker object would only be litter).
arrow::Status CreateStaging(const Location& staging);

/// Deletes what a failed writer staged, where that leaves no trace: staging is swept at the end
/// of the run anyway, and on S3 the sweep's batch delete does it (Arrow's DeleteFile would leave
/// a zero-byte folder marker in the emptied staging folder). Best effort.
void DiscardStaged(const std::vector<WrittenFile>& files);

/// The writer for group `group_index` of `plan`, by the group's method. `on_input_done` is
/// called with each input's bytes once it is consumed (the progress bar); may be empty.
std::unique_ptr<GroupWriter> MakeGroupWriter(const PartitionPlan& plan, size_t group_index,
                                             const RunLayout& layout,
                                             const ExecuteOptions& options,
                                             std::function<void(int64_t)> on_input_done);

}  // namespace s3c
