#include "commit/partition_committer.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "commit/output_verifier.h"
#include "storage/run_layout.h"
#include "util/clock.h"
#include "util/fault_point.h"
#include "util/logging.h"

namespace s3c {
namespace {

}  // namespace

std::vector<std::pair<std::string, std::string>> PartitionCommitter::ChangedInputs(
    const PartitionPlan& plan) {
  std::vector<std::pair<std::string, std::string>> changed;
  const Location& dir = plan.partition.location;
  arrow::fs::FileSelector selector;
  selector.base_dir = dir.path;
  selector.allow_not_found = true;
  auto listed = dir.fs->GetFileInfo(selector);
  if (!listed.ok()) {
    changed.emplace_back(dir.path, "cannot list " + dir.uri() + ": " + listed.status().message());
    return changed;
  }
  std::map<std::string, arrow::fs::FileInfo> now;
  for (auto& info : *listed) now[info.path()] = std::move(info);
  std::map<std::string, const InputFile*> planned;
  for (const auto& file : plan.files) planned[file.info.path()] = &file;
  for (const auto& original : PartitionPublisher::Originals(plan)) {
    const InputFile& before = *planned.at(original.path);
    auto it = now.find(original.path);
    if (it == now.end()) {
      changed.emplace_back(original.path, original.uri() + " vanished since planning");
    } else if (ChangedSince(it->second, before.info.size(), MtimeNs(before.info))) {
      changed.emplace_back(original.path, original.uri() + " changed since planning (size " +
                                              std::to_string(before.info.size()) + " -> " +
                                              std::to_string(it->second.size()) + ")");
    }
  }
  return changed;
}

void PartitionCommitter::Record(const PartitionPlan& plan, PartitionState state,
                                const CommitResult& result, std::vector<std::string> pending,
                                std::vector<std::string> problems) const {
  if (!journal_) return;
  PartitionRecord record;
  record.state = state;
  record.outputs = result.journal_outputs;
  record.pending_delete = std::move(pending);
  if (!record.pending_delete.empty()) {
    record.delete_after_unix = NowUnix() + settings_.delete_grace_minutes * 60;
  }
  record.problems = std::move(problems);
  auto st = journal_->Record(plan.partition.path, record);
  // A journal that cannot be written must stop the partition before its next visible step;
  // the callers check journal_ok() through the record they just tried to write.
  if (!st.ok()) log::Error("partition ", plan.partition.path, ": ", st.message());
}

void PartitionCommitter::RollBack(const PartitionPlan& plan, CommitResult& result,
                                  const std::string& why) const {
  arrow::Status undone = publisher_.Unpublish(result.published);
  result.status = PartitionStatus::kFailed;
  result.reason = why + (undone.ok() ? "; rolled back, partition unchanged" : "; " + undone.message());
  if (undone.ok()) {
    result.published = Published{};
    Record(plan, PartitionState::kRolledBack, result);
  } else {
    result.journal_pending = true;  // the next run removes what is left
  }
}

void PartitionCommitter::RemoveOriginals(const PartitionPlan& plan, CommitResult& result,
                                         bool catalog_moved) const {
  // Another writer may have replaced or removed an input while we worked: never delete a file
  // whose content we did not compact.
  auto changed = ChangedInputs(plan);
  if (!changed.empty() && !catalog_moved) {
    RollBack(plan, result, changed.front().second);
    return;
  }
  std::set<std::string> skip;
  std::vector<std::string> problems;
  for (const auto& [path, why] : changed) {
    skip.insert(path);
    problems.push_back(why + "; left where it was");
  }
  Record(plan, PartitionState::kRemoving, result);
  auto removed = publisher_.RemoveOriginals(plan, skip);
  if (!removed.ok()) {
    result.status = PartitionStatus::kFailed;
    if (catalog_moved) {
      // Readers already follow the catalog to the new files: the originals are merely left
      // behind, and the new files must stay.
      result.reason = "compacted and the catalog updated, but the originals could not be removed "
                      "from the old location (no reader sees them; the next run retries): " +
                      removed.status().message();
      result.journal_pending = true;
      Record(plan, PartitionState::kRemoving, result, {}, {result.reason});
      return;
    }
    RollBack(plan, result, removed.status().message());
    return;
  }
  FaultPoint::Hit("after_remove");
  std::vector<std::string> pending;
  if (settings_.delete_grace_minutes > 0) {
    if (publisher_.policy() == OriginalsPolicy::kArchive) {
      for (const auto& a : removed->archived) pending.push_back(a.uri());
    } else {
      for (const auto& o : PartitionPublisher::Originals(plan)) {
        if (!skip.count(o.path)) pending.push_back(o.uri());
      }
    }
    result.journal_pending = !pending.empty();
  }
  problems.insert(problems.end(), removed->problems.begin(), removed->problems.end());
  // Originals that could not be removed stay in the journal as "removing": the next run
  // removes them without rewriting anything.
  if (!removed->problems.empty()) result.journal_pending = true;
  Record(plan, removed->problems.empty() ? PartitionState::kDone : PartitionState::kRemoving,
         result, pending, problems);
  if (!removed->problems.empty()) {
    result.status = PartitionStatus::kFailed;
    result.reason = "compacted, but " + std::to_string(removed->problems.size()) +
                    " original(s) could not be removed" +
                    (catalog_moved ? " from the old location (no reader sees them): "
                                   : ", so readers see their rows twice until they are (the next "
                                     "run finishes this from the journal): ") +
                    removed->problems.front();
  } else if (!changed.empty()) {
    result.status = PartitionStatus::kFailed;
    result.reason = "compacted, but " + problems.front();
  }
}

CommitResult PartitionCommitter::Commit(const PartitionPlan& plan,
                                        std::vector<WrittenFile> outputs,
                                        const arrow::Status& write_status,
                                        int64_t rows_read,
                                        const RowDigest* input_digest) const {
  CommitResult result;
  std::sort(outputs.begin(), outputs.end(), [](const WrittenFile& a, const WrittenFile& b) {
    return a.location.path < b.location.path;
  });
  auto discard = [&] {
    std::vector<Location> staged;
    for (const auto& file : outputs) staged.push_back(file.location);
    file_systems_.DeleteFiles(staged);  // the staging sweep gets what this misses
  };
  arrow::Status st = write_status;
  if (st.ok()) {
    st = OutputVerifier::Verify(outputs, rows_read, plan.output_schema, input_digest);
  }
  FaultPoint::Hit("after_write");
  if (st.ok() && lease_) {
    auto held = lease_->Confirm();
    if (!held.ok()) {
      st = held.status().WithMessage("cannot confirm the table's lease: ", held.status().message());
    } else if (!*held) {
      st = arrow::Status::Invalid("the table's lease was taken by another run; nothing published");
    }
  }
  if (st.ok()) {
    auto changed = ChangedInputs(plan);
    if (!changed.empty()) st = arrow::Status::Invalid(changed.front().second);
  }
  if (!st.ok()) {
    discard();
    result.reason = st.message();
    return result;
  }
  for (const auto& file : outputs) {
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
  Record(plan, PartitionState::kPublishing, result);
  FaultPoint::Hit("before_publish");
  auto published = publisher_.Publish(plan, outputs);
  if (!published.ok()) {
    discard();
    result.reason = published.status().message();
    Record(plan, PartitionState::kRolledBack, result);
    return result;
  }
  result.published = std::move(published).ValueOrDie();
  FaultPoint::Hit("after_publish");
  result.status = plan.action == PartitionAction::kCopy ? PartitionStatus::kCopied
                                                        : PartitionStatus::kCompacted;
  for (const auto& file : outputs) {
    result.output_sizes.push_back(file.bytes);
    result.output_bytes += file.bytes;
  }
  if (settings_.defer_originals) {
    result.originals_pending = true;
    Record(plan, PartitionState::kPublished, result);
    return result;
  }
  RemoveOriginals(plan, result, /*catalog_moved=*/false);
  return result;
}

CommitResult PartitionCommitter::FinishAfterCatalog(
    const PartitionPlan& plan, CommitResult pending,
    const std::optional<std::string>& catalog_error) const {
  pending.originals_pending = false;
  if (catalog_error) {
    RollBack(plan, pending, "catalog not updated (" + *catalog_error + ")");
    if (pending.reason.find("rolled back, partition unchanged") != std::string::npos) {
      pending.reason.replace(pending.reason.find("rolled back, partition unchanged"),
                             std::string("rolled back, partition unchanged").size(),
                             "new files removed, partition unchanged");
    }
    return pending;
  }
  Record(plan, PartitionState::kRepointed, pending);
  FaultPoint::Hit("after_catalog");
  RemoveOriginals(plan, pending, /*catalog_moved=*/true);
  return pending;
}

}  // namespace s3c
