#include "commit/run_exclusion.h"

#include <set>

#include <nlohmann/json.hpp>

#include "commit/run_journal.h"
#include "commit/table_lease.h"
#include "plan/shard.h"
#include "util/json_fields.h"
#include "util/logging.h"

namespace s3c {
namespace {

// The table root whose tool folder `tool_folder` is.
std::string RootOf(const Location& tool_folder) {
  const auto slash = tool_folder.path.rfind('/');
  return Location{tool_folder.fs, tool_folder.path.substr(0, slash)}.uri();
}

// The folders above `location`, nearest first: up to the bucket on S3, to "/" locally.
std::vector<Location> Ancestors(const Location& location) {
  std::vector<Location> out;
  std::string path = location.path;
  while (true) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) break;  // S3: the bucket itself was the last
    path = slash == 0 ? "/" : path.substr(0, slash);
    out.push_back(Location{location.fs, path});
    if (path == "/") break;
  }
  return out;
}

bool IsAccessDenied(const arrow::Status& status) {
  const std::string& m = status.message();
  return m.find("ACCESS_DENIED") != std::string::npos ||
         m.find("AccessDenied") != std::string::npos ||
         m.find("Access Denied") != std::string::npos ||
         m.find("Permission denied") != std::string::npos;
}

}  // namespace

arrow::Result<std::string> RunExclusion::JournalRootOf(const std::string& pointer_text) {
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJsonObject(pointer_text, "journal pointer"));
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(j, "journal pointer"));
  return fields.String("journal_root");
}

arrow::Result<Location> RunExclusion::ReadPointer(const Location& pointer) const {
  ARROW_ASSIGN_OR_RAISE(auto text, ReadWholeFile(pointer));
  auto root = [&]() -> arrow::Result<Location> {
    ARROW_ASSIGN_OR_RAISE(std::string journal_root, JournalRootOf(text.value_or("")));
    return file_systems_.Resolve(journal_root);
  }();
  if (root.ok()) return root;
  return arrow::Status::Invalid("unreadable journal pointer ", pointer.uri(), " (",
                                root.status().message(),
                                "); if no run of this table uses --journal_path any more, "
                                "delete it");
}

arrow::Status RunExclusion::CheckNoRuns(const Location& journal_root, const std::string& what,
                                        const std::string& how) const {
  ARROW_ASSIGN_OR_RAISE(auto runs, RunJournal::ListRuns(journal_root.Child("runs")));
  if (runs.empty()) return arrow::Status::OK();
  return arrow::Status::Invalid(what, " has an unsettled run journal (run ", runs.front(), " in ",
                                journal_root.uri(), ") that this run cannot see from its own; ",
                                how);
}

arrow::Status RunExclusion::CheckOwn() const {
  const Location own = layout_.LeaseFile(scope_);
  const std::optional<Shard> mine = Shard::FromScope(scope_);
  // Beside a shard's lease only its sibling shards' (same N) may be live; beside a whole
  // run's, none.
  ARROW_RETURN_NOT_OK(TableLease::CheckNoConflict(
      layout_.ToolFolder(), own, file_systems_.aws(),
      [&](const std::string& their_scope) {
        auto theirs = Shard::FromScope(their_scope);
        return mine && theirs && theirs->count == mine->count;
      },
      file_systems_.requests()));
  ARROW_ASSIGN_OR_RAISE(auto entries, ListFolder(layout_.ToolFolder()));
  const std::string table = layout_.table_root().uri();
  for (const auto& entry : entries) {
    const std::string name(BaseName(entry.path()));
    if (!entry.IsFile() || !RunLayout::IsJournalPointer(name)) continue;
    const Location pointer{layout_.ToolFolder().fs, entry.path()};
    ARROW_ASSIGN_OR_RAISE(Location root, ReadPointer(pointer));
    if (root.SameFolder(layout_.JournalRoot())) continue;
    ARROW_RETURN_NOT_OK(CheckNoRuns(root, "the table " + table,
                                    "finish it first: s3-compaction recover (with this table's "
                                    "flags) --journal_path " + root.uri()));
    // Nothing left there: the pointer is stale (its run ended, or never began).
    for (const auto& [file, st] : file_systems_.DeleteFiles({pointer})) {
      return st.WithMessage("removing the stale journal pointer ", file.uri(), ": ", st.message());
    }
  }
  if (layout_.JournalElsewhere()) {
    ARROW_RETURN_NOT_OK(CheckNoRuns(layout_.ToolFolder(), "the table " + table,
                                    "finish it first: s3-compaction recover (with this table's "
                                    "flags), without --journal_path"));
  }
  return arrow::Status::OK();
}

arrow::Status RunExclusion::CheckOther(const Location& tool_folder,
                                       const std::string& relation) const {
  auto listed = ListFolder(tool_folder);
  if (!listed.ok() && IsAccessDenied(listed.status())) {
    // A role scoped to the table may not list above it (deploy/iam: SeeOverlappingRuns).
    log::Warn("cannot see whether a run over ", RootOf(tool_folder), " (which ", relation,
              " this table) is under way: ", listed.status().message());
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(auto entries, std::move(listed));
  const std::string other = RootOf(tool_folder);
  const std::string what = "the table at " + other + " (which " + relation + " this one)";
  const std::string how = "finish it first: s3-compaction recover --table_path " + other;
  // A live run first (its journal is its own business while it lives), then what dead ones left.
  for (const auto& entry : entries) {
    const Location found{tool_folder.fs, entry.path()};
    if (!entry.IsFile() || !RunLayout::LeaseScope(BaseName(entry.path()))) continue;
    ARROW_ASSIGN_OR_RAISE(auto holder, TableLease::LiveHolder(found, file_systems_.aws(),
                                                                  file_systems_.requests()));
    if (holder && holder->run_id != layout_.run_id()) {
      return arrow::Status::Invalid(what, " is being compacted by ", holder->Describe(),
                                    " (lease ", found.uri(),
                                    "); runs over overlapping data cannot run at once");
    }
  }
  for (const auto& entry : entries) {
    const std::string name(BaseName(entry.path()));
    const Location found{tool_folder.fs, entry.path()};
    if (entry.IsFile() && RunLayout::IsJournalPointer(name)) {
      ARROW_ASSIGN_OR_RAISE(Location root, ReadPointer(found));
      ARROW_RETURN_NOT_OK(CheckNoRuns(root, what, how + " --journal_path " + root.uri()));
    } else if (entry.IsDirectory() && name == "runs") {
      ARROW_RETURN_NOT_OK(CheckNoRuns(tool_folder, what, how));
    }
  }
  return arrow::Status::OK();
}

arrow::Status RunExclusion::CheckAround() const {
  ARROW_RETURN_NOT_OK(CheckOwn());
  for (const Location& above : Ancestors(layout_.table_root())) {
    ARROW_RETURN_NOT_OK(CheckOther(above.Child(RunLayout::kToolFolder), "contains"));
  }
  return arrow::Status::OK();
}

arrow::Status RunExclusion::CheckPartitionFolders(const std::vector<Location>& locations) const {
  // Folders between each partition and the table root (a run over one of them would compact
  // part of this table), and, for a partition the catalog places outside the table, every
  // folder above it. Each once.
  std::set<std::string> seen;
  for (const Location& location : locations) {
    const bool inside = layout_.table_root().Contains(location);
    for (const Location& above : Ancestors(location)) {
      if (inside && !(layout_.table_root().Contains(above) &&
                      above.path != layout_.table_root().path)) {
        break;  // the table root and above: CheckAround did those
      }
      if (!seen.insert(above.path).second) continue;
      ARROW_RETURN_NOT_OK(CheckOther(above.Child(RunLayout::kToolFolder),
                                     inside ? "is inside" : "contains"));
    }
  }
  return arrow::Status::OK();
}

arrow::Status RunExclusion::CheckBelow(const std::vector<Location>& tool_folders) const {
  for (const Location& folder : tool_folders) {
    if (folder.path == layout_.ToolFolder().path) continue;
    ARROW_RETURN_NOT_OK(CheckOther(folder, "is inside"));
  }
  return arrow::Status::OK();
}

}  // namespace s3c
