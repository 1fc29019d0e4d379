#pragma once
// RunJournal: what a run records next to the table so that the next run can finish or undo
// whatever a crash left half done.
//
//   plan.json      written before the first visible change: every partition's planned inputs
//                  (with size and modification time), where its outputs go, the publish mode;
//                  of the run's first wave
//   plan-<k>.json  the same for the run's wave k (BeginWave), written before that wave's first
//                  visible change: a run over a large table plans and commits a wave of
//                  partitions at a time, so that no object (and no reader's memory) holds the
//                  whole table. Each repeats plan.json's run fields, which must match; a
//                  partition is in one wave only
//   b-<k>-<n>.json the records of batch n of wave k, partitions that commit together (Assign),
//                  the whole batch rewritten at each transition of the commit protocol of any
//                  of them: one write per step for the batch, not one per partition. Only a
//                  wave's own batch objects are read for its partitions
//   p-<hash>.json  the record of a partition in no batch; recovery and `commit`, which settle
//                  partitions one by one, write these, and a partition's p- record overrides
//                  its entry in a batch (it is always the later one: the run that wrote the
//                  batch writes no p- record of a partition it batched)
// A record holds what recovery needs: the state, the outputs (staged and final names, bytes,
// rows), the originals' versions checked before removal, what awaits a grace period.
//
// Each write replaces a whole object (an S3 PUT, or a temp file renamed locally), so a record is
// never half written. Only the run that holds the table's lease writes. Thread-safe: records of
// different partitions may be written concurrently (a batch's writes are serialised).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "catalog/catalog.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

/// The states a partition passes through. See docs/ARCHITECTURE.md for what a reader sees in
/// each and how recovery treats it.
enum class PartitionState {
  kPublishing,  // outputs verified; being placed
  kPublished,   // placed at a target; the catalog is not yet pointing there (Glue)
  kRepointed,   // the catalog points at the target; originals may go
  kRemoving,    // all outputs placed and verified; originals being removed
  kDone,        // finished (originals may still await their grace period)
  kRolledBack,  // undone; the partition is as it was
  kConflict,    // removing found originals already gone (another run or writer): the outputs
                // may hold the only copy of some rows; recovery settles it by content
};

std::string StateName(PartitionState state);
arrow::Result<PartitionState> StateFromName(const std::string& name);

struct JournalFile {
  std::string uri;
  int64_t size = 0;
  int64_t mtime_ns = 0;  // 0 when the storage did not say
  // The version checked right before removal (FileIdentity): S3's ETag, or the local device
  // and inode. Empty and 0 in plan.json, which records what planning listed.
  std::string etag;
  uint64_t device = 0, inode = 0;
};

struct JournalOutput {
  std::string staged;  // "" for a kept file copied to a target
  std::string source;  // the kept file it copies, for such a copy
  std::string final;
  int64_t bytes = 0;
  int64_t rows = -1;   // -1 for copies
};

struct JournalPartition {
  std::string path;        // "year=2023/month=05"
  std::string location;    // where its files are
  std::string output_dir;  // where its new files go
  std::vector<JournalFile> inputs;  // the originals to remove once published
};

struct JournalPlan {
  std::string run_id;
  std::string table;
  std::string table_location;
  std::string staging_root;
  std::string archive_root;
  std::string policy;  // "delete", "archive" or "keep"
  bool repoint = false;
  int64_t delete_grace_minutes = 0;
  /// "" for a run over the whole selection, "shard-K-of-N" for --shard K/N (see Shard).
  std::string scope;
  std::vector<JournalPartition> partitions;
};

struct PartitionRecord {
  PartitionState state = PartitionState::kPublishing;
  std::vector<JournalOutput> outputs;
  /// From `removing` on: each original as checked right before removal, with its identity.
  std::vector<JournalFile> checked;
  std::vector<std::string> pending_delete;  // originals (or their archived copies) to delete later
  int64_t delete_after_unix = 0;            // when they may go
  std::vector<std::string> problems;
};

class RunJournal {
 public:
  /// Writes plan.json under layout.RunDir(). Returns the journal to record transitions with.
  [[nodiscard]] static arrow::Result<std::unique_ptr<RunJournal>> Begin(FileSystems& file_systems,
                                                          const RunLayout& layout,
                                                          const JournalPlan& plan);

  /// Starts the run's next wave: writes its plan (plan-<k>.json, k = 1, 2, ...; `plan` holds
  /// the same run fields as Begin's and only the wave's partitions). REQUIRES before the wave's
  /// first visible change; batches assigned from now on belong to it.
  [[nodiscard]] arrow::Status BeginWave(const JournalPlan& plan);
  /// The current wave: 0 after Begin, k after the k-th BeginWave.
  int wave() const;

  /// Rewrites the partition's record. A record guards the step after it: the caller must not
  /// take that step unless this returned OK.
  [[nodiscard]] arrow::Status Record(const std::string& partition_path, const PartitionRecord& record);
  /// Keeps these partitions' records together from now on, in one batch object (b-<wave>-<n>.json);
  /// a path already in a batch stays in its own.
  void Assign(const std::vector<std::string>& partition_paths);
  /// Rewrites these partitions' records: one write per batch they are in, one per path in
  /// none. OK only if every write was; a batch whose write failed keeps its earlier records,
  /// in storage and here.
  [[nodiscard]] arrow::Status RecordMany(
      const std::vector<std::pair<std::string, PartitionRecord>>& records);

  /// Deletes a run's journal: its records, then its plan (so that an interrupted deletion
  /// leaves a run that ListRuns still finds).
  static arrow::Status DeleteRun(FileSystems& file_systems, const Location& run_dir);

  const Location& run_dir() const { return run_dir_; }

  // Reading, for recovery.
  /// The whole plan: every wave's partitions, in wave order (for `commit` and `inspect`;
  /// recovery reads a wave at a time). Invalid when a wave's run fields differ from
  /// plan.json's, or a partition is in two waves.
  static arrow::Result<JournalPlan> ReadPlan(const Location& run_dir);
  /// The objects in a run's folder (one listing).
  static arrow::Result<std::vector<arrow::fs::FileInfo>> ListRun(const Location& run_dir);
  /// The waves whose plans are among `objects`, in order (0, plan.json's, first when there).
  static std::vector<int> Waves(const std::vector<arrow::fs::FileInfo>& objects);
  /// Wave `wave`'s plan. With `first` (wave 0's), Invalid when its run fields differ.
  static arrow::Result<JournalPlan> ReadWave(const Location& run_dir, int wave,
                                             const JournalPlan* first = nullptr);
  /// True when the two plans are of the same run, as written (every field but the partitions).
  static bool SameRun(const JournalPlan& a, const JournalPlan& b);
  static arrow::Result<std::optional<PartitionRecord>> ReadRecord(const Location& run_dir,
                                                                  const std::string& path);
  /// The latest record of each of `paths` in `run_dir` (nullopt: none): batch records,
  /// overridden by p- records. One listing, then one read per record object there. A batch
  /// object that cannot be read or parsed is that error for every path without a p- record
  /// (its record may have been in it); a p- record's error is its own path's.
  using Records = std::map<std::string, arrow::Result<std::optional<PartitionRecord>>>;
  static arrow::Result<Records> ReadRecords(const Location& run_dir,
                                            const std::vector<std::string>& paths);
  /// The same from a listing of the run folder (ListRun), reading only wave `wave`'s batch
  /// objects (every wave's when nullopt).
  static Records ReadRecords(const Location& run_dir, const std::vector<std::string>& paths,
                             const std::vector<arrow::fs::FileInfo>& objects,
                             std::optional<int> wave);
  [[nodiscard]] static arrow::Status WriteRecord(const Location& run_dir, const std::string& path,
                                   const PartitionRecord& record);
  /// --update_catalog deferred: the catalog updates the run would have made, kept in
  /// <run>/catalog.json for `s3-compaction commit`. nullopt when the run deferred none.
  [[nodiscard]] static arrow::Status WriteCatalogUpdates(const Location& run_dir,
                                           const std::vector<PartitionUpdate>& updates);
  static arrow::Result<std::optional<std::vector<PartitionUpdate>>> ReadCatalogUpdates(
      const Location& run_dir);

  /// The run ids with a journal under `runs_dir` (a plan, or journal objects whose plan was
  /// lost), oldest first.
  static arrow::Result<std::vector<std::string>> ListRuns(const Location& runs_dir);

  /// Every folder named like a run id under `runs_dir` (others are not the tool's, and are
  /// left alone): those with a plan (`runs`, oldest first, as ListRuns), and
  /// those without one (`abandoned`: a run that died while writing its plan, leaving only a
  /// temporary file; no run that holds the lease can still be writing there).
  struct RunFolders {
    std::vector<std::string> runs;       // with a plan.json
    std::vector<std::string> abandoned;  // nothing of a journal: a run that died writing its plan
    /// Journal objects (records, batches, later waves' plans) but no plan.json: its plan was
    /// lost after the run began (deleted, or never copied with the rest). Not litter: the run
    /// may have published outputs; recovery settles it by name and content.
    std::vector<std::string> plan_lost;

    /// `runs` and `plan_lost` together, oldest first: every run with a journal to settle.
    std::vector<std::string> WithJournal() const;
  };
  static arrow::Result<RunFolders> ListRunFolders(const Location& runs_dir);

  /// True when some object in `run_dir` parses as what this tool writes there (a wave's plan,
  /// a record, a batch of records, deferred catalog updates): evidence that a run was under
  /// way. Reads the objects until one parses. Errors: one cannot be read now.
  static arrow::Result<bool> HoldsJournal(const Location& run_dir);

  /// JSON round trips, exposed for tests.
  static std::string ToJson(const JournalPlan& plan);
  static arrow::Result<JournalPlan> PlanFromJson(const std::string& text);
  static std::string ToJson(const PartitionRecord& record);
  static arrow::Result<PartitionRecord> RecordFromJson(const std::string& text);
  static std::string BatchToJson(const std::map<std::string, PartitionRecord>& records);
  static arrow::Result<std::map<std::string, PartitionRecord>> BatchFromJson(
      const std::string& text);
  /// `source` names the file in errors.
  static arrow::Result<std::vector<PartitionUpdate>> CatalogUpdatesFromJson(
      const std::string& text, const std::string& source);
  // A record that is not JSON, or whose fields have other types, is an error naming the field
  // ("partition record: field 'outputs[0].bytes' is not an integer (it is a string)").

 private:
  explicit RunJournal(Location run_dir) : run_dir_(std::move(run_dir)) {}
  static arrow::Result<std::optional<PartitionRecord>> ReadSingleRecord(const Location& run_dir,
                                                                        const std::string& path);

  struct Batch {
    int wave = 0;
    int number = 0;
    std::mutex mutex;  // held across a write: the object's writes never race
    std::map<std::string, PartitionRecord> records;
  };

  Location run_dir_;
  mutable std::mutex mutex_;  // guards the three fields below
  int wave_ = 0;
  std::vector<std::unique_ptr<Batch>> batches_;  // the current wave's
  std::map<std::string, Batch*> batch_of_;
  int batches_made_ = 0;  // in the whole run: numbers batch objects
};

/// Writes `text` as the whole content of `file`: an S3 PUT, or locally a temp file renamed into
/// place. Creates local parent folders.
arrow::Status WriteWholeFile(const Location& file, const std::string& text);
/// The whole content of `file`; nullopt if it does not exist.
arrow::Result<std::optional<std::string>> ReadWholeFile(const Location& file);

}  // namespace s3c
