#include "commit/run_recovery.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include "commit/content_settlement.h"
#include "plan/shard.h"
#include "util/clock.h"
#include "util/logging.h"

namespace s3c {
namespace {

// The output at `final` is complete: the size recorded, and for a compacted file its footer's
// row count.
bool OutputComplete(const Location& final, const JournalOutput& output) {
  auto info = final.fs->GetFileInfo(final.path);
  if (!info.ok() || info->type() != arrow::fs::FileType::File || info->size() != output.bytes) {
    return false;
  }
  if (output.rows < 0) return true;
  auto file = final.fs->OpenInputFile(*info);
  if (!file.ok()) return false;
  try {
    return parquet::ParquetFileReader::Open(*file)->metadata()->num_rows() == output.rows;
  } catch (const std::exception&) {
    return false;
  }
}


// The planned originals as they are now: unchanged (with their identity now), changed, gone.
// From `removing` on, a version recorded as checked must be exactly that version (SameFile);
// before, size and modification time must be as planned.
struct Originals {
  std::vector<ExpectedFile> unchanged;
  std::vector<std::string> changed;  // URIs
  std::vector<std::string> gone;     // URIs
  std::vector<ListedFile> listing;   // the whole location, as listed
  bool all_there() const { return changed.empty() && gone.empty(); }
};

// How a roll forward records an original that changed since planning (a record's problem).
constexpr std::string_view kChangedSincePlanning = " changed since planning; left where it was";

// Why a partition waits for a person when originals changed after its run began removing
// them: said by the recovery that rolled forward, and by every one after it (from the record).
std::string ChangedWhileRemoving(const std::vector<std::string>& changed) {
  std::string names;
  for (size_t i = 0; i < changed.size() && i < 3; ++i) names += (i ? ", " : "") + changed[i];
  if (changed.size() > 3) names += " and " + std::to_string(changed.size() - 3) + " more";
  const bool one = changed.size() == 1;
  return names + (one ? " changed" : " (planned originals) changed") +
         " after its run began removing the originals: the new files hold " +
         (one ? "its" : "their") + " rows as planned, and " + (one ? "it holds" : "they hold") +
         " them as changed (rows there twice); nothing more was touched. To keep the rows as "
         "planned, remove " + (one ? "the file" : "those files") + "; to keep them as changed, "
         "take " + (one ? "its" : "their") + " planned rows out of the new files by hand, then "
         "move " + (one ? "it" : "them") + " out of the partition, run `s3-compaction recover`, "
         "and put " + (one ? "it" : "them") + " back";
}

}  // namespace

// An output another run of this tool wrote while run `run_id` was under way: the other side of
// a conflict, never data a user put there, so it may go if its rows are all in `run_id`'s
// outputs (ContentSettlement treats it as an original).
bool ConcurrentOutput(const ListedFile& file, const std::string& run_id) {
  auto writer = RunLayout::OutputRun(BaseName(file.location.path));
  return writer && *writer != run_id &&
         file.identity.mtime_ns / 1'000'000'000 >= RunLayout::RunStartUnix(run_id);
}

struct RunRecovery::Partition {
  const JournalPlan& plan;
  TrustedPartition trusted;
  Location run_dir;
  PartitionRecord record;
  RecoveryReport* report;
  std::string who;  // "run R, partition P: "

  arrow::Status Write() const {
    return RunJournal::WriteRecord(run_dir, trusted.partition->path, record);
  }
  void Say(const std::string& line) const { report->lines.push_back(who + line); }
  void Block(const std::string& why) const {
    ++report->failures;
    Say(why);
    report->blocked[trusted.partition->path] =
        "an earlier run (" + plan.run_id + ") left it unsettled: " + why;
  }
};

namespace {

arrow::Result<Originals> OriginalsNow(FileSystems& file_systems, const TrustedPartition& p,
                                      const PartitionRecord& record) {
  Originals out;
  ARROW_ASSIGN_OR_RAISE(out.listing, file_systems.ListWithIdentities(p.location));
  std::map<std::string, const ListedFile*> now;
  for (const auto& f : out.listing) now[f.location.path] = &f;
  std::map<std::string, const JournalFile*> checked;
  for (const auto& f : record.checked) checked[f.uri] = &f;
  for (const auto& [where, planned] : p.inputs) {
    auto it = now.find(where.path);
    if (it == now.end()) {
      out.gone.push_back(planned.uri);
      continue;
    }
    const FileIdentity& identity = it->second->identity;
    bool same;
    if (auto c = checked.find(planned.uri); c != checked.end()) {
      FileIdentity then{c->second->size, c->second->mtime_ns, c->second->etag,
                        c->second->device, c->second->inode};
      same = SameFile(then, identity);
    } else {
      same = !it->second->symlink && identity.size == planned.size &&
             (planned.mtime_ns == 0 || identity.mtime_ns == 0 ||
              identity.mtime_ns == planned.mtime_ns) &&
             (planned.inode == 0 ||
              (identity.inode == planned.inode && identity.device == planned.device));
    }
    if (same) {
      out.unchanged.push_back({where, identity});
    } else {
      out.changed.push_back(planned.uri);
    }
  }
  return out;
}

}  // namespace

arrow::Result<bool> RunRecovery::CompleteOutputs(Partition& p) {
  for (const auto& o : p.record.outputs) {
    ARROW_ASSIGN_OR_RAISE(Location final, trust_.Resolve(o.final));
    if (OutputComplete(final, o)) continue;
    arrow::Status placed = arrow::Status::IOError("not staged");
    if (!o.staged.empty()) {
      ARROW_ASSIGN_OR_RAISE(Location staged, trust_.Resolve(o.staged));
      if (OutputComplete(staged, o)) {
        if (!final.is_s3()) {
          ARROW_RETURN_NOT_OK(final.fs->CreateDir(final.path.substr(0, final.path.rfind('/')), true));
        }
        placed = final.is_s3() ? staged.fs->CopyFile(staged.path, final.path)
                               : PartitionPublisher::MoveFile(staged, final);
      }
    } else if (!o.source.empty()) {
      ARROW_ASSIGN_OR_RAISE(Location source, trust_.Resolve(o.source));
      placed = source.fs->CopyFile(source.path, final.path);
    }
    if (!placed.ok() || !OutputComplete(final, o)) return false;
  }
  return true;
}

arrow::Result<RemovalResult> RunRecovery::RemoveVerified(Partition& p,
                                                         const std::vector<ExpectedFile>& originals) {
  PartitionPublisher publisher(layout_, file_systems_, p.trusted.policy.action, io_threads_);
  if (originals.empty() || p.trusted.policy.action == OriginalsAction::kKeep) {
    return publisher.RemoveFiles(originals, p.trusted.archive);
  }
  // An original goes only if every one of its rows is in the outputs: a journal read from
  // storage cannot make this run remove rows it did not publish.
  ARROW_ASSIGN_OR_RAISE(auto listing, file_systems_.ListWithIdentities(p.trusted.output_dir));
  std::map<std::string, const ListedFile*> listed;
  for (const auto& f : listing) listed[f.location.path] = &f;
  std::vector<ExpectedFile> outputs;
  for (const auto& o : p.record.outputs) {
    ARROW_ASSIGN_OR_RAISE(Location final, trust_.Resolve(o.final));
    auto it = listed.find(final.path);
    if (it == listed.end()) return arrow::Status::IOError("its output ", o.final, " vanished");
    outputs.push_back({final, it->second->identity});
  }
  if (outputs.empty()) return arrow::Status::Invalid("it names no output to keep");
  ARROW_ASSIGN_OR_RAISE(auto settled, ContentSettlement::Settle(
                                          file_systems_, publisher, p.trusted.archive, outputs,
                                          originals, {}, ContentSettlement::Prefer::kKeepOutputs));
  if (settled.too_large) return publisher.RemoveFiles(originals, p.trusted.archive);
  RemovalResult result = settled.removal;
  if (settled.kind == ContentSettlement::Kind::kUnsettled) result.problems.push_back(settled.detail);
  return result;
}

arrow::Result<bool> RunRecovery::RollBack(Partition& p, const std::string& why) {
  ARROW_ASSIGN_OR_RAISE(Originals originals, OriginalsNow(file_systems_, p.trusted, p.record));
  if (!originals.gone.empty()) {
    // The outputs may hold the only copy of some rows now: only their content can say.
    return Settle(p, why + ", and some originals are gone");
  }
  // An original changed since planning (none gone) is the writer's newer version: the outputs
  // hold its rows as they were, so they go, as the run itself would have removed them
  // (PartitionCommitter gives up a partition whose originals changed before their removal).
  std::vector<Location> placed;
  for (const auto& o : p.record.outputs) {
    ARROW_ASSIGN_OR_RAISE(Location final, trust_.Resolve(o.final));
    auto info = final.fs->GetFileInfo(final.path);
    if (info.ok() && info->type() == arrow::fs::FileType::File) placed.push_back(final);
  }
  auto failures = file_systems_.DeleteFiles(placed);
  if (!failures.empty()) return failures.front().second;
  p.record.state = PartitionState::kRolledBack;
  ARROW_RETURN_NOT_OK(p.Write());
  p.Say("rolled back (" + why + "); " + std::to_string(placed.size()) +
        " new file(s) removed, partition as it was");
  return false;
}

arrow::Result<bool> RunRecovery::RollForward(Partition& p) {
  const PartitionState before = p.record.state;
  ARROW_ASSIGN_OR_RAISE(bool complete, CompleteOutputs(p));
  ARROW_ASSIGN_OR_RAISE(Originals originals, OriginalsNow(file_systems_, p.trusted, p.record));
  if (!complete) {
    // An original changed (none gone) is rolled back too (RollBack): a rollback cut short
    // leaves this state, and must finish the same way.
    if (originals.gone.empty()) return RollBack(p, "an output could not be completed");
    return Settle(p, "an output could not be completed and some originals are gone");
  }
  if (!originals.gone.empty() && p.trusted.in_place && before == PartitionState::kPublishing) {
    // Gone before this run began removing them: another run or writer took them.
    return Settle(p, "originals vanished before its run began removing them");
  }
  if (!originals.changed.empty() && before == PartitionState::kPublishing) {
    // Changed before any was removed (a writer's newer version): undone, as the run itself
    // would have done. Rolled forward, the changed file would stand beside the outputs holding
    // its earlier rows: those rows twice, for good.
    return RollBack(p, originals.changed.front() + " changed since planning");
  }
  std::vector<JournalFile> versions;
  for (const auto& f : originals.unchanged) {
    versions.push_back({f.location.uri(), f.identity.size, f.identity.mtime_ns, f.identity.etag,
                        f.identity.device, f.identity.inode});
  }
  p.record.state = PartitionState::kRemoving;
  p.record.checked = versions;
  ARROW_RETURN_NOT_OK(p.Write());  // guards the removal
  auto removed = RemoveVerified(p, originals.unchanged);
  if (!removed.ok()) {
    p.Block("rolled forward, but " + removed.status().message() + "; the next run retries");
    return true;
  }
  std::vector<std::string> problems;
  for (const auto& uri : originals.changed) problems.push_back(uri + std::string(kChangedSincePlanning));
  problems.insert(problems.end(), removed->changed.begin(), removed->changed.end());
  problems.insert(problems.end(), removed->problems.begin(), removed->problems.end());
  for (const auto& uri : removed->gone) problems.push_back(uri + " vanished while being removed");
  p.record.state = removed->problems.empty() ? PartitionState::kDone : PartitionState::kRemoving;
  p.record.problems = problems;
  if (p.trusted.policy.delete_after_minutes > 0) {
    for (const auto& a : removed->archived) p.record.pending_delete.push_back(a.uri());
    if (p.trusted.policy.action == OriginalsAction::kKeep) {
      for (const auto& o : originals.unchanged) p.record.pending_delete.push_back(o.location.uri());
    }
    p.record.delete_after_unix = NowUnix() + p.trusted.policy.delete_after_minutes * 60;
  }
  ARROW_RETURN_NOT_OK(p.Write());
  p.Say("rolled forward; " + std::to_string(removed->removed) + " original(s) " +
        p.trusted.policy.RemovedVerb() + (problems.empty() ? "" : "; " + problems.front()));
  if (p.trusted.in_place &&
      (before == PartitionState::kPublishing || before == PartitionState::kRemoving ||
       before == PartitionState::kConflict)) {
    // The crash came before the run's catalog step: the catalog's statistics are stale.
    p.report->settled_in_place.push_back({p.trusted.partition->path, p.trusted.location.uri()});
  }
  if (!removed->problems.empty()) {
    // Originals still there beside the new files: until they go, the partition must not be
    // compacted again (its rows would be doubled for good).
    p.Block("originals could not all be removed: " + removed->problems.front());
    return true;
  }
  if (p.trusted.in_place && !originals.changed.empty()) {
    // Changed after the run began removing (some originals are gone: it cannot be undone).
    // The outputs hold the file's rows as planned, the file holds them as changed: which
    // version readers should have, only a person can say. The record (done, beside a planned
    // original) keeps the partition from being compacted until then.
    p.Block(ChangedWhileRemoving(originals.changed));
    return true;
  }
  return !p.record.pending_delete.empty();
}

arrow::Result<bool> RunRecovery::Settle(Partition& p, const std::string& why) {
  if (!p.trusted.in_place) {
    p.Block("cannot settle automatically (" + why + "): its new files and originals are both "
            "kept; check the partition and the run's journal by hand");
    return true;
  }
  ARROW_ASSIGN_OR_RAISE(auto listing, file_systems_.ListWithIdentities(p.trusted.location));
  std::map<std::string, const ListedFile*> listed;
  for (const auto& f : listing) listed[f.location.path] = &f;
  std::vector<ExpectedFile> outputs, others;  // the run's outputs in the partition; the rest
  std::map<std::string, bool> mine;
  for (const auto& o : p.record.outputs) {
    ARROW_ASSIGN_OR_RAISE(Location final, trust_.Resolve(o.final));
    auto it = listed.find(final.path);
    if (it == listed.end()) continue;
    if (!OutputComplete(final, o) || o.rows < 0) {
      p.Block("cannot settle automatically (" + why + "): its output " + o.final +
              " is incomplete; check the partition by hand");
      return true;
    }
    outputs.push_back({final, it->second->identity});
    mine[final.path] = true;
  }
  if (outputs.empty()) {
    p.record.state = PartitionState::kRolledBack;
    ARROW_RETURN_NOT_OK(p.Write());
    p.Say("settled (" + why + "): none of its new files is in the partition");
    return false;
  }
  // The planned originals still there, as planned; every other data file is someone else's.
  ARROW_ASSIGN_OR_RAISE(Originals planned, OriginalsNow(file_systems_, p.trusted, p.record));
  for (const auto& f : planned.unchanged) mine[f.location.path] = true;
  std::vector<ExpectedFile> candidates = planned.unchanged;
  for (const auto& f : listing) {
    if (mine.count(f.location.path) || f.symlink || RunLayout::IsHidden(BaseName(f.location.path))) continue;
    (ConcurrentOutput(f, p.plan.run_id) ? candidates : others).push_back({f.location, f.identity});
  }
  PartitionPublisher remover(layout_, file_systems_, p.trusted.policy.action, io_threads_);
  ARROW_ASSIGN_OR_RAISE(auto settled,
                        ContentSettlement::Settle(file_systems_, remover, p.trusted.archive,
                                                  outputs, candidates, others));
  if (settled.kind == ContentSettlement::Kind::kUnsettled) {
    p.Block("cannot settle automatically (" + why + "): " + settled.detail);
    return true;
  }
  p.record.state = settled.kind == ContentSettlement::Kind::kRemovedOutputs
                       ? PartitionState::kRolledBack
                       : PartitionState::kDone;
  ARROW_RETURN_NOT_OK(p.Write());
  p.Say("settled by content (" + why + "): " + settled.detail);
  if (settled.kind == ContentSettlement::Kind::kRemovedOthers) {
    p.report->settled_in_place.push_back({p.trusted.partition->path, p.trusted.location.uri()});
  }
  return false;
}

arrow::Result<Location> RunRecovery::LocationOf(const std::string& path) {
  if (catalog_locations_) {
    ARROW_ASSIGN_OR_RAISE(const auto* known, catalog_locations_());
    if (auto it = known->find(path); it != known->end()) return file_systems_.Resolve(it->second);
  }
  return layout_.table_root().Child(path);
}

arrow::Result<bool> RunRecovery::SettleByName(const std::string& run_id, const std::string& path,
                                              const Location& location,
                                              OriginalsAction originals_action,
                                              const std::vector<JournalFile>& planned,
                                              const std::string& why, RecoveryReport* report) {
  const std::string who = "run " + run_id + ", partition " + PartitionName(path) + ": ";
  ARROW_ASSIGN_OR_RAISE(auto listing, file_systems_.ListWithIdentities(location));
  // The files the plan names (by name and size: its places may be another spelling) may go if
  // their rows are all in the outputs; no other file ever does for that.
  std::map<std::string, const JournalFile*> named;
  for (const auto& f : planned) named[std::string(BaseName(f.uri))] = &f;
  // Same name and size, and the version the journal checked when it says which (a file written
  // again under the same name since is not the planned one).
  auto same = [](const JournalFile& hint, const ListedFile& listed) {
    const FileIdentity& now = listed.identity;
    if (hint.size != now.size) return false;
    // The inode only where the hint was taken: a copy of the table (with its journal) has
    // the same files under other inodes.
    const bool here = hint.uri == listed.location.uri() || hint.uri == listed.location.path;
    if (here && hint.inode != 0 && (hint.inode != now.inode || hint.device != now.device)) {
      return false;
    }
    if (!hint.etag.empty() && hint.etag != now.etag) return false;
    if (here && hint.mtime_ns != 0 && now.mtime_ns != 0 && hint.mtime_ns != now.mtime_ns) {
      // Written again in place since, if only with the same bytes (on S3 the same ETag: a
      // writer delivering the file again after the run removed it). A copy of the table has
      // its own times (on S3 always, on disk unless kept): there name and size must do.
      // Known limit: on disk, a hard link to the very file the run removed (a writer
      // delivering again from its spool) has its inode and time, and is taken for it.
      return false;
    }
    return true;
  };
  // Without a trusted record nothing says the run did not finish: only the originals a plan
  // or record names (and finds again as it checked them) may show its outputs to be doubles.
  // Every other file, another run's output included, may hold the same rows on purpose (an
  // at-least-once writer's re-delivery, an older duplicate): it never makes the outputs
  // removable, and one sharing rows with them leaves the partition to a person.
  std::vector<ExpectedFile> outputs, originals, unvouched;
  for (const auto& f : listing) {
    const std::string name(BaseName(f.location.path));
    if (f.symlink || RunLayout::IsHidden(name)) continue;
    auto it = named.find(name);
    const bool planned_here = it != named.end() && same(*it->second, f);
    auto& into = RunLayout::IsOutputOf(name, run_id) ? outputs
                 : planned_here                      ? originals
                                                     : unvouched;
    into.push_back({f.location, f.identity});
  }
  if (outputs.empty()) {
    report->lines.push_back(who + why + "; nothing of that run is in the partition");
    return false;
  }
  if (originals.empty() && unvouched.empty()) {
    report->lines.push_back(who + why + "; its new files are all the partition holds, and stay");
    return false;
  }
  PartitionPublisher remover(layout_, file_systems_, originals_action, io_threads_);
  auto settled = ContentSettlement::Settle(file_systems_, remover,
                                           layout_.ForRun(run_id).ArchiveDir(path), outputs,
                                           originals, {}, ContentSettlement::Prefer::kEither,
                                           unvouched);
  const std::string detail = settled.ok() ? settled->detail : settled.status().message();
  if (!settled.ok() || settled->kind == ContentSettlement::Kind::kUnsettled) {
    ++report->failures;
    report->lines.push_back(
        who + why + "; cannot settle it by content: " + detail + ". If that run finished, its "
        "new files are the only copy of their rows: remove " +
        layout_.RunsDir().Child(run_id).uri() + " (or, if the run did not finish elsewhere, move "
        "the files sharing their rows out of the partition, run `s3-compaction recover`, and put "
        "them back); if not, its originals are still there beside them: remove them, or its "
        "new files");
    report->blocked[path] = "an unsettled journal covers it (" + who + why + "; " + detail + ")";
    return true;
  }
  report->lines.push_back(who + why + "; settled by content: " + detail);
  return false;
}

std::map<std::string, std::vector<JournalFile>> RunRecovery::PlannedInputs(
    const std::string& run_id, const JournalPlan& first,
    const std::map<std::string, Location>& folders) const {
  std::map<std::string, std::vector<JournalFile>> inputs;
  auto take = [&](const JournalPlan& wave) {
    for (const auto& partition : wave.partitions) {
      if (folders.count(partition.path)) inputs.emplace(partition.path, partition.inputs);
    }
  };
  take(first);
  const Location run_dir = layout_.RunsDir().Child(run_id);
  auto objects = RunJournal::ListRun(run_dir);
  if (!objects.ok()) return inputs;  // hints only: the settlement goes by content
  for (int wave : RunJournal::Waves(*objects)) {
    if (wave == 0) continue;
    auto plan = RunJournal::ReadWave(run_dir, wave, &first);
    if (plan.ok()) take(*plan);
  }
  return inputs;
}

arrow::Result<std::map<std::string, Location>> RunRecovery::OutputFolders(
    const std::string& run_id, bool look_elsewhere) {
  std::map<std::string, Location> folders;  // partition path -> folder
  const std::string base = layout_.table_root().path + "/";
  // A batch (a page) at a time: a table of millions of files is never held whole.
  ARROW_RETURN_NOT_OK(ListFolderInBatches(
      layout_.table_root(), /*recursive=*/true, /*max_depth=*/64,
      [&](std::vector<arrow::fs::FileInfo>&& batch) {
        for (const auto& e : batch) {
          if (!e.IsFile() || !RunLayout::IsOutputOf(BaseName(e.path()), run_id)) continue;
          if (e.path().compare(0, base.size(), base) != 0) continue;
          std::string rel = e.path().substr(base.size());
          const size_t slash = rel.rfind('/');
          rel = slash == std::string::npos ? std::string() : rel.substr(0, slash);  // the root
          // The tool's own folders (staging, archive), by whole path segment: a partition
          // value may contain the name ("job=nightly_s3_compaction").
          const std::string segments = "/" + rel + "/";
          if (segments.find("/" + std::string(RunLayout::kToolFolder) + "/") !=
              std::string::npos) {
            continue;
          }
          folders.emplace(rel, layout_.table_root().Child(rel));
        }
        return arrow::Status::OK();
      }));
  if (catalog_locations_) {
    ARROW_ASSIGN_OR_RAISE(const auto* known, catalog_locations_());
    for (const auto& [path, uri] : *known) {
      ARROW_ASSIGN_OR_RAISE(Location where, file_systems_.Resolve(uri));
      if (layout_.table_root().Contains(where)) continue;
      if (look_elsewhere) {
        ARROW_ASSIGN_OR_RAISE(auto files, ListFolder(where));
        if (std::none_of(files.begin(), files.end(), [&](const arrow::fs::FileInfo& f) {
              return f.IsFile() && RunLayout::IsOutputOf(BaseName(f.path()), run_id);
            })) {
          continue;
        }
      }
      folders.emplace(path, where);
    }
  }
  return folders;
}

arrow::Status RunRecovery::RecoverEmptied(const std::string& run_id, RecoveryReport* report) {
  // Any outputs of the run are settled by content with no original vouched for: they stay
  // (a finished run's may be the only copy of their rows), and a partition where another file
  // shares their rows is left to a person.
  ARROW_ASSIGN_OR_RAISE(bool left, SettleRunByName(run_id, "its journal folder holds no plan or "
                                                   "record", nullptr, {}, report,
                                                   /*quiet_if_none=*/true));
  if (left) return arrow::Status::OK();  // the folder stays, for another look
  RemoveRunFolder(run_id, report);
  return arrow::Status::OK();
}

void RunRecovery::RemoveRunFolder(const std::string& run_id, RecoveryReport* report) {
  const Location run_dir = layout_.RunsDir().Child(run_id);
  arrow::Status st = SweepStaging(run_id);
  if (st.ok()) st = file_systems_.DeleteFolder(run_dir);
  if (!st.ok()) {
    // Settled; only the folder could not go (a link out of the table, no permission): every
    // run would meet it again.
    ++report->folders_left;
    report->lines.push_back("run " + run_id + ": nothing of it is left unsettled, but " +
                            st.message() + "; remove " + run_dir.uri() + " by hand");
    return;
  }
  FileSystems::RemoveEmptyFolders(run_dir, RunLayout::kToolFolder);
}

arrow::Status RunRecovery::BlockOutputsOf(const std::string& run_id, RecoveryReport* report) {
  ARROW_ASSIGN_OR_RAISE(auto folders, OutputFolders(run_id, /*look_elsewhere=*/true));
  for (const auto& [path, folder] : folders) {
    report->blocked.try_emplace(
        path, "run " + run_id + " has new files in " + folder.uri() + " but no journal; "
              "finish it with `s3-compaction recover` (no --shard, this table's own journal) "
              "first");
  }
  return arrow::Status::OK();
}

arrow::Status RunRecovery::RecoverJournalless(const std::string& run_id, const std::string& why,
                                              RecoveryReport* report) {
  const Location run_dir = layout_.RunsDir().Child(run_id);
  ARROW_ASSIGN_OR_RAISE(auto folders, OutputFolders(run_id, /*look_elsewhere=*/true));
  if (folders.empty() && layout_.JournalElsewhere()) {
    // A journal folder given by --journal_path may be shared: it may be another table's.
    report->lines.push_back("run " + run_id + ": " + why + "; nothing of that run is in this "
                            "table, and its folder in " + run_dir.uri() + " stays (it may be "
                            "another table's)");
    return arrow::Status::OK();
  }
  if (folders.empty()) {
    // Nothing of that run was published here: the folder says nothing.
    RemoveRunFolder(run_id, report);
    report->lines.push_back("run " + run_id + ": " + why + "; nothing of that run is in the "
                            "table, its folder was removed");
    return arrow::Status::OK();
  }
  // Its outputs are there, but no record says whether it finished: its originals may be there
  // too (every row twice), or the outputs may be all readers have. Only a person can tell
  // (content cannot: a writer may have delivered the same rows again), so nothing is touched.
  for (const auto& [path, folder] : folders) {
    const std::string line = "run " + run_id + ", partition " + PartitionName(path) + ": " + why +
                             ", but its new files are in " + folder.uri() +
                             "; nothing was touched: check the partition (its rows may be there "
                             "twice), then remove " + run_dir.uri();
    ++report->failures;
    report->lines.push_back(line);
    report->blocked[path] = "an unreadable journal covers it (" + line + ")";
  }
  return arrow::Status::OK();
}

arrow::Result<bool> RunRecovery::SettleRunByName(const std::string& run_id,
                                                 const std::string& why, const JournalPlan* plan,
                                                 const std::set<std::string>& handled,
                                                 RecoveryReport* report, bool quiet_if_none) {
  // Which partitions the run touched cannot be taken from its journal: its outputs are found by
  // their names, which carry its id, in every folder of the table (and in the catalog's
  // partitions elsewhere), and each folder holding some is settled by content.
  ARROW_ASSIGN_OR_RAISE(auto folders, OutputFolders(run_id, /*look_elsewhere=*/quiet_if_none));
  // Folders the run's own records settled are not looked at again; if none is left, neither
  // the wave plans nor the records need reading.
  std::erase_if(folders, [&](const auto& entry) { return handled.count(entry.second.path) > 0; });
  if (folders.empty()) {
    if (!quiet_if_none) {
      report->lines.push_back("run " + run_id + ": " + why + "; nothing of that run is in the table");
    }
    return false;
  }
  // What its plan (if it could be read) says each folder's inputs and policy were: only as a
  // hint to the settlement, which removes nothing whose rows it has not found elsewhere.
  std::map<std::string, std::vector<JournalFile>> planned;
  if (plan) planned = PlannedInputs(run_id, *plan, folders);
  // A record from `removing` on names the originals it checked: a hint as good as the plan's
  // (which may be lost), for the folders the plan gave none.
  std::vector<std::string> unplanned;
  for (const auto& entry : folders) {
    if (!planned.count(entry.first)) unplanned.push_back(entry.first);
  }
  if (!unplanned.empty()) {
    auto records = RunJournal::ReadRecords(layout_.RunsDir().Child(run_id), unplanned);
    for (const auto& path : unplanned) {
      if (!records.ok()) break;
      const auto& record = records->at(path);
      if (record.ok() && *record && !(*record)->checked.empty()) {
        planned.emplace(path, (*record)->checked);
      }
    }
  }
  const OriginalsAction action =
      plan ? OriginalsPolicy::FromJournal(plan->policy, plan->delete_grace_minutes, false).action
           : OriginalsAction::kArchive;
  bool unsettled = false;
  for (const auto& [path, folder] : folders) {
    auto it = planned.find(path);
    const std::vector<JournalFile> inputs =
        it == planned.end() ? std::vector<JournalFile>{} : it->second;
    ARROW_ASSIGN_OR_RAISE(bool left,
                          SettleByName(run_id, path, folder, action, inputs, why, report));
    unsettled |= left;
  }
  return unsettled;
}

arrow::Status RunRecovery::RecoverUnreadable(const std::string& run_id, const arrow::Status& why,
                                             RecoveryReport* report) {
  const std::string because = "its plan cannot be read (" + why.message() + ")";
  ARROW_ASSIGN_OR_RAISE(bool unsettled, SettleRunByName(run_id, because, nullptr, {}, report));
  if (unsettled) return arrow::Status::OK();  // its journal stays, for another look
  ARROW_RETURN_NOT_OK(SweepStaging(run_id));
  report->lines.push_back("run " + run_id + ": " + because + "; nothing of it is left "
                          "unsettled, its journal was removed");
  return RunJournal::DeleteRun(file_systems_, layout_.RunsDir().Child(run_id));
}

arrow::Result<bool> RunRecovery::FromPublished(Partition& p) {
  if (!p.plan.repoint) return RollBack(p, "it was never finished");
  if (!catalog_locations_) {
    return arrow::Status::Invalid("the catalog that was repointed cannot be asked");
  }
  // The crash fell around the catalog update: the catalog says which side readers see.
  ARROW_ASSIGN_OR_RAISE(const auto* locations, catalog_locations_());
  auto it = locations->find(p.trusted.partition->path);
  std::optional<Location> now;
  if (it != locations->end()) {
    ARROW_ASSIGN_OR_RAISE(now, trust_.Resolve(it->second));
  }
  if (now && now->SameFolder(p.trusted.location)) {
    return RollBack(p, "its catalog update never happened");
  }
  if (!now || !now->SameFolder(p.trusted.output_dir)) {
    return arrow::Status::Invalid(
        "the catalog now points at ", now ? now->uri() : std::string("no partition"),
        ", neither its old location ", p.trusted.location.uri(), " nor the new ",
        p.trusted.output_dir.uri(), "; both left as they are");
  }
  // Every output was placed and verified before the catalog moved: roll forward.
  return RollForward(p);
}

arrow::Result<bool> RunRecovery::DeleteDue(Partition& p) {
  if (p.record.pending_delete.empty()) return false;
  if (NowUnix() < p.record.delete_after_unix) return true;  // not yet
  // Archived copies are the tool's own; originals left at an old location go only as the
  // version planned (another writer may have put a new one under the same name).
  ARROW_ASSIGN_OR_RAISE(Originals originals, OriginalsNow(file_systems_, p.trusted, p.record));
  std::map<std::string, const ExpectedFile*> planned;
  for (const auto& f : originals.unchanged) planned[f.location.path] = &f;
  std::vector<Location> copies;
  std::vector<ExpectedFile> left_behind;
  for (const auto& uri : p.record.pending_delete) {
    ARROW_ASSIGN_OR_RAISE(Location file, trust_.Resolve(uri));
    if (p.trusted.archive.Contains(file)) {
      copies.push_back(file);
    } else if (auto it = planned.find(file.path); it != planned.end()) {
      left_behind.push_back(*it->second);
    }  // else: changed or gone since planning: not ours to delete
  }
  if (!left_behind.empty() && p.plan.repoint && catalog_locations_) {
    // Originals left at the old location go only while the catalog points at the new one: an
    // operator may have pointed the partition back at them.
    ARROW_ASSIGN_OR_RAISE(const auto* known, catalog_locations_());
    auto it = known->find(p.trusted.partition->path);
    auto now = it == known->end() ? arrow::Result<Location>(arrow::Status::Invalid("none"))
                                  : file_systems_.Resolve(it->second);
    if (!now.ok() || !now->SameFolder(p.trusted.output_dir)) {
      p.Say("grace period over, but the catalog no longer points at " +
            p.trusted.output_dir.uri() + ": the originals at " + p.trusted.location.uri() +
            " stay");
      left_behind.clear();
    }
  }
  std::vector<std::string> still;
  for (const auto& [file, st] : file_systems_.DeleteFiles(copies)) still.push_back(file.uri());
  for (const auto& r : file_systems_.RemoveExactly(left_behind)) {
    if (r.outcome == RemovalOutcome::kFailed) still.push_back(r.location.uri());
  }
  const size_t deleted = copies.size() + left_behind.size() - still.size();
  p.record.pending_delete = still;
  ARROW_RETURN_NOT_OK(p.Write());
  p.Say("grace period over; " + std::to_string(deleted) + " original(s) deleted");
  return !p.record.pending_delete.empty();
}

arrow::Result<bool> RunRecovery::RecoverPartition(Partition& p) {
  switch (p.record.state) {
    case PartitionState::kRolledBack:
      return false;
    case PartitionState::kDone:
      return DeleteDue(p);
    case PartitionState::kPublished:
      return FromPublished(p);
    case PartitionState::kPublishing:
      if (p.plan.repoint && !p.trusted.in_place) {
        return RollBack(p, "its catalog update never happened");
      }
      return RollForward(p);
    case PartitionState::kRepointed:
    case PartitionState::kRemoving:
      return RollForward(p);
    case PartitionState::kConflict:
      return Settle(p, "its run found originals already gone while removing them");
  }
  return false;
}

arrow::Status RunRecovery::SweepStaging(const std::string& run_id) {
  // The run's staging, where this run's own arguments put it: in the table, and in our target.
  std::vector<Location> roots = {layout_.table_root()};
  if (!layout_.output_root().SameFolder(layout_.table_root())) roots.push_back(layout_.output_root());
  for (const Location& root : roots) {
    const Location staging = RunLayout(run_id, layout_.table_root(), root, std::nullopt).StagingRoot();
    auto swept = file_systems_.DeleteFolder(staging);
    if (!swept.ok()) {
      return swept.WithMessage("could not clear its staging folder ", staging.uri(), ": ",
                               swept.message());
    }
    FileSystems::RemoveEmptyFolders(staging, RunLayout::kToolFolder);
  }
  return arrow::Status::OK();
}

arrow::Status RunRecovery::RecoverRun(const std::string& run_id, const JournalPlan& plan,
                                      RecoveryReport* report) {
  const Location run_dir = layout_.RunsDir().Child(run_id);
  bool pending = false;
  if (auto trusted = trust_.CheckRun(run_id, plan); !trusted.ok()) {
    // Not a journal of this table (or not of its folder): it may still describe this very data
    // (a copy of the table made with its journal), so the run's outputs are settled by content.
    ARROW_ASSIGN_OR_RAISE(pending, SettleRunByName(run_id, trusted.message(), &plan, {}, report));
    if (layout_.JournalElsewhere()) {
      // A journal folder given by --journal_path may be shared with other tables: that one's
      // journal is its table's to finish, and stays.
      ++report->failures;
      report->lines.push_back("run " + run_id + ": " + trusted.message() +
                              "; its journal stays in " + run_dir.uri());
      return arrow::Status::OK();
    }
    // In this table's own folder it came with a copy of the table (or was put there): once its
    // outputs here are settled it has nothing more to say.
    if (pending) return arrow::Status::OK();
    ARROW_RETURN_NOT_OK(SweepStaging(run_id));
    ARROW_RETURN_NOT_OK(RunJournal::DeleteRun(file_systems_, run_dir));
    report->lines.push_back("run " + run_id + ": its journal, in this table's own folder, was "
                            "removed");
    return arrow::Status::OK();
  }
  std::set<std::string> handled;  // folders a trusted partition of this run settled
  std::string distrust;           // why a partition could not be followed, if one could not
  std::string unrecorded;         // a partition with nothing visible, by its record
  // One listing of the run folder; then a wave at a time, its plan and its own record objects:
  // what recovery holds is one wave's, however large the run.
  ARROW_ASSIGN_OR_RAISE(auto objects, RunJournal::ListRun(run_dir));
  std::vector<int> waves = RunJournal::Waves(objects);
  if (waves.empty() || waves.front() != 0) waves.insert(waves.begin(), 0);
  // The partitions of the waves before, and the folder each was settled in (if trusted).
  std::map<std::string, std::string> seen;
  for (int wave : waves) {
    JournalPlan later;
    if (wave != 0) {
      auto read = RunJournal::ReadWave(run_dir, wave, &plan);
      if (!read.ok()) {
        // Unreadable now: the journal stays, and RecoverAll keeps every partition it names.
        if (!read.status().IsInvalid()) return read.status();
        // Not a plan, or not this run's: which partitions it covers cannot be taken from it,
        // so the run's outputs are looked for everywhere else (below).
        if (distrust.empty()) distrust = "run " + run_id + ": " + read.status().message();
        continue;
      }
      later = std::move(read).ValueOrDie();
    }
    const JournalPlan& in_wave = wave == 0 ? plan : later;
    std::vector<const JournalPartition*> partitions;
    std::vector<std::string> paths;
    for (const auto& partition : in_wave.partitions) {
      auto trusted = trust_.CheckPartition(plan, partition);
      const std::string folder = trusted.ok() ? trusted->location.path : std::string();
      auto [earlier, first_time] = seen.emplace(partition.path, folder);
      if (!first_time) {
        // In two waves: not a plan this tool writes. Neither entry is followed: both folders
        // are settled by content with the rest of the run's outputs (below).
        if (distrust.empty()) {
          distrust = "run " + run_id + ": partition " + PartitionName(partition.path) +
                     " is in two of its waves";
        }
        handled.erase(earlier->second);
        handled.erase(folder);
        continue;
      }
      partitions.push_back(&partition);
      paths.push_back(partition.path);
    }
    RunJournal::Records records = RunJournal::ReadRecords(run_dir, paths, objects, wave);
    for (const JournalPartition* entry : partitions) {
      const JournalPartition& partition = *entry;
      const std::string where = "run " + run_id + ", partition " + PartitionName(partition.path) + ": ";
      auto stored = records.at(partition.path);
      auto trusted = trust_.CheckPartition(plan, partition);
      arrow::Status fits = !stored.ok()      ? stored.status()
                           : !trusted.ok()   ? trusted.status()
                           : !*stored        ? arrow::Status::OK()
                                             : trust_.CheckRecord(plan, *trusted, **stored);
      if (stored.ok() && (!*stored || (*stored)->state == PartitionState::kRolledBack)) {
        // Nothing visible happened, by the journal. Its outputs in the partition would say
        // otherwise (a batch object lost, a record forged): the run's outputs are looked for
        // by name in every folder not settled above, this one included.
        if (unrecorded.empty()) {
          unrecorded = "partition " + PartitionName(partition.path) + " has no record of a publish";
        }
        continue;
      }
      if (trusted.ok()) {  // its folder, and where its outputs went (a target)
        handled.insert(trusted->location.path);
        handled.insert(trusted->output_dir.path);
      }
      if (!stored.ok() && !stored.status().IsInvalid()) {
        // Not readable now (a storage error): leave it for the next run, and this partition.
        pending = true;
        ++report->failures;
        report->lines.push_back(where + stored.status().message());
        report->blocked[partition.path] = "its journal record cannot be read now (" +
                                          stored.status().message() + ")";
        continue;
      }
      if (!fits.ok()) {
        if (stored.ok() && (*stored)->state == PartitionState::kDone) {
          pending = true;  // nothing half done; its later deletions are not ours to make
          continue;
        }
        if (trusted.ok() && !stored.ok()) {
          // Where the partition is, its plan says soundly; only its record cannot be read: its
          // outputs are found by name there.
          ARROW_ASSIGN_OR_RAISE(bool left, SettleByName(run_id, partition.path, trusted->location,
                                                        trusted->policy.action, partition.inputs,
                                                        fits.message(), report));
          pending |= left;
          continue;
        }
        // Not followed: the journal stays (it may be right, and a run with the flags it asks for
        // can finish it), and so does the partition, blocked.
        pending = true;
        ++report->failures;
        report->lines.push_back(where + fits.message());
        report->blocked[partition.path] = "an unsettled journal covers it (" + where +
                                          fits.message() + ")";
        if (trusted.ok()) {
          handled.erase(trusted->location.path);
          handled.erase(trusted->output_dir.path);
        }
        if (distrust.empty()) distrust = where + fits.message();
        continue;
      }
      if ((*stored)->state == PartitionState::kDone && trusted->in_place) {
        // Done in place means its originals went (archived or deleted; one changed since
        // planning stays, reported). A planned original there now says the record is stale or
        // forged (believed, the run's outputs would stay beside it: rows twice), or the file
        // was delivered again (settled, a duplicate kept on purpose would go): which, nothing
        // can tell, so nothing is touched and the partition waits for a person.
        ARROW_ASSIGN_OR_RAISE(Originals now, OriginalsNow(file_systems_, *trusted, **stored));
        if (!now.unchanged.empty() || !now.changed.empty()) {
          // Originals its roll forward found changed and left, as its record says.
          std::set<std::string> left_changed;
          for (const auto& problem : (*stored)->problems) {
            if (problem.ends_with(kChangedSincePlanning)) {
              left_changed.insert(problem.substr(0, problem.size() - kChangedSincePlanning.size()));
            }
          }
          const bool all_left_changed =
              now.unchanged.empty() &&
              std::all_of(now.changed.begin(), now.changed.end(),
                          [&](const std::string& uri) { return left_changed.count(uri) > 0; });
          const std::string there = now.unchanged.empty() ? now.changed.front()
                                                          : now.unchanged.front().location.uri();
          const std::string why =
              all_left_changed
                  ? ChangedWhileRemoving(now.changed)
                  : "recorded done, but its planned original " + there + " is there (a record "
                    "stale or forged, or the file delivered again); nothing was touched: if it "
                    "was delivered again, move it out of the partition, run `s3-compaction "
                    "recover`, and put it back; if not, the run's new files stand beside it";
          pending = true;
          ++report->failures;
          report->lines.push_back(where + why);
          report->blocked[partition.path] = "an unsettled journal covers it (" + where + why + ")";
          continue;
        }
      }
      Partition p{plan, std::move(trusted).ValueOrDie(), run_dir, **stored, report, where};
      auto result = RecoverPartition(p);
      if (!result.ok()) {
        p.Block(result.status().message());
        pending = true;
        continue;
      }
      pending |= *result;
    }
  }
  {
    // Where a partition really is cannot be taken from the journal, or its record says nothing
    // happened there, or the journal does not account for every partition the run published
    // (a wave plan lost, a plan edited): the run's outputs are looked for in every folder of
    // the table not settled above (one listing), and each folder holding some is settled by
    // content.
    const std::string why = !distrust.empty()   ? distrust
                            : !unrecorded.empty() ? unrecorded
                                                  : "outputs of the run where its journal "
                                                    "records no publish";
    ARROW_ASSIGN_OR_RAISE(bool left, SettleRunByName(run_id, why, &plan, handled, report,
                                                     /*quiet_if_none=*/distrust.empty()));
    pending |= left;
  }
  if (auto swept = SweepStaging(run_id); !swept.ok()) {
    log::Warn("run ", run_id, ": ", swept.message());
    pending = true;
  }
  if (!pending) ARROW_RETURN_NOT_OK(RunJournal::DeleteRun(file_systems_, run_dir));
  return arrow::Status::OK();
}

namespace {

// The paths of the partitions every wave of a run's plan names (`first` is its plan.json). A
// wave that is not this run's names none; one that cannot be read now is an error.
arrow::Result<std::vector<std::string>> PlannedPaths(const Location& run_dir,
                                                     const JournalPlan& first) {
  std::vector<std::string> paths;
  for (const auto& p : first.partitions) paths.push_back(p.path);
  ARROW_ASSIGN_OR_RAISE(auto objects, RunJournal::ListRun(run_dir));
  for (int wave : RunJournal::Waves(objects)) {
    if (wave == 0) continue;
    auto plan = RunJournal::ReadWave(run_dir, wave, &first);
    if (!plan.ok() && plan.status().IsInvalid()) continue;
    ARROW_RETURN_NOT_OK(plan.status());
    for (const auto& p : plan->partitions) paths.push_back(p.path);
  }
  return paths;
}

}  // namespace

arrow::Result<RecoveryReport> RunRecovery::RecoverAll(
    std::optional<RunJournal::RunFolders> folders) {
  RecoveryReport report;
  if (!folders) {
    ARROW_ASSIGN_OR_RAISE(folders, RunJournal::ListRunFolders(layout_.RunsDir()));
  }
  const std::set<std::string> plan_lost(folders->plan_lost.begin(), folders->plan_lost.end());
  const std::optional<Shard> own = Shard::FromScope(scope_);
  // Folders with no journal object: a run that died writing its plan (a temporary file is
  // left), a finished run's cleanup cut short after its last object (local disk keeps the
  // empty folder), or a journal someone removed. Only a run over the whole table, in its own
  // journal folder, may settle and remove them: a shard's sibling, or a run of another table
  // sharing --journal_path, may be writing its plan there now. The others only keep away from
  // partitions holding that run's outputs.
  const bool settles_emptied = !own && !layout_.JournalElsewhere();
  for (const auto& run : folders->abandoned) {
    if (run == layout_.run_id()) continue;
    auto st = settles_emptied ? RecoverEmptied(run, &report) : BlockOutputsOf(run, &report);
    if (!st.ok()) {
      report.lines.push_back("run " + run + ": " + st.message());
      report.stop = "the folder of run " + run + " could not be settled (" + st.message() +
                    "); nothing was changed, try again";
    }
  }
  for (const auto& run : folders->WithJournal()) {
    if (run == layout_.run_id()) continue;
    const Location run_dir = layout_.RunsDir().Child(run);
    // Its first wave (the others, one by one). A lost plan counts as one that cannot be
    // parsed: the run may have published outputs, and nothing says where but their names.
    auto plan = plan_lost.count(run)
                    ? arrow::Result<JournalPlan>(arrow::Status::Invalid(
                          "its ", RunLayout::kPlanName, " is missing beside its other journal "
                          "objects"))
                    : RunJournal::ReadWave(run_dir, 0);
    if (!plan.ok() && plan.status().IsInvalid()) {
      // Without a plan, only an object this tool would write says a run was under way there;
      // with none (garbage, or something else's files), its folder proves nothing, and acting
      // on its outputs by content could remove the only copy of rows readers saw.
      auto holds = RunJournal::HoldsJournal(run_dir);
      if (holds.ok() && !*holds) {
        ++report.runs;
        auto st = RecoverJournalless(run, plan.status().message() + ", and nothing in its "
                                     "folder reads as a journal", &report);
        if (!st.ok()) {
          report.lines.push_back("run " + run + ": " + st.message());
          report.stop = "the folder of run " + run + " could not be settled (" + st.message() +
                        "); nothing was changed, try again";
        }
        continue;
      }
      if (!holds.ok()) plan = holds.status();  // cannot be read now: as a plan that cannot
    }
    if (!plan.ok() && (own || !plan.status().IsInvalid())) {
      // Unreadable now (a storage error), or whose it is cannot be known (a shard): which
      // partitions it covers is unknown, so nothing may be compacted until it is read.
      report.stop = "the journal of run " + run + " cannot be read (" + plan.status().message() +
                    ")" + (own ? "; finish it with `s3-compaction recover` (no --shard) before "
                                 "running shards"
                               : "; nothing was changed, try again");
      continue;
    }
    if (plan.ok() && own && plan->scope != scope_) {
      const std::optional<Shard> theirs = Shard::FromScope(plan->scope);
      if (theirs && theirs->count == own->count) continue;  // a sibling shard's: its own to finish
      return arrow::Status::Invalid(
          "run ", run, " (", plan->scope.empty() ? "not sharded" : plan->scope,
          ") left partitions half done; finish it with `s3-compaction recover` (no --shard) "
          "before running shards");
    }
    ++report.runs;
    auto st = plan.ok() ? RecoverRun(run, *plan, &report) : RecoverUnreadable(run, plan.status(), &report);
    if (!st.ok()) {
      ++report.failures;
      report.lines.push_back("run " + run + ": " + st.message());
      if (!plan.ok()) {
        report.stop = "the journal of run " + run + " cannot be read and its outputs could not "
                      "be settled (" + st.message() + "); check the table, then remove " +
                      run_dir.uri() + " by hand";
        continue;
      }
      // Every wave's partitions stay as they are until the journal is settled.
      auto paths = PlannedPaths(run_dir, *plan);
      if (!paths.ok()) {
        report.stop = "the journal of run " + run + " could not be settled (" + st.message() +
                      ") and which partitions it covers cannot be read (" +
                      paths.status().message() + "); nothing was changed, try again";
        continue;
      }
      for (const auto& path : *paths) {
        report.blocked.try_emplace(path, "an unsettled journal covers it (run " + run + ": " +
                                             st.message() + ")");
      }
    }
  }
  return report;
}

}  // namespace s3c
