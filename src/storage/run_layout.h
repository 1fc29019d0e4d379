#pragma once
// RunLayout: every name the tool gives to what it writes, in one place.
//
//   <output root>/_s3_compaction/staging/<run>/<partition path>/<output file>   staging
//   <table root>/_s3_compaction/archive/<run>/<partition path>/<original name>  kept originals
//   output file: part-<group:05>-<run>-c<seq:03>.<codec>.parquet               (Spark-like)
//   <journal root>/runs/<run>/plan.json            the run's plan, before any visible change
//   <journal root>/runs/<run>/p-<hash>.json        one partition's state, after each transition
//   <journal root>/lease.json                      who is compacting the table, until when
// The journal root is <table root>/_s3_compaction, or --journal_path.
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

  /// "20261124T221500Z-3f9a1c": sortable by time, unique across concurrent runs.
  static std::string NewRunId();

  /// `archive_root`, when given, replaces <table root>/_s3_compaction/archive.
  RunLayout(std::string run_id, Location table_root, Location output_root,
            std::optional<Location> archive_root, std::optional<Location> journal_root = {});

  /// <table root>/_s3_compaction, or --journal_path.
  Location JournalRoot() const;
  /// JournalRoot()/runs
  Location RunsDir() const;
  /// RunsDir()/<run>
  Location RunDir() const;
  /// lease.json, or lease-<scope>.json for a shard's lease (scope "shard-K-of-N").
  Location LeaseFile(const std::string& scope = "") const;
  /// The scope a lease file name stands for ("" for lease.json); nullopt for other names.
  static std::optional<std::string> LeaseScope(std::string_view file_name);
  /// "p-" + 16 hex digits of a hash of the partition path + ".json": safe in any store.
  static std::string PartitionRecordName(std::string_view partition_path);

  const std::string& run_id() const { return run_id_; }

  /// <output root>/_s3_compaction/staging/<run>
  Location StagingRoot() const;
  /// StagingRoot()/<partition path>
  Location StagingDir(std::string_view partition_path) const;
  /// The folder this run moves kept originals of a partition into.
  Location ArchiveDir(std::string_view partition_path) const;
  /// The archive folder of the whole run (for the summary).
  Location ArchiveRoot() const;

  std::string OutputFileName(int group, int sequence, std::string_view codec) const;

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
