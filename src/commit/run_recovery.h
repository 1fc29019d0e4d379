#pragma once
// RunRecovery: finishes or undoes what earlier runs left half done, from their journals, and
// deletes originals whose grace period has passed. A run does this first, under the table's
// lease; `s3-compaction recover` does only this.
//
// Nothing a journal names is trusted (JournalTrust). A journal this run may act on is followed
// state by state; one it may not (another table's, say a copy of this one with its journal;
// one naming places outside this run's own table, target, archive or the catalog's
// partitions), or one that cannot be read, is settled *by name and content* in this table
// only: the files named like that run's outputs (RunLayout::IsOutputOf) are weighed against
// the partition's other files (ContentSettlement), so that nothing is removed whose every row
// is not verified to be elsewhere. What cannot be settled is *blocked*: the run does not
// compact those partitions (reported, with how to finish them).
//
// Per partition of a trusted journal, by the last state its run recorded:
//   (none)        nothing visible happened: only staged files, swept with the run's staging
// A run folder with no journal object (a run that died writing its plan, a finished run's
// cleanup cut short, a journal removed) is removed once that run's outputs, if any are in the
// table, are settled by content. One whose objects do not read as a journal (no plan, and
// garbage: nothing this tool leaves behind) is removed when none of the run's outputs is in the
// table; where some are, those partitions are blocked and nothing is touched (whether the run
// finished cannot be known, and a writer may have re-delivered its rows).
// Then, for every run, outputs named for it in any folder its records did not settle (a batch
// object or wave plan lost, a record forged to rolled_back, partitions taken out of a plan)
// are found with one listing of the table and settled by content.
//   publishing    roll forward if every output is in place or still staged (placed, then each
//                 verified from its footer), else roll back
//   published     (a catalog was to be repointed) ask the catalog where the partition is now:
//                 still at the originals: roll back; at the new location: roll forward;
//                 anywhere else: touch nothing, report, block
//   repointed, removing   roll forward
//   conflict      settle by content
//   done          delete originals whose grace period has passed
//   rolled_back   nothing
// Roll back removes the placed outputs only while every original is still there unchanged
// (the rows are all in the originals); roll forward removes originals only once every output
// is in place and checks out, and only the versions planned (or checked, from `removing` on):
// one that changed stays and is reported. Where neither holds (outputs incomplete and
// originals gone; originals gone before the run began removing them), the partition is
// settled by content. Idempotent: running it twice does nothing the second time.

#include <map>
#include <set>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <arrow/result.h>

#include "commit/journal_trust.h"
#include "commit/partition_publisher.h"
#include "commit/run_journal.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {

struct RecoveryReport {
  std::vector<std::string> lines;  // one per partition acted on or left alone
  int64_t runs = 0;                // earlier runs found in the journal
  int64_t failures = 0;            // partitions it could not bring to a settled state
  /// Run folders settled but not removed (no permission, a link out of the table): every run
  /// meets them again until a person removes them.
  int64_t folders_left = 0;
  /// In-place partitions it rolled forward (path, location URI): a catalog's statistics for
  /// them are stale (the crashed run never reached its catalog step).
  std::vector<std::pair<std::string, std::string>> settled_in_place;
  /// Partitions this run must not compact: path -> why (an unsettled journal covers them).
  std::map<std::string, std::string> blocked;
  /// Set when journals block the whole table (a shard met a journal it cannot read): why.
  std::optional<std::string> stop;
};

class RunRecovery {
 public:
  /// `layout`: this run's (its table root, target, archive and journal root).
  /// `catalog_locations`: asked at most once, when a journal names a location outside the
  /// table or a crashed run was repointing; null when the catalog records no locations.
  /// `scope`: the recovering run's (JournalPlan::scope). A run over the whole selection ("")
  /// holds the only live lease and recovers every journal. A shard recovers its own scope's
  /// journals and leaves its sibling shards' (same N; they may be running); a journal of any
  /// other scope stops it with Invalid: `s3-compaction recover` must finish that one first.
  RunRecovery(FileSystems& file_systems, const RunLayout& layout, int io_threads,
              JournalTrust::CatalogLocations catalog_locations = nullptr, std::string scope = "")
      : file_systems_(file_systems),
        layout_(layout),
        io_threads_(io_threads),
        catalog_locations_(std::move(catalog_locations)),
        trust_(layout, file_systems, catalog_locations_),
        scope_(std::move(scope)) {}

  /// `folders`: the journal's run folders, when the caller has listed them. A run whose plan
  /// was lost (RunFolders::plan_lost) is settled by name and content, as one whose plan cannot
  /// be parsed (a shard stops instead: whose it was cannot be known).
  arrow::Result<RecoveryReport> RecoverAll(
      std::optional<RunJournal::RunFolders> folders = std::nullopt);

 private:
  struct Partition;  // one partition of a trusted journal being recovered
  arrow::Status RecoverRun(const std::string& run_id, const JournalPlan& plan,
                           RecoveryReport* report);
  /// A run whose plan cannot be parsed: its outputs found by name in the table, settled.
  arrow::Status RecoverUnreadable(const std::string& run_id, const arrow::Status& why,
                                  RecoveryReport* report);
  /// Finds run `run_id`'s outputs by name in every folder of the table (and the catalog's
  /// partitions elsewhere) but `handled`, and settles each folder by content (SettleByName),
  /// with `plan`'s inputs and policy as hints if given. True when something is left unsettled.
  /// `quiet_if_none`: no report line when the run has no outputs there (a routine check).
  arrow::Result<bool> SettleRunByName(const std::string& run_id, const std::string& why,
                                      const JournalPlan* plan,
                                      const std::set<std::string>& handled,
                                      RecoveryReport* report, bool quiet_if_none = false);
  /// The folders holding run `run_id`'s outputs (by name): in the table (one recursive
  /// listing; not the tool's own folders) and the catalog's partitions elsewhere, those only
  /// when `look_elsewhere` lists them and finds some (else every one, unlisted).
  arrow::Result<std::map<std::string, Location>> OutputFolders(const std::string& run_id,
                                                               bool look_elsewhere);
  /// A run folder with no journal object at all (RunFolders::abandoned): the run's outputs,
  /// if any, settled by name and content; the folder removed once nothing is left unsettled.
  arrow::Status RecoverEmptied(const std::string& run_id, RecoveryReport* report);
  /// Deletes run `run_id`'s folder and staging; a failure is reported (a failure, a line), not
  /// returned.
  void RemoveRunFolder(const std::string& run_id, RecoveryReport* report);
  /// Blocks the partitions holding run `run_id`'s outputs (a shard, or a run whose journal
  /// folder is shared, meeting a run folder with no journal object: not its own to settle).
  arrow::Status BlockOutputsOf(const std::string& run_id, RecoveryReport* report);
  /// A run folder whose objects do not read as a journal (no plan, and garbage): swept when
  /// none of the run's outputs is anywhere, else every partition holding some is blocked and
  /// left as it is (whether the run finished cannot be known), and the folder stays.
  arrow::Status RecoverJournalless(const std::string& run_id, const std::string& why,
                                   RecoveryReport* report);
  /// What the waves of run `run_id` (`first` is its plan.json) say the inputs of `folders`'
  /// partitions were: hints for SettleRunByName (a wave that cannot be read gives none).
  std::map<std::string, std::vector<JournalFile>> PlannedInputs(
      const std::string& run_id, const JournalPlan& first,
      const std::map<std::string, Location>& folders) const;
  /// True when the partition's journal must be kept (deletions pending, or unsettled).
  arrow::Result<bool> RecoverPartition(Partition& p);
  arrow::Result<bool> RollBack(Partition& p, const std::string& why);
  arrow::Result<bool> RollForward(Partition& p);
  arrow::Result<bool> Settle(Partition& p, const std::string& why);
  arrow::Result<bool> DeleteDue(Partition& p);
  arrow::Result<bool> FromPublished(Partition& p);
  /// Removes (by the policy) those of `originals` whose every row is in the outputs.
  arrow::Result<RemovalResult> RemoveVerified(Partition& p,
                                              const std::vector<ExpectedFile>& originals);
  /// Every output in place and sound, placing staged ones; false if one cannot be.
  arrow::Result<bool> CompleteOutputs(Partition& p);
  /// Settles the files named like run `run_id`'s outputs in `location` against the other
  /// files there; true when something is left unsettled (then `path` is blocked).
  /// `planned`: the partition's inputs as its plan names them (none when it cannot be read).
  arrow::Result<bool> SettleByName(const std::string& run_id, const std::string& path,
                                   const Location& location, OriginalsAction originals,
                                   const std::vector<JournalFile>& planned,
                                   const std::string& why, RecoveryReport* report);
  /// Deletes run `run_id`'s staging folders (in the table, and in this run's target).
  arrow::Status SweepStaging(const std::string& run_id);
  /// Where this table's partition `path` is, by this run's own lights (the catalog's location,
  /// else <table>/<path>).
  arrow::Result<Location> LocationOf(const std::string& path);

  FileSystems& file_systems_;
  const RunLayout& layout_;
  int io_threads_;
  JournalTrust::CatalogLocations catalog_locations_;
  JournalTrust trust_;
  std::string scope_;
};

}  // namespace s3c
