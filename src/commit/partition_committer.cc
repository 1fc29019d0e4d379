#include "commit/partition_committer.h"

#include <algorithm>

#include "commit/output_verifier.h"
#include "util/logging.h"

namespace s3c {

void PartitionCommitter::RemoveOriginals(const PartitionPlan& plan, CommitResult& result,
                                         bool catalog_moved) const {
  auto removed = publisher_.RemoveOriginals(plan);
  if (!removed.ok()) {
    result.status = PartitionStatus::kFailed;
    if (catalog_moved) {
      // Readers already follow the catalog to the new files: the originals are merely left
      // behind, and the new files must stay.
      result.reason = "compacted and the catalog updated, but the originals could not be removed "
                      "from the old location (no reader sees them): " + removed.status().message();
      return;
    }
    // Nothing removed yet: put the partition back as it was.
    arrow::Status undone = publisher_.Unpublish(result.published);
    result.reason = removed.status().message() +
                    (undone.ok() ? "; rolled back, partition unchanged" : "; " + undone.message());
    return;
  }
  if (!removed->problems.empty()) {
    result.status = PartitionStatus::kFailed;
    result.reason = "compacted, but " + std::to_string(removed->problems.size()) +
                    " original(s) could not be removed" +
                    (catalog_moved ? " from the old location (no reader sees them): "
                                   : ", so readers see their rows twice until they are: ") +
                    removed->problems.front();
  }
}

CommitResult PartitionCommitter::Commit(const PartitionPlan& plan,
                                        std::vector<WrittenFile> outputs,
                                        const arrow::Status& write_status) const {
  CommitResult result;
  std::sort(outputs.begin(), outputs.end(), [](const WrittenFile& a, const WrittenFile& b) {
    return a.location.path < b.location.path;
  });
  auto discard = [&] {
    std::vector<Location> staged;
    for (const auto& file : outputs) staged.push_back(file.location);
    file_systems_.DeleteFiles(staged);  // the staging sweep gets what this misses
  };
  arrow::Status st = write_status;
  if (st.ok()) st = OutputVerifier::Verify(outputs, plan.InputRows(), plan.output_schema);
  if (!st.ok()) {
    discard();
    result.reason = st.message();
    return result;
  }
  auto published = publisher_.Publish(plan, outputs);
  if (!published.ok()) {
    discard();
    result.reason = published.status().message();
    return result;
  }
  result.published = std::move(published).ValueOrDie();
  result.status = plan.action == PartitionAction::kCopy ? PartitionStatus::kCopied
                                                        : PartitionStatus::kCompacted;
  for (const auto& file : outputs) {
    result.output_sizes.push_back(file.bytes);
    result.output_bytes += file.bytes;
  }
  if (defer_originals_) {
    result.originals_pending = true;
    return result;
  }
  RemoveOriginals(plan, result, /*catalog_moved=*/false);
  return result;
}

CommitResult PartitionCommitter::FinishAfterCatalog(
    const PartitionPlan& plan, CommitResult pending,
    const std::optional<std::string>& catalog_error) const {
  pending.originals_pending = false;
  if (catalog_error) {
    arrow::Status undone = publisher_.Unpublish(pending.published);
    pending.status = PartitionStatus::kFailed;
    pending.reason = "catalog not updated (" + *catalog_error + ")" +
                     (undone.ok() ? "; new files removed, partition unchanged"
                                  : "; " + undone.message());
    return pending;
  }
  RemoveOriginals(plan, pending, /*catalog_moved=*/true);
  return pending;
}

}  // namespace s3c
