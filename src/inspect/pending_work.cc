#include "inspect/pending_work.h"

#include <map>

#include "commit/run_journal.h"
#include "commit/table_lease.h"
#include "storage/file_systems.h"
#include "util/clock.h"

namespace s3c {
namespace {

// "2 done, 1 publishing" from the records' states.
std::string StatesOf(const std::map<std::string, int64_t>& states) {
  std::string out;
  for (const auto& [state, n] : states) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + state;
  }
  return out;
}

}  // namespace

arrow::Result<std::vector<PendingRun>> PendingWork::Journals(const RunLayout& layout,
                                                              const std::set<std::string>& live_runs,
                                                              std::vector<std::string>* notes,
                                                              size_t max_records) {
  ARROW_ASSIGN_OR_RAISE(auto folders, RunJournal::ListRunFolders(layout.RunsDir()));
  std::vector<PendingRun> pending;
  for (const auto& run_id : folders.runs) {
    const Location run_dir = layout.RunsDir().Child(run_id);
    PendingRun run;
    run.run_id = run_id;
    auto plan = RunJournal::ReadPlan(run_dir);
    if (!plan.ok()) {
      run.state = "unreadable";
      run.detail = plan.status().message() + "; a run stops until it is settled";
      pending.push_back(std::move(run));
      continue;
    }
    run.partitions = static_cast<int64_t>(plan->partitions.size());
    if (plan->table_location != layout.table_root().uri()) {
      run.state = "another table's journal";
      run.detail = "about the table at " + plan->table_location +
                   " (a copy?); recovery leaves it alone";
      pending.push_back(std::move(run));
      continue;
    }
    if (live_runs.count(run_id)) {
      run.state = "in progress";
      run.detail = "the run holds the table's lease";
      pending.push_back(std::move(run));
      continue;
    }
    std::map<std::string, int64_t> states;
    int64_t awaiting_grace = 0, unrecorded = 0;
    int64_t grace_until = 0;
    std::vector<std::string> paths;
    for (const auto& partition : plan->partitions) {
      if (paths.size() >= max_records) break;
      paths.push_back(partition.path);
    }
    auto records = RunJournal::ReadRecords(run_dir, paths);
    for (const auto& path : paths) {
      auto record = records.ok() ? records->at(path)
                                 : arrow::Result<std::optional<PartitionRecord>>(records.status());
      if (!record.ok()) {
        states["unreadable"]++;
        continue;
      }
      if (!*record) {
        ++unrecorded;
        continue;
      }
      const PartitionRecord& r = **record;
      states[StateName(r.state)]++;
      if (!r.pending_delete.empty()) {
        ++awaiting_grace;
        grace_until = std::max(grace_until, r.delete_after_unix);
      }
    }
    if (unrecorded > 0) states["planned, nothing visible"] += unrecorded;
    auto updates = RunJournal::ReadCatalogUpdates(run_dir);
    const std::string scope = plan->scope.empty() ? "" : " (" + plan->scope + ")";
    if (updates.ok() && *updates) {
      run.state = "deferred catalog update" + scope;
      run.detail = std::to_string((*updates)->size()) +
                   " catalog update(s) recorded; `s3-compaction commit` applies them";
    } else if (awaiting_grace > 0 && awaiting_grace == static_cast<int64_t>(states["done"])) {
      run.state = "originals awaiting their grace period" + scope;
      run.detail = std::to_string(awaiting_grace) + " partition(s)' originals are deleted by the "
                   "first run after " + IsoUtc(grace_until);
    } else {
      run.state = "half done" + scope;
      run.detail = StatesOf(states) + "; the next run (or `s3-compaction recover`) finishes or "
                   "undoes it";
    }
    if (plan->partitions.size() > max_records && notes) {
      notes->push_back("run " + run_id + ": the states of its first " + std::to_string(max_records) +
                       " partitions only");
    }
    pending.push_back(std::move(run));
  }
  for (const auto& run_id : folders.plan_lost) {
    pending.push_back({run_id, "plan lost", 0,
                       std::string("its ") + std::string(RunLayout::kPlanName) +
                           " is missing beside its records; the next run (or `s3-compaction "
                           "recover`) settles its outputs by name and content"});
  }
  constexpr size_t kMaxAbandoned = 20;
  for (size_t i = 0; i < folders.abandoned.size() && i < kMaxAbandoned; ++i) {
    pending.push_back({folders.abandoned[i], "abandoned", 0,
                       "a run that stopped while writing its plan; the next run removes it"});
  }
  if (folders.abandoned.size() > kMaxAbandoned && notes) {
    notes->push_back(std::to_string(folders.abandoned.size() - kMaxAbandoned) +
                     " more abandoned run folder(s) not listed");
  }
  return pending;
}

arrow::Result<std::vector<LeaseState>> PendingWork::Leases(const RunLayout& layout) {
  ARROW_ASSIGN_OR_RAISE(auto listed, ListFolder(layout.ToolFolder()));
  std::vector<LeaseState> leases;
  for (const auto& entry : listed) {
    const std::string name(BaseName(entry.path()));
    if (!RunLayout::LeaseScope(name)) continue;
    LeaseState lease;
    lease.name = name;
    constexpr int64_t kMaxLeaseBytes = 64 * 1024;  // a lease is a few hundred bytes
    if (!entry.IsFile()) {
      lease.problem = "not a file: it blocks every run until removed";
      leases.push_back(std::move(lease));
      continue;
    }
    if (entry.size() > kMaxLeaseBytes) {
      lease.problem = std::to_string(entry.size()) + " bytes: not a lease";
      leases.push_back(std::move(lease));
      continue;
    }
    auto text = ReadWholeFile(Location{layout.ToolFolder().fs, entry.path()});
    if (!text.ok()) {
      lease.problem = text.status().message();
    } else if (!*text) {
      continue;  // released since listed
    } else {
      auto holder = TableLease::Holder::FromJson(**text);
      if (!holder.ok()) {
        lease.problem = holder.status().message();
      } else {
        lease.run_id = holder->run_id;
        lease.holder = "host " + holder->host + ", pid " + std::to_string(holder->pid);
        lease.expires_at = IsoUtc(holder->expires_unix);
        lease.live = holder->expires_unix > NowUnix() && !holder->ProcessIsGone();
      }
    }
    leases.push_back(std::move(lease));
  }
  return leases;
}

}  // namespace s3c
