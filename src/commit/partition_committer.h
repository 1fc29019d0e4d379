#pragma once
// PartitionCommitter: the commit protocol for one partition once all its groups are written.
//
//   1. verify     OutputVerifier; on failure the staged outputs are discarded
//   2. check      the planned inputs are still there, unchanged (size, modification time)
//   3. journal    "publishing", with every output's staged and final name
//   4. publish    PartitionPublisher::Publish; on failure it undoes itself
//   5. originals  (check again) journal "removing", then delete or archive them; journal "done".
//                 With a catalog that must first point at the new location: journal
//                 "published", and FinishAfterCatalog does this step later.
//
// Any failure before the first original is removed leaves the partition exactly as it was.
// The journal lets the next run finish or undo a crash at any of these steps (RunRecovery).
// Thread-safe (partitions commit concurrently).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commit/partition_publisher.h"
#include "commit/run_journal.h"
#include "commit/table_lease.h"
#include "execute/row_digest.h"
#include "report/run_summary.h"

namespace s3c {

struct CommitResult {
  PartitionStatus status = PartitionStatus::kFailed;
  std::string reason;               // why it failed, if it did
  Published published;
  bool originals_pending = false;   // published; originals wait for the catalog
  std::vector<int64_t> output_sizes;
  int64_t output_bytes = 0;
  std::vector<JournalOutput> journal_outputs;
  /// The journal must keep this partition for a later run: originals await their grace period,
  /// or could not all be removed, or a rollback left something behind.
  bool journal_pending = false;
};

struct CommitSettings {
  /// Leave the originals until FinishAfterCatalog (a catalog records locations; a target).
  bool defer_originals = false;
  /// The user asked for deletion with a grace period: originals are archived (in place) or kept
  /// (elsewhere) now, and deleted by a later run once this many minutes have passed.
  int64_t delete_grace_minutes = 0;
};

class PartitionCommitter {
 public:
  /// `journal` and `lease` may be null (no journal: nothing recorded; no lease: never lost).
  PartitionCommitter(const PartitionPublisher& publisher, FileSystems& file_systems,
                     RunJournal* journal, TableLease* lease, CommitSettings settings)
      : publisher_(publisher),
        file_systems_(file_systems),
        journal_(journal),
        lease_(lease),
        settings_(settings) {}

  /// `write_status` is the first error of the partition's groups, if any; `outputs` everything
  /// they staged; `rows_read` the rows the groups read, each file's checked against its footer
  /// (the outputs' footers must add up to it).
  /// `input_digest` (--verify=content) is the digest of every row written; null checks rows only.
  CommitResult Commit(const PartitionPlan& plan, std::vector<WrittenFile> outputs,
                      const arrow::Status& write_status, int64_t rows_read,
                      const RowDigest* input_digest = nullptr) const;

  /// After the catalog update: on `catalog_error` the new files are removed again (the partition
  /// stays where the catalog still says); otherwise the originals are removed now.
  CommitResult FinishAfterCatalog(const PartitionPlan& plan, CommitResult pending,
                                  const std::optional<std::string>& catalog_error) const;

  /// Planned inputs that are gone or changed since planning: path -> why.
  static std::vector<std::pair<std::string, std::string>> ChangedInputs(const PartitionPlan& plan);

 private:
  void RemoveOriginals(const PartitionPlan& plan, CommitResult& result, bool catalog_moved) const;
  void Record(const PartitionPlan& plan, PartitionState state, const CommitResult& result,
              std::vector<std::string> pending = {}, std::vector<std::string> problems = {}) const;
  void RollBack(const PartitionPlan& plan, CommitResult& result, const std::string& why) const;

  const PartitionPublisher& publisher_;
  FileSystems& file_systems_;
  RunJournal* journal_;
  TableLease* lease_;
  CommitSettings settings_;
};

}  // namespace s3c
