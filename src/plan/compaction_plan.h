#pragma once
// CompactionPlan: what a run will do, partition by partition, decided before anything is
// written. --dry-run prints it; the executor and the publisher carry it out.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/filesystem/filesystem.h>
#include <arrow/type_fwd.h>
#include <arrow/util/type_fwd.h>

#include "execute/sort/resolved_sort.h"
#include "catalog/partition.h"
#include "catalog/table.h"
#include "plan/input_file.h"
#include "storage/location.h"

namespace s3c {

enum class PartitionAction {
  kCompact,  // groups to write
  kCopy,     // nothing to compact, but --target_s3_path needs the files there: copy as they are
  kSkip,     // left exactly as it is; `reason` says why
  kFail,     // cannot be compacted safely; `reason` is the error; left exactly as it is
};

/// How the partition's new files are written.
struct OutputSettings {
  arrow::Compression::type codec = arrow::Compression::SNAPPY;
  int compression_level = 0;      // 0: the codec's default
  bool int96_timestamps = false;  // the inputs stored timestamps as INT96: keep doing so
  bool decimals_as_integers = false;
  bool store_arrow_schema = false;
};

/// How a group's files are written. The planner picks each group's method; the executor runs
/// the GroupWriter made for it (MakeGroupWriter), so a new method needs no change to the
/// orchestration.
enum class GroupMethod {
  kRewrite,  // "rows": every row decoded, aligned to the output schema and encoded again
  kPages,    // "pages": input row groups' pages assembled into large row groups (PageMerger)
};

/// --merge: how groups may be written. kAuto picks pages wherever they apply and make good
/// output; kPages wherever they apply at all; kRows never.
enum class MergeMode { kAuto, kPages, kRows };

/// "rows" or "pages": the name --dry-run, the summary and --merge use.
std::string MethodName(GroupMethod method);

/// A contiguous run of input files that one writer turns into one or more files.
struct CompactionGroup {
  GroupMethod method = GroupMethod::kRewrite;
  /// Why the rows method was chosen, when pages were allowed (printed by --dry-run).
  std::string method_reason;
  std::vector<size_t> inputs;  // indices into PartitionPlan::files
  int64_t rows = 0;
  int64_t input_bytes = 0;
  int64_t data_bytes = 0;      // compressed column data of the inputs
  int64_t estimated_output_bytes = 0;
};

struct PartitionPlan {
  Partition partition;
  PartitionAction action = PartitionAction::kSkip;
  std::string reason;

  std::vector<InputFile> files;                   // the Parquet files, in listing order
  std::vector<arrow::fs::FileInfo> other_files;   // not Parquet: reported, never touched
  std::vector<size_t> kept;                       // files left as they are (near the target)
  std::vector<CompactionGroup> groups;
  std::shared_ptr<arrow::Schema> output_schema;
  OutputSettings output;
  Location output_dir;                            // where the partition's files end up
  int64_t estimated_output_files = 0;
  /// --sort_by, resolved against output_schema: the partition's rows are written sorted (one
  /// group, by rows). nullopt: input order.
  std::optional<ResolvedSort> sort;
  /// Its folder holds a tool folder (_s3_compaction): another run may be at work on it (the
  /// job checks before the first visible change). Set when the planner listed the folder.
  bool holds_tool_folder = false;

  /// How the partition is written: "copy" for kCopy, else its groups' methods ("rewrite");
  /// "" for a partition that is skipped or failed.
  std::string Method() const;
  /// Why groups go by rows where pages were allowed ("" when none does, or for --merge rows).
  std::string MethodReason() const;

  int64_t InputFiles() const;   // files in groups
  int64_t InputBytes() const;
  int64_t InputRows() const;   // an estimate while some footers are deferred
  int64_t TotalBytes() const;   // every Parquet file of the partition
};

struct CompactionPlan {
  Table table;
  std::vector<PartitionPlan> partitions;
  std::vector<std::string> notes;  // from discovery and planning
  int64_t list_requests = 0;       // listings made by discovery and planning

  int64_t PartitionsWith(PartitionAction action) const;
};

}  // namespace s3c
