#include "plan/run_budget.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "util/human.h"

namespace s3c {
namespace {

bool WritesFiles(const PartitionPlan& plan) {
  return plan.action == PartitionAction::kCompact || plan.action == PartitionAction::kCopy;
}

// Small files removed per byte read.
double Benefit(const PartitionPlan& plan) {
  const double removed =
      static_cast<double>(std::max<int64_t>(0, plan.InputFiles() - plan.estimated_output_files));
  return removed / static_cast<double>(std::max<int64_t>(1, plan.InputBytes()));
}

// As given, to 6 significant digits: 0.5, 1e-07, 1024 (never "0" for a tiny limit).
std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

Deferral DeferralOf(const PartitionPlan& plan, std::string reason) {
  return Deferral{std::move(reason), plan.InputFiles(), plan.InputBytes()};
}

}  // namespace

std::vector<size_t> RunBudget::ByBenefit(const std::vector<const PartitionPlan*>& plans) {
  std::vector<size_t> order;
  std::vector<double> benefit(plans.size());
  for (size_t i = 0; i < plans.size(); ++i) {
    if (!WritesFiles(*plans[i])) continue;
    order.push_back(i);
    benefit[i] = Benefit(*plans[i]);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return benefit[a] > benefit[b]; });
  return order;
}

std::vector<std::optional<Deferral>> RunBudget::Select(const std::vector<const PartitionPlan*>& plans,
                                                       std::vector<std::string>* notes) const {
  std::vector<std::optional<Deferral>> deferred(plans.size());
  const double byte_limit = limits_.max_input_gb * 1073741824.0;
  int64_t taken = 0, too_large = 0;
  double bytes = 0;
  std::string example;
  for (size_t i : ByBenefit(plans)) {
    const PartitionPlan& plan = *plans[i];
    const double input = static_cast<double>(plan.InputBytes());
    if (limits_.max_partitions > 0 && taken >= limits_.max_partitions) {
      deferred[i] = DeferralOf(plan, "left for a later run: --max_partitions " +
                                         std::to_string(limits_.max_partitions) + " reached");
      continue;
    }
    if (byte_limit > 0 && bytes + input > byte_limit) {
      if (input > byte_limit && too_large++ == 0) {
        example = PartitionName(plan.partition.path) + ", " + human::Bytes(plan.InputBytes());
      }
      deferred[i] = DeferralOf(plan, "left for a later run: --max_input_gb " +
                                         Number(limits_.max_input_gb) + " reached");
      continue;
    }
    ++taken;
    bytes += input;
  }
  if (too_large > 0) {
    notes->push_back(std::to_string(too_large) + " partition(s) would read more than " +
                     "--max_input_gb " + Number(limits_.max_input_gb) + " allows in one run (e.g. " +
                     example + "): raise the limit to compact them");
  }
  return deferred;
}

std::vector<std::string> RunBudget::Describe() const {
  std::vector<std::string> out;
  if (limits_.max_runtime_minutes > 0) {
    out.push_back("--max_runtime_minutes " + Number(limits_.max_runtime_minutes));
  }
  if (limits_.max_partitions > 0) {
    out.push_back("--max_partitions " + std::to_string(limits_.max_partitions));
  }
  if (limits_.max_input_gb > 0) out.push_back("--max_input_gb " + Number(limits_.max_input_gb));
  return out;
}

Deferral RunBudget::OutOfTime(const PartitionPlan& plan) const {
  return DeferralOf(plan, "left for a later run: --max_runtime_minutes " +
                              Number(limits_.max_runtime_minutes) + " reached");
}

}  // namespace s3c
