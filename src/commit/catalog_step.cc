#include "commit/catalog_step.h"

#include "commit/newcomers.h"
#include "util/fault_point.h"
#include "util/logging.h"

namespace s3c {

void CatalogStep::CarryBefore(std::vector<PartitionRun>& partitions, Failures& failed) {
  if (!settings_.repoint || settings_.defer) return;  // deferred: `commit` carries them
  // Files other writers added to a partition while it was compacted must not be left behind
  // at the old location: re-listed just before the catalog moves, they are copied to the new
  // one; if that fails the partition stays where it was.
  for (auto& p : partitions) {
    if (!p.commit.originals_pending) continue;
    auto n = Newcomers::CarryFor(p.plan, p.commit, *transaction_.journal());
    if (!n.ok()) {
      failed[p.plan.partition.path] = n.status().message();
    } else {
      p.carried = *n;
    }
  }
}

std::vector<PartitionUpdate> CatalogStep::Updates(const std::vector<PartitionRun>& partitions,
                                                  const Failures& failed) const {
  std::vector<PartitionUpdate> updates;
  for (const auto& p : partitions) {
    const CommitResult& commit = p.commit;
    if (commit.status != PartitionStatus::kCompacted &&
        commit.status != PartitionStatus::kCopied && !commit.originals_pending) {
      continue;
    }
    if (failed.count(p.plan.partition.path)) continue;
    PartitionUpdate update;
    update.path = p.plan.partition.path;
    if (settings_.repoint && PartitionPublisher::WritesElsewhere(p.plan)) {
      update.location = p.plan.output_dir.uri();
    }
    // Rows read from the rewritten files, plus the footers of the files kept as they are.
    int64_t rows = commit.rows;
    for (size_t k : p.plan.kept) rows += p.plan.files[k].rows;
    update.rows = p.carried > 0 ? -1 : rows;  // the carried files' rows were not counted
    if (PartitionPublisher::WritesElsewhere(p.plan)) {
      update.files = static_cast<int64_t>(commit.published.files.size());
      update.bytes = commit.published.bytes;
    } else {
      update.files = static_cast<int64_t>(p.plan.files.size()) - p.plan.InputFiles() +
                     static_cast<int64_t>(commit.output_sizes.size());
      update.bytes = p.plan.TotalBytes() - p.plan.InputBytes() + commit.output_bytes;
    }
    updates.push_back(std::move(update));
  }
  return updates;
}

void CatalogStep::Send(const std::vector<PartitionUpdate>& updates, Failures& failed) {
  FaultPoint::Hit("before_catalog");
  auto result = catalog_.UpdatePartitions(updates);
  if (!result.ok()) {
    for (const auto& u : updates) failed[u.path] = result.status().message();
  } else {
    for (const auto& f : *result) failed[f.path] = f.message;
  }
  // Sent (or refused): a later recovery must not send them again over newer statistics.
  file_systems_.DeleteFiles({transaction_.journal()->run_dir().Child(
      std::string(RunLayout::kCatalogUpdatesName))});
}

void CatalogStep::FinishPartitions(std::vector<PartitionRun>& partitions,
                                   const Failures& failed) {
  std::vector<PartitionCommitter::AfterCatalog> finishing;
  std::vector<const PartitionRun*> finished;
  for (auto& p : partitions) {
    const std::string& path = p.plan.partition.path;
    auto it = failed.find(path);
    if (!p.commit.originals_pending) {
      // In place the files are right whatever the catalog says; only its statistics lag.
      if (it != failed.end()) {
        notes_.push_back("statistics of partition " + PartitionName(path) + " not updated in the catalog: " +
                         it->second);
      }
      continue;
    }
    std::optional<std::string> error;
    if (it != failed.end()) error = it->second;
    if (!error) {
      // A file that arrived while the catalog moved: carried too, or reported.
      auto late = Newcomers::CarryFor(p.plan, p.commit, *transaction_.journal());
      if (!late.ok()) {
        notes_.push_back("partition " + PartitionName(path) + ": " + late.status().message() +
                         "; copy it there by hand");
      } else {
        p.carried += *late;
      }
    }
    if (p.carried > 0) {
      notes_.push_back("partition " + PartitionName(path) + ": carried " + std::to_string(p.carried) +
                       " file(s) written during the run to its new location (also left at the "
                       "old one)");
    }
    finishing.push_back({&p.plan, &p.commit, std::move(error)});
    finished.push_back(&p);
  }
  committer_.FinishAfterCatalog(std::move(finishing));
  for (const PartitionRun* p : finished) {
    if (p->commit.status == PartitionStatus::kFailed) {
      log::Error("partition ", p->plan.partition.path, ": ", p->commit.reason);
    }
  }
}

std::vector<std::string> CatalogStep::Run(std::vector<PartitionRun>& partitions) {
  if (!settings_.repoint && !settings_.in_place) return {};  // an export: the catalog stays
  Failures failed;
  CarryBefore(partitions, failed);
  const std::vector<PartitionUpdate> updates = Updates(partitions, failed);
  // The updates are kept in the journal until sent: a deferred run leaves them for
  // `s3-compaction commit`, and a crash before they are sent leaves them for the next
  // whole-table recovery (DeferredCommit either way). They guard only statistics and a
  // deferred repoint, so a failure to record them is reported, not fatal.
  arrow::Status recorded = arrow::Status::OK();
  if (!updates.empty()) {
    recorded = RunJournal::WriteCatalogUpdates(transaction_.journal()->run_dir(), updates);
  }
  if (settings_.defer) {
    // Everything is published; partitions moving to a target stay "published", their
    // originals in place, until the commit repoints them.
    if (!recorded.ok()) {
      notes_.push_back("could not record the deferred catalog updates (" + recorded.message() +
                       "); partitions moving to a target will be rolled back by the next run, "
                       "the others only lack statistics");
    } else if (!updates.empty()) {
      transaction_.KeepJournal();
      notes_.push_back(std::to_string(updates.size()) +
                       " partition update(s) wait for `s3-compaction commit` "
                       "(--update_catalog deferred)");
    }
    for (const auto& p : partitions) {
      if (p.commit.originals_pending) transaction_.KeepJournal();  // awaiting `commit`
    }
    return notes_;
  }
  if (!recorded.ok()) log::Warn("recording the catalog updates: ", recorded.message());
  auto held = transaction_.lease().Confirm();
  if (!held.ok() || !*held) {
    // Another run holds the table and finishes these partitions from the journal (their
    // recorded updates included): this run changes nothing more.
    notes_.push_back("the table's lease was taken by another run before the catalog step; it "
                     "applies the recorded updates and finishes the partitions");
    for (const auto& p : partitions) {
      if (p.commit.originals_pending) transaction_.KeepJournal();
    }
    return notes_;
  }
  if (!updates.empty()) Send(updates, failed);
  FinishPartitions(partitions, failed);
  return notes_;
}

}  // namespace s3c
