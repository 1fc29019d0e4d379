#pragma once
// RunLayout: every name the tool gives to what it writes, in one place.
//
//   <output root>/_s3_compaction/staging/<run>/<partition path>/<output file>   staging
//   <table root>/_s3_compaction/archive/<run>/<partition path>/<original name>  kept originals
//   output file: part-<group:05>-<run>-c<seq:03>.<codec>.parquet               (Spark-like)
//   <journal root>/runs/<run>/plan.json            the run's plan (its first wave's), before any
//                                                  visible change
//   <journal root>/runs/<run>/plan-<k>.json        the plan of the run's wave k (k >= 1), before
//                                                  that wave's first visible change
//   <journal root>/runs/<run>/b-<k>-<n>.json       the records of batch n, in wave k
//   <journal root>/runs/<run>/p-<hash>.json        one partition's state, after each transition
//   <journal root>/runs/<run>/catalog.json         catalog updates not yet sent
//   <table root>/_s3_compaction/lease.json         who is compacting the table, until when
//   <table root>/_s3_compaction/journal-<hash>.json   where this table's journal is, when it is
//                                                  not in the table (--journal_path)
// The journal root is <table root>/_s3_compaction, or --journal_path. The lease always lives at
// the table root, so that runs over the same data meet there whatever their --journal_path.
//
// The output root is the table's own location, or --target_s3_path. Everything lives under a
// folder whose name starts with '_', outside every partition: Spark, Hive, Trino and our own
// discovery skip such names, and no partition location contains it, so Athena never lists it.
// A run id is unique per run (UTC time + random), so names never collide with earlier runs.

#include <optional>
#include <string>
#include <string_view>

#include "storage/location.h"

namespace s3c {

class RunLayout {
 public:
  static constexpr std::string_view kToolFolder = "_s3_compaction";
  static constexpr std::string_view kPlanName = "plan.json";
  static constexpr std::string_view kCatalogUpdatesName = "catalog.json";

  /// "20261124T221500Z-3f9a1c": sortable by time, unique across concurrent runs.
  static std::string NewRunId();

  RunLayout() = default;
  /// `archive_root`, when given, replaces <table root>/_s3_compaction/archive.
  RunLayout(std::string run_id, Location table_root, Location output_root,
            std::optional<Location> archive_root, std::optional<Location> journal_root = {});

  /// The same layout for another run of the same table (its staging, archive and journal
  /// folders, as this run's own arguments place them).
  RunLayout ForRun(std::string run_id) const;

  /// <table root>/_s3_compaction: the tool's folder in the table (lease, pointers, archive).
  Location ToolFolder() const;
  /// <table root>/_s3_compaction, or --journal_path.
  Location JournalRoot() const;
  /// True when --journal_path moved the journal out of the table's tool folder.
  bool JournalElsewhere() const { return journal_root_.has_value(); }
  /// JournalRoot()/runs
  Location RunsDir() const;
  /// RunsDir()/<run>
  Location RunDir() const;
  /// RunDir()/plan.json
  Location PlanFile() const;
  /// RunDir()/catalog.json: catalog updates recorded and not yet sent.
  Location CatalogUpdatesFile() const;
  /// ToolFolder()/lease.json, or lease-<scope>.json for a shard's lease (scope
  /// "shard-K-of-N"). At the table root whatever --journal_path says.
  Location LeaseFile(const std::string& scope = "") const;
  /// <output root>/_s3_compaction/lease.json (or lease-<scope>.json): with a target, a run
  /// holds the target too, so that two tables written to one target never meet there.
  Location TargetLeaseFile(const std::string& scope = "") const;
  /// ToolFolder()/journal-<16 hex digits>.json: says that this table has a journal at
  /// JournalRoot() (written only when JournalElsewhere()).
  Location JournalPointerFile() const;
  /// True for names JournalPointerFile() gives.
  static bool IsJournalPointer(std::string_view file_name);
  /// True for names NewRunId() gives.
  static bool IsRunId(std::string_view name);
  /// The scope a lease file name stands for ("" for lease.json); nullopt for other names.
  static std::optional<std::string> LeaseScope(std::string_view file_name);
  /// "p-" + 16 hex digits of a hash of the partition path + ".json": safe in any store.
  static std::string PartitionRecordName(std::string_view partition_path);
  /// "b-<wave>-<number>.json" (6 digits at least each): a batch of partitions' records, in
  /// the run's wave `wave` (0 for plan.json's).
  static std::string BatchRecordName(int wave, int number);
  /// The wave of a batch object's name ("b-<n>.json", as earlier versions named them, is wave
  /// 0); nullopt for any other name.
  static std::optional<int> BatchRecordWave(std::string_view file_name);
  static bool IsBatchRecordName(std::string_view file_name) {
    return BatchRecordWave(file_name).has_value();
  }
  /// The name of wave `wave`'s plan: plan.json for 0, plan-<wave, 6 digits at least>.json after.
  static std::string WavePlanName(int wave);
  /// The wave a plan's name stands for; nullopt for any other name.
  static std::optional<int> PlanWave(std::string_view file_name);
  /// True for the names of a run's journal objects: its plans, partition records, batches and
  /// deferred catalog updates (not a temporary file a writer left).
  static bool IsJournalObjectName(std::string_view file_name);

  const std::string& run_id() const { return run_id_; }

  /// <output root>/_s3_compaction/staging/<run>
  Location StagingRoot() const;
  /// The output root: the table's location, or --target_s3_path.
  const Location& output_root() const { return output_root_; }
  const Location& table_root() const { return table_root_; }

  /// StagingRoot()/<partition path>
  Location StagingDir(std::string_view partition_path) const;
  /// The folder this run moves kept originals of a partition into.
  Location ArchiveDir(std::string_view partition_path) const;
  /// The archive folder of the whole run (for the summary).
  Location ArchiveRoot() const;

  std::string OutputFileName(int group, int sequence, std::string_view codec) const;
  /// True for the names OutputFileName gives in run `run_id`'s layout.
  static bool IsOutputOf(std::string_view name, std::string_view run_id);
  /// The run whose OutputFileName `name` is, if it is one.
  static std::optional<std::string> OutputRun(std::string_view name);
  /// When run `run_id` began (its id starts with it), in seconds since the epoch; 0 if the
  /// name is not a run id.
  static int64_t RunStartUnix(std::string_view run_id);

  /// True for names readers skip: hidden ('.' or '_' first), such as _SUCCESS, .crc files and
  /// our own _s3_compaction folder.
  static bool IsHidden(std::string_view name);

 private:
  std::string run_id_;
  Location table_root_;
  Location output_root_;
  std::optional<Location> archive_root_;
  std::optional<Location> journal_root_;
};

}  // namespace s3c
