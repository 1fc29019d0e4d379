#pragma once
// PageMerger: the GroupWriter of GroupMethod::kPages. Writes one CompactionGroup of a partition
// into staging by moving pages, not rows: each output row group is made of whole input row
// groups (in the group's order), and each of its column chunks of those row groups' chunks,
// assembled by pages::ChunkAssembler (dictionaries merged, indices remapped, other pages
// copied, levels as bytes). No value is decoded unless --verify=content asks for a digest.
//
// Sizes are known before anything is written: an output row group takes input row groups
// while their compressed bytes fit the row group size, and a file takes row groups while they
// fit the file's target (FileSizePolicy within 5%, on the bytes still to come: the plan's
// estimate for inputs not yet opened, their footers' for the others, scaled by what merging
// saved so far). Pages are read with their CRCs checked where they carry one, and written with
// a CRC each.
// An input row group is never split, so one larger than the row group size is a row group of
// its own.
//
// The planner only picks this method for inputs whose physical schema is the output's
// (PhysicalSchema) and whose pages can be merged; an input found otherwise at execution (a
// deferred footer that differs) is a PlanMismatch, as for the row path. A page the assembler
// does not take (NotImplemented: deprecated BIT_PACKED levels) sends the whole group through
// the row path (GroupCompactor) instead, after deleting what was written.
//
// Checks beyond the row path's: every output column chunk holds exactly the values its input
// chunks' metadata declare, and for columns that are not repeated, one value per row.
// Same contract as GroupWriter otherwise; one Run per instance.

#include <functional>

#include <arrow/result.h>

#include "execute/group_writer.h"
#include "plan/compaction_plan.h"
#include "storage/run_layout.h"

namespace s3c {

class PageMerger : public GroupWriter {
 public:
  PageMerger(const PartitionPlan& plan, size_t group_index, const RunLayout& layout,
             const ExecuteOptions& options, std::function<void(int64_t)> on_input_done);

  arrow::Result<GroupOutput> Run() override;

  /// Dictionary page size up to which a chunk's merged dictionary is kept (Arrow's and
  /// parquet-java's default); an input's larger dictionary page raises it for its chunk.
  static constexpr int64_t kDictionaryPageLimit = 1LL << 20;

 private:
  class Stream;  // the merge's state (page_merger.cc)

  const PartitionPlan& plan_;
  const size_t group_index_;
  const RunLayout& layout_;
  const ExecuteOptions options_;
  std::function<void(int64_t)> on_input_done_;
};

}  // namespace s3c
