#pragma once
// RunTransaction: a run's hold on its table, from the lease to the end, closed on every path.
//
//   Open     refuses tool folders that are symbolic links (what the run writes must stay in
//            the table), takes the lease at the table's canonical root (TableLease), and with a
//            target one at the target's root too (two tables written to one target would
//            double its rows), and checks that no run over overlapping data is live and no
//            journal this run cannot see is pending (RunExclusion). Fails with nothing changed.
//   Begin    REQUIRES before the run's first visible change: writes the journal's plan
//            (RunJournal::Begin), and first, when the journal is kept elsewhere
//            (--journal_path), the pointer to it in the table's tool folder, so that a run
//            given another --journal_path finds it. Called again before each later wave's
//            first visible change, it writes that wave's plan (RunJournal::BeginWave).
//   Finish   sweeps the run's staging folder, deletes the journal unless KeepJournal() was
//            called (something is left for a later run) or the sweep failed, deletes the
//            pointer once its journal holds no run, removes the tool's empty local folders,
//            and releases the lease. The destructor finishes a transaction that was not, so
//            an early return cannot leave the lease or the staging behind.
//
// Not thread-safe, except KeepJournal (partitions commit concurrently).

#include <atomic>
#include <memory>
#include <string>

#include <arrow/result.h>

#include "commit/run_exclusion.h"
#include "commit/run_journal.h"
#include "commit/table_lease.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

class RunTransaction {
 public:
  /// `scope`: "" or a shard's (Shard::Scope). `policy.force_unlock`: take the lease even if
  /// another run holds it (the exclusion checks still apply); `policy` also says whether a
  /// store that ignores conditional writes is accepted (TableLease).
  static arrow::Result<std::unique_ptr<RunTransaction>> Open(const RunLayout& layout,
                                                             const std::string& scope,
                                                             const LeasePolicy& policy,
                                                             FileSystems& file_systems);
  ~RunTransaction();

  [[nodiscard]] arrow::Status Begin(const JournalPlan& plan);

  /// For partitions a catalog places outside the table (and its target): holds each one's
  /// folder with a lease in its tool folder, so that a run over that folder, or over one
  /// above it, meets this one; then checks the folders between and above
  /// (RunExclusion::CheckPartitionFolders). REQUIRES before the first visible change.
  [[nodiscard]] arrow::Status HoldPartitions(const std::vector<Location>& locations);

  /// Null before Begin.
  RunJournal* journal() const { return journal_.get(); }
  TableLease& lease() const { return *lease_; }
  const RunExclusion& exclusion() const { return exclusion_; }

  /// Something of this run must be finished by a later run: the journal stays.
  void KeepJournal() { keep_journal_ = true; }

  /// Idempotent. Problems are logged: nothing here can lose a row (what is left is found and
  /// finished by the next run).
  void Finish();

 private:
  RunTransaction(const RunLayout& layout, std::string scope, FileSystems& file_systems,
                 std::unique_ptr<TableLease> lease);

  const RunLayout& layout_;
  FileSystems& file_systems_;
  const std::string scope_;
  RunExclusion exclusion_;
  std::unique_ptr<TableLease> lease_;
  std::unique_ptr<TableLease> target_lease_;  // with a target: its root is held too
  std::vector<std::unique_ptr<TableLease>> outside_leases_;  // partitions outside the table
  std::unique_ptr<RunJournal> journal_;
  std::atomic<bool> keep_journal_{false};
  bool accept_unconditional_store_ = false;  // for the leases HoldPartitions takes
  bool finished_ = false;
};

}  // namespace s3c
