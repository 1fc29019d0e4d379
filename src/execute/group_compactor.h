#pragma once
// GroupCompactor: the GroupWriter of GroupMethod::kRewrite. Writes one CompactionGroup of a
// partition into staging: reads the group's input files in order (a small file in one request,
// the next ones fetched ahead while the current one is written), aligns every batch to the
// partition's output schema and streams it into a RollingFileWriter. Rows keep their input
// order, unless the plan sorts the partition (--sort_by): then every row goes through an
// ExternalSorter (bounded memory, spilling under --spill_path, its folder removed before Run
// returns) and the files are written in order, each row group declaring it (sorting_columns).
//
// On any error it deletes what it wrote and returns the error; nothing outside staging is
// ever touched. Thread-compatible: one Run per instance; instances run in parallel.

#include <functional>

#include <arrow/result.h>

#include "execute/group_writer.h"
#include "execute/rolling_file_writer.h"
#include "execute/row_digest.h"
#include "plan/compaction_plan.h"
#include "storage/run_layout.h"

namespace s3c {

class ExternalSorter;

class GroupCompactor : public GroupWriter {
 public:
  GroupCompactor(const PartitionPlan& plan, size_t group_index, const RunLayout& layout,
                 const ExecuteOptions& options, std::function<void(int64_t)> on_input_done);

  arrow::Result<GroupOutput> Run() override;

  /// The row group size `options` resolves to for `target_bytes`.
  static int64_t RowGroupBytes(const ExecuteOptions& options);

 private:
  /// Every input's rows into `writer`, through `sorter` when the group is sorted (else null).
  arrow::Status WriteAll(RollingFileWriter& writer, ExternalSorter* sorter, GroupOutput* output);

  const PartitionPlan& plan_;
  const size_t group_index_;
  const RunLayout& layout_;
  const ExecuteOptions options_;
  std::function<void(int64_t)> on_input_done_;
};

}  // namespace s3c
