#pragma once
// OriginalsPolicy: what happens to a partition's original files once its new files are
// published, decided once per run from the flags and recorded in the run's journal so that
// recovery does exactly what the run would have done.
//
//   --delete_original_files   in place                       to --target_s3_path
//   false (default)           archived (readers skip them)   kept where they are
//   true                      deleted                        deleted
//   true, grace N minutes     archived now, deleted later    kept now, deleted later
//
// A value type; the one place that turns flags or a journal into this decision.

#include <cstdint>
#include <string>

namespace s3c {

/// --delete_original_files, as asked.
enum class OriginalFiles {
  kKeep,    // default: in place they are archived (readers must not see rows twice); with a
            // target they stay where they are
  kDelete,  // --delete_original_files=true: deleted once the new files are published
};

/// What is done to the originals when the partition is published.
enum class OriginalsAction {
  kArchive,  // moved under the run's archive folder, which readers skip
  kDelete,   // deleted
  kKeep,     // left where they are (the partition now lives at a target)
};

struct OriginalsPolicy {
  OriginalsAction action = OriginalsAction::kArchive;
  /// > 0: the originals are archived or kept now and deleted by a later run this many minutes
  /// after the partition was published (--delete_grace_minutes).
  int64_t delete_after_minutes = 0;

  /// The policy for a run: `to_target` when the partition is written to --target_s3_path.
  static OriginalsPolicy Of(OriginalFiles asked, int64_t grace_minutes, bool to_target);
  /// The policy a journal recorded (JournalName() and the grace), for one of its partitions:
  /// `to_target` when that partition moved to a target.
  static OriginalsPolicy FromJournal(const std::string& name, int64_t grace_minutes,
                                     bool to_target);

  /// "delete", "archive" or "keep" as journals of version 1 record it: "delete" when deletion
  /// was asked, with or without a grace period.
  std::string JournalName() const;
  /// "deleted", "archived" or "kept": what the run summary says of the originals.
  std::string SummaryName() const;
  /// "deleted" or "archived": what was done to the originals removed from the partition.
  std::string RemovedVerb() const;
};

}  // namespace s3c
