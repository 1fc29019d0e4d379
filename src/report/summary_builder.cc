#include "report/summary_builder.h"

#include <algorithm>

#include "commit/partition_publisher.h"
#include "util/human.h"
#include "util/logging.h"

namespace s3c {
namespace {

// The partition's files that no group rewrites (kept as they are, or copied to a target).
SizeHistogram KeptSizes(const PartitionPlan& plan) {
  std::vector<bool> input(plan.files.size(), false);
  for (const auto& group : plan.groups) {
    for (size_t i : group.inputs) input[i] = true;
  }
  SizeHistogram kept;
  for (size_t i = 0; i < plan.files.size(); ++i) {
    if (!input[i]) kept.Add(plan.files[i].info.size());
  }
  return kept;
}

}  // namespace

PartitionOutcome SummaryBuilder::FromPlan(const PartitionPlan& plan) {
  PartitionOutcome outcome;
  outcome.partition = plan.partition.path;
  outcome.reason = plan.reason;
  outcome.files_before = static_cast<int64_t>(plan.files.size());
  outcome.files_after = outcome.files_before;
  outcome.bytes_before = plan.TotalBytes();
  outcome.bytes_after = outcome.bytes_before;
  outcome.other_files = static_cast<int64_t>(plan.other_files.size());
  for (const auto& f : plan.files) outcome.histogram_before.Add(f.info.size());
  if (plan.action == PartitionAction::kFail) {
    // The files could not all be read; count what the listing saw.
    outcome.files_before =
        static_cast<int64_t>(plan.partition.files ? plan.partition.files->size() : 0);
    outcome.files_after = outcome.files_before;
    outcome.histogram_before = SizeHistogram{};
    if (plan.partition.files) {
      for (const auto& f : *plan.partition.files) outcome.histogram_before.Add(f.size());
    }
    outcome.status = PartitionStatus::kFailed;
  } else if (plan.action == PartitionAction::kSkip) {
    outcome.status = PartitionStatus::kSkipped;
  }
  outcome.histogram_after = outcome.histogram_before;
  return outcome;
}

PartitionOutcome SummaryBuilder::Planned(const PartitionPlan& plan) {
  PartitionOutcome outcome = FromPlan(plan);
  if (plan.action != PartitionAction::kCompact && plan.action != PartitionAction::kCopy) {
    return outcome;
  }
  outcome.status = PartitionStatus::kPlanned;
  outcome.method = plan.Method();
  outcome.method_reason = plan.MethodReason();
  outcome.input_files = plan.InputFiles();
  outcome.input_bytes = plan.InputBytes();
  outcome.rows = plan.InputRows();
  outcome.output_files = plan.estimated_output_files;
  int64_t estimated = 0;
  for (const auto& g : plan.groups) estimated += g.estimated_output_bytes;
  outcome.files_after = outcome.files_before - outcome.input_files + outcome.output_files;
  outcome.bytes_after = outcome.bytes_before - outcome.input_bytes + estimated;
  // The estimated outputs, of equal size.
  outcome.histogram_after = KeptSizes(plan);
  const int64_t outputs = outcome.output_files;
  for (int64_t i = 0; i < outputs; ++i) {
    outcome.histogram_after.Add(estimated / outputs + (i < estimated % outputs ? 1 : 0));
  }
  return outcome;
}

namespace {

// A partition a limit left for a later run: as it was, with what it would have rewritten.
PartitionOutcome DeferredOutcome(const PartitionPlan& plan, const Deferral& deferral) {
  PartitionOutcome outcome = SummaryBuilder::FromPlan(plan);
  outcome.status = PartitionStatus::kDeferred;
  outcome.reason = deferral.reason;
  outcome.input_files = deferral.files;
  outcome.input_bytes = deferral.bytes;
  return outcome;
}

}  // namespace

PartitionOutcome SummaryBuilder::Planned(const PartitionRun& run) {
  if (run.deferral) return DeferredOutcome(run.plan, *run.deferral);
  return Planned(run.plan);
}

PartitionOutcome SummaryBuilder::Finished(const PartitionRun& run) {
  const PartitionPlan& p = run.plan;
  if (run.deferral) return DeferredOutcome(p, *run.deferral);
  PartitionOutcome outcome = FromPlan(p);
  if (!run.committed) return outcome;
  const CommitResult& commit = run.commit;
  outcome.status = commit.status;
  outcome.reason = commit.reason;
  outcome.method = p.Method();
  outcome.method_reason = p.MethodReason();
  if (!run.rows_instead.empty()) {
    // Planned for pages, written (in part) by rows: a page the merge does not take.
    outcome.method = p.groups.size() > 1 ? "pages+rows" : "rows";
    outcome.method_reason = run.rows_instead;
  }
  if (commit.status == PartitionStatus::kFailed && commit.published.files.empty()) return outcome;
  outcome.input_files = p.InputFiles();
  outcome.input_bytes = p.InputBytes();
  outcome.rows = commit.rows;
  outcome.output_files = static_cast<int64_t>(commit.output_sizes.size());
  outcome.output_sizes = commit.output_sizes;
  outcome.sorted_rows = run.sort.rows;
  outcome.spill_runs = run.sort.runs_spilled;
  outcome.spilled_bytes = run.sort.bytes_spilled;
  if (PartitionPublisher::WritesElsewhere(p)) {
    // The partition now lives at the target: its files there are what counts.
    outcome.files_after = static_cast<int64_t>(commit.published.files.size());
    outcome.bytes_after = commit.published.bytes;
    outcome.histogram_after = commit.published.sizes;
  } else {
    outcome.files_after = outcome.files_before - outcome.input_files + outcome.output_files;
    outcome.bytes_after = outcome.bytes_before - outcome.input_bytes + commit.output_bytes;
    outcome.histogram_after = KeptSizes(p);
    for (int64_t size : commit.output_sizes) outcome.histogram_after.Add(size);
  }
  if (commit.status != PartitionStatus::kFailed) {
    log::Info("partition ", PartitionName(p.partition.path), ": ", outcome.input_files, " files -> ",
              outcome.output_files, " (", human::Bytes(commit.output_bytes), ")");
  }
  return outcome;
}

}  // namespace s3c
