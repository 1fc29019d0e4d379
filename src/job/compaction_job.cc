#include "job/compaction_job.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "commit/catalog_step.h"
#include "commit/commit_queue.h"
#include "commit/deferred_commit.h"
#include "commit/partition_committer.h"
#include "commit/request_estimate.h"
#include "commit/statistics_refresh.h"
#include "execute/partition_scheduler.h"
#include "execute/sort/spill_directory.h"
#include "plan/planner.h"
#include "plan/waves.h"
#include "report/progress_bar.h"
#include "report/stage_clock.h"
#include "report/summary_builder.h"
#include "util/clock.h"
#include "util/error_kind.h"
#include "util/fault_point.h"
#include "util/logging.h"
#include "util/version.h"

namespace s3c {
namespace {


JournalPlan JournalPlanOf(const std::vector<PartitionRun>& partitions, const RunContext& run) {
  JournalPlan journal;
  journal.run_id = run.layout.run_id();
  journal.table = run.table.name;
  journal.table_location = run.table.location.uri();
  journal.staging_root = run.layout.StagingRoot().uri();
  journal.archive_root = run.layout.ArchiveRoot().uri();
  journal.policy = run.originals.JournalName();
  journal.repoint = run.repoint;
  journal.delete_grace_minutes = run.originals.delete_after_minutes;
  journal.scope = run.scope;
  for (const auto& partition_run : partitions) {
    const PartitionPlan& p = partition_run.plan;
    if (p.action != PartitionAction::kCompact && p.action != PartitionAction::kCopy) continue;
    JournalPartition partition{p.partition.path, p.partition.location.uri(), p.output_dir.uri(), {}};
    std::map<std::string, const InputFile*> by_path;
    for (const auto& f : p.files) by_path[f.info.path()] = &f;
    for (const auto& original : PartitionPublisher::Originals(p)) {
      const InputFile& f = *by_path.at(original.path);
      partition.inputs.push_back(
          {original.uri(), f.info.size(), MtimeNs(f.info), "", f.device, f.inode});
    }
    journal.partitions.push_back(std::move(partition));
  }
  return journal;
}

// A partition planned again (its deferred footers differed from its sample) must remove exactly
// the originals the journal's plan names, which recovery goes by: otherwise it is left alone.
void KeepJournaledInputs(const std::vector<PartitionRun>& planned, PartitionPlan& replanned) {
  if (replanned.action != PartitionAction::kCompact && replanned.action != PartitionAction::kCopy) {
    return;
  }
  auto names = [](const PartitionPlan& p) {
    std::set<std::string> out;
    for (const auto& original : PartitionPublisher::Originals(p)) out.insert(original.path);
    return out;
  };
  for (const auto& before : planned) {
    if (before.plan.partition.path != replanned.partition.path) continue;
    if (names(before.plan) != names(replanned)) {
      replanned.action = PartitionAction::kFail;
      replanned.reason = "planned again from every footer, it would rewrite other files than "
                         "its journal names; left as it is (the next run plans it afresh)";
    }
    return;
  }
}

// A partition this run will not compact, failed with `reason`.
PartitionPlan Refused(const Partition& partition, std::string reason) {
  PartitionPlan plan;
  plan.partition = partition;
  plan.action = PartitionAction::kFail;
  plan.reason = std::move(reason);
  return plan;
}

// Partitions a catalog registered at one folder, or one inside another's, cannot be compacted
// as partitions: each would take, publish over and remove the other's files. They are taken
// out of `partitions` and refused, all of them, with the reason.
std::vector<PartitionPlan> RefuseShared(std::vector<Partition>& partitions) {
  std::map<std::string, std::vector<std::string>> at;  // location -> partition paths
  for (const auto& p : partitions) at[p.location.uri()].push_back(p.path);
  std::map<std::string, std::string> shared;  // partition path -> the other
  for (const auto& p : partitions) {
    const auto& here = at[p.location.uri()];
    if (here.size() > 1) shared[p.path] = here.front() == p.path ? here.back() : here.front();
    // A partition inside another's folder: look up every folder above it.
    for (std::string up = p.location.uri(); up.rfind('/') != std::string::npos;) {
      up.resize(up.rfind('/'));
      if (auto it = at.find(up); it != at.end()) {
        shared[p.path] = it->second.front();
        for (const auto& outer : it->second) shared[outer] = p.path;
      }
    }
  }
  std::vector<PartitionPlan> refused;
  std::erase_if(partitions, [&](const Partition& p) {
    auto it = shared.find(p.path);
    if (it == shared.end()) return false;
    refused.push_back(Refused(p, "its location " + p.location.uri() + " is also, or holds, the "
                                 "folder of partition " + it->second + "; left alone (give each "
                                 "partition a folder of its own)"));
    return true;
  });
  return refused;
}

bool Writes(const PartitionPlan& p) {
  return p.action == PartitionAction::kCompact || p.action == PartitionAction::kCopy;
}

// The input files of each item, in scheduling order, -1 for one with nothing to write: what
// fixes the commit batches (CommitQueue::Plan).
std::vector<int64_t> BatchFiles(const std::vector<PartitionScheduler::Item>& items) {
  std::vector<int64_t> files;
  for (const auto& item : items) {
    files.push_back(Writes(*item.plan) ? item.plan->InputFiles() : -1);
  }
  return files;
}

// The partitions the partition and byte limits leave for a later run, taken out of `partitions`
// before anything is journaled (RunBudget::Select).
// The partitions' plans, by address (a plan holds every file of its partition: never copied).
std::vector<const PartitionPlan*> PlansOf(const std::vector<PartitionRun>& partitions) {
  std::vector<const PartitionPlan*> plans;
  for (const auto& p : partitions) plans.push_back(&p.plan);
  return plans;
}

std::vector<PartitionRun> TakeDeferred(const RunBudget& budget,
                                       std::vector<PartitionRun>& partitions,
                                       std::vector<std::string>* notes) {
  if (!budget.limits().any()) return {};
  auto deferrals = budget.Select(PlansOf(partitions), notes);
  std::vector<PartitionRun> kept, deferred;
  for (size_t i = 0; i < partitions.size(); ++i) {
    partitions[i].deferral = std::move(deferrals[i]);
    (partitions[i].deferral ? deferred : kept).push_back(std::move(partitions[i]));
  }
  partitions = std::move(kept);
  return deferred;
}

void SortByPartition(std::vector<PartitionOutcome>& outcomes) {
  std::sort(outcomes.begin(), outcomes.end(), [](const PartitionOutcome& a, const PartitionOutcome& b) {
    return a.partition < b.partition;
  });
}

// The waves a run (or a dry run) takes `partitions` in: one with a limit, which chooses among
// them all.
std::vector<std::pair<size_t, size_t>> WavesOf(const RunContext& run,
                                               const std::vector<Partition>& partitions) {
  if (!run.budget.limits().any()) return Waves::Cut(Waves::FilesOf(partitions), run.wave_files);
  if (partitions.empty()) return {};
  return {{0, partitions.size()}};
}

}  // namespace

struct CompactionJob::Recovered {
  RecoveryReport report;
  std::vector<std::string> notes;  // of the deferred commit
  size_t deferred_updates = 0, deferred_failed = 0;
  std::string deferred;  // DeferredCommit::Outcome::Describe()
};

void CompactionJob::SweepAbandoned(const RunContext& run, const RunJournal::RunFolders& folders) {
  // Under the whole table's lease no run can still be writing: on local disk, a staging folder
  // of no journaled run (a cleanup that failed after its files were gone) is litter. (Run
  // folders without a plan are recovery's: their run's outputs are looked for first.)
  const std::vector<std::string> runs = folders.WithJournal();
  std::set<std::string> journaled(runs.begin(), runs.end());
  for (const Location& root : {run.table.location, run.layout.output_root()}) {
    if (root.is_s3()) continue;  // S3 has no folders; staged files are found from journals
    const Location staging = root.Child(std::string(RunLayout::kToolFolder) + "/staging");
    auto listed = ListFolder(staging);
    if (!listed.ok()) continue;
    for (const auto& entry : *listed) {
      const std::string name(BaseName(entry.path()));
      if (!entry.IsDirectory() || !RunLayout::IsRunId(name) || journaled.count(name)) continue;
      const Location folder{staging.fs, entry.path()};
      if (file_systems_.DeleteFolder(folder).ok()) {
        FileSystems::RemoveEmptyFolders(folder, RunLayout::kToolFolder);
      }
    }
  }
}

void CompactionJob::Fence(const RunContext& run) {
  for (const auto& folder : run.fence) file_systems_.AllowDeletesUnder(folder);
}

JournalTrust::CatalogLocations CompactionJob::CatalogLocationsOf(Catalog& catalog,
                                                                 const Table& table) {
  if (!catalog.RecordsLocations()) return nullptr;
  // Listed at most once per caller, when first asked: each step gets its own, so recovery sees
  // what the deferred commit just changed.
  auto cache = std::make_shared<std::map<std::string, std::string>>();
  auto listed = std::make_shared<bool>(false);
  return [this, &catalog, &table, cache,
          listed]() -> arrow::Result<const std::map<std::string, std::string>*> {
    if (!*listed) {
      ARROW_ASSIGN_OR_RAISE(auto listing, catalog.ListPartitions(table, PartitionPredicate::All()));
      for (const auto& p : listing.partitions) {
        (*cache)[p.path] = p.location.uri();
        file_systems_.AllowDeletesUnder(p.location);  // the catalog names it: ours to tend
      }
      *listed = true;
    }
    return cache.get();
  };
}

RunSummary CompactionJob::SummaryHeader(const RunContext& run) const {
  RunSummary summary;
  summary.version = kVersion;
  summary.run_id = run.layout.run_id();
  summary.table = run.table.name;
  summary.target = run.TargetUri();
  summary.shard = run.shard ? run.shard->ToString() : "";
  summary.dry_run = run.dry_run();
  summary.target_file_bytes = options_.target_file_bytes;
  summary.originals = run.originals.SummaryName();
  summary.limits = run.budget.Describe();
  summary.sort_by = options_.sort ? options_.sort->ToString() : "";
  if (run.clock) summary.started_at = run.clock->StartedAt();
  if (run.originals.action == OriginalsAction::kArchive) {
    summary.archive = run.layout.ArchiveRoot().uri();
  }
  return summary;
}

arrow::Result<CompactionJob::Recovered> CompactionJob::RecoverEarlierRuns(Catalog& catalog,
                                                                         const RunContext& run) {
  StageClock::Scope recovery(run.clock.get(), Stage::kRecovery);
  Recovered out;
  ARROW_ASSIGN_OR_RAISE(auto folders, RunJournal::ListRunFolders(run.layout.RunsDir()));
  if (run.scope.empty()) SweepAbandoned(run, folders);
  std::vector<std::string> runs = folders.runs;  // listed once for both steps
  // A run over the whole table finishes runs made with --update_catalog deferred whose commit
  // never came, as `commit` would (a shard leaves them: they may not be its own).
  if (run.scope.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto deferred, DeferredCommit(catalog, run.table, run.layout,
                                                        file_systems_,
                                                        CatalogLocationsOf(catalog, run.table))
                                             .Apply(runs));
    if (deferred.updates > 0) out.notes.push_back(deferred.Describe());
    out.notes.insert(out.notes.end(), deferred.notes.begin(), deferred.notes.end());
    out.deferred_updates = deferred.updates;
    out.deferred_failed = deferred.failed;
    out.deferred = deferred.Describe();
  }
  auto report = RunRecovery(file_systems_, run.layout, run.io_threads,
                            CatalogLocationsOf(catalog, run.table), run.scope)
                    .RecoverAll(std::move(folders));
  if (!report.ok()) return WithKind(report.status(), ErrorKind::kInput);
  out.report = std::move(report).ValueOrDie();
  if (!run.defer_catalog) {
    auto lines = StatisticsRefresh::Run(catalog, run.table, file_systems_,
                                        out.report.settled_in_place);
    out.report.lines.insert(out.report.lines.end(), lines.begin(), lines.end());
  }
  for (const auto& line : out.report.lines) log::Info("recovered: ", line);
  return out;
}

std::optional<PartitionOutcome> CompactionJob::RecoveryFailed(const Recovered& recovered,
                                                              bool whole) {
  const RecoveryReport& report = recovered.report;
  std::vector<std::string> what;
  if (whole && recovered.deferred_failed > 0) {
    what.push_back(std::to_string(recovered.deferred_failed) + " catalog update(s) failed");
  }
  if (whole && report.failures > 0) {
    what.push_back(std::to_string(report.failures) + " partition(s) could not be settled; the "
                   "journal keeps them for the next run");
  }
  if (report.folders_left > 0) {
    what.push_back(std::to_string(report.folders_left) + " settled run folder(s) could not be "
                   "removed (the recovery lines say which; remove them by hand)");
  }
  if (what.empty()) return std::nullopt;
  if (whole && report.stop) what.push_back(*report.stop);
  PartitionOutcome failed;
  failed.partition = "(recovery)";
  failed.status = PartitionStatus::kFailed;
  for (const auto& piece : what) failed.reason += (failed.reason.empty() ? "" : "; ") + piece;
  return failed;
}

arrow::Result<CompactionJob::Selection> CompactionJob::Select(Catalog& catalog,
                                                              const RunContext& run,
                                                              RunTransaction* transaction,
                                                              const RecoveryReport& recovered) {
  PartitionListing listing;
  {
    StageClock::Scope listing_time(run.clock.get(), Stage::kListing);
    // Past a wave's files, partitions come with their count only and each wave lists its own
    // again: what the run holds is a wave's, however large the table. With a limit the run
    // chooses among every partition's files: it keeps them all.
    if (!run.budget.limits().any()) catalog.KeepListedFilesUpTo(run.wave_files);
    ARROW_ASSIGN_OR_RAISE(listing, catalog.ListPartitions(run.table, options_.predicate));
    ARROW_RETURN_NOT_OK(CheckReportOutside(run, listing.partitions));
    if (transaction) {
      auto clear = transaction->exclusion().CheckBelow(listing.tool_folders);
      if (!clear.ok()) return WithKind(clear, ErrorKind::kInput);
    }
  }
  StageClock::Scope planning(run.clock.get(), Stage::kPlanning);
  Selection out;
  // Refused before the shard's share is taken: shards decide alike.
  out.refused = RefuseShared(listing.partitions);
  if (run.shard) {
    const size_t selected = listing.partitions.size();
    std::erase_if(listing.partitions, [&](const Partition& p) { return !run.shard->Owns(p.path); });
    std::erase_if(out.refused, [&](const PartitionPlan& p) { return !run.shard->Owns(p.partition.path); });
    log::Info("shard ", run.shard->ToString(), ": ", listing.partitions.size(), " of ", selected,
              " selected partition(s)");
  }
  log::Info("table ", run.table.name, ": ", listing.partitions.size(), " partition(s) selected");
  std::erase_if(listing.partitions, [&](const Partition& p) {
    auto it = recovered.blocked.find(p.path);
    if (it == recovered.blocked.end()) return false;
    out.refused.push_back(Refused(p, "not compacted: " + it->second));
    return true;
  });
  for (const auto& p : listing.partitions) file_systems_.AllowDeletesUnder(p.location);
  if (transaction && catalog.RecordsLocations()) {
    std::vector<Location> locations;
    for (const auto& p : listing.partitions) locations.push_back(p.location);
    ARROW_RETURN_NOT_OK(transaction->HoldPartitions(locations));
  }
  out.partitions = std::move(listing.partitions);
  out.notes = std::move(listing.notes);
  out.list_requests = listing.list_requests;
  return out;
}

arrow::Result<CompactionPlan> CompactionJob::PlanWave(const RunContext& run,
                                                      RunTransaction* transaction,
                                                      std::vector<Partition> partitions) {
  StageClock::Scope planning(run.clock.get(), Stage::kPlanning);
  ProgressBar progress(run.progress);
  int64_t files = 0;
  for (const auto& p : partitions) files += p.files ? static_cast<int64_t>(p.files->size()) : 0;
  progress.Start("reading footers", files, /*bytes=*/false);
  PlannerOptions planner = run.planner;
  planner.on_file_inspected = [&] { progress.Advance(1); };
  PartitionListing listing;
  listing.partitions = std::move(partitions);
  ARROW_ASSIGN_OR_RAISE(CompactionPlan plan, Planner(planner).Plan(run.table, std::move(listing)));
  progress.Finish();
  if (transaction) {
    // A partition folder holding another run's tool folder (found as the planner listed it).
    std::vector<Location> inside;
    for (const auto& p : plan.partitions) {
      if (p.holds_tool_folder) inside.push_back(p.partition.location.Child(RunLayout::kToolFolder));
    }
    auto clear = transaction->exclusion().CheckBelow(inside);
    if (!clear.ok()) return WithKind(clear, ErrorKind::kInput);
  }
  return plan;
}

arrow::Result<std::vector<std::string>> CompactionJob::Execute(
    Catalog& catalog, const RunContext& run, RunTransaction& transaction,
    std::vector<PartitionRun>& partitions) {
  // The journal is written before the first visible change, so a crash at any later step can
  // be finished or undone by the next run.
  const bool later_wave = transaction.journal() != nullptr;
  auto begun = transaction.Begin(JournalPlanOf(partitions, run));
  if (!begun.ok() && !later_wave) {
    return WithKind(begun.WithMessage(begun.message(), "; nothing changed"), ErrorKind::kInput);
  }
  if (!begun.ok()) {
    // The waves before are committed and stay so; this one is left exactly as it is.
    for (auto& p : partitions) {
      if (!Writes(p.plan)) continue;
      p.committed = true;
      p.commit.status = PartitionStatus::kFailed;
      p.commit.reason = "its wave's plan could not be journaled (" + begun.message() +
                        "); left as it was";
      log::Error("partition ", PartitionName(p.plan.partition.path), ": ", p.commit.reason);
    }
    return std::vector<std::string>{};
  }
  FaultPoint::Hit("after_plan");
  PartitionPublisher publisher(run.layout, file_systems_, run.originals.action, run.io_threads);
  PartitionCommitter committer(publisher, file_systems_, *transaction.journal(),
                               &transaction.lease(), run.commit);
  ProgressBar progress(run.progress);
  int64_t bytes = 0;
  // With a runtime limit, partitions run by benefit, so that the ones left are the least
  // worth it; otherwise in path order.
  std::vector<size_t> order;
  if (run.budget.limits().max_runtime_minutes > 0) order = RunBudget::ByBenefit(PlansOf(partitions));
  std::vector<bool> ordered(partitions.size(), false);
  for (size_t i : order) ordered[i] = true;
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (!ordered[i]) order.push_back(i);
  }
  std::vector<PartitionScheduler::Item> items;
  for (size_t i : order) {
    PartitionRun& p = partitions[i];
    if (p.plan.action == PartitionAction::kCompact) bytes += p.plan.InputBytes();
    items.push_back({&p.plan, &p.write});
  }
  progress.Start("compacting", bytes, /*bytes=*/true);
  auto replan = [&](std::vector<Partition> again) -> arrow::Result<std::vector<PartitionPlan>> {
    StageClock::Scope planning(run.clock.get(), Stage::kPlanning);
    PlannerOptions every_footer = run.planner;
    every_footer.defer_footers_up_to = 0;
    PartitionListing listing;
    listing.partitions = std::move(again);
    ARROW_ASSIGN_OR_RAISE(CompactionPlan plan, Planner(every_footer).Plan(run.table, std::move(listing)));
    for (PartitionPlan& replanned : plan.partitions) KeepJournaledInputs(partitions, replanned);
    return std::move(plan.partitions);
  };
  // Partitions commit in batches, on the queue's own thread, as a batch's last partition is
  // written: a batch's journal records are one object, its lease confirmations one a step.
  CommitQueue queue(
      [&](const std::vector<size_t>& batch) {
        std::vector<CommitItem> items;
        for (size_t item : batch) {
          PartitionRun& p = partitions[order[item]];
          p.rows_instead = p.write.rows_instead;  // the write is handed to the committer
          p.sort = p.write.sort;
          items.push_back({&p.plan, std::move(p.write)});
        }
        std::vector<CommitResult> results = committer.CommitBatch(std::move(items));
        for (size_t k = 0; k < batch.size(); ++k) {
          PartitionRun& p = partitions[order[batch[k]]];
          p.commit = std::move(results[k]);
          p.committed = true;
          if (p.commit.status == PartitionStatus::kFailed) {
            log::Error("partition ", PartitionName(p.plan.partition.path), ": ", p.commit.reason);
          }
        }
      },
      BatchFiles(items));
  auto commit = [&](size_t item) { queue.Add(item); };
  PartitionScheduler::MayStart may_start;
  if (run.budget.limits().max_runtime_minutes > 0) {
    may_start = [&](int64_t started) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - run.started;
      return run.budget.MayStart(elapsed.count(), started);
    };
  }
  PartitionScheduler scheduler(run.layout, run.execute, run.parallelism, file_systems_, progress);
  auto scheduled = scheduler.Run(items, replan, commit, may_start);
  queue.Close();  // every partition handed over is committed
  ARROW_RETURN_NOT_OK(scheduled);
  progress.Finish();
  for (auto& p : partitions) {
    if (p.write.deferred) p.deferral = run.budget.OutOfTime(p.plan);
  }
  std::vector<std::string> notes;
  if (catalog.RecordsLocations()) {
    StageClock::Scope catalog_time(run.clock.get(), Stage::kCatalog);
    notes = CatalogStep(catalog, committer, transaction, file_systems_,
                        {run.repoint, !run.target_root, run.defer_catalog})
                .Run(partitions);
  }
  for (const auto& p : partitions) {
    const CommitResult& c = p.commit;
    // A partition that failed after changing something keeps the journal for the next run;
    // so does one awaiting its grace period or `commit`.
    if (c.journal_pending || c.originals_pending ||
        (c.status == PartitionStatus::kFailed && !c.published.files.empty())) {
      transaction.KeepJournal();
    }
  }
  return notes;
}

arrow::Result<RunSummary> CompactionJob::DryRun(Catalog& catalog, const RunContext& run,
                                                const RequestCounts& requests_before) {
  // Planned in waves as the run would (what it holds is one wave's), and estimated wave by
  // wave; what a run would list and read to plan, the dry run just did: counted, not estimated.
  ARROW_ASSIGN_OR_RAISE(Selection selection, Select(catalog, run, nullptr, {}));
  RunSummary summary = SummaryHeader(run);
  summary.notes = std::move(selection.notes);
  for (const auto& p : PartitionRun::FromPlans(std::move(selection.refused))) {
    summary.partitions.push_back(SummaryBuilder::Planned(p));
  }
  RequestEstimate estimate(run.layout, run.commit,
                           {.runs = catalog.RecordsLocations() && (run.repoint || !run.target_root),
                            .deferred = run.defer_catalog});
  for (const auto& [begin, end] : WavesOf(run, selection.partitions)) {
    std::vector<Partition> in_wave(std::make_move_iterator(selection.partitions.begin() + begin),
                                   std::make_move_iterator(selection.partitions.begin() + end));
    ARROW_ASSIGN_OR_RAISE(CompactionPlan plan, PlanWave(run, nullptr, std::move(in_wave)));
    summary.notes.insert(summary.notes.end(), plan.notes.begin(), plan.notes.end());
    std::vector<PartitionRun> partitions = PartitionRun::FromPlans(std::move(plan.partitions));
    std::vector<PartitionRun> deferred = TakeDeferred(run.budget, partitions, &summary.notes);
    estimate.AddWave(PlansOf(partitions));
    for (const auto& p : partitions) summary.partitions.push_back(SummaryBuilder::Planned(p));
    for (const auto& p : deferred) summary.partitions.push_back(SummaryBuilder::Planned(p));
  }
  summary.requests = estimate.Total(file_systems_.requests()->Counts().Since(requests_before));
  SortByPartition(summary.partitions);
  summary.seconds = run.clock->Seconds();
  summary.stages = run.clock->Stages();
  return summary;
}

void CompactionJob::Conclude(const RunContext& run, const RequestCounts& requests_before,
                             RunSummary& summary) const {
  summary.seconds = run.clock->Seconds();
  summary.stages = run.clock->Stages();
  summary.requests = file_systems_.requests()->Counts().Since(requests_before);
}

namespace {

LeasePolicy Lease(const CompactionOptions& options) {
  return LeasePolicy{.force_unlock = options.force_unlock,
                     .accept_unconditional_store = options.accept_unconditional_store};
}

}  // namespace

arrow::Result<RunSummary> CompactionJob::Run(Catalog& catalog) {
  auto clock = std::make_shared<StageClock>();
  const RequestCounts requests_before = file_systems_.requests()->Counts();
  ARROW_ASSIGN_OR_RAISE(Table table, catalog.LoadTable());
  ARROW_ASSIGN_OR_RAISE(RunContext run,
                        ResolveRun(options_, std::move(table), catalog.RecordsLocations(),
                                   file_systems_, RunLayout::NewRunId(),
                                   static_cast<int>(std::thread::hardware_concurrency())));
  run.UseClock(std::move(clock));
  Fence(run);
  if (run.dry_run()) return DryRun(catalog, run, requests_before);
  ARROW_ASSIGN_OR_RAISE(auto transaction, RunTransaction::Open(run.layout, run.scope,
                                                               Lease(options_), file_systems_));
  if (options_.sort) {
    // Spill folders of sorting runs killed before they could remove them.
    auto swept = SweepStaleSpill(run.execute.spill_path);
    if (swept.ok() && *swept > 0) log::Info("removed ", *swept, " stale spill folder(s) in ", run.execute.spill_path);
  }
  ARROW_ASSIGN_OR_RAISE(Recovered recovered, RecoverEarlierRuns(catalog, run));
  if (recovered.report.stop) return WithKind(arrow::Status::Invalid(*recovered.report.stop), ErrorKind::kInput);
  ARROW_ASSIGN_OR_RAISE(Selection selection,
                        Select(catalog, run, transaction.get(), recovered.report));
  RunSummary summary = SummaryHeader(run);
  summary.recovered = recovered.notes;
  summary.recovered.insert(summary.recovered.end(), recovered.report.lines.begin(), recovered.report.lines.end());
  summary.notes = std::move(selection.notes);
  // A wave at a time: planned, journaled (its plan before its first visible change) and
  // committed before the next is planned, so that the run holds one wave's plan. With a limit
  // the run is one wave: what it takes is chosen from every partition.
  const auto waves = WavesOf(run, selection.partitions);
  if (waves.size() > 1) {
    log::Info(selection.partitions.size(), " partition(s) in ", waves.size(), " waves of at most ",
              run.wave_files, " input files");
  }
  std::vector<PartitionRun> refused = PartitionRun::FromPlans(std::move(selection.refused));
  for (const auto& p : refused) summary.partitions.push_back(SummaryBuilder::Finished(p));
  for (size_t w = 0; w < waves.size(); ++w) {
    const auto [begin, end] = waves[w];
    std::vector<Partition> in_wave(std::make_move_iterator(selection.partitions.begin() + begin),
                                   std::make_move_iterator(selection.partitions.begin() + end));
    ARROW_ASSIGN_OR_RAISE(CompactionPlan plan, PlanWave(run, transaction.get(), std::move(in_wave)));
    summary.notes.insert(summary.notes.end(), plan.notes.begin(), plan.notes.end());
    std::vector<PartitionRun> partitions = PartitionRun::FromPlans(std::move(plan.partitions));
    std::vector<PartitionRun> deferred = TakeDeferred(run.budget, partitions, &summary.notes);
    if (std::any_of(partitions.begin(), partitions.end(), [](const PartitionRun& p) { return Writes(p.plan); })) {
      ARROW_ASSIGN_OR_RAISE(auto notes, Execute(catalog, run, *transaction, partitions));
      summary.notes.insert(summary.notes.end(), notes.begin(), notes.end());
    }
    // What the summary needs of each partition; the wave's plans go.
    for (const auto& p : partitions) summary.partitions.push_back(SummaryBuilder::Finished(p));
    for (const auto& p : deferred) summary.partitions.push_back(SummaryBuilder::Finished(p));
  }
  selection.partitions.clear();
  transaction->Finish();
  // Its partitions' failures are theirs (a partition an earlier run left unsettled is refused
  // above); what else recovery could not finish still wants a person.
  if (auto failed = RecoveryFailed(recovered, /*whole=*/false)) {
    summary.partitions.push_back(*std::move(failed));
  }
  SortByPartition(summary.partitions);
  Conclude(run, requests_before, summary);
  return summary;
}

arrow::Result<RunSummary> CompactionJob::Recover(Catalog& catalog, bool as_commit) {
  auto clock = std::make_shared<StageClock>();
  const RequestCounts requests_before = file_systems_.requests()->Counts();
  ARROW_ASSIGN_OR_RAISE(Table table, catalog.LoadTable());
  ARROW_ASSIGN_OR_RAISE(RunContext run, ResolveRecovery(options_, std::move(table),
                                                        catalog.RecordsLocations(),
                                                        file_systems_, RunLayout::NewRunId()));
  run.UseClock(std::move(clock));
  Fence(run);
  // The whole table's lease: no shard can still be running.
  ARROW_ASSIGN_OR_RAISE(auto transaction,
                        RunTransaction::Open(run.layout, "", Lease(options_), file_systems_));
  ARROW_ASSIGN_OR_RAISE(Recovered recovered, RecoverEarlierRuns(catalog, run));
  transaction->Finish();
  RunSummary summary = SummaryHeader(run);
  summary.dry_run = false;
  summary.recovered = recovered.report.lines;
  summary.notes = recovered.notes;
  if (as_commit && recovered.deferred_updates == 0) {
    summary.notes.insert(summary.notes.begin(), recovered.deferred);
  }
  if (recovered.report.lines.empty() && !as_commit) summary.notes.push_back("nothing to recover");
  if (auto failed = RecoveryFailed(recovered, /*whole=*/true)) {
    failed->partition = as_commit ? "(commit)" : "(recovery)";
    summary.partitions.push_back(*std::move(failed));
  }
  Conclude(run, requests_before, summary);
  return summary;
}

}  // namespace s3c
