#include "commit/deferred_commit.h"

#include <algorithm>
#include <set>

#include "commit/newcomers.h"
#include "commit/run_journal.h"

namespace s3c {

struct DeferredCommit::Moving {
  Location run_dir;
  std::string path;
  Location location, output_dir;
  std::set<std::string> inputs;
  PartitionRecord record;
};

std::string DeferredCommit::Outcome::Describe() const {
  if (updates == 0) return "nothing to commit";
  return "committed " + std::to_string(updates - failed) + " of " + std::to_string(updates) +
         " deferred partition update(s) from " + std::to_string(runs) + " run(s)";
}

arrow::Result<bool> DeferredCommit::Gather(const std::string& run,
                                           std::vector<PartitionUpdate>& updates,
                                           std::vector<Moving>& moving, Outcome& done) {
  const Location run_dir = layout_.RunsDir().Child(run);
  auto deferred = RunJournal::ReadCatalogUpdates(run_dir);
  if (!deferred.ok()) {
    done.notes.push_back("run " + run + ": " + deferred.status().message());
    return false;
  }
  if (!*deferred) return false;
  ARROW_ASSIGN_OR_RAISE(JournalPlan plan, RunJournal::ReadPlan(run_dir));
  if (auto st = trust_.CheckRun(run, plan); !st.ok()) {
    done.notes.push_back("run " + run + ": catalog updates not applied: " + st.message());
    return false;
  }
  std::vector<std::string> paths;
  for (const PartitionUpdate& update : **deferred) paths.push_back(update.path);
  ARROW_ASSIGN_OR_RAISE(RunJournal::Records records, RunJournal::ReadRecords(run_dir, paths));
  for (PartitionUpdate update : **deferred) {
    auto it = std::find_if(plan.partitions.begin(), plan.partitions.end(),
                           [&](const JournalPartition& p) { return p.path == update.path; });
    if (it == plan.partitions.end()) continue;
    auto trusted = trust_.CheckPartition(plan, *it);
    if (!trusted.ok()) {
      done.notes.push_back("run " + run + ", partition " + update.path +
                           ": catalog update not applied: " + trusted.status().message());
      continue;
    }
    if (update.location) {
      // Moving to a target: only a partition still published (not rolled back meanwhile),
      // only to where its journal put its outputs, and only once the files other writers
      // added at the old location are carried over.
      arrow::Result<std::optional<PartitionRecord>> found = records.at(update.path);
      ARROW_ASSIGN_OR_RAISE(auto record, std::move(found));
      if (!record || record->state != PartitionState::kPublished) continue;
      if (trusted->in_place || !trust_.CheckRecord(plan, *trusted, *record).ok()) continue;
      update.location = trusted->output_dir.uri();
      Moving m{run_dir, update.path, trusted->location, trusted->output_dir, {}, *record};
      for (const auto& f : it->inputs) m.inputs.insert(f.uri);
      const size_t before = m.record.outputs.size();
      auto carried = Newcomers::Carry(m.location, m.output_dir, m.inputs, &m.record.outputs, nullptr);
      if (!carried.ok()) {
        done.notes.push_back("partition " + PartitionName(update.path) + ": " + carried.status().message() +
                             "; left where it was");
        continue;
      }
      if (*carried > 0) {
        ARROW_RETURN_NOT_OK(RunJournal::WriteRecord(run_dir, update.path, m.record));
        update.rows = -1;  // the carried files' rows were not counted
        if (update.files >= 0) update.files += *carried;
        for (size_t k = before; k < m.record.outputs.size(); ++k) {
          if (update.bytes >= 0) update.bytes += m.record.outputs[k].bytes;
        }
      }
      moving.push_back(std::move(m));
    }
    updates.push_back(std::move(update));
  }
  return true;
}

arrow::Result<DeferredCommit::Outcome> DeferredCommit::Apply(const std::vector<std::string>& runs) {
  Outcome done;
  std::vector<Moving> moving;
  std::vector<PartitionUpdate> updates;
  std::vector<Location> applied;  // the catalog.json files whose updates go out now
  for (const auto& run : runs) {
    ARROW_ASSIGN_OR_RAISE(bool any, Gather(run, updates, moving, done));
    if (any) applied.push_back(layout_.ForRun(run).CatalogUpdatesFile());
  }
  std::set<std::string> failed;
  if (!updates.empty()) {
    // The catalog updates partitions it has listed (it keeps their full definitions).
    ARROW_RETURN_NOT_OK(catalog_.ListPartitions(table_, PartitionPredicate::All()).status());
    auto result = catalog_.UpdatePartitions(updates);
    if (!result.ok()) {
      for (const auto& u : updates) failed.insert(u.path);
      done.notes.push_back("catalog update failed: " + result.status().message() +
                           "; partitions moving to a target are rolled back");
    } else {
      for (const auto& f : *result) {
        failed.insert(f.path);
        done.notes.push_back("partition " + PartitionName(f.path) + ": catalog not updated: " + f.message);
      }
      // Applied: a second commit must not apply them again (harmless if it did: same values).
      file_systems_.DeleteFiles(applied);
    }
  }
  // A file that arrived while the catalog moved: carried too.
  for (auto& m : moving) {
    if (failed.count(m.path)) continue;
    auto late = Newcomers::Carry(m.location, m.output_dir, m.inputs, &m.record.outputs, nullptr);
    if (!late.ok()) {
      done.notes.push_back("partition " + PartitionName(m.path) + ": " + late.status().message() +
                           "; copy it there by hand");
    } else if (*late > 0) {
      ARROW_RETURN_NOT_OK(RunJournal::WriteRecord(m.run_dir, m.path, m.record));
    }
  }
  done.updates = updates.size();
  done.failed = failed.size();
  done.runs = applied.size();
  return done;
}

}  // namespace s3c
