#include "commit/partition_publisher.h"

#include <algorithm>
#include <atomic>
#include <set>
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

bool PartitionPublisher::StillThere(const Location& file) {
  auto info = file.fs->GetFileInfo(file.path);
  return info.ok() && info->type() == arrow::fs::FileType::File;  // unknown counts as gone
}

arrow::Status PartitionPublisher::Unpublish(const Published& published) const {
  auto failures = file_systems_.DeleteFiles(published.files);
  if (failures.empty()) return arrow::Status::OK();
  return arrow::Status::IOError("rolling back failed, ", failures.size(),
                                " new file(s) remain beside the originals (readers see their rows "
                                "twice), e.g. ", failures.front().first.uri(), ": ",
                                failures.front().second.message());
}

arrow::Status PartitionPublisher::Publish(const PartitionPlan& plan,
                                         const std::vector<WrittenFile>& outputs,
                                         Published* placed_out) const {
  *placed_out = Published{};
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
  // On S3 every placement is a server-side copy; locally a staged output is renamed (atomic,
  // and nothing to clean up).
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
  Published& published = *placed_out;
  for (size_t i = 0; i < placements.size(); ++i) {
    if (placed[i]) {
      published.files.push_back(placements[i].to);
      published.bytes += placements[i].bytes;
      published.sizes.Add(placements[i].bytes);
    }
  }
  if (!failures.empty()) {
    // A server-side copy that failed may still have been applied (every answer lost): the
    // undo removes its target too. Only outputs: their names are this run's.
    for (size_t i = 0; i < placements.size(); ++i) {
      const Placement& p = placements[i];
      if (!placed[i] && !p.keep_source && p.from.is_s3()) published.files.push_back(p.to);
    }
  }
  // The caller undoes what was placed. The staged sources of S3 copies stay until the run
  // sweeps its staging folder at its end, in batches of 1,000 for all partitions (recovery
  // takes an output in place over its staged copy).
  if (!failures.empty()) return failures.front().second;
  return arrow::Status::OK();
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

std::vector<FileRemoval> PartitionPublisher::RemoveEach(
    const std::vector<ExpectedFile>& files, const std::vector<Location>& archive_dirs) const {
  auto archived = [&](size_t i) {
    return archive_dirs[i].Child(BaseName(files[i].location.path));
  };
  if (policy_ == OriginalsAction::kDelete) return file_systems_.RemoveExactly(files);
  if (!files.empty() && !files.front().location.is_s3()) {
    std::vector<ExpectedMove> moves;
    for (size_t i = 0; i < files.size(); ++i) {
      moves.push_back({files[i].location, files[i].identity, archived(i)});
    }
    return file_systems_.MoveExactly(moves);
  }
  // S3 has no move: copy each into the archive, then remove exactly the versions copied; where
  // that does not remove the original (gone, changed, failed), the copy goes again.
  std::vector<arrow::Status> copied(files.size());
  ParallelFor(files.size(), io_threads_, [&](size_t i) {
    copied[i] = Copy(files[i].location, archived(i));
  });
  std::vector<ExpectedFile> to_remove;
  std::vector<size_t> index;
  std::vector<FileRemoval> outcomes(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (copied[i].ok()) {
      to_remove.push_back(files[i]);
      index.push_back(i);
      continue;
    }
    auto info = files[i].location.fs->GetFileInfo(files[i].location.path);
    const bool gone = info.ok() && info->type() == arrow::fs::FileType::NotFound;
    outcomes[i] = {files[i].location, gone ? RemovalOutcome::kGone : RemovalOutcome::kFailed,
                   gone ? arrow::Status::OK() : copied[i]};
  }
  std::vector<FileRemoval> removed = file_systems_.RemoveExactly(to_remove);
  std::vector<Location> stray_copies;
  for (size_t k = 0; k < removed.size(); ++k) {
    outcomes[index[k]] = removed[k];
    if (!removed[k].removed()) stray_copies.push_back(archived(index[k]));
  }
  for (const auto& [file, st] : file_systems_.DeleteFiles(stray_copies)) {
    log::Warn("could not remove the archive copy ", file.uri(), ": ", st.message());
  }
  return outcomes;
}

arrow::Result<RemovalResult> PartitionPublisher::RemoveFiles(
    const std::vector<ExpectedFile>& originals, const Location& archive) const {
  return RemoveFilesOf({{&originals, archive}}).front();
}

std::vector<arrow::Result<RemovalResult>> PartitionPublisher::RemoveFilesOf(
    const std::vector<Removal>& partitions) const {
  const size_t n = partitions.size();
  std::vector<arrow::Result<RemovalResult>> results(n, RemovalResult{});
  if (policy_ == OriginalsAction::kKeep) return results;
  std::vector<size_t> active;
  for (size_t i = 0; i < n; ++i) {
    const auto& originals = *partitions[i].originals;
    if (originals.empty()) continue;
    arrow::Status may = arrow::Status::OK();
    for (const auto& original : originals) {
      may = file_systems_.CheckMayDelete(original.location);
      if (!may.ok()) break;
    }
    if (may.ok() && policy_ == OriginalsAction::kArchive) may = EnsureDir(partitions[i].archive_dir);
    if (!may.ok()) {
      results[i] = may;
      continue;
    }
    active.push_back(i);
  }
  auto archived = [&](size_t i, const Location& original) {
    return partitions[i].archive_dir.Child(BaseName(original.path));
  };

  // Each partition's first removal alone: if it does not happen (no permission, the file gone
  // or changed), nothing of that partition is lost yet and the caller can put it back as it
  // was. The firsts of all partitions go in one batch: each is judged on its own outcome.
  std::vector<ExpectedFile> firsts;
  std::vector<Location> first_archives;
  for (size_t i : active) {
    firsts.push_back(partitions[i].originals->front());
    first_archives.push_back(partitions[i].archive_dir);
  }
  const std::vector<FileRemoval> first = RemoveEach(firsts, first_archives);
  std::vector<size_t> started;
  for (size_t k = 0; k < active.size(); ++k) {
    const size_t i = active[k];
    const FileRemoval& f = first[k];
    if (!f.removed() && f.sent && f.outcome != RemovalOutcome::kChanged &&
        !StillThere(f.location)) {
      // Gone after our request went out: it may be our request's doing (its answer lost), so
      // the partition cannot be put back as it was. Reported as gone: the caller keeps the
      // outputs and the journal, and recovery settles the partition by content.
      RemovalResult& result = *results[i];
      result.gone.push_back(f.location.uri());
      continue;
    }
    if (!f.removed()) {
      const std::string uri = f.location.uri();
      switch (f.outcome) {
        case RemovalOutcome::kGone:
          results[i] = arrow::Status::Invalid(uri, " vanished since it was checked (another run "
                                              "or writer removed it); nothing removed");
          break;
        case RemovalOutcome::kChanged:
          results[i] = arrow::Status::Invalid(uri, " changed since it was checked; nothing removed");
          break;
        default:
          results[i] = f.status.ok() ? arrow::Status::IOError("removing ", uri, " failed")
                                     : f.status;
      }
      continue;
    }
    RemovalResult& result = *results[i];
    if (policy_ == OriginalsAction::kArchive) {
      result.archived.push_back(archived(i, partitions[i].originals->front().location));
    }
    result.removed = 1;
    started.push_back(i);
  }
  if (started.empty()) return results;
  FaultPoint::Hit("mid_remove");

  // The rest of every started partition, together.
  std::vector<ExpectedFile> rest;
  std::vector<Location> rest_archives;
  std::vector<size_t> owner;  // the partition of each
  for (size_t i : started) {
    const auto& originals = *partitions[i].originals;
    for (size_t k = 1; k < originals.size(); ++k) {
      rest.push_back(originals[k]);
      rest_archives.push_back(partitions[i].archive_dir);
      owner.push_back(i);
    }
  }
  std::vector<FileRemoval> outcomes = RemoveEach(rest, rest_archives);
  // One more try for transient errors, unless another run or writer is removing the same
  // files of that partition (one was found gone): then nothing more of it is removed.
  std::set<size_t> contested;
  for (size_t k = 0; k < outcomes.size(); ++k) {
    if (outcomes[k].outcome == RemovalOutcome::kGone) contested.insert(owner[k]);
  }
  std::vector<ExpectedFile> again;
  std::vector<Location> again_archives;
  std::vector<size_t> again_index;
  for (size_t k = 0; k < outcomes.size(); ++k) {
    if (outcomes[k].outcome == RemovalOutcome::kFailed && !contested.count(owner[k])) {
      again.push_back(rest[k]);
      again_archives.push_back(rest_archives[k]);
      again_index.push_back(k);
    }
  }
  std::vector<FileRemoval> retried = RemoveEach(again, again_archives);
  for (size_t k = 0; k < retried.size(); ++k) outcomes[again_index[k]] = retried[k];

  const std::string verb = policy_ == OriginalsAction::kDelete ? "deleting " : "archiving ";
  for (size_t k = 0; k < outcomes.size(); ++k) {
    const FileRemoval& o = outcomes[k];
    const size_t i = owner[k];
    RemovalResult& result = *results[i];
    switch (o.outcome) {
      case RemovalOutcome::kRemoved:
        ++result.removed;
        if (policy_ == OriginalsAction::kArchive) result.archived.push_back(archived(i, o.location));
        break;
      case RemovalOutcome::kGone:
        result.gone.push_back(o.location.uri());
        break;
      case RemovalOutcome::kChanged:
        result.changed.push_back(o.location.uri() + " changed since it was checked; left where it was");
        break;
      case RemovalOutcome::kFailed:
        result.problems.push_back(verb + o.location.uri() + ": " + o.status.message());
        break;
    }
  }
  return results;
}

}  // namespace s3c
