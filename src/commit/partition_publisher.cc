#include "commit/partition_publisher.h"

#include <atomic>
#include <mutex>

#include "util/fault_point.h"
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

arrow::Status Copy(const Location& from, const Location& to) {
  auto st = from.fs->CopyFile(from.path, to.path);
  return st.ok() ? st : st.WithMessage("copying ", from.uri(), " to ", to.uri(), ": ", st.message());
}

}  // namespace

bool PartitionPublisher::WritesElsewhere(const PartitionPlan& plan) {
  return !(plan.output_dir.fs == plan.partition.location.fs &&
           plan.output_dir.path == plan.partition.location.path);
}

arrow::Status PartitionPublisher::MoveFile(const Location& from, const Location& to) {
  arrow::Status st = from.fs->Move(from.path, to.path);
  if (st.ok()) return st;
  if (from.is_s3()) return st.WithMessage("moving ", from.uri(), " to ", to.uri(), ": ", st.message());
  // A rename cannot cross local devices (EXDEV): copy, then remove the source.
  ARROW_RETURN_NOT_OK(Copy(from, to));
  return from.fs->DeleteFile(from.path);
}

arrow::Status PartitionPublisher::Unpublish(const Published& published) const {
  auto failures = file_systems_.DeleteFiles(published.files);
  if (failures.empty()) return arrow::Status::OK();
  return arrow::Status::IOError("rolling back failed, ", failures.size(),
                                " new file(s) remain beside the originals (readers see their rows "
                                "twice), e.g. ", failures.front().first.uri(), ": ",
                                failures.front().second.message());
}

arrow::Result<Published> PartitionPublisher::Publish(const PartitionPlan& plan,
                                                     const std::vector<WrittenFile>& outputs) const {
  ARROW_RETURN_NOT_OK(EnsureDir(plan.output_dir));
  struct Placement {
    Location from, to;
    bool keep_source;  // a kept original copied to a target: its source stays
    int64_t bytes;
  };
  std::vector<Placement> placements;
  for (const auto& output : outputs) {
    placements.push_back({output.location, plan.output_dir.Child(BaseName(output.location.path)),
                          false, output.bytes});
  }
  if (WritesElsewhere(plan)) {
    const Location& partition = plan.partition.location;
    for (size_t i : plan.kept) {
      const auto& info = plan.files[i].info;
      placements.push_back({Location{partition.fs, info.path()},
                            plan.output_dir.Child(BaseName(info.path())), true, info.size()});
    }
  }
  // On S3 every placement is a server-side copy, the staged sources going in one batch after;
  // locally a staged output is renamed (atomic, and nothing to clean up).
  std::vector<std::atomic<bool>> placed(placements.size());
  std::atomic<int> placed_count{0};
  auto failures = ForEach(placements.size(), io_threads_, [&](size_t i) {
    const Placement& p = placements[i];
    arrow::Status st = (p.keep_source || p.from.is_s3()) ? Copy(p.from, p.to) : MoveFile(p.from, p.to);
    if (st.ok()) {
      placed[i] = true;
      if (placed_count++ == 0) FaultPoint::Hit("mid_publish");
    }
    return st;
  });
  Published published;
  for (size_t i = 0; i < placements.size(); ++i) {
    if (placed[i]) {
      published.files.push_back(placements[i].to);
      published.bytes += placements[i].bytes;
    }
  }
  if (!failures.empty()) {
    arrow::Status cause = failures.front().second;
    arrow::Status undone = Unpublish(published);
    if (!undone.ok()) return cause.WithMessage(cause.message(), "; ", undone.message());
    return cause.WithMessage(cause.message(), "; rolled back, partition unchanged");
  }
  std::vector<Location> staged;
  for (const auto& p : placements) {
    if (!p.keep_source && p.from.is_s3()) staged.push_back(p.from);
  }
  for (const auto& [file, st] : file_systems_.DeleteFiles(staged)) {
    log::Warn("could not remove staged ", file.uri(), ": ", st.message());
  }
  return published;
}

std::vector<Location> PartitionPublisher::Originals(const PartitionPlan& plan) {
  const Location& partition = plan.partition.location;
  std::vector<Location> originals;
  for (const auto& group : plan.groups) {
    for (size_t i : group.inputs) originals.push_back({partition.fs, plan.files[i].info.path()});
  }
  if (WritesElsewhere(plan)) {
    for (size_t i : plan.kept) originals.push_back({partition.fs, plan.files[i].info.path()});
  }
  return originals;
}

arrow::Result<RemovalResult> PartitionPublisher::RemoveOriginals(
    const PartitionPlan& plan, const std::set<std::string>& skip) const {
  std::vector<Location> originals;
  for (auto& original : Originals(plan)) {
    if (!skip.count(original.path)) originals.push_back(std::move(original));
  }
  return RemoveFiles(originals, layout_.ArchiveDir(plan.partition.path));
}

arrow::Result<RemovalResult> PartitionPublisher::RemoveFiles(const std::vector<Location>& originals,
                                                             const Location& archive) const {
  RemovalResult result;
  if (policy_ == OriginalsPolicy::kKeep || originals.empty()) return result;
  for (const auto& original : originals) ARROW_RETURN_NOT_OK(file_systems_.CheckMayDelete(original));
  if (policy_ == OriginalsPolicy::kArchive) ARROW_RETURN_NOT_OK(EnsureDir(archive));
  auto archived = [&](const Location& original) { return archive.Child(BaseName(original.path)); };

  // The first removal alone: if it fails (no permission, say), nothing is lost yet and the
  // caller can put the partition back as it was.
  if (policy_ == OriginalsPolicy::kDelete) {
    auto failed = file_systems_.DeleteFiles({originals.front()});
    if (!failed.empty()) return failed.front().second;
  } else {
    ARROW_RETURN_NOT_OK(MoveFile(originals.front(), archived(originals.front())));
    result.archived.push_back(archived(originals.front()));
  }
  result.removed = 1;
  FaultPoint::Hit("mid_remove");
  std::vector<Location> rest(originals.begin() + 1, originals.end());

  std::vector<std::pair<Location, arrow::Status>> still;
  if (policy_ == OriginalsPolicy::kDelete) {
    auto failed = file_systems_.DeleteFiles(rest);
    std::vector<Location> again;
    for (auto& [file, st] : failed) again.push_back(file);
    still = file_systems_.DeleteFiles(again);  // one more try for transient errors
  } else {
    // Archive: a copy (S3) or rename (local) each, then on S3 the originals in one batch.
    std::vector<std::atomic<bool>> copied(rest.size());
    auto failures = ForEach(rest.size(), io_threads_, [&](size_t i) {
      arrow::Status st = rest[i].is_s3() ? Copy(rest[i], archived(rest[i]))
                                         : MoveFile(rest[i], archived(rest[i]));
      if (st.ok()) copied[i] = true;
      return st;
    });
    for (auto& [i, st] : failures) still.emplace_back(rest[i], st);
    std::vector<Location> copied_on_s3;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (copied[i]) result.archived.push_back(archived(rest[i]));
      if (copied[i] && rest[i].is_s3()) copied_on_s3.push_back(rest[i]);
    }
    for (auto& failure : file_systems_.DeleteFiles(copied_on_s3)) still.push_back(failure);
  }
  result.removed += static_cast<int64_t>(rest.size() - still.size());
  for (const auto& [file, st] : still) {
    result.problems.push_back(
        std::string(policy_ == OriginalsPolicy::kDelete ? "deleting " : "archiving ") + file.uri() +
        ": " + st.message());
  }
  return result;
}

}  // namespace s3c
