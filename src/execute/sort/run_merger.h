#pragma once
// RunMerger: the k-way merge of sorted runs into one sorted stream. A run is an Arrow IPC
// stream file of batches in sort order (ExternalSorter writes them); the merger reads each run
// batch by batch, so it holds one batch per run plus the output batch being gathered.
//
// Order: exactly RowComparator's (which is Arrow's SortIndices order); rows with equal keys come
// out run by run in the order the runs were given, and within a run in the run's order. Runs
// made from consecutive input, given in input order, therefore merge stably.
//
// Gathering: the merger gallops through the run that holds the smallest row (exponential then
// binary search against the second smallest), so a stretch of rows from one run costs O(log n)
// comparisons and becomes one segment. Each output batch is gathered column by column, never row
// by row: long segments as slices concatenated; interleaved ones by one Take per source batch of
// the rows it gives, a concatenation, and one Take into output order (memory: ~3 copies of the
// output batch, never a copy of whole source batches).
//
// The files are opened by Open and read through their descriptors, so the caller may unlink
// them (or their folder) as soon as Open returns; ReadNext closes them once the merge is done.
// Errors name the run file: unreadable, not an IPC stream of `schema`, or holding another number
// of rows than was written.
//
// Not thread-safe: one consumer.

#include <memory>
#include <string>
#include <vector>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "execute/sort/resolved_sort.h"
#include "execute/sort/row_comparator.h"

namespace s3c {

/// A spill file and the rows written to it. The merger checks the count: a stream file cut at a
/// message boundary would otherwise read as a shorter, valid run.
struct SpillRun {
  std::string path;
  int64_t rows = 0;
};

class RunMerger final : public arrow::RecordBatchReader {
 public:
  /// Opens every run in `runs` (each with `schema`) for merging by `sort`. Output batches
  /// hold up to `output_batch_rows` rows (REQUIRES: >= 1).
  static arrow::Result<std::unique_ptr<RunMerger>> Open(std::shared_ptr<arrow::Schema> schema,
                                                        const ResolvedSort& sort,
                                                        const std::vector<SpillRun>& runs,
                                                        int64_t output_batch_rows,
                                                        arrow::MemoryPool* pool);
  ~RunMerger() override;

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }
  /// The next batch in order, or null once every run is exhausted (the files are closed then).
  /// After an error, every later call returns it again.
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override;
  /// Closes every file; later ReadNext calls return null.
  arrow::Status Close() override;

  /// How many runs (open files) this merger reads.
  size_t run_count() const { return run_count_; }

 private:
  struct Cursor;
  struct Segment;

  RunMerger(std::shared_ptr<arrow::Schema> schema, ResolvedSort sort, RowComparator comparator,
            int64_t output_batch_rows, arrow::MemoryPool* pool);

  arrow::Status Advance(Cursor& cursor);
  bool Before(const Cursor& a, int64_t a_row, const Cursor& b) const;
  bool Less(size_t a, size_t b) const;
  void SiftDown(size_t i);
  int64_t StretchBefore(const Cursor& top, int64_t limit, const Cursor& next) const;
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Gather(const std::vector<Segment>& segments,
                                                            int64_t rows);
  arrow::Status Next(std::shared_ptr<arrow::RecordBatch>* batch);

  std::shared_ptr<arrow::Schema> schema_;
  ResolvedSort sort_;
  RowComparator comparator_;
  int64_t output_batch_rows_;
  arrow::MemoryPool* pool_;
  std::vector<std::unique_ptr<Cursor>> cursors_;
  std::vector<size_t> heap_;  // indices into cursors_, a binary min-heap by Less
  size_t run_count_ = 0;
  arrow::Status status_;
};

}  // namespace s3c
