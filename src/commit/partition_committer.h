#pragma once
// PartitionCommitter: the commit protocol for one partition once all its groups are written.
//
//   1. verify     OutputVerifier; on failure the staged outputs are discarded
//   2. check      the planned inputs are still there, unchanged (size, modification time),
//                 and the lease is still this run's
//   3. journal    "publishing", with every output's staged and final name
//   4. publish    PartitionPublisher::Publish; on failure it undoes itself
//   5. originals  with a catalog that must first point at the new location: journal
//                 "published"; FinishAfterCatalog does this step later. Otherwise, check the
//                 inputs again (now with their exact version: S3 ETag, local inode), journal
//                 "removing" with those versions, then delete or archive exactly those
//                 versions; journal "done".
//
// CommitBatch takes these steps for a batch of partitions at once: each step's journal records
// are one write (RunJournal::Assign), the lease is confirmed once a step, and the originals of
// every partition go in as few requests as the store takes (PartitionPublisher::RemoveFilesOf).
//
// The write-ahead rule: each journal record guards the step after it, and the step happens
// only if the record was written (RunJournal::Record is [[nodiscard]]). No "publishing" record:
// nothing is published (staged files discarded, partition failed, unchanged). No "published"
// record: the publish is undone (the catalog must never be repointed to files recovery does
// not know of). No "removing" record: the publish is undone in place; after a repoint, the
// originals wait for the next run.
//
// The lease is confirmed before each visible step (publish, undo, removal): a run whose lease
// another took (--force_unlock, or an expiry) changes nothing more and leaves the partition to
// the journal, which the new holder finishes.
//
// Originals found gone or changed: before any is removed, the publish is undone (the
// partition is as it was). Once one is removed there is no going back: a changed one is left
// where it is (reported); one already gone means another run or writer removed it, so this
// run's outputs may hold the only copy of some of its rows: removal stops, the partition is
// journaled "conflict" (never "done"), reported failed, and recovery settles it by content
// (RunRecovery). Thread-safe (partitions commit concurrently).

#include <optional>
#include <string>
#include <vector>

#include "commit/partition_publisher.h"
#include "commit/run_journal.h"
#include "commit/table_lease.h"
#include "execute/partition_write.h"
#include "execute/row_digest.h"
#include "report/run_summary.h"

namespace s3c {

class StageClock;  // report/stage_clock.h

struct CommitResult {
  PartitionStatus status = PartitionStatus::kFailed;
  std::string reason;               // why it failed, if it did
  Published published;
  bool originals_pending = false;   // published; originals wait for the catalog
  std::vector<int64_t> output_sizes;
  int64_t output_bytes = 0;
  int64_t rows = 0;                 // rows read and written (verified)
  std::vector<JournalOutput> journal_outputs;
  /// The journal must keep this partition for a later run: originals await their grace period,
  /// or could not all be removed, or a rollback left something behind, or a record was lost.
  bool journal_pending = false;
};

struct CommitSettings {
  /// A partition that moves to a target leaves its originals until FinishAfterCatalog (a
  /// catalog records locations and must first point at the target).
  bool defer_originals = false;
  /// What becomes of the originals of a partition compacted where it is, and of one written to
  /// a target (a partition already at its target folder is compacted where it is).
  OriginalsPolicy in_place;
  OriginalsPolicy elsewhere;
  /// --verify=content: the outputs' rows are read back and their digest compared.
  bool verify_content = false;
  /// The run's clock: verifying (with the checks before publishing), publishing and removing
  /// are timed. May be null.
  StageClock* clock = nullptr;
  /// Partitions of a batch verified and checked this many at a time (each is a few requests).
  int io_threads = 1;
};

/// A partition whose groups are all written, handed to the committer.
struct CommitItem {
  const PartitionPlan* plan = nullptr;
  PartitionWrite write;
};

/// The planned originals as they are now, listed with their exact versions.
struct CheckedInputs {
  std::vector<ExpectedFile> unchanged;                         // as planned, with identity
  std::vector<std::pair<std::string, std::string>> changed;    // path -> why
  std::vector<std::string> gone;                               // paths
  bool all_there() const { return changed.empty() && gone.empty(); }
  std::string FirstProblem() const;
};

class PartitionCommitter {
 public:
  /// `journal` must outlive the committer; `lease` may be null (no lease: never lost).
  PartitionCommitter(const PartitionPublisher& publisher, FileSystems& file_systems,
                     RunJournal& journal, TableLease* lease, CommitSettings settings)
      : publisher_(publisher),
        file_systems_(file_systems),
        journal_(journal),
        lease_(lease),
        settings_(settings) {}

  /// `write`: everything the partition's groups staged, the rows they read (each file's checked
  /// against its footer; the outputs' footers must add up to it), its digest with
  /// --verify=content, and the first error of its groups, if any.
  CommitResult Commit(const PartitionPlan& plan, PartitionWrite write) const;
  /// Several partitions at once, step by step: each step's journal records written together
  /// (one write for the batch, RunJournal::Assign), the lease confirmed once per step, not once
  /// per partition. Each partition keeps its own outcome: one that fails a step drops out of
  /// the batch as Commit would leave it. Results in the order of `items`.
  std::vector<CommitResult> CommitBatch(std::vector<CommitItem> items) const;

  /// A partition published to a target whose catalog update was sent: on `catalog_error` its
  /// new files are removed again (it stays where the catalog still says); otherwise its
  /// originals are removed now.
  struct AfterCatalog {
    const PartitionPlan* plan;
    CommitResult* pending;  // CommitBatch's result, updated in place
    std::optional<std::string> catalog_error;
  };
  /// Several at once, as CommitBatch does: the `repointed` records written together (one write
  /// a batch), the lease confirmed once, the originals removed together.
  void FinishAfterCatalog(std::vector<AfterCatalog> items) const;

  const OriginalsPolicy& PolicyFor(const PartitionPlan& plan) const {
    return PartitionPublisher::WritesElsewhere(plan) ? settings_.elsewhere : settings_.in_place;
  }

  /// The planned originals (PartitionPublisher::Originals) as they are now.
  arrow::Result<CheckedInputs> CheckInputs(const PartitionPlan& plan) const;

 private:
  /// A published partition whose originals are to go now. They are listed again first, with
  /// their exact versions: an input another writer replaced or removed while this partition
  /// was published undoes the publish (in place), rather than leave old rows beside new ones.
  struct Removal {
    const PartitionPlan* plan;
    CommitResult* result;
  };
  void RemoveOriginals(const std::vector<Removal>& removals, bool catalog_moved) const;
  static PartitionRecord MakeRecord(PartitionState state, const CommitResult& result,
                                    std::vector<JournalFile> checked = {},
                                    std::vector<std::string> pending = {},
                                    std::vector<std::string> problems = {},
                                    int64_t delete_after_minutes = 0);
  [[nodiscard]] arrow::Status Record(const PartitionPlan& plan, PartitionState state,
                                     const CommitResult& result,
                                     std::vector<JournalFile> checked = {},
                                     std::vector<std::string> pending = {},
                                     std::vector<std::string> problems = {},
                                     int64_t delete_after_minutes = 0) const;
  /// The table's lease was lost (`lost` says how): nothing more is done to the partition.
  void Abandon(CommitResult& result, const std::string& lost) const;
  /// Undoes the publish (unless the lease was lost: Abandon); the partition fails with `why`.
  void RollBack(const PartitionPlan& plan, CommitResult& result, const std::string& why) const;
  /// Empty when the lease is still this run's; otherwise why not.
  std::string LeaseLost() const;

  const PartitionPublisher& publisher_;
  FileSystems& file_systems_;
  RunJournal& journal_;
  TableLease* lease_;
  CommitSettings settings_;
};

}  // namespace s3c
