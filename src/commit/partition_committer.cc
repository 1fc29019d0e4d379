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

arrow::Status PartitionCommitter::Record(const PartitionPlan& plan, PartitionState state,
                                         const CommitResult& result,
                                         std::vector<JournalFile> checked,
                                         std::vector<std::string> pending,
                                         std::vector<std::string> problems,
                                         int64_t delete_after_minutes) const {
  PartitionRecord record;
  record.state = state;
  record.outputs = result.journal_outputs;
  record.checked = std::move(checked);
  record.pending_delete = std::move(pending);
  if (!record.pending_delete.empty()) {
    record.delete_after_unix = NowUnix() + delete_after_minutes * 60;
  }
  record.problems = std::move(problems);
  return journal_.Record(plan.partition.path, record);
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

void PartitionCommitter::RemoveOriginals(const PartitionPlan& plan, CommitResult& result,
                                         bool catalog_moved,
                                         const CheckedInputs* checked_before) const {
  StageClock::Scope removing(settings_.clock, Stage::kRemoving);
  // After a repoint, nothing is undone: readers follow the catalog to the new files, and the
  // originals at the old location wait for the next run if they cannot go now.
  auto later = [&](const std::string& why) {
    result.status = PartitionStatus::kFailed;
    result.reason = "compacted and the catalog updated, but the originals stay at the old "
                    "location (no reader sees them; the next run removes them): " + why;
    result.journal_pending = true;
  };
  if (const std::string lost = LeaseLost(); !lost.empty()) return Abandon(result, lost);
  // Another writer may have replaced or removed an input while we worked: never remove a file
  // whose content we did not compact.
  auto checked = checked_before ? arrow::Result<CheckedInputs>(*checked_before) : CheckInputs(plan);
  if (!checked.ok() || (!catalog_moved && !checked->all_there())) {
    const std::string why = checked.ok() ? checked->FirstProblem()
                                         : "cannot check the originals: " + checked.status().message();
    return catalog_moved ? later(why) : RollBack(plan, result, why);
  }
  std::vector<std::string> problems;
  for (const auto& [path, why] : checked->changed) problems.push_back(why + "; left where it was");
  for (const auto& uri : checked->gone) problems.push_back(uri + " vanished since planning");
  std::vector<JournalFile> versions;
  for (const auto& file : checked->unchanged) versions.push_back(Checked(file));
  if (auto recorded = Record(plan, PartitionState::kRemoving, result, versions); !recorded.ok()) {
    return catalog_moved ? later(JournalError(recorded)) : RollBack(plan, result, JournalError(recorded));
  }
  FaultPoint::Hit("before_remove");
  const OriginalsPolicy& policy = PolicyFor(plan);
  auto removed = publisher_.WithPolicy(policy.action)
                     .RemoveFiles(checked->unchanged, publisher_.ArchiveDir(plan));
  if (!removed.ok()) {
    // Nothing was removed.
    return catalog_moved ? later(removed.status().message())
                         : RollBack(plan, result, removed.status().message());
  }
  FaultPoint::Hit("after_remove");
  if (!removed->gone.empty() && !catalog_moved) {
    // Another run or writer removed originals this run was removing: this run's outputs may
    // hold the only copy of their rows, and may double another run's. Nothing more is removed;
    // recovery settles it by content.
    result.status = PartitionStatus::kFailed;
    result.reason = "conflict: " + std::to_string(removed->gone.size()) +
                    " original(s) were already gone when this run removed them (another run "
                    "or writer took them, e.g. " + removed->gone.front() +
                    "); removal stopped and the journal kept: `s3-compaction recover` settles "
                    "the partition so that every row is there once";
    result.journal_pending = true;
    problems.push_back(result.reason);
    if (auto st = Record(plan, PartitionState::kConflict, result, versions, {}, problems); !st.ok()) {
      log::Error("partition ", PartitionName(plan.partition.path), ": ", JournalError(st));
    }
    return;
  }
  for (const auto& uri : removed->gone) problems.push_back(uri + " vanished since it was checked");
  std::vector<std::string> pending;
  if (policy.delete_after_minutes > 0) {
    if (policy.action == OriginalsAction::kArchive) {
      for (const auto& a : removed->archived) pending.push_back(a.uri());
    } else {
      for (const auto& o : checked->unchanged) pending.push_back(o.location.uri());
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
  if (!Record(plan, state, result, versions, pending, problems, policy.delete_after_minutes).ok()) {
    result.journal_pending = true;  // still "removing": the next run finds everything removed
  }
  if (!removed->problems.empty()) {
    result.status = PartitionStatus::kFailed;
    result.reason = "compacted, but " + std::to_string(removed->problems.size()) +
                    " original(s) could not be removed" +
                    (catalog_moved ? " from the old location (no reader sees them): "
                                   : ", so readers see their rows twice until they are (the next "
                                     "run finishes this from the journal): ") +
                    removed->problems.front();
  } else if (!problems.empty() && !catalog_moved) {
    result.status = PartitionStatus::kFailed;
    result.reason = "compacted, but " + problems.front();
  }
}

CommitResult PartitionCommitter::Commit(const PartitionPlan& plan, PartitionWrite write) const {
  CommitResult result;
  StagedFiles staged(file_systems_, std::move(write.outputs));  // discarded unless published
  arrow::Status st = write.status;
  CheckedInputs checked;  // the originals with their versions, listed right before publishing
  {
    // The outputs read back, then the lease and the inputs checked: all before publishing.
    StageClock::Scope verifying(settings_.clock, Stage::kVerifying);
    if (st.ok()) {
      st = OutputVerifier::Verify(staged.files(), write.rows_read, plan.output_schema,
                                  settings_.verify_content ? &write.digest : nullptr);
    }
    FaultPoint::Hit("after_write");
    if (st.ok()) {
      if (const std::string lost = LeaseLost(); !lost.empty()) {
        st = arrow::Status::Invalid(lost, "; nothing published");
      }
    }
    if (st.ok()) {
      auto listed = CheckInputs(plan);
      if (!listed.ok()) {
        st = listed.status();
      } else if (!listed->all_there()) {
        st = arrow::Status::Invalid(listed->FirstProblem());
      } else {
        checked = std::move(listed).ValueOrDie();
      }
    }
  }
  if (!st.ok()) {
    result.reason = st.message();
    return result;
  }
  result.rows = write.rows_read;
  for (const auto& file : staged.files()) {
    result.journal_outputs.push_back({file.location.uri(), "",
                                      plan.output_dir.Child(BaseName(file.location.path)).uri(),
                                      file.bytes, file.rows});
  }
  if (PartitionPublisher::WritesElsewhere(plan)) {
    for (size_t i : plan.kept) {
      Location kept{plan.partition.location.fs, plan.files[i].info.path()};
      result.journal_outputs.push_back({"", kept.uri(),
                                        plan.output_dir.Child(BaseName(kept.path)).uri(),
                                        plan.files[i].info.size(), -1});
    }
  }
  {
    StageClock::Scope publishing(settings_.clock, Stage::kPublishing);
    if (auto recorded = Record(plan, PartitionState::kPublishing, result); !recorded.ok()) {
      result.reason = JournalError(recorded) + "; nothing published";
      return result;
    }
    FaultPoint::Hit("before_publish");
    if (auto published = publisher_.Publish(plan, staged.files(), &result.published);
        !published.ok()) {
      RollBack(plan, result, published.message());
      // Left to the next run (the lease was lost, or the undo failed): the staged files may be
      // what it completes the partition with.
      if (result.journal_pending) staged.Release();
      return result;
    }
    staged.Release();
  }
  FaultPoint::Hit("after_publish");
  result.status = plan.action == PartitionAction::kCopy ? PartitionStatus::kCopied
                                                        : PartitionStatus::kCompacted;
  for (const auto& file : staged.files()) {
    result.output_sizes.push_back(file.bytes);
    result.output_bytes += file.bytes;
  }
  if (settings_.defer_originals && PartitionPublisher::WritesElsewhere(plan)) {
    StageClock::Scope publishing(settings_.clock, Stage::kPublishing);
    // The catalog must never be repointed to files the journal does not name.
    if (auto recorded = Record(plan, PartitionState::kPublished, result); !recorded.ok()) {
      RollBack(plan, result, JournalError(recorded));
      return result;
    }
    result.originals_pending = true;
    return result;
  }
  RemoveOriginals(plan, result, /*catalog_moved=*/false, &checked);
  return result;
}

CommitResult PartitionCommitter::FinishAfterCatalog(
    const PartitionPlan& plan, CommitResult pending,
    const std::optional<std::string>& catalog_error) const {
  pending.originals_pending = false;
  if (catalog_error) {
    RollBack(plan, pending, "catalog not updated (" + *catalog_error + ")");
    const std::string unchanged = "rolled back, partition unchanged";
    if (auto at = pending.reason.find(unchanged); at != std::string::npos) {
      pending.reason.replace(at, unchanged.size(), "new files removed, partition unchanged");
    }
    return pending;
  }
  if (auto recorded = Record(plan, PartitionState::kRepointed, pending); !recorded.ok()) {
    // The journal still says "published": recovery asks the catalog, finds the new location,
    // and removes the originals then.
    pending.status = PartitionStatus::kFailed;
    pending.reason = "compacted and the catalog updated, but " + JournalError(recorded) +
                     "; the originals stay at the old location (no reader sees them) until the "
                     "next run";
    pending.journal_pending = true;
    return pending;
  }
  FaultPoint::Hit("after_catalog");
  RemoveOriginals(plan, pending, /*catalog_moved=*/true);
  return pending;
}

}  // namespace s3c
