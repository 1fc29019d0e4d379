#include "commit/partition_committer.h"

#include <algorithm>
#include <map>

#include "commit/output_verifier.h"
#include "execute/staged_files.h"
#include "report/stage_clock.h"
#include "storage/run_layout.h"
#include "util/clock.h"
#include "util/fault_point.h"
#include "util/logging.h"
#include "util/parallel_for.h"

namespace s3c {
namespace {

JournalFile Checked(const ExpectedFile& file) {
  return {file.location.uri(), file.identity.size,  file.identity.mtime_ns,
          file.identity.etag,  file.identity.device, file.identity.inode};
}

std::string JournalError(const arrow::Status& st) {
  return "cannot write the journal (" + st.message() + ")";
}

}  // namespace

std::string CheckedInputs::FirstProblem() const {
  if (!gone.empty()) return gone.front() + " vanished since planning";
  if (!changed.empty()) return changed.front().second;
  return "";
}

arrow::Result<CheckedInputs> PartitionCommitter::CheckInputs(const PartitionPlan& plan) const {
  const Location& folder = plan.partition.location;
  if (!folder.is_s3()) {
    // The folder must still be the one planned: one swapped for a link leads elsewhere.
    auto real = CanonicalLocalPath(folder.path);
    if (!real.ok() || *real != folder.path) {
      return arrow::Status::Invalid("the partition folder ", folder.uri(),
                                    " is now a symbolic link or gone; left alone");
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto listed, file_systems_.ListWithIdentities(folder));
  std::map<std::string, const ListedFile*> now;
  for (const auto& file : listed) now[file.location.path] = &file;
  std::map<std::string, const InputFile*> planned;
  for (const auto& file : plan.files) planned[file.info.path()] = &file;
  CheckedInputs checked;
  for (const auto& original : PartitionPublisher::Originals(plan)) {
    const arrow::fs::FileInfo& before = planned.at(original.path)->info;
    auto it = now.find(original.path);
    if (it == now.end()) {
      checked.gone.push_back(original.uri());
      continue;
    }
    const FileIdentity& identity = it->second->identity;
    const int64_t mtime_then = MtimeNs(before);
    const InputFile& planned_file = *planned.at(original.path);
    if (planned_file.inode != 0 &&
        (identity.inode != planned_file.inode || identity.device != planned_file.device)) {
      checked.changed.emplace_back(original.path,
                                   original.uri() + " changed since planning (another file now)");
    } else if (it->second->symlink) {
      checked.changed.emplace_back(original.path,
                                   original.uri() + " is now a symbolic link; left alone");
    } else if (identity.size != before.size() ||
               (mtime_then != 0 && identity.mtime_ns != 0 && identity.mtime_ns != mtime_then)) {
      checked.changed.emplace_back(original.path, original.uri() +
                                                      " changed since planning (size " +
                                                      std::to_string(before.size()) + " -> " +
                                                      std::to_string(identity.size) + ")");
    } else {
      checked.unchanged.push_back({original, identity});
    }
  }
  return checked;
}

PartitionRecord PartitionCommitter::MakeRecord(PartitionState state, const CommitResult& result,
                                               std::vector<JournalFile> checked,
                                               std::vector<std::string> pending,
                                               std::vector<std::string> problems,
                                               int64_t delete_after_minutes) {
  PartitionRecord record;
  record.state = state;
  record.outputs = result.journal_outputs;
  record.checked = std::move(checked);
  record.pending_delete = std::move(pending);
  if (!record.pending_delete.empty()) {
    record.delete_after_unix = NowUnix() + delete_after_minutes * 60;
  }
  record.problems = std::move(problems);
  return record;
}

arrow::Status PartitionCommitter::Record(const PartitionPlan& plan, PartitionState state,
                                         const CommitResult& result,
                                         std::vector<JournalFile> checked,
                                         std::vector<std::string> pending,
                                         std::vector<std::string> problems,
                                         int64_t delete_after_minutes) const {
  return journal_.Record(plan.partition.path,
                         MakeRecord(state, result, std::move(checked), std::move(pending),
                                    std::move(problems), delete_after_minutes));
}

std::string PartitionCommitter::LeaseLost() const {
  if (!lease_) return "";
  auto held = lease_->Confirm();
  if (!held.ok()) return "cannot confirm the table's lease: " + held.status().message();
  if (!*held) return "the table's lease was taken by another run";
  return "";
}

void PartitionCommitter::Abandon(CommitResult& result, const std::string& lost) const {
  // Another run holds the table now and finishes this partition from the journal: undoing the
  // publish could delete files that are by now the only copy of some rows (that run may have
  // rolled forward and removed the originals), and removing originals could race it.
  result.status = PartitionStatus::kFailed;
  result.reason = lost + "; it finishes this partition from the journal, this run changed "
                  "nothing more";
  result.journal_pending = true;
}

void PartitionCommitter::RollBack(const PartitionPlan& plan, CommitResult& result,
                                  const std::string& why) const {
  if (const std::string lost = LeaseLost(); !lost.empty()) return Abandon(result, lost);
  arrow::Status undone = publisher_.Unpublish(result.published);
  result.status = PartitionStatus::kFailed;
  result.reason = why + (undone.ok() ? "; rolled back, partition unchanged" : "; " + undone.message());
  if (!undone.ok()) {
    result.journal_pending = true;  // the next run removes what is left
    return;
  }
  result.published = Published{};
  // Not guarding anything: if it is lost, the journal still names outputs that are gone, and
  // recovery, finding them gone and the originals all there, rolls back too.
  if (!Record(plan, PartitionState::kRolledBack, result).ok()) result.journal_pending = true;
}

void PartitionCommitter::RemoveOriginals(const std::vector<Removal>& removals,
                                         bool catalog_moved) const {
  if (removals.empty()) return;
  StageClock::Scope removing_time(settings_.clock, Stage::kRemoving);
  // After a repoint, nothing is undone: readers follow the catalog to the new files, and the
  // originals at the old location wait for the next run if they cannot go now.
  auto later = [&](CommitResult& result, const std::string& why) {
    result.status = PartitionStatus::kFailed;
    result.reason = "compacted and the catalog updated, but the originals stay at the old "
                    "location (no reader sees them; the next run removes them): " + why;
    result.journal_pending = true;
  };
  auto give_up = [&](const Removal& r, const std::string& why) {
    if (catalog_moved) {
      later(*r.result, why);
    } else {
      RollBack(*r.plan, *r.result, why);
    }
  };
  if (const std::string lost = LeaseLost(); !lost.empty()) {
    for (const auto& r : removals) Abandon(*r.result, lost);
    return;
  }
  // Another writer may have replaced or removed an input while we worked: never remove a file
  // whose content we did not compact.
  struct Going {
    Removal removal;
    CheckedInputs checked;
    std::vector<std::string> problems;
    std::vector<JournalFile> versions;
  };
  std::vector<Going> going;
  for (const auto& r : removals) {
    auto checked = CheckInputs(*r.plan);
    if (!checked.ok() || (!catalog_moved && !checked->all_there())) {
      give_up(r, checked.ok() ? checked->FirstProblem()
                              : "cannot check the originals: " + checked.status().message());
      continue;
    }
    Going g{r, std::move(checked).ValueOrDie(), {}, {}};
    for (const auto& [path, why] : g.checked.changed) g.problems.push_back(why + "; left where it was");
    for (const auto& uri : g.checked.gone) g.problems.push_back(uri + " vanished since planning");
    for (const auto& file : g.checked.unchanged) g.versions.push_back(Checked(file));
    going.push_back(std::move(g));
  }
  if (going.empty()) return;
  std::vector<std::pair<std::string, PartitionRecord>> removing;
  for (const auto& g : going) {
    removing.emplace_back(g.removal.plan->partition.path,
                          MakeRecord(PartitionState::kRemoving, *g.removal.result, g.versions));
  }
  if (auto recorded = journal_.RecordMany(removing); !recorded.ok()) {
    for (const auto& g : going) give_up(g.removal, JournalError(recorded));
    return;
  }
  FaultPoint::Hit("before_remove");
  // Every partition's originals, those of one policy (in place, or written elsewhere) together:
  // the first of each partition alone, then the rest, in as few requests as the store takes.
  std::vector<std::optional<arrow::Result<RemovalResult>>> outcome(going.size());
  for (const OriginalsAction action : {settings_.in_place.action, settings_.elsewhere.action}) {
    std::vector<PartitionPublisher::Removal> requests;
    std::vector<size_t> which;
    for (size_t k = 0; k < going.size(); ++k) {
      const PartitionPlan& plan = *going[k].removal.plan;
      if (outcome[k] || PolicyFor(plan).action != action) continue;
      requests.push_back({&going[k].checked.unchanged, publisher_.ArchiveDir(plan)});
      which.push_back(k);
    }
    if (requests.empty()) continue;
    auto removed = publisher_.WithPolicy(action).RemoveFilesOf(requests);
    for (size_t r = 0; r < which.size(); ++r) outcome[which[r]] = std::move(removed[r]);
  }
  FaultPoint::Hit("after_remove");
  std::vector<std::pair<std::string, PartitionRecord>> finished;
  std::vector<CommitResult*> finished_results;
  for (size_t k = 0; k < going.size(); ++k) {
    Going& g = going[k];
    const PartitionPlan& plan = *g.removal.plan;
    CommitResult& result = *g.removal.result;
    std::vector<std::string>& problems = g.problems;
    const OriginalsPolicy& policy = PolicyFor(plan);
    arrow::Result<RemovalResult>& removed = *outcome[k];
    if (!removed.ok()) {
      // Nothing was removed.
      give_up(g.removal, removed.status().message());
      continue;
    }
    if (!removed->gone.empty() && !catalog_moved) {
      // Another run or writer removed originals this run was removing: this run's outputs may
      // hold the only copy of their rows, and may double another run's. Nothing more is
      // removed; recovery settles it by content.
      result.status = PartitionStatus::kFailed;
      result.reason = "conflict: " + std::to_string(removed->gone.size()) +
                      " original(s) were already gone when this run removed them (another run "
                      "or writer took them, e.g. " + removed->gone.front() +
                      "); removal stopped and the journal kept: `s3-compaction recover` settles "
                      "the partition so that every row is there once";
      result.journal_pending = true;
      problems.push_back(result.reason);
      finished.emplace_back(plan.partition.path,
                            MakeRecord(PartitionState::kConflict, result, g.versions, {}, problems));
      finished_results.push_back(nullptr);  // its record failing is logged, not retried
      continue;
    }
    for (const auto& uri : removed->gone) problems.push_back(uri + " vanished since it was checked");
    if (removed->removed == 0 && !removed->gone.empty() && g.checked.unchanged.size() > 1) {
      // After a repoint: the first went (perhaps by our own request, its answer lost) and the
      // rest were not asked for; they stay in the journal for the next run to remove.
      removed->problems.push_back("removal stopped after " + removed->gone.front() +
                                  " was found gone; the next run removes the rest");
    }
    std::vector<std::string> pending;
    if (policy.delete_after_minutes > 0) {
      if (policy.action == OriginalsAction::kArchive) {
        for (const auto& a : removed->archived) pending.push_back(a.uri());
      } else {
        for (const auto& o : g.checked.unchanged) pending.push_back(o.location.uri());
      }
      result.journal_pending = !pending.empty();
    }
    problems.insert(problems.end(), removed->changed.begin(), removed->changed.end());
    problems.insert(problems.end(), removed->problems.begin(), removed->problems.end());
    // Originals that could not be removed stay in the journal as "removing": the next run
    // removes them without rewriting anything.
    if (!removed->problems.empty()) result.journal_pending = true;
    const PartitionState state =
        removed->problems.empty() ? PartitionState::kDone : PartitionState::kRemoving;
    finished.emplace_back(plan.partition.path,
                          MakeRecord(state, result, g.versions, pending, problems,
                                     policy.delete_after_minutes));
    finished_results.push_back(&result);
    if (!removed->problems.empty()) {
      result.status = PartitionStatus::kFailed;
      result.reason = "compacted, but " + std::to_string(removed->problems.size()) +
                      " original(s) could not be removed" +
                      (catalog_moved ? " from the old location (no reader sees them): "
                                     : ", so readers see their rows twice until they are (the "
                                       "next run finishes this from the journal): ") +
                      removed->problems.front();
    } else if (!problems.empty() && !catalog_moved) {
      result.status = PartitionStatus::kFailed;
      result.reason = "compacted, but " + problems.front();
    }
  }
  if (finished.empty()) return;
  if (auto st = journal_.RecordMany(finished); !st.ok()) {
    for (size_t i = 0; i < finished.size(); ++i) {
      if (finished_results[i]) {
        finished_results[i]->journal_pending = true;  // still "removing": the next run finds
                                                      // everything removed
      } else {
        log::Error("partition ", PartitionName(finished[i].first), ": ", JournalError(st));
      }
    }
  }
}

CommitResult PartitionCommitter::Commit(const PartitionPlan& plan, PartitionWrite write) const {
  std::vector<CommitItem> items;
  items.push_back({&plan, std::move(write)});
  return std::move(CommitBatch(std::move(items)).front());
}

std::vector<CommitResult> PartitionCommitter::CommitBatch(std::vector<CommitItem> items) const {
  const size_t n = items.size();
  std::vector<CommitResult> results(n);
  std::vector<std::optional<StagedFiles>> staged(n);  // each discarded unless published
  std::vector<char> live(n, 0);
  for (size_t i = 0; i < n; ++i) staged[i].emplace(file_systems_, std::move(items[i].write.outputs));
  auto fail = [&](size_t i, const std::string& why) {
    results[i].reason = why;
    live[i] = 0;
  };
  {
    // The outputs read back, then the lease and the inputs checked: all before publishing.
    StageClock::Scope verifying(settings_.clock, Stage::kVerifying);
    ParallelFor(n, settings_.io_threads, [&](size_t i) {
      const CommitItem& item = items[i];
      arrow::Status st = item.write.status;
      if (st.ok()) {
        st = OutputVerifier::Verify(staged[i]->files(), item.write.rows_read,
                                    item.plan->output_schema,
                                    settings_.verify_content ? &item.write.digest : nullptr);
      }
      if (st.ok()) {
        live[i] = 1;
      } else {
        results[i].reason = st.message();
      }
    });
    FaultPoint::Hit("after_write");
    if (std::find(live.begin(), live.end(), 1) != live.end()) {
      if (const std::string lost = LeaseLost(); !lost.empty()) {
        for (size_t i = 0; i < n; ++i) {
          if (live[i]) fail(i, lost + "; nothing published");
        }
      }
    }
    ParallelFor(n, settings_.io_threads, [&](size_t i) {
      if (!live[i]) return;
      auto listed = CheckInputs(*items[i].plan);
      if (!listed.ok()) {
        fail(i, listed.status().message());
      } else if (!listed->all_there()) {
        fail(i, listed->FirstProblem());
      }
    });
  }
  std::vector<size_t> going;
  for (size_t i = 0; i < n; ++i) {
    if (live[i]) going.push_back(i);
  }
  if (going.empty()) return results;
  std::vector<std::string> paths;
  std::vector<std::pair<std::string, PartitionRecord>> publishing;
  for (size_t i : going) {
    const PartitionPlan& plan = *items[i].plan;
    CommitResult& result = results[i];
    result.rows = items[i].write.rows_read;
    for (const auto& file : staged[i]->files()) {
      result.journal_outputs.push_back({file.location.uri(), "",
                                        plan.output_dir.Child(BaseName(file.location.path)).uri(),
                                        file.bytes, file.rows});
    }
    if (PartitionPublisher::WritesElsewhere(plan)) {
      for (size_t k : plan.kept) {
        Location kept{plan.partition.location.fs, plan.files[k].info.path()};
        result.journal_outputs.push_back({"", kept.uri(),
                                          plan.output_dir.Child(BaseName(kept.path)).uri(),
                                          plan.files[k].info.size(), -1});
      }
    }
    paths.push_back(plan.partition.path);
    publishing.emplace_back(plan.partition.path, MakeRecord(PartitionState::kPublishing, result));
  }
  journal_.Assign(paths);
  std::vector<size_t> published;
  {
    StageClock::Scope publishing_time(settings_.clock, Stage::kPublishing);
    if (auto recorded = journal_.RecordMany(publishing); !recorded.ok()) {
      for (size_t i : going) fail(i, JournalError(recorded) + "; nothing published");
      return results;
    }
    FaultPoint::Hit("before_publish");
    for (size_t i : going) {
      const PartitionPlan& plan = *items[i].plan;
      CommitResult& result = results[i];
      if (auto placed = publisher_.Publish(plan, staged[i]->files(), &result.published);
          !placed.ok()) {
        RollBack(plan, result, placed.message());
        // Left to the next run (the lease was lost, or the undo failed): the staged files may
        // be what it completes the partition with.
        if (result.journal_pending) staged[i]->Release();
        continue;
      }
      staged[i]->Release();
      published.push_back(i);
    }
  }
  FaultPoint::Hit("after_publish");
  std::vector<size_t> awaiting_catalog;
  std::vector<Removal> removals;
  for (size_t i : published) {
    const PartitionPlan& plan = *items[i].plan;
    CommitResult& result = results[i];
    result.status = plan.action == PartitionAction::kCopy ? PartitionStatus::kCopied
                                                          : PartitionStatus::kCompacted;
    for (const auto& file : staged[i]->files()) {
      result.output_sizes.push_back(file.bytes);
      result.output_bytes += file.bytes;
    }
    if (settings_.defer_originals && PartitionPublisher::WritesElsewhere(plan)) {
      awaiting_catalog.push_back(i);
    } else {
      removals.push_back({&plan, &result});
    }
  }
  if (!awaiting_catalog.empty()) {
    StageClock::Scope publishing_time(settings_.clock, Stage::kPublishing);
    // The catalog must never be repointed to files the journal does not name.
    std::vector<std::pair<std::string, PartitionRecord>> records;
    for (size_t i : awaiting_catalog) {
      records.emplace_back(items[i].plan->partition.path,
                           MakeRecord(PartitionState::kPublished, results[i]));
    }
    auto recorded = journal_.RecordMany(records);
    for (size_t i : awaiting_catalog) {
      if (recorded.ok()) {
        results[i].originals_pending = true;
      } else {
        RollBack(*items[i].plan, results[i], JournalError(recorded));
      }
    }
  }
  RemoveOriginals(removals, /*catalog_moved=*/false);
  return results;
}

void PartitionCommitter::FinishAfterCatalog(std::vector<AfterCatalog> items) const {
  std::vector<Removal> removals;
  std::vector<std::pair<std::string, PartitionRecord>> records;
  for (auto& item : items) {
    CommitResult& pending = *item.pending;
    pending.originals_pending = false;
    if (item.catalog_error) {
      RollBack(*item.plan, pending, "catalog not updated (" + *item.catalog_error + ")");
      const std::string unchanged = "rolled back, partition unchanged";
      if (auto at = pending.reason.find(unchanged); at != std::string::npos) {
        pending.reason.replace(at, unchanged.size(), "new files removed, partition unchanged");
      }
      continue;
    }
    removals.push_back({item.plan, item.pending});
    records.emplace_back(item.plan->partition.path,
                         MakeRecord(PartitionState::kRepointed, pending));
  }
  if (removals.empty()) return;
  // One write for each batch the partitions are in (RunJournal::RecordMany).
  if (auto recorded = journal_.RecordMany(records); !recorded.ok()) {
    // The journal still says "published": recovery asks the catalog, finds the new location,
    // and removes the originals then.
    for (const Removal& r : removals) {
      r.result->status = PartitionStatus::kFailed;
      r.result->reason = "compacted and the catalog updated, but " + JournalError(recorded) +
                         "; the originals stay at the old location (no reader sees them) until "
                         "the next run";
      r.result->journal_pending = true;
    }
    return;
  }
  FaultPoint::Hit("after_catalog");
  RemoveOriginals(removals, /*catalog_moved=*/true);
}

}  // namespace s3c
