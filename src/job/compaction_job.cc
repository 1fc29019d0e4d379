#include "job/compaction_job.h"

#include <algorithm>
#include <map>
#include <set>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "commit/partition_committer.h"
#include "commit/run_journal.h"
#include "commit/run_recovery.h"
#include "commit/table_lease.h"
#include "commit/partition_publisher.h"
#include "execute/group_compactor.h"
#include "execute/plan_mismatch.h"
#include "plan/planner.h"
#include "report/progress_bar.h"
#include "storage/run_layout.h"
#include "util/clock.h"
#include "util/error_kind.h"
#include "util/fault_point.h"
#include "util/human.h"
#include "util/logging.h"
#include "util/parallel_for.h"
#include "util/version.h"

namespace s3c {
namespace {

// What the executor gathers for one partition while its groups are written.
struct PartitionProgress {
  std::mutex mutex;
  size_t groups_left = 0;
  std::vector<WrittenFile> outputs;
  int64_t rows_read = 0;
  RowDigest digest;  // --verify=content
  arrow::Status status;
};

PartitionOutcome OutcomeFromPlan(const PartitionPlan& plan) {
  PartitionOutcome outcome;
  outcome.partition = plan.partition.path;
  outcome.reason = plan.reason;
  outcome.files_before = static_cast<int64_t>(plan.files.size());
  outcome.files_after = outcome.files_before;
  outcome.bytes_before = plan.TotalBytes();
  outcome.bytes_after = outcome.bytes_before;
  outcome.other_files = static_cast<int64_t>(plan.other_files.size());
  if (plan.action == PartitionAction::kFail) {
    // The files could not all be read; count what the listing saw.
    outcome.files_before = static_cast<int64_t>(plan.partition.files ? plan.partition.files->size() : 0);
    outcome.files_after = outcome.files_before;
    outcome.status = PartitionStatus::kFailed;
  } else if (plan.action == PartitionAction::kSkip) {
    outcome.status = PartitionStatus::kSkipped;
  }
  return outcome;
}

// Sweeps this run's staging folder: every staged object should already be gone (published or
// discarded, by name), so on S3 this is one LIST that finds nothing, unless a delete failed.
// False when something is left, for the next run's recovery to sweep.
bool RemoveStaging(const RunLayout& layout, FileSystems& file_systems) {
  Location staging = layout.StagingRoot();
  auto st = file_systems.DeleteFolder(staging);
  if (!st.ok()) {
    log::Warn("could not clear the staging folder ", staging.uri(), " (the next run will): ",
              st.message());
    return false;
  }
  return true;
}

// On local disk, the tool's folders that the run left empty (S3 has no folders). A
// --journal_path the user named stays; only our own _s3_compaction folders go.
void RemoveEmptyToolFolders(const RunLayout& layout) {
  FileSystems::RemoveEmptyFolders(layout.StagingRoot(), RunLayout::kToolFolder);
  FileSystems::RemoveEmptyFolders(layout.RunsDir(), RunLayout::kToolFolder);
}

RequestCounts EstimateRequests(const CompactionPlan& plan, OriginalsPolicy policy) {
  RequestCounts requests;
  requests.list = plan.list_requests;  // a run lists again what planning listed
  constexpr int64_t kPart = 10LL << 20;  // Arrow's S3 multipart part size
  for (const auto& p : plan.partitions) {
    requests.get += static_cast<int64_t>(p.files.size() + p.other_files.size());  // footers
    if (p.action != PartitionAction::kCompact && p.action != PartitionAction::kCopy) continue;
    const bool to_target = !(p.output_dir.path == p.partition.location.path);
    int64_t originals = p.InputFiles() + (to_target ? static_cast<int64_t>(p.kept.size()) : 0);
    requests.get += p.InputFiles();  // each small input is read whole, in one GET
    const int64_t outputs = p.estimated_output_files;
    requests.get += outputs;  // verification reads each output's footer
    int64_t output_bytes = 0;
    for (const auto& g : p.groups) output_bytes += g.estimated_output_bytes;
    requests.put += outputs * 2 + std::max<int64_t>(outputs, output_bytes / kPart);
    requests.copy += outputs + (to_target ? static_cast<int64_t>(p.kept.size()) : 0);
    requests.del += outputs;  // staging copies, after publishing
    if (policy == OriginalsPolicy::kArchive) {
      requests.copy += originals;
      requests.del += originals;
    } else if (policy == OriginalsPolicy::kDelete) {
      requests.del += originals;
    }
  }
  return requests;
}

// --archive_path and --journal_path must not be where readers of the table would look.
arrow::Status CheckOutsidePartitions(const Table& table, const Location& where,
                                     const std::string& flag) {
  if (!table.location.Contains(where)) return arrow::Status::OK();
  std::string_view rel = std::string_view(where.path).substr(table.location.path.size());
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (!rel.empty() && RunLayout::IsHidden(rel)) return arrow::Status::OK();
  return arrow::Status::Invalid(flag, " ", where.uri(), " is inside the table ",
                                table.location.uri(),
                                " where readers would see its files; choose a path outside it, "
                                "or under a folder whose name starts with '_'");
}

JournalPlan JournalPlanOf(const CompactionPlan& plan, const RunLayout& layout,
                          OriginalsPolicy policy, bool repoint, const CompactionOptions& options) {
  JournalPlan journal;
  journal.run_id = layout.run_id();
  journal.table = plan.table.name;
  journal.table_location = plan.table.location.uri();
  journal.staging_root = layout.StagingRoot().uri();
  journal.archive_root = layout.ArchiveRoot().uri();
  journal.policy = options.original_files == OriginalFiles::kDelete ? "delete"
                   : policy == OriginalsPolicy::kArchive            ? "archive"
                                                                    : "keep";
  journal.repoint = repoint;
  journal.delete_grace_minutes =
      options.original_files == OriginalFiles::kDelete ? options.delete_grace_minutes : 0;
  journal.scope = options.shard ? options.shard->Scope() : "";
  for (const auto& p : plan.partitions) {
    if (p.action != PartitionAction::kCompact && p.action != PartitionAction::kCopy) continue;
    JournalPartition partition{p.partition.path, p.partition.location.uri(), p.output_dir.uri(), {}};
    std::map<std::string, const InputFile*> by_path;
    for (const auto& f : p.files) by_path[f.info.path()] = &f;
    for (const auto& original : PartitionPublisher::Originals(p)) {
      const InputFile& f = *by_path.at(original.path);
      partition.inputs.push_back({original.uri(), f.info.size(), MtimeNs(f.info)});
    }
    journal.partitions.push_back(std::move(partition));
  }
  return journal;
}

// Copies the files at `dir` that are not in `known` (paths or URIs: other writers' files, which
// must never be hidden) to `output_dir`, adding each to `outputs` (as a copy: no staged file).
// Returns how many it copied; an error if `dir` cannot be listed or a file cannot be copied (the
// caller then leaves the partition where it was).
arrow::Result<int> CarryFiles(const Location& dir, const Location& output_dir,
                              const std::set<std::string>& known,
                              std::vector<JournalOutput>* outputs, Published* published) {
  arrow::fs::FileSelector selector;
  selector.base_dir = dir.path;
  selector.allow_not_found = true;
  ARROW_ASSIGN_OR_RAISE(auto listed, dir.fs->GetFileInfo(selector));
  std::set<std::string> carried_already;
  for (const auto& o : *outputs) carried_already.insert(o.source);
  int carried = 0;
  for (const auto& info : listed) {
    Location from{dir.fs, info.path()};
    if (info.type() != arrow::fs::FileType::File || known.count(info.path()) ||
        known.count(from.uri()) || carried_already.count(from.uri()) ||
        RunLayout::IsHidden(BaseName(info.path()))) {
      continue;
    }
    Location to = output_dir.Child(BaseName(info.path()));
    auto copied = from.fs->CopyFile(from.path, to.path);
    if (!copied.ok()) {
      return copied.WithMessage("cannot carry ", from.uri(), ", written during the run, to ",
                                to.uri(), ": ", copied.message());
    }
    if (published) {
      published->files.push_back(to);
      published->bytes += info.size();
    }
    outputs->push_back({"", from.uri(), to.uri(), info.size(), -1});
    ++carried;
  }
  return carried;
}

// CarryFiles for a partition this run repoints: everything it planned is known.
arrow::Result<int> CarryNewcomers(const PartitionPlan& p, CommitResult& commit,
                                  RunJournal* journal) {
  std::set<std::string> known;
  for (const auto& f : p.files) known.insert(f.info.path());
  for (const auto& f : p.other_files) known.insert(f.path());
  ARROW_ASSIGN_OR_RAISE(int carried, CarryFiles(p.partition.location, p.output_dir, known,
                                                &commit.journal_outputs, &commit.published));
  if (carried > 0 && journal) {
    PartitionRecord record;
    record.state = PartitionState::kPublished;
    record.outputs = commit.journal_outputs;
    ARROW_RETURN_NOT_OK(journal->Record(p.partition.path, record));
  }
  return carried;
}

// Where the catalog says each partition is now, for recovering a run that was repointing.
RunRecovery::CatalogLocations CatalogLocationsOf(Catalog& catalog, const Table& table) {
  if (!catalog.RecordsLocations()) return nullptr;
  return [&catalog, &table]() -> arrow::Result<std::map<std::string, std::string>> {
    ARROW_ASSIGN_OR_RAISE(auto listing, catalog.ListPartitions(table, PartitionPredicate::All()));
    std::map<std::string, std::string> locations;
    for (const auto& p : listing.partitions) locations[p.path] = p.location.uri();
    return locations;
  };
}

}  // namespace

arrow::Result<RunSummary> CompactionJob::Run(Catalog& catalog) {
  const auto started = std::chrono::steady_clock::now();
  const int parallelism = options_.parallelism > 0
                              ? options_.parallelism
                              : std::max(1u, std::thread::hardware_concurrency());

  // table
  ARROW_ASSIGN_OR_RAISE(Table table, catalog.LoadTable());
  ARROW_RETURN_NOT_OK(WithKind(options_.predicate.Validate(table.KeyNames()), ErrorKind::kUsage));

  std::optional<Location> target_root;
  if (!options_.target_path.empty()) {
    ARROW_ASSIGN_OR_RAISE(Location target, file_systems_.Resolve(options_.target_path));
    if (target.fs->type_name() == table.location.fs->type_name() &&
        target.path == table.location.path) {
      log::Info("--target_s3_path is the table's own location: compacting in place");
    } else if (table.location.Contains(target) || target.Contains(table.location)) {
      return WithKind(arrow::Status::Invalid("--target_s3_path ", target.uri(),
                                             " overlaps the table at ", table.location.uri(),
                                             "; choose a location outside it"),
                      ErrorKind::kUsage);
    } else {
      target_root = target;
    }
  }
  std::optional<Location> archive_root;
  if (!options_.archive_path.empty()) {
    ARROW_ASSIGN_OR_RAISE(Location archive, file_systems_.Resolve(options_.archive_path));
    ARROW_RETURN_NOT_OK(
        WithKind(CheckOutsidePartitions(table, archive, "--archive_path"), ErrorKind::kUsage));
    archive_root = archive;
  }
  // Deletion with a grace period keeps the originals out of readers' way now (archived in
  // place, left behind at a target) and deletes them in a later run, from the journal.
  const bool delete_now = options_.original_files == OriginalFiles::kDelete &&
                          options_.delete_grace_minutes <= 0;
  const OriginalsPolicy policy = delete_now    ? OriginalsPolicy::kDelete
                                 : target_root ? OriginalsPolicy::kKeep
                                               : OriginalsPolicy::kArchive;
  std::optional<Location> journal_root;
  if (!options_.journal_path.empty()) {
    ARROW_ASSIGN_OR_RAISE(Location journal, file_systems_.Resolve(options_.journal_path));
    ARROW_RETURN_NOT_OK(WithKind(CheckOutsidePartitions(table, journal, "--journal_path"),
                                 ErrorKind::kUsage));
    journal_root = journal;
  }
  RunLayout layout(RunLayout::NewRunId(), table.location,
                   target_root ? *target_root : table.location, archive_root, journal_root);
  // With a catalog that records locations, a partition written to a target is repointed there,
  // and its originals may go only once the catalog says so.
  const bool repoint = catalog.RecordsLocations() && target_root && options_.update_catalog;
  if (catalog.RecordsLocations() && target_root && !options_.update_catalog &&
      options_.original_files == OriginalFiles::kDelete) {
    return WithKind(arrow::Status::Invalid(
                        "--delete_original_files=true with --update_catalog=false would leave "
                        "the catalog pointing at deleted files"),
                    ErrorKind::kUsage);
  }

  // The delete fence: nothing outside these is ever deleted or moved away.
  file_systems_.AllowDeletesUnder(table.location);
  if (target_root) file_systems_.AllowDeletesUnder(*target_root);
  file_systems_.AllowDeletesUnder(layout.ArchiveRoot());
  file_systems_.AllowDeletesUnder(layout.JournalRoot());

  // One run at a time per table; it first finishes whatever an earlier run left half done.
  // Shards of one N each hold a lease of their own, side by side.
  const std::string scope = options_.shard ? options_.shard->Scope() : "";
  std::unique_ptr<TableLease> lease;
  RecoveryReport recovered;
  if (options_.mode != RunMode::kDryRun) {
    ARROW_ASSIGN_OR_RAISE(lease, AcquireLease(layout, scope));
    // A run over the whole table finishes runs made with --update_catalog deferred whose commit
    // never came, as `commit` would (a shard leaves them: they may not be its own).
    std::vector<std::string> deferred_notes;
    std::optional<std::vector<std::string>> runs;  // listed once for both
    if (scope.empty()) {
      auto listed = RunJournal::ListRuns(layout.RunsDir());
      auto deferred = listed.ok() ? ApplyDeferredUpdates(catalog, table, layout, *listed)
                                  : arrow::Result<DeferredCommit>(listed.status());
      if (!deferred.ok()) {
        auto released = lease->Release();
        (void)released;
        return deferred.status();
      }
      if (deferred->updates > 0) deferred_notes.push_back(deferred->Describe());
      deferred_notes.insert(deferred_notes.end(), deferred->notes.begin(), deferred->notes.end());
      runs = std::move(listed).ValueOrDie();
    }
    auto recovery = RunRecovery(file_systems_, table.location, layout.RunsDir(), layout.run_id(),
                                16, CatalogLocationsOf(catalog, table), scope)
                        .RecoverAll(std::move(runs));
    if (!recovery.ok()) {
      auto released = lease->Release();
      (void)released;
      return WithKind(recovery.status(), ErrorKind::kInput);
    }
    recovered = std::move(recovery).ValueOrDie();
    if (!options_.defer_catalog) RefreshStatistics(catalog, table, recovered);
    recovered.lines.insert(recovered.lines.begin(), deferred_notes.begin(), deferred_notes.end());
    for (const auto& line : recovered.lines) log::Info("recovered: ", line);
  }

  ARROW_ASSIGN_OR_RAISE(PartitionListing listing,
                        catalog.ListPartitions(table, options_.predicate));
  if (options_.shard) {
    const size_t selected = listing.partitions.size();
    std::erase_if(listing.partitions,
                  [&](const Partition& p) { return !options_.shard->Owns(p.path); });
    log::Info("shard ", options_.shard->ToString(), ": ", listing.partitions.size(), " of ",
              selected, " selected partition(s)");
  }
  log::Info("table ", table.name, ": ", listing.partitions.size(), " partition(s) selected");
  for (const auto& p : listing.partitions) file_systems_.AllowDeletesUnder(p.location);

  // plan
  ProgressBar progress(options_.progress);
  int64_t files_to_inspect = 0;
  for (const auto& p : listing.partitions) {
    files_to_inspect += p.files ? static_cast<int64_t>(p.files->size()) : 0;
  }
  progress.Start("reading footers", files_to_inspect, /*bytes=*/false);
  PlannerOptions planner_options;
  planner_options.packing.target_bytes = options_.target_file_bytes;
  planner_options.packing.small_file_ratio = options_.small_file_ratio;
  planner_options.min_input_files = options_.min_input_files;
  planner_options.codec = options_.codec;
  planner_options.compression_level = options_.compression_level;
  planner_options.io_threads = table.location.is_s3() ? std::max(16, parallelism) : parallelism;
  planner_options.target_root = target_root;
  planner_options.on_file_inspected = [&] { progress.Advance(1); };
  // Small files are read whole at execution: their footers are checked there, not fetched twice.
  planner_options.defer_footers_up_to = ExecuteOptions{}.whole_file_read_limit;
  ARROW_ASSIGN_OR_RAISE(CompactionPlan plan,
                        Planner(planner_options).Plan(table, std::move(listing)));
  progress.Finish();

  RunSummary summary;
  summary.recovered = recovered.lines;
  summary.version = kVersion;
  summary.run_id = layout.run_id();
  summary.table = table.name;
  summary.target = target_root ? target_root->uri() : "";
  summary.shard = options_.shard ? options_.shard->ToString() : "";
  summary.dry_run = options_.mode == RunMode::kDryRun;
  summary.target_file_bytes = options_.target_file_bytes;
  summary.notes = plan.notes;
  summary.originals = policy == OriginalsPolicy::kDelete    ? "deleted"
                      : policy == OriginalsPolicy::kArchive ? "archived"
                                                            : "kept";
  if (policy == OriginalsPolicy::kArchive) summary.archive = layout.ArchiveRoot().uri();
  for (const auto& p : plan.partitions) summary.partitions.push_back(OutcomeFromPlan(p));

  if (summary.dry_run) {
    for (size_t i = 0; i < plan.partitions.size(); ++i) {
      const PartitionPlan& p = plan.partitions[i];
      PartitionOutcome& outcome = summary.partitions[i];
      if (p.action != PartitionAction::kCompact && p.action != PartitionAction::kCopy) continue;
      outcome.status = PartitionStatus::kPlanned;
      outcome.input_files = p.InputFiles();
      outcome.input_bytes = p.InputBytes();
      outcome.rows = p.InputRows();
      outcome.output_files = p.estimated_output_files;
      int64_t estimated = 0;
      for (const auto& g : p.groups) estimated += g.estimated_output_bytes;
      outcome.files_after = outcome.files_before - outcome.input_files + outcome.output_files;
      outcome.bytes_after = outcome.bytes_before - outcome.input_bytes + estimated;
    }
    summary.requests = EstimateRequests(plan, policy);
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
  }

  // execute + commit
  struct Task {
    size_t partition;
    size_t group;  // == groups.size() for a copy-only partition
  };
  std::vector<Task> tasks;
  std::vector<PartitionProgress> partitions(plan.partitions.size());
  int64_t bytes_to_read = 0;
  for (size_t i = 0; i < plan.partitions.size(); ++i) {
    const PartitionPlan& p = plan.partitions[i];
    if (p.action == PartitionAction::kCompact) {
      partitions[i].groups_left = p.groups.size();
      for (size_t g = 0; g < p.groups.size(); ++g) tasks.push_back({i, g});
      bytes_to_read += p.InputBytes();
    } else if (p.action == PartitionAction::kCopy) {
      partitions[i].groups_left = 1;
      tasks.push_back({i, p.groups.size()});
    }
  }
  ExecuteOptions execute_options;
  execute_options.size.target_bytes = options_.target_file_bytes;
  execute_options.row_group_bytes = options_.row_group_bytes;
  execute_options.digest = options_.verify == VerifyMode::kContent;
  const int io_threads = table.location.is_s3() ? 16 : 1;
  // The journal is written before the first visible change, so a crash at any later step can
  // be finished or undone by the next run.
  std::unique_ptr<RunJournal> journal;
  if (!tasks.empty()) {
    auto begun = RunJournal::Begin(file_systems_, layout, JournalPlanOf(plan, layout, policy,
                                                                       repoint, options_));
    if (!begun.ok()) {
      return WithKind(begun.status().WithMessage(begun.status().message(), "; nothing changed"),
                      ErrorKind::kInput);
    }
    journal = std::move(begun).ValueOrDie();
  }
  FaultPoint::Hit("after_plan");
  PartitionPublisher publisher(layout, file_systems_, policy, io_threads);
  CommitSettings commit_settings;
  commit_settings.defer_originals = repoint;
  commit_settings.delete_grace_minutes =
      options_.original_files == OriginalFiles::kDelete ? options_.delete_grace_minutes : 0;
  PartitionCommitter committer(publisher, file_systems_, journal.get(), lease.get(),
                               commit_settings);
  std::vector<CommitResult> commits(plan.partitions.size());
  progress.Start("compacting", bytes_to_read, /*bytes=*/true);

  // A partition whose deferred footers turn out to differ from its sample is not committed:
  // its staged files are discarded and it is planned again from every footer, then run again.
  std::mutex replan_mutex;
  std::vector<size_t> replan;
  auto run_tasks = [&](const std::vector<Task>& to_run, bool may_replan) {
    ParallelFor(to_run.size(), parallelism, [&](size_t t) {
      const Task& task = to_run[t];
      const PartitionPlan& p = plan.partitions[task.partition];
      PartitionProgress& state = partitions[task.partition];
      bool failed_already;
      {
        std::lock_guard<std::mutex> lock(state.mutex);
        failed_already = !state.status.ok();
      }
      if (task.group < p.groups.size() && !failed_already) {
        GroupCompactor compactor(p, task.group, layout, execute_options,
                                 [&](int64_t bytes) { progress.Advance(bytes); });
        auto result = compactor.Run();
        std::lock_guard<std::mutex> lock(state.mutex);
        if (result.ok()) {
          state.rows_read += result->rows_read;
          state.digest.Add(result->digest);
          state.outputs.insert(state.outputs.end(), result->files.begin(), result->files.end());
        } else if (state.status.ok()) {
          state.status = result.status();
        }
      }
      bool last;
      {
        std::lock_guard<std::mutex> lock(state.mutex);
        last = --state.groups_left == 0;
      }
      if (!last) return;
      if (may_replan && PlanMismatch::Is(state.status)) {
        log::Info("partition ", p.partition.path, ": ", state.status.message());
        for (const auto& file : state.outputs) {
          auto removed = file.location.fs->DeleteFile(file.location.path);
          (void)removed;  // staging is swept at the end of the run anyway
        }
        std::lock_guard<std::mutex> lock(replan_mutex);
        replan.push_back(task.partition);
        return;
      }
      commits[task.partition] =
          committer.Commit(p, std::move(state.outputs), state.status, state.rows_read,
                           options_.verify == VerifyMode::kContent ? &state.digest : nullptr);
      if (commits[task.partition].status == PartitionStatus::kFailed) {
        log::Error("partition ", p.partition.path, ": ", commits[task.partition].reason);
      }
    });
  };
  run_tasks(tasks, /*may_replan=*/true);
  if (!replan.empty()) {
    std::sort(replan.begin(), replan.end());
    PartitionListing again;
    for (size_t i : replan) again.partitions.push_back(plan.partitions[i].partition);
    PlannerOptions every_footer = planner_options;
    every_footer.defer_footers_up_to = 0;
    every_footer.on_file_inspected = nullptr;
    ARROW_ASSIGN_OR_RAISE(CompactionPlan replanned,
                          Planner(every_footer).Plan(table, std::move(again)));
    std::vector<Task> more;
    for (size_t k = 0; k < replan.size(); ++k) {
      const size_t i = replan[k];
      plan.partitions[i] = std::move(replanned.partitions[k]);
      const PartitionPlan& p = plan.partitions[i];
      summary.partitions[i] = OutcomeFromPlan(p);
      PartitionProgress& state = partitions[i];
      state.outputs.clear();
      state.rows_read = 0;
      state.digest = RowDigest();
      state.status = arrow::Status::OK();
      if (p.action == PartitionAction::kCompact) {
        state.groups_left = p.groups.size();
        for (size_t g = 0; g < p.groups.size(); ++g) more.push_back({i, g});
      } else if (p.action == PartitionAction::kCopy) {
        state.groups_left = 1;
        more.push_back({i, p.groups.size()});
      } else if (p.action == PartitionAction::kFail) {
        log::Error("partition ", p.partition.path, ": ", p.reason);
      }
    }
    run_tasks(more, /*may_replan=*/false);
  }
  progress.Finish();

  // The catalog: new locations (then, only then, the originals may go) and statistics.
  bool catalog_deferred = false;
  if (catalog.RecordsLocations() && (repoint || !target_root)) {
    std::map<std::string, std::string> failed;
    std::vector<int> carried(plan.partitions.size(), 0);
    if (repoint && !options_.defer_catalog) {  // deferred: `commit` carries them
      // Files other writers added to a partition while it was compacted must not be left behind
      // at the old location: re-listed just before the catalog moves, they are copied to the
      // new one; if that fails the partition stays where it was.
      for (size_t i = 0; i < plan.partitions.size(); ++i) {
        if (!commits[i].originals_pending) continue;
        auto n = CarryNewcomers(plan.partitions[i], commits[i], journal.get());
        if (!n.ok()) {
          failed[plan.partitions[i].partition.path] = n.status().message();
        } else {
          carried[i] = *n;
        }
      }
    }
    std::vector<PartitionUpdate> updates;
    for (size_t i = 0; i < plan.partitions.size(); ++i) {
      const CommitResult& commit = commits[i];
      if (commit.status != PartitionStatus::kCompacted &&
          commit.status != PartitionStatus::kCopied && !commit.originals_pending) {
        continue;
      }
      const PartitionPlan& p = plan.partitions[i];
      if (failed.count(p.partition.path)) continue;
      PartitionUpdate update;
      update.path = p.partition.path;
      if (repoint) update.location = p.output_dir.uri();
      // Rows read from the rewritten files, plus the footers of the files kept as they are.
      int64_t rows = partitions[i].rows_read;
      for (size_t k : p.kept) rows += p.files[k].rows;
      update.rows = carried[i] > 0 ? -1 : rows;  // the carried files' rows were not counted
      if (PartitionPublisher::WritesElsewhere(p)) {
        update.files = static_cast<int64_t>(commit.published.files.size());
        update.bytes = commit.published.bytes;
      } else {
        update.files = static_cast<int64_t>(p.files.size()) - p.InputFiles() +
                       static_cast<int64_t>(commit.output_sizes.size());
        update.bytes = p.TotalBytes() - p.InputBytes() + commit.output_bytes;
      }
      updates.push_back(std::move(update));
    }
    // The updates are kept in the journal until sent: a deferred run leaves them for
    // `s3-compaction commit`, and a crash before they are sent leaves them for the next
    // whole-table recovery (ApplyDeferredUpdates either way).
    arrow::Status recorded = arrow::Status::OK();
    if (!updates.empty() && journal) {
      recorded = RunJournal::WriteCatalogUpdates(journal->run_dir(), updates);
    }
    if (options_.defer_catalog) {
      // Everything is published; partitions moving to a target stay "published", their
      // originals in place, until the commit repoints them.
      if (!recorded.ok()) {
        summary.notes.push_back("could not record the deferred catalog updates (" +
                                recorded.message() + "); partitions moving to a target will be "
                                "rolled back by the next run, the others only lack statistics");
      } else if (!updates.empty() && journal) {
        catalog_deferred = true;
        summary.notes.push_back(std::to_string(updates.size()) +
                                " partition update(s) wait for `s3-compaction commit` "
                                "(--update_catalog deferred)");
      }
    } else {
      if (!recorded.ok()) log::Warn("recording the catalog updates: ", recorded.message());
      if (!updates.empty()) {
        FaultPoint::Hit("before_catalog");
        auto result = catalog.UpdatePartitions(updates);
        if (!result.ok()) {
          for (const auto& u : updates) failed[u.path] = result.status().message();
        } else {
          for (const auto& f : *result) failed[f.path] = f.message;
        }
        // Sent (or refused): a later recovery must not send them again over newer statistics.
        if (journal) file_systems_.DeleteFiles({journal->run_dir().Child("catalog.json")});
      }
      for (size_t i = 0; i < plan.partitions.size(); ++i) {
        const PartitionPlan& p = plan.partitions[i];
        auto it = failed.find(p.partition.path);
        if (commits[i].originals_pending) {
          std::optional<std::string> error;
          if (it != failed.end()) error = it->second;
          if (!error) {
            // A file that arrived while the catalog moved: carried too, or reported.
            auto late = CarryNewcomers(p, commits[i], journal.get());
            if (!late.ok()) {
              summary.notes.push_back("partition " + p.partition.path + ": " +
                                      late.status().message() + "; copy it there by hand");
            } else {
              carried[i] += *late;
            }
          }
          if (carried[i] > 0) {
            summary.notes.push_back("partition " + p.partition.path + ": carried " +
                                    std::to_string(carried[i]) +
                                    " file(s) written during the run to its new location (also "
                                    "left at the old one)");
          }
          commits[i] = committer.FinishAfterCatalog(p, std::move(commits[i]), error);
          if (commits[i].status == PartitionStatus::kFailed) {
            log::Error("partition ", p.partition.path, ": ", commits[i].reason);
          }
        } else if (it != failed.end()) {
          // In place the files are right whatever the catalog says; only its statistics lag.
          summary.notes.push_back("statistics of partition " + p.partition.path +
                                  " not updated in the catalog: " + it->second);
        }
      }
    }
  }

  for (size_t i = 0; i < plan.partitions.size(); ++i) {
    const PartitionPlan& p = plan.partitions[i];
    if (p.action != PartitionAction::kCompact && p.action != PartitionAction::kCopy) continue;
    const CommitResult& commit = commits[i];
    PartitionOutcome& outcome = summary.partitions[i];
    outcome.status = commit.status;
    outcome.reason = commit.reason;
    if (commit.status == PartitionStatus::kFailed && commit.published.files.empty()) continue;
    outcome.input_files = p.InputFiles();
    outcome.input_bytes = p.InputBytes();
    outcome.rows = partitions[i].rows_read;
    outcome.output_files = static_cast<int64_t>(commit.output_sizes.size());
    outcome.output_sizes = commit.output_sizes;
    if (PartitionPublisher::WritesElsewhere(p)) {
      // The partition now lives at the target: its files there are what counts.
      outcome.files_after = static_cast<int64_t>(commit.published.files.size());
      outcome.bytes_after = commit.published.bytes;
    } else {
      outcome.files_after = outcome.files_before - outcome.input_files + outcome.output_files;
      outcome.bytes_after = outcome.bytes_before - outcome.input_bytes + commit.output_bytes;
    }
    if (commit.status != PartitionStatus::kFailed) {
      log::Info("partition ", p.partition.path, ": ", outcome.input_files, " files -> ",
                outcome.output_files, " (", human::Bytes(commit.output_bytes), ")");
    }
  }
  const bool staging_clear = RemoveStaging(layout, file_systems_);
  if (journal) {
    bool pending = !staging_clear || std::any_of(commits.begin(), commits.end(),
                               [](const CommitResult& c) { return c.journal_pending; });
    for (const auto& c : commits) {
      // A partition that failed after changing something keeps the journal for the next run.
      if (c.status == PartitionStatus::kFailed && !c.published.files.empty()) pending = true;
      if (c.originals_pending) pending = true;  // deferred: awaiting `commit`
    }
    pending |= catalog_deferred;
    auto st = journal->Finish(file_systems_, pending);
    if (!st.ok()) log::Warn("removing the finished run's journal: ", st.message());
  }
  if (lease) {
    auto st = lease->Release();
    if (!st.ok()) log::Warn("releasing the lease: ", st.message());
  }
  RemoveEmptyToolFolders(layout);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

arrow::Result<std::unique_ptr<TableLease>> CompactionJob::AcquireLease(const RunLayout& layout,
                                                                       const std::string& scope) {
  const Location own = layout.LeaseFile(scope);
  auto acquired = TableLease::Acquire(ConditionalObject(own, file_systems_.aws()), layout.run_id(),
                                      TableLease::kDefaultTtl, options_.force_unlock);
  if (!acquired.ok()) return WithKind(acquired.status(), ErrorKind::kInput);
  std::unique_ptr<TableLease> lease = std::move(acquired).ValueOrDie();
  // Beside a shard's lease only its sibling shards' (same N) may be live; beside a whole run's,
  // none. Both sides check after taking their own, so of two that conflict at least one stops.
  const std::optional<Shard> mine = Shard::FromScope(scope);
  auto conflict = TableLease::CheckNoConflict(
      layout.JournalRoot(), own, file_systems_.aws(), [&](const std::string& their_scope) {
        auto theirs = Shard::FromScope(their_scope);
        return mine && theirs && theirs->count == mine->count;
      });
  if (!conflict.ok() && !options_.force_unlock) {
    auto released = lease->Release();
    (void)released;
    return WithKind(conflict, ErrorKind::kInput);
  }
  return lease;
}

arrow::Result<RunSummary> CompactionJob::Recover(Catalog& catalog, bool as_commit) {
  const auto started = std::chrono::steady_clock::now();
  ARROW_ASSIGN_OR_RAISE(Table table, catalog.LoadTable());
  std::optional<Location> journal_root;
  if (!options_.journal_path.empty()) {
    ARROW_ASSIGN_OR_RAISE(Location journal, file_systems_.Resolve(options_.journal_path));
    journal_root = journal;
  }
  RunLayout layout(RunLayout::NewRunId(), table.location, table.location, std::nullopt,
                   journal_root);
  file_systems_.AllowDeletesUnder(table.location);
  file_systems_.AllowDeletesUnder(layout.JournalRoot());
  // The whole table's lease: no shard can still be running.
  ARROW_ASSIGN_OR_RAISE(auto lease, AcquireLease(layout, ""));
  ARROW_ASSIGN_OR_RAISE(auto runs, RunJournal::ListRuns(layout.RunsDir()));  // once for both
  ARROW_ASSIGN_OR_RAISE(DeferredCommit deferred,
                        ApplyDeferredUpdates(catalog, table, layout, runs));
  // The catalog points at the new files now: recovery rolls those partitions forward (the
  // originals go), rolls back any whose update failed, and removes the finished journals.
  ARROW_ASSIGN_OR_RAISE(auto report, RunRecovery(file_systems_, table.location, layout.RunsDir(), layout.run_id(),
                                                 16, CatalogLocationsOf(catalog, table))
                                         .RecoverAll(std::move(runs)));
  RefreshStatistics(catalog, table, report);
  ARROW_RETURN_NOT_OK(lease->Release());
  RemoveEmptyToolFolders(layout);
  RunSummary summary;
  summary.version = kVersion;
  summary.run_id = layout.run_id();
  summary.table = table.name;
  summary.recovered = report.lines;
  summary.notes = deferred.notes;
  if (deferred.updates > 0 || as_commit) summary.notes.insert(summary.notes.begin(), deferred.Describe());
  if (report.lines.empty() && !as_commit) summary.notes.push_back("nothing to recover");
  if (report.failures > 0 || deferred.failed > 0) {
    PartitionOutcome failed;
    failed.partition = as_commit ? "(commit)" : "(recovery)";
    failed.status = PartitionStatus::kFailed;
    failed.reason = std::to_string(deferred.failed) + " catalog update(s) failed, " +
                    std::to_string(report.failures) +
                    " partition(s) could not be settled; the journal keeps them for the next run";
    summary.partitions.push_back(failed);
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

arrow::Result<CompactionJob::DeferredCommit> CompactionJob::ApplyDeferredUpdates(
    Catalog& catalog, const Table& table, const RunLayout& layout,
    const std::vector<std::string>& runs) {
  DeferredCommit done;
  struct Moving {
    Location run_dir;
    std::string path;
    Location location, output_dir;
    std::set<std::string> inputs;
    PartitionRecord record;
  };
  std::vector<Moving> moving;
  std::vector<PartitionUpdate> updates;
  std::vector<Location> applied;  // the catalog.json files whose updates go out now
  for (const auto& run : runs) {
    const Location run_dir = layout.RunsDir().Child(run);
    auto deferred = RunJournal::ReadCatalogUpdates(run_dir);
    if (!deferred.ok()) {
      done.notes.push_back("run " + run + ": " + deferred.status().message());
      continue;
    }
    if (!*deferred) continue;
    ARROW_ASSIGN_OR_RAISE(JournalPlan plan, RunJournal::ReadPlan(run_dir));
    for (PartitionUpdate update : **deferred) {
      if (update.location) {
        // Moving to a target: only a partition still published (not rolled back meanwhile),
        // and only once the files other writers added at the old location are carried over.
        auto it = std::find_if(plan.partitions.begin(), plan.partitions.end(),
                               [&](const JournalPartition& p) { return p.path == update.path; });
        if (it == plan.partitions.end()) continue;
        ARROW_ASSIGN_OR_RAISE(auto record, RunJournal::ReadRecord(run_dir, update.path));
        if (!record || record->state != PartitionState::kPublished) continue;
        Moving m{run_dir, update.path, {}, {}, {}, *record};
        ARROW_ASSIGN_OR_RAISE(m.location, file_systems_.Resolve(it->location));
        ARROW_ASSIGN_OR_RAISE(m.output_dir, file_systems_.Resolve(it->output_dir));
        for (const auto& f : it->inputs) m.inputs.insert(f.uri);
        const size_t before = m.record.outputs.size();
        auto carried = CarryFiles(m.location, m.output_dir, m.inputs, &m.record.outputs, nullptr);
        if (!carried.ok()) {
          done.notes.push_back("partition " + update.path + ": " + carried.status().message() +
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
    applied.push_back(run_dir.Child("catalog.json"));
  }

  std::set<std::string> failed;
  if (!updates.empty()) {
    // The catalog updates partitions it has listed (it keeps their full definitions).
    ARROW_RETURN_NOT_OK(catalog.ListPartitions(table, PartitionPredicate::All()).status());
    auto result = catalog.UpdatePartitions(updates);
    if (!result.ok()) {
      for (const auto& u : updates) failed.insert(u.path);
      done.notes.push_back("catalog update failed: " + result.status().message() +
                              "; partitions moving to a target are rolled back");
    } else {
      for (const auto& f : *result) {
        failed.insert(f.path);
        done.notes.push_back("partition " + f.path + ": catalog not updated: " + f.message);
      }
      // Applied: a second commit must not apply them again (harmless if it did: same values).
      // Batched deletes: Arrow's S3 DeleteFile would leave a folder marker behind.
      file_systems_.DeleteFiles(applied);
    }
  }
  // A file that arrived while the catalog moved: carried too.
  for (auto& m : moving) {
    if (failed.count(m.path)) continue;
    auto late = CarryFiles(m.location, m.output_dir, m.inputs, &m.record.outputs, nullptr);
    if (!late.ok()) {
      done.notes.push_back("partition " + m.path + ": " + late.status().message() +
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

void CompactionJob::RefreshStatistics(Catalog& catalog, const Table& table,
                                      RecoveryReport& report) {
  if (!catalog.RecordsLocations() || report.settled_in_place.empty()) return;
  auto listed = catalog.ListPartitions(table, PartitionPredicate::All());
  if (!listed.ok()) {
    report.lines.push_back("catalog statistics not refreshed: " + listed.status().message());
    return;
  }
  std::vector<PartitionUpdate> updates;
  for (const auto& [path, uri] : report.settled_in_place) {
    auto where = file_systems_.Resolve(uri);
    if (!where.ok()) continue;
    arrow::fs::FileSelector selector;
    selector.base_dir = where->path;
    selector.allow_not_found = true;
    auto files = where->fs->GetFileInfo(selector);
    if (!files.ok()) continue;
    PartitionUpdate update;
    update.path = path;
    update.files = 0;
    update.bytes = 0;  // rows: compaction keeps them, so the catalog's count stands
    for (const auto& f : *files) {
      if (f.IsFile() && !RunLayout::IsHidden(BaseName(f.path()))) {
        ++update.files;
        update.bytes += f.size();
      }
    }
    updates.push_back(std::move(update));
  }
  if (updates.empty()) return;
  auto result = catalog.UpdatePartitions(updates);
  if (!result.ok()) {
    report.lines.push_back("catalog statistics not refreshed: " + result.status().message());
    return;
  }
  for (const auto& f : *result) {
    report.lines.push_back("partition " + f.path + ": catalog statistics not refreshed: " +
                           f.message);
  }
}

std::string CompactionJob::DeferredCommit::Describe() const {
  if (updates == 0) return "nothing to commit";
  return "committed " + std::to_string(updates - failed) + " of " + std::to_string(updates) +
         " deferred partition update(s) from " + std::to_string(runs) + " run(s)";
}

arrow::Result<RunSummary> CompactionJob::CommitDeferred(Catalog& catalog) {
  // Every whole-table recovery applies deferred updates first (see Recover); commit is that,
  // reported as a commit.
  return Recover(catalog, /*as_commit=*/true);
}

}  // namespace s3c
