#pragma once
// ExternalSorter: sorts a stream of record batches of one schema by a ResolvedSort, in bounded
// memory, spilling sorted runs to local disk and merging them.
//
//   auto sorter = ExternalSorter::Make(schema, sort, options);   // then, per input batch:
//   sorter->Add(batch);                                           // ... and at the end:
//   auto reader = sorter->Finish();  // batches of <= output_batch_rows rows, in order
//
// Order: exactly Arrow's SortIndices order over the concatenation of every added batch (see
// row_comparator.h for the rules, resolved_sort.h for the key types Arrow cannot sort itself),
// and STABLE: rows with equal keys come out in the order they were added.
//
// How: Add buffers batches; once the buffered bytes exceed memory_budget_bytes the buffer is
// concatenated, sorted (Arrow SortIndices over the normalized keys, then Take) and written as
// one run to an Arrow IPC *stream* file (a stream, not the IPC file format, because merged
// batches carry different dictionaries and the file format refuses dictionary replacement),
// in batches of about memory_budget_bytes / max_merge_fan_in bytes. Finish sorts in memory when
// nothing was spilled; otherwise it spills the rest as the last run, merges consecutive groups
// of max_merge_fan_in runs into longer runs until at most max_merge_fan_in are left (an
// intermediate pass reads and writes every row once more), and returns the final k-way merge
// (RunMerger).
//
// Memory, counting what the sorter holds (the added batches' own buffers included):
//   - while adding: the buffer (<= budget + the last batch added) and, while a run is sorted,
//     its concatenated copy, 8 bytes a row of sort indices and the sorted copy: about
//     2x budget + the last batch + 8 bytes a buffered row (the buffered batches are released as
//     soon as they are concatenated, so never 3x);
//   - while merging: one batch per run (~budget / fan-in each, so ~budget in all) plus the output
//     batch being gathered (~3 copies of up to output_batch_rows rows, and of at most ~budget / 8
//     bytes of average rows, see run_merger.h).
//   Measured (ExternalSorterMemory test, a tracking pool that also holds the caller's batches and
//   the builder of the next one): 62 MB of input, 4 MiB budget, 0.8 MB batches: peak 10.2 MB,
//   2.4x the budget; the test holds it to 3x budget + one batch.
// A run's batches are sized from the average row so far (budget / fan-in bytes, at least one
// row), so rows far wider than the average can push the merge past the budget.
// Columns of view types are kept as large_string/large_binary inside and cast back on the way out
// (Arrow 26 cannot Take views), and dictionaries without null values (sort_storage.h).
// Sizes are Arrow's buffer sizes: a sliced batch counts the bytes its rows reference
// (ReferencedBufferSize), not the whole buffers it shares with its producer.
//
// Spill files live in a private folder <spill_dir>/s3-compaction-spill-<pid>-<random> (mode
// 0700), made at the first spill (a sort that fits the budget touches no disk). The folder and
// everything in it is removed as soon as the final merge has opened its runs (they are read
// through open descriptors; their disk space is freed when the reader is exhausted or destroyed),
// on any error, and by the destructor: nothing is left on every path but SIGKILL, for which see
// SweepStaleSpill (spill_directory.h).
//
// Errors are Statuses naming the spill file or folder (disk full, unwritable spill_dir, IPC read
// errors); exceptions never escape. After an error every later Add/Finish returns it again.
//
// Thread-compatible: one instance per thread; many instances may run in one process (each has
// its own folder).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/util/compression.h>

#include "execute/sort/resolved_sort.h"

namespace s3c {

class SpillDirectory;
struct SpillRun;

struct ExternalSorterOptions {
  /// Bytes of buffered input at which a run is sorted and spilled. Default 256 MiB. The true peak
  /// is about twice this (see above). Smaller means more runs and, beyond max_merge_fan_in runs,
  /// more merge passes.
  int64_t memory_budget_bytes = int64_t{256} << 20;
  /// The local folder the sorter makes its own spill folder in. Must exist when the first run is
  /// spilled. Default: the system temp folder.
  std::string spill_dir = "/tmp";
  /// Rows per output batch (the last may be shorter). Default 64Ki.
  int64_t output_batch_rows = int64_t{64} << 10;
  /// The most runs one merge reads at once. Each run's batches are written at about
  /// budget / max_merge_fan_in bytes so one batch per run fits the budget. Default 64.
  int max_merge_fan_in = 64;
  /// Codec of the spill files. Measured on 5M rows of int64 key + ~16-byte string (132 MiB,
  /// 32 MiB budget, spill files in the page cache): UNCOMPRESSED 4.6M rows/s, 133 MiB written;
  /// LZ4_FRAME 3.7M rows/s, 96 MiB; ZSTD 3.5M rows/s, 71 MiB. LZ4_FRAME is the default: once the
  /// spill outgrows the page cache a cloud volume (~125-250 MB/s) is slower than LZ4, and local
  /// disks on compaction hosts are small.
  arrow::Compression::type spill_compression = arrow::Compression::LZ4_FRAME;
  /// Where the sorter allocates (sorted copies, spill reads, merge output). Default Arrow's.
  arrow::MemoryPool* pool = arrow::default_memory_pool();
  /// Names the sort in messages ("partition year=2024 group 3").
  std::string name = "sort";
};

struct ExternalSorterStats {
  int64_t rows_sorted = 0;       // rows added (and, after Finish, delivered in order)
  int64_t runs_spilled = 0;      // runs written by Add/Finish (not counting merge passes)
  int64_t merge_passes = 0;      // intermediate passes (runs beyond max_merge_fan_in)
  int64_t bytes_spilled = 0;     // bytes written to spill files, merge passes included
  int64_t peak_buffered_bytes = 0;  // the most input bytes buffered at once
};

class ExternalSorter {
 public:
  /// REQUIRES: `sort` was resolved against `schema`. Returns Invalid for a non-positive budget,
  /// output_batch_rows or a fan-in below 2, and when a codec is not available in this build.
  static arrow::Result<std::unique_ptr<ExternalSorter>> Make(std::shared_ptr<arrow::Schema> schema,
                                                             ResolvedSort sort,
                                                             ExternalSorterOptions options);
  ~ExternalSorter();
  ExternalSorter(const ExternalSorter&) = delete;
  ExternalSorter& operator=(const ExternalSorter&) = delete;

  /// Takes `batch` (its schema must equal the sorter's, metadata aside). May sort and spill a
  /// run. Zero-row batches are ignored. REQUIRES: Finish not called yet.
  arrow::Status Add(std::shared_ptr<arrow::RecordBatch> batch);

  /// Every row added, in order, as a reader of batches of up to output_batch_rows rows. Call
  /// once. The reader stays valid after the sorter is destroyed.
  arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> Finish();

  const ExternalSorterStats& stats() const { return stats_; }
  /// The spill folder, empty before the first spill and after it is removed (for tests).
  std::string spill_path() const;

 private:
  ExternalSorter(std::shared_ptr<arrow::Schema> schema, ResolvedSort sort,
                 ExternalSorterOptions options);

  arrow::Status DoAdd(std::shared_ptr<arrow::RecordBatch> batch);
  arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> DoFinish();
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> SortBuffer();
  arrow::Status SpillBuffer();
  arrow::Result<SpillRun> WriteRun(arrow::RecordBatchReader& sorted);
  arrow::Status MergePass();
  int64_t SpillBatchRows() const;
  /// Rows per batch of the final merge: output_batch_rows, or fewer so that one batch is about
  /// an eighth of the budget.
  int64_t MergeBatchRows() const;
  arrow::Status Failed(arrow::Status status);

  const std::shared_ptr<arrow::Schema> schema_;
  const std::shared_ptr<arrow::Schema> storage_schema_;  // StorageSchema(schema_)
  const ResolvedSort sort_;
  const ExternalSorterOptions options_;
  std::unique_ptr<SpillDirectory> spill_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> buffer_;
  int64_t buffered_bytes_ = 0;
  int64_t bytes_added_ = 0;  // for the average row size
  std::vector<SpillRun> runs_;  // in input order
  ExternalSorterStats stats_;
  arrow::Status status_;
  bool finished_ = false;
};

}  // namespace s3c
