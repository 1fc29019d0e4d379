#include "plan/compaction_plan.h"

#include <set>

namespace s3c {

std::string MethodName(GroupMethod method) {
  switch (method) {
    case GroupMethod::kRewrite: return "rows";
    case GroupMethod::kPages: return "pages";
  }
  return "rows";
}

std::string PartitionPlan::Method() const {
  if (action == PartitionAction::kCopy) return "copy";
  if (action != PartitionAction::kCompact) return "";
  std::set<std::string> names;
  for (const auto& group : groups) names.insert(MethodName(group.method));
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : "+") + name;
  return out;
}

std::string PartitionPlan::MethodReason() const {
  if (action != PartitionAction::kCompact) return "";
  for (const auto& group : groups) {
    if (group.method == GroupMethod::kRewrite && !group.method_reason.empty() &&
        group.method_reason != "--merge rows") {
      return group.method_reason;
    }
  }
  return "";
}

int64_t PartitionPlan::InputFiles() const {
  int64_t n = 0;
  for (const auto& group : groups) n += static_cast<int64_t>(group.inputs.size());
  return n;
}

int64_t PartitionPlan::InputBytes() const {
  int64_t n = 0;
  for (const auto& group : groups) n += group.input_bytes;
  return n;
}

int64_t PartitionPlan::InputRows() const {
  int64_t n = 0;
  for (const auto& group : groups) n += group.rows;
  return n;
}

int64_t PartitionPlan::TotalBytes() const {
  int64_t n = 0;
  for (const auto& file : files) n += file.info.size();
  return n;
}

int64_t CompactionPlan::PartitionsWith(PartitionAction action) const {
  int64_t n = 0;
  for (const auto& partition : partitions) n += partition.action == action ? 1 : 0;
  return n;
}

}  // namespace s3c
