#pragma once
// GroupCompactor: writes one CompactionGroup of a partition into staging. Reads the group's
// input files in order (a small file in one request, the next ones fetched ahead while the
// current one is written), aligns every batch to the partition's output schema and streams it
// into a RollingFileWriter. Rows keep their input order.
//
// On any error it deletes what it wrote and returns the error; nothing outside staging is
// ever touched. Thread-compatible: one Run per instance; instances run in parallel.

#include <functional>

#include <arrow/result.h>

#include "execute/rolling_file_writer.h"
#include "execute/row_digest.h"
#include "plan/compaction_plan.h"
#include "storage/run_layout.h"

namespace s3c {

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
};

struct GroupOutput {
  std::vector<WrittenFile> files;
  int64_t rows_read = 0;
  RowDigest digest;  // of the rows written, when ExecuteOptions::digest
};

class GroupCompactor {
 public:
  GroupCompactor(const PartitionPlan& plan, size_t group_index, const RunLayout& layout,
                 const ExecuteOptions& options, std::function<void(int64_t)> on_input_done);

  arrow::Result<GroupOutput> Run();

  /// The row group size `options` resolves to for `target_bytes`.
  static int64_t RowGroupBytes(const ExecuteOptions& options);

 private:
  arrow::Status WriteAll(RollingFileWriter& writer, GroupOutput* output);

  const PartitionPlan& plan_;
  const size_t group_index_;
  const RunLayout& layout_;
  const ExecuteOptions options_;
  std::function<void(int64_t)> on_input_done_;
};

}  // namespace s3c
