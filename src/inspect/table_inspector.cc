#include "inspect/table_inspector.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <set>
#include <thread>

#include "storage/run_layout.h"
#include "inspect/pending_work.h"
#include "job/run_context.h"
#include "plan/file_inspector.h"
#include "plan/planner.h"
#include "report/progress_bar.h"
#include "report/summary_builder.h"
#include "util/clock.h"
#include "util/error_kind.h"
#include "util/version.h"

namespace s3c {
namespace {

std::string ActionName(PartitionAction action) {
  switch (action) {
    case PartitionAction::kCompact: return "compact";
    case PartitionAction::kCopy: return "copy";
    case PartitionAction::kSkip: return "skip";
    case PartitionAction::kFail: return "fail";
  }
  return "skip";
}

// How `file`'s columns differ from `first`'s, or "" when they do not.
std::string Drift(const arrow::Schema& first, const std::string& first_name,
                  const arrow::Schema& file, const std::string& name) {
  std::vector<std::string> parts;
  for (const auto& field : file.fields()) {
    auto other = first.GetFieldByName(field->name());
    if (!other) {
      parts.push_back("adds " + field->name() + " (" + field->type()->ToString() + ")");
    } else if (!other->type()->Equals(*field->type())) {
      parts.push_back(field->name() + " is " + field->type()->ToString() + ", not " +
                      other->type()->ToString());
    }
  }
  for (const auto& field : first.fields()) {
    if (!file.GetFieldByName(field->name())) parts.push_back("lacks " + field->name());
  }
  if (parts.empty()) return "";
  std::string out = name + " (against " + first_name + "): ";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

FooterStats FootersOf(const PartitionPlan& plan) {
  constexpr size_t kMaxDrift = 5;
  FooterStats stats;
  std::vector<int64_t> row_group_bytes;
  std::vector<std::shared_ptr<arrow::Schema>> schemas;
  const InputFile* first = nullptr;
  size_t drifting = 0;
  for (const InputFile& file : plan.files) {
    stats.rows += file.rows;
    stats.row_groups += file.row_groups;
    if (file.row_groups > 0) row_group_bytes.push_back(file.data_bytes / file.row_groups);
    stats.codecs[CodecName(file.codec)]++;
    if (!file.schema) continue;
    const bool seen = std::any_of(schemas.begin(), schemas.end(), [&](const auto& s) {
      return s->Equals(*file.schema, /*check_metadata=*/false);
    });
    if (!seen) schemas.push_back(file.schema);
    if (!first) {
      first = &file;
      continue;
    }
    const std::string drift = Drift(*first->schema, std::string(BaseName(first->info.path())),
                                    *file.schema, std::string(BaseName(file.info.path())));
    if (drift.empty()) continue;
    if (drifting++ < kMaxDrift) stats.drift.push_back(drift);
  }
  if (drifting > kMaxDrift) {
    stats.drift.push_back("and " + std::to_string(drifting - kMaxDrift) + " more file(s)");
  }
  stats.schemas = static_cast<int64_t>(schemas.size());
  if (!row_group_bytes.empty()) {
    std::sort(row_group_bytes.begin(), row_group_bytes.end());
    stats.row_group_bytes_min = row_group_bytes.front();
    stats.row_group_bytes_max = row_group_bytes.back();
    stats.row_group_bytes_median = row_group_bytes[row_group_bytes.size() / 2];
  }
  return stats;
}

PartitionHealth HealthOf(const PartitionPlan& plan, double small_threshold, bool footers) {
  PartitionHealth health;
  health.partition = plan.partition.path;
  health.action = ActionName(plan.action);
  health.reason = plan.reason;
  health.other_files = static_cast<int64_t>(plan.other_files.size());
  std::vector<int64_t> sizes;
  // A failed partition's files may not all have made it into the plan: count the listing's.
  if (!plan.partition.files || (plan.action != PartitionAction::kFail && !plan.files.empty())) {
    for (const auto& f : plan.files) sizes.push_back(f.info.size());
  } else {
    // Failed before its files were sorted out: count what the listing saw that claims Parquet.
    for (const auto& f : *plan.partition.files) {
      if (FileInspector::ClaimsToBeParquet(BaseName(f.path()))) sizes.push_back(f.size());
    }
  }
  // The newest run among the files' names, by their modification time (two runs can start
  // in the same second), then by id.
  std::map<std::string, std::pair<int64_t, int64_t>> runs;  // run -> (newest mtime, files)
  for (const auto& f : plan.files) {
    auto run = RunLayout::OutputRun(BaseName(f.info.path()));
    if (!run) continue;
    auto& [mtime, count] = runs[*run];
    mtime = std::max(mtime, MtimeNs(f.info));
    ++count;
  }
  for (const auto& [run, seen] : runs) {
    if (health.last_run.empty() ||
        std::tie(seen.first, run) > std::tie(health.last_run_mtime_ns, health.last_run)) {
      health.last_run = run;
      health.last_run_mtime_ns = seen.first;
      health.last_run_files = seen.second;
    }
  }
  for (int64_t size : sizes) {
    health.files++;
    health.bytes += size;
    health.before.Add(size);
    if (static_cast<double>(size) < small_threshold) {
      health.small_files++;
      health.small_bytes += size;
    }
  }
  health.files_after = health.files;
  health.bytes_after = health.bytes;
  health.after = health.before;
  if (plan.action == PartitionAction::kCompact && !plan.groups.empty()) {
    // After: as the dry run estimates it (the files kept, and the outputs of equal size).
    const PartitionOutcome planned = SummaryBuilder::Planned(plan);
    health.files_after = planned.files_after;
    health.bytes_after = planned.bytes_after;
    health.after = planned.histogram_after;
  }
  if (footers && plan.action != PartitionAction::kFail) health.footers = FootersOf(plan);
  return health;
}

}  // namespace

arrow::Result<TableHealth> TableInspector::Inspect(Catalog& catalog) {
  ARROW_ASSIGN_OR_RAISE(Table table, catalog.LoadTable());
  CompactionOptions options = options_;
  options.mode = RunMode::kDryRun;  // resolved as a dry run: nothing is written
  ARROW_ASSIGN_OR_RAISE(RunContext run,
                        ResolveRun(options, std::move(table), catalog.RecordsLocations(),
                                   file_systems_, RunLayout::NewRunId(),
                                   static_cast<int>(std::thread::hardware_concurrency())));
  TableHealth health;
  health.version = kVersion;
  health.table = run.table.name;
  health.location = run.table.location.uri();
  health.generated_at = IsoUtc(NowUnix());
  health.footers = footers_;
  health.target_file_bytes = options_.target_file_bytes;
  health.min_input_files = run.planner.min_input_files;
  const double threshold = run.planner.packing.small_file_ratio *
                           static_cast<double>(run.planner.packing.target_bytes);
  health.small_file_bytes = static_cast<int64_t>(threshold);

  ARROW_ASSIGN_OR_RAISE(PartitionListing listing,
                        catalog.ListPartitions(run.table, options_.predicate));
  ARROW_RETURN_NOT_OK(CheckReportOutside(run, listing.partitions));
  if (run.shard) {
    std::erase_if(listing.partitions, [&](const Partition& p) { return !run.shard->Owns(p.path); });
  }
  PlannerOptions planner = run.planner;
  planner.listing_only = !footers_;
  planner.defer_footers_up_to = 0;  // --footers: every footer, for what each file says
  planner.settle_from_listing = !footers_;
  ProgressBar progress(run.progress && footers_);
  int64_t files = 0;
  for (const auto& p : listing.partitions) files += p.files ? static_cast<int64_t>(p.files->size()) : 0;
  progress.Start("reading footers", files, /*bytes=*/false);
  planner.on_file_inspected = [&] { progress.Advance(1); };
  ARROW_ASSIGN_OR_RAISE(CompactionPlan plan, Planner(planner).Plan(run.table, std::move(listing)));
  progress.Finish();
  health.notes = plan.notes;
  // What the partition and byte limits would leave for a later run, as a run decides it.
  std::vector<std::optional<Deferral>> deferrals(plan.partitions.size());
  if (run.budget.limits().any()) {
    std::vector<const PartitionPlan*> plans;
    for (const auto& p : plan.partitions) plans.push_back(&p);
    deferrals = run.budget.Select(plans, &health.notes);
  }
  for (size_t i = 0; i < plan.partitions.size(); ++i) {
    PartitionHealth health_of = HealthOf(plan.partitions[i], threshold, footers_);
    if (deferrals[i]) {
      health_of.action = "defer";
      health_of.reason = deferrals[i]->reason;
      health_of.files_after = health_of.files;
      health_of.bytes_after = health_of.bytes;
      health_of.after = health_of.before;
    }
    health.partitions.push_back(std::move(health_of));
  }
  health.SortWorstFirst();

  auto leases = PendingWork::Leases(run.layout);
  std::set<std::string> live_runs;
  if (leases.ok()) {
    health.leases = std::move(*leases);
    for (const auto& lease : health.leases) {
      if (lease.live) live_runs.insert(lease.run_id);
    }
  } else {
    health.notes.push_back("leases: " + leases.status().message());
  }
  auto journals = PendingWork::Journals(run.layout, live_runs, &health.notes);
  if (journals.ok()) {
    health.journals = std::move(*journals);
  } else {
    health.notes.push_back("journals: " + journals.status().message());
  }
  return health;
}

}  // namespace s3c
