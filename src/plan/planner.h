#pragma once
// Planner: turns the partitions a catalog listed into a CompactionPlan. It reads footers (in
// parallel, one ranged read each) but writes nothing, so --dry-run is exactly the plan a real
// run would carry out.
//
// Which footers: every file's, except the small files the executor will read whole anyway
// (PlannerOptions::defer_footers_up_to). Of those, only a partition's first is read, and the
// others are described by it (InputFile::footer_deferred): on S3 this saves a request per file,
// and the executor checks each file's own footer before using its rows. A partition whose files
// turn out to differ is re-planned by the job with defer_footers_up_to = 0 (every footer).
//
// A problem confined to one partition (a corrupt file, conflicting schemas, a target folder that
// already holds files) makes that partition kFail with the reason; the others are planned as
// usual. Thread-compatible: one Plan call at a time.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/util/type_fwd.h>

#include "catalog/catalog.h"
#include "plan/bin_packer.h"
#include "plan/compaction_plan.h"
#include "execute/sort/sort_spec.h"

namespace s3c {

class StageClock;  // report/stage_clock.h

struct PlannerOptions {
  PackingOptions packing;
  /// A partition with fewer small files than this is left alone. Default 2.
  int min_input_files = 2;
  /// Output codec; nullopt keeps the inputs' (the most common, by bytes).
  std::optional<arrow::Compression::type> codec;
  int compression_level = 0;
  /// Threads reading footers (I/O bound on S3).
  int io_threads = 8;
  /// --target_s3_path: partitions are written to <target>/<partition path>/ instead of in place.
  std::optional<Location> target_root;
  /// Small files (below the small-file threshold) up to this size whose names claim Parquet have
  /// their footers read at execution instead (see above). 0 reads every footer now.
  int64_t defer_footers_up_to = 0;
  /// --merge: which groups may have their pages merged (ChooseMethods).
  MergeMode merge = MergeMode::kAuto;
  /// --sort_by: a compacted partition is rewritten whole, in one group, sorted; a partition
  /// already sorted this way with nothing else to compact is left alone.
  std::optional<SortSpec> sort;
  /// `s3-compaction inspect` without --footers: every partition is decided from its listing
  /// alone, no footer read (EstimateFromListing). Not for a run: nothing of it may be written.
  bool listing_only = false;
  /// False: read the footers even of partitions the listing alone settles (inspect --footers,
  /// which reports what every file's footer says). The decision is the same.
  bool settle_from_listing = true;
  /// Called after each footer read or deferred (for the progress bar). May be empty.
  std::function<void()> on_file_inspected;
  /// The run's clock: partitions listed here are timed as listing. May be null.
  StageClock* clock = nullptr;
};

class Planner {
 public:
  explicit Planner(PlannerOptions options) : options_(std::move(options)) {}

  /// Errors only when nothing can be planned at all; per-partition problems are in the plan.
  arrow::Result<CompactionPlan> Plan(const Table& table, PartitionListing listing);

 private:
  struct PartitionWork;  // one partition while its footers are read (planner.cc)

  /// Lists the partitions discovery did not, in parallel; a failed listing fails its partition.
  /// Returns the listing requests made.
  int64_t ListUnlisted(std::vector<PartitionPlan>& partitions) const;
  /// Files below this size are small: to be compacted.
  double SmallFileThreshold() const;
  /// True when `partition` is settled (skipped) on its listing alone, with no footer read.
  bool SettleFromListing(PartitionPlan& partition) const;
  /// listing_only: decides `partition` as a run would if its files' footers agreed with their
  /// names and sizes (files named like Parquet are Parquet, of their size in data bytes; a
  /// zero-byte one fails the partition as a run would): kept files, estimated outputs, the
  /// reason to skip. No group gets a method or schema.
  void EstimateFromListing(PartitionPlan& partition) const;
  /// Why a partition with `small` small files that would make `out_files` files has nothing to
  /// compact, or "" when it has.
  std::string NothingToCompact(int64_t small, int64_t out_files) const;
  /// Sizes `work`'s per-file state and picks its deferred files and their sample.
  void ChooseFootersToRead(PartitionWork& work) const;
  /// True when `info`'s footer may be left to the executor (see defer_footers_up_to).
  bool FooterDeferrable(const arrow::fs::FileInfo& info) const;
  /// Reads every footer not deferred of every undecided partition, in parallel.
  void ReadFooters(std::vector<PartitionWork>& partitions) const;
  /// Plans a partition from its footers; returns the listing requests made (the target's).
  int64_t PlanFromFooters(PartitionWork& work, const Table& table) const;
  /// Fills the partition's files and other_files in listing order; returns the errors of the
  /// files whose footers could not be read.
  std::vector<std::string> CollectFiles(PartitionWork& work) const;
  /// Adds a deferred file as the sample describes it; nothing if the sample failed (its error
  /// fails the partition).
  void AddDescribedBySample(PartitionWork& work, const arrow::fs::FileInfo& info) const;
  void PlanPartition(PartitionPlan& plan, const Table& table) const;
  /// Sets each group's method: pages where the merge mode and the inputs allow, with the
  /// reason when not.
  /// --sort_by: every file's own footer declares the sort, and their ranges do not overlap.
  bool AlreadySorted(const PartitionPlan& plan) const;
  /// --sort_by: one group of every file of the partition.
  static Packing WholePartition(const PartitionPlan& plan);
  void ChooseMethods(PartitionPlan& plan) const;
  /// Local disk: each file's device and inode, for the commit to know it is still that file.
  void RecordIdentities(PartitionPlan& plan) const;
  /// True when the partition is compacted where it is: no target, or it is in its target
  /// folder already.
  bool InPlace(const Partition& partition) const;
  /// Reads the footers of `plan`'s deferred files (a partition that is copied, not compacted,
  /// reports exact rows).
  void InspectDeferred(PartitionPlan& plan) const;
  void DecideAction(PartitionPlan& plan, const std::vector<size_t>& inputs) const;

  PlannerOptions options_;
};

/// The codec's name as written in file names and messages ("snappy", "zstd", "uncompressed").
std::string CodecName(arrow::Compression::type codec);

/// Parses --compression: keep | none | uncompressed | snappy | gzip | zstd | lz4 | brotli,
/// optionally with a level ("zstd:9"). nullopt codec means keep.
arrow::Status ParseCompression(const std::string& text,
                               std::optional<arrow::Compression::type>* codec, int* level);

}  // namespace s3c
