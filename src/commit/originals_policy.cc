#include "commit/originals_policy.h"

namespace s3c {

OriginalsPolicy OriginalsPolicy::Of(OriginalFiles asked, int64_t grace_minutes, bool to_target) {
  const OriginalsAction spare = to_target ? OriginalsAction::kKeep : OriginalsAction::kArchive;
  if (asked == OriginalFiles::kKeep) return {spare, 0};
  if (grace_minutes > 0) return {spare, grace_minutes};
  return {OriginalsAction::kDelete, 0};
}

OriginalsPolicy OriginalsPolicy::FromJournal(const std::string& name, int64_t grace_minutes,
                                             bool to_target) {
  // "archive" and "keep" both mean the originals were to be kept: archived where the
  // partition is compacted in place, left where they are when it moves to a target.
  return Of(name == "delete" ? OriginalFiles::kDelete : OriginalFiles::kKeep, grace_minutes,
            to_target);
}

std::string OriginalsPolicy::JournalName() const {
  if (action == OriginalsAction::kDelete || delete_after_minutes > 0) return "delete";
  return action == OriginalsAction::kArchive ? "archive" : "keep";
}

std::string OriginalsPolicy::SummaryName() const {
  switch (action) {
    case OriginalsAction::kDelete: return "deleted";
    case OriginalsAction::kArchive: return "archived";
    case OriginalsAction::kKeep: return "kept";
  }
  return "kept";
}

std::string OriginalsPolicy::RemovedVerb() const {
  return action == OriginalsAction::kDelete ? "deleted" : "archived";
}

}  // namespace s3c
