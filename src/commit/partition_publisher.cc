#include "commit/partition_publisher.h"

#include <atomic>
#include <mutex>

#include "util/logging.h"
#include "util/parallel_for.h"

namespace s3c {
namespace {

arrow::Status EnsureDir(const Location& dir) {
  if (dir.is_s3()) return arrow::Status::OK();
  return dir.fs->CreateDir(dir.path, /*recursive=*/true);
}

// Runs op on every item in parallel; returns the index of each failure with its status.
template <typename Op>
std::vector<std::pair<size_t, arrow::Status>> ForEach(size_t n, int threads, Op op) {
  std::mutex mutex;
  std::vector<std::pair<size_t, arrow::Status>> failures;
  ParallelFor(n, threads, [&](size_t i) {
    arrow::Status st = op(i);
    if (!st.ok()) {
      std::lock_guard<std::mutex> lock(mutex);
      failures.emplace_back(i, st);
    }
  });
  return failures;
}

}  // namespace

arrow::Status PartitionPublisher::MoveFile(const Location& from, const Location& to) {
  arrow::Status st = from.fs->Move(from.path, to.path);
  if (st.ok() || from.is_s3()) {
    return st.ok() ? st
                   : st.WithMessage("moving ", from.uri(), " to ", to.uri(), ": ", st.message());
  }
  // A rename cannot cross local devices (EXDEV): copy, then remove the source.
  arrow::Status copied = from.fs->CopyFile(from.path, to.path);
  if (!copied.ok()) {
    return copied.WithMessage("moving ", from.uri(), " to ", to.uri(), ": ", copied.message());
  }
  return from.fs->DeleteFile(from.path);
}

arrow::Result<PublishResult> PartitionPublisher::Publish(
    const PartitionPlan& plan, const std::vector<WrittenFile>& outputs) const {
  PublishResult result;
  const Location& partition = plan.partition.location;
  const bool to_target = !(plan.output_dir.fs == partition.fs &&
                           plan.output_dir.path == partition.path);
  ARROW_RETURN_NOT_OK(EnsureDir(plan.output_dir));

  // What becomes visible: the new files, and with a target the files left alone.
  struct Placement {
    Location from;
    Location to;
    bool copy;  // copy (a kept original) rather than move (a staged output)
    int64_t bytes;
  };
  std::vector<Placement> placements;
  for (const auto& output : outputs) {
    placements.push_back(Placement{output.location,
                                   plan.output_dir.Child(BaseName(output.location.path)), false,
                                   output.bytes});
  }
  if (to_target) {
    for (size_t i : plan.kept) {
      const auto& info = plan.files[i].info;
      placements.push_back(Placement{Location{partition.fs, info.path()},
                                     plan.output_dir.Child(BaseName(info.path())), true,
                                     info.size()});
    }
  }
  std::vector<std::atomic<bool>> placed(placements.size());
  auto failures = ForEach(placements.size(), io_threads_, [&](size_t i) {
    const Placement& p = placements[i];
    arrow::Status st = p.copy ? p.from.fs->CopyFile(p.from.path, p.to.path)
                              : MoveFile(p.from, p.to);
    if (st.ok()) placed[i] = true;
    return st;
  });

  auto unpublish = [&](const arrow::Status& cause) -> arrow::Status {
    std::vector<std::string> stuck;
    for (size_t i = 0; i < placements.size(); ++i) {
      if (!placed[i]) continue;
      auto removed = placements[i].to.fs->DeleteFile(placements[i].to.path);
      if (!removed.ok()) stuck.push_back(placements[i].to.uri());
    }
    if (!stuck.empty()) {
      return cause.WithMessage(cause.message(), "; rolling back failed, ", stuck.size(),
                               " new file(s) remain beside the originals (readers see their "
                               "rows twice), e.g. ", stuck.front());
    }
    return cause.WithMessage(cause.message(), "; rolled back, partition unchanged");
  };
  if (!failures.empty()) return unpublish(failures.front().second);
  for (const auto& p : placements) {
    result.files_published++;
    result.bytes_published += p.bytes;
  }

  // The originals. With a target, every Parquet file of the partition now has a copy there.
  if (policy_ == OriginalsPolicy::kKeep) return result;
  std::vector<size_t> originals;
  for (const auto& group : plan.groups) {
    originals.insert(originals.end(), group.inputs.begin(), group.inputs.end());
  }
  if (to_target) originals.insert(originals.end(), plan.kept.begin(), plan.kept.end());
  if (originals.empty()) return result;

  auto remove = [&](size_t i) -> arrow::Status {
    const auto& info = plan.files[originals[i]].info;
    Location original{partition.fs, info.path()};
    if (policy_ == OriginalsPolicy::kDelete) return original.fs->DeleteFile(original.path);
    Location archived = layout_.ArchiveDir(plan.partition.path).Child(BaseName(info.path()));
    return MoveFile(original, archived);
  };
  if (policy_ == OriginalsPolicy::kArchive) {
    ARROW_RETURN_NOT_OK(EnsureDir(layout_.ArchiveDir(plan.partition.path)));
  }
  // The first removal alone: if it fails (no permission, say), nothing is lost yet and the
  // partition can still be put back as it was.
  arrow::Status first = remove(0);
  if (!first.ok()) return unpublish(first);
  result.originals_removed = 1;

  auto rest = ForEach(originals.size() - 1, io_threads_, [&](size_t i) { return remove(i + 1); });
  std::vector<std::pair<size_t, arrow::Status>> still;
  for (const auto& [i, st] : rest) {
    arrow::Status retried = remove(i + 1);  // one more try for transient errors
    if (!retried.ok()) still.emplace_back(i + 1, retried);
  }
  result.originals_removed += static_cast<int64_t>(originals.size() - 1 - still.size());
  for (const auto& [i, st] : still) {
    result.problems.push_back(std::string(policy_ == OriginalsPolicy::kDelete ? "deleting "
                                                                              : "archiving ") +
                              Location{partition.fs, plan.files[originals[i]].info.path()}.uri() +
                              ": " + st.message());
  }
  return result;
}

}  // namespace s3c
