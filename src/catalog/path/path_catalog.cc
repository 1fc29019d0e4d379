#include "catalog/path/path_catalog.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "catalog/hive_path.h"
#include "storage/file_systems.h"
#include "storage/run_layout.h"

namespace s3c {
namespace {

using arrow::fs::FileInfo;
using arrow::fs::FileSelector;
using arrow::fs::FileType;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// How many folders below a partition folder a recursive listing looks (for the note about files
// in subfolders of partitions).
constexpr int kSubfolderDepth = 4;

// Listing requests: S3 returns up to 1,000 entries a page; elsewhere one call is one request.
int64_t ListRequests(size_t entries) { return 1 + static_cast<int64_t>(entries) / 1000; }

arrow::Result<std::vector<FileInfo>> List(const Location& dir, bool recursive,
                                          int64_t* requests, int max_depth = 64) {
  auto listed = ListFolder(dir, recursive, max_depth);
  if (!listed.ok()) return listed.status();
  std::vector<FileInfo> entries = std::move(listed).ValueOrDie();
  *requests += ListRequests(entries.size());
  std::sort(entries.begin(), entries.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path() < b.path(); });
  return entries;
}

// Groups what discovery leaves alone by kind, so a table with 10,000 stray files yields one
// line, not 10,000.
class NoteCollector {
 public:
  /// Counts `what` once per kind (a folder met through each of its files counts once).
  void Add(const std::string& kind, const std::string& example, const std::string& what = "") {
    auto& entry = notes_[kind];
    if (!what.empty() && !entry.seen.insert(what).second) return;
    if (entry.count++ == 0) entry.example = example;
  }
  std::vector<std::string> Render() const {
    std::vector<std::string> out;
    for (const auto& [kind, entry] : notes_) {
      out.push_back(std::to_string(entry.count) + " " + kind + " (e.g. " + entry.example + ")");
    }
    return out;
  }

 private:
  struct Entry {
    int64_t count = 0;
    std::string example;
    std::set<std::string> seen;
  };
  std::map<std::string, Entry> notes_;
};

constexpr const char* kStrayFiles = "file(s) outside partition folders, left untouched";
constexpr const char* kPlainFolders = "folder(s) that are not key=value partition folders, ignored";
constexpr const char* kForeignKeys = "folder(s) whose partition key differs from the table's, ignored";
constexpr const char* kBrokenEscaping = "partition folder(s) with broken escaping, ignored";
constexpr const char* kNestedFiles = "file(s) in subfolders of a partition, left untouched";
constexpr const char* kLinkedFolders =
    "partition folder(s) that are, or lie under, symbolic links, left untouched";
constexpr const char* kLinkedFiles = "file(s) that are symbolic links, left untouched";
constexpr const char* kSpecialFiles =
    "entries that are neither files nor folders (FIFOs, devices, links to them), left untouched";

// "k1=v1/k2=v2" of a partition's folder names.
std::string PartitionPath(const std::vector<std::string>& segments) {
  std::string path;
  for (const auto& segment : segments) path = JoinPath(path, segment);
  return path;
}

class Walker {
 public:
  Walker(const Table& table, const PartitionPredicate& predicate, int64_t keep_files_up_to)
      : table_(table), predicate_(predicate), keep_files_up_to_(keep_files_up_to) {}

  arrow::Status Walk(const Location& dir, std::vector<std::optional<std::string>> values,
                     std::vector<std::string> segments) {
    Truth truth = Evaluate(values);
    if (truth == Truth::kFalse) return arrow::Status::OK();
    if (truth == Truth::kTrue) return CollectSubtree(dir, values, segments);
    if (values.size() == table_.keys.size()) return arrow::Status::OK();  // NULL made it unknown

    return WalkLevel(dir, values, segments);
  }

  // The folders of one level below `dir`, each walked in turn.
  arrow::Status WalkLevel(const Location& dir, const std::vector<std::optional<std::string>>& values,
                          const std::vector<std::string>& segments) {
    ARROW_ASSIGN_OR_RAISE(auto entries, List(dir, /*recursive=*/false, &list_requests_));
    for (const auto& entry : entries) {
      std::string name(BaseName(entry.path()));
      if (RunLayout::IsHidden(name)) {
        // Another table's tool folder below this table's root: a run over a sub-path.
        if (name == RunLayout::kToolFolder && !values.empty()) {
          tool_folders_.insert(entry.path());
        }
        continue;
      }
      if (entry.type() == FileType::File) {
        notes_.Add(kStrayFiles, Uri(dir, entry.path()));
        continue;
      }
      if (entry.type() != FileType::Directory) continue;
      auto parsed = hive::ParseSegment(name);
      if (!parsed.ok()) {
        notes_.Add(kBrokenEscaping, parsed.status().message());
        continue;
      }
      if (!parsed->has_value()) {
        notes_.Add(kPlainFolders, Uri(dir, entry.path()));
        continue;
      }
      const hive::KeyValue& kv = **parsed;
      if (!EqualsIgnoreCase(kv.key, table_.keys[values.size()].name)) {
        notes_.Add(kForeignKeys, Uri(dir, entry.path()));
        continue;
      }
      auto child_values = values;
      child_values.push_back(kv.value);
      auto child_segments = segments;
      child_segments.push_back(name);
      ARROW_RETURN_NOT_OK(Walk(Location{dir.fs, entry.path()}, std::move(child_values),
                               std::move(child_segments)));
    }
    return arrow::Status::OK();
  }

  PartitionListing Finish(const Location& root) {
    if (!root.is_s3()) LeaveLinksAlone(root);
    for (auto& p : partitions_) {
      if (!p.files) continue;
      // A listing streams in the store's order (a local walk's is the disk's).
      std::sort(p.files->begin(), p.files->end(),
                [](const FileInfo& a, const FileInfo& b) { return a.path() < b.path(); });
      p.listed_files = static_cast<int64_t>(p.files->size());
    }
    std::sort(partitions_.begin(), partitions_.end(),
              [](const Partition& a, const Partition& b) { return a.path < b.path; });
    PartitionListing listing{std::move(partitions_), notes_.Render(), list_requests_, {}};
    for (const auto& folder : tool_folders_) listing.tool_folders.push_back({root.fs, folder});
    return listing;
  }

 private:
  static std::string Uri(const Location& any, const std::string& path) {
    return Location{any.fs, path}.uri();
  }

  Truth Evaluate(const std::vector<std::optional<std::string>>& values) const {
    return predicate_.Evaluate([&](std::string_view key) {
      for (size_t i = 0; i < table_.keys.size(); ++i) {
        if (!EqualsIgnoreCase(key, table_.keys[i].name)) continue;
        if (i >= values.size()) return KeyBinding::Unbound();
        if (!values[i]) return KeyBinding::Null(table_.keys[i].type);
        return KeyBinding::Value(*values[i], table_.keys[i].type);
      }
      return KeyBinding::Unbound();
    });
  }

  // The predicate holds for everything below `dir`: one recursive listing, files grouped by
  // their partition folder.
  arrow::Status CollectSubtree(const Location& dir,
                               const std::vector<std::optional<std::string>>& values,
                               const std::vector<std::string>& segments) {
    // Deep enough for every partition folder and a few folders below them (noted, never
    // touched); a folder linked to one above it (a loop) is followed no deeper than that.
    const int depth = static_cast<int>(table_.keys.size() - values.size()) + kSubfolderDepth;
    // Streamed a batch at a time; what the batches add is undone if the listing fails.
    const NoteCollector notes_before = notes_;
    const std::set<std::string> tool_folders_before = tool_folders_;
    std::map<std::string, Partition> found;
    int64_t entries = 0;
    auto listed = ListFolderInBatches(dir, /*recursive=*/true, depth, [&](std::vector<FileInfo>&& batch) {
      entries += static_cast<int64_t>(batch.size());
      for (auto& entry : batch) Take(dir, values, segments, std::move(entry), found);
      return arrow::Status::OK();
    });
    list_requests_ += ListRequests(static_cast<size_t>(entries));
    if (!listed.ok()) {
      for (const auto& [path, partition] : found) {
        if (partition.files) kept_files_ -= static_cast<int64_t>(partition.files->size());
      }
      notes_ = notes_before;
      tool_folders_ = tool_folders_before;
    }
    if (!listed.ok() && !dir.is_s3()) {
      // Locally a folder below may be unreadable (no permission): walk it level by level, so
      // that only the partitions in that folder fail, not the run.
      if (values.size() < table_.keys.size()) return WalkLevel(dir, values, segments);
      // The partition folder itself: left unlisted, the planner lists it again and fails it
      // alone, saying why.
      Partition partition;
      partition.values = values;
      partition.path = PartitionPath(segments);
      partition.location = dir;
      partitions_.push_back(std::move(partition));
      return arrow::Status::OK();
    }
    ARROW_RETURN_NOT_OK(listed);
    for (auto& [path, partition] : found) {
      if (Evaluate(partition.values) != Truth::kTrue) continue;
      partitions_.push_back(std::move(partition));
    }
    return arrow::Status::OK();
  }

  // One entry of the recursive listing of `dir` (whose partition keys so far are `values`),
  // into the partition it belongs to (`found`), or a note.
  void Take(const Location& dir, const std::vector<std::optional<std::string>>& values,
            const std::vector<std::string>& segments, FileInfo&& entry,
            std::map<std::string, Partition>& found) {
    const size_t levels_left = table_.keys.size() - values.size();
    std::string base = dir.path;
    if (!base.empty() && base.back() != '/') base += '/';
    if (entry.path().compare(0, base.size(), base) != 0) return;
    std::string_view rel = std::string_view(entry.path()).substr(base.size());
    std::vector<std::string_view> parts;
    for (size_t start = 0; start <= rel.size();) {
      size_t slash = rel.find('/', start);
      if (slash == std::string_view::npos) slash = rel.size();
      parts.push_back(rel.substr(start, slash - start));
      start = slash + 1;
    }
    auto hidden = std::find_if(parts.begin(), parts.end(),
                               [](std::string_view p) { return RunLayout::IsHidden(p); });
    if (hidden != parts.end()) {
      // Another table's tool folder below this table's root: a run over a sub-path.
      const size_t depth = values.size() + static_cast<size_t>(hidden - parts.begin());
      if (*hidden == RunLayout::kToolFolder && depth > 0) {
        tool_folders_.insert(base + std::string(rel.substr(0, hidden->data() + hidden->size() - rel.data())));
      }
      return;
    }
    if (entry.type() == FileType::Unknown) {
      notes_.Add(kSpecialFiles, entry.path());
      return;
    }
    if (entry.type() != FileType::File) return;
    const size_t folder_levels = parts.size() - 1;
    if (folder_levels < levels_left) {
      // Either directly in a folder above the partition level, or in a non-partition folder.
      notes_.Add(folder_levels == 0 ? kStrayFiles : kPlainFolders, entry.path());
      return;
    }
    auto partition_values = values;
    auto partition_segments = segments;
    for (size_t level = 0; level < levels_left; ++level) {
      auto parsed = hive::ParseSegment(parts[level]);
      if (!parsed.ok()) {
        std::string folder(rel.substr(0, parts[level].data() + parts[level].size() - rel.data()));
        notes_.Add(kBrokenEscaping, parsed.status().message(), folder);
        return;
      }
      if (!parsed->has_value()) {
        notes_.Add(kPlainFolders, Uri(dir, entry.path()));
        return;
      }
      if (!EqualsIgnoreCase((*parsed)->key, table_.keys[values.size() + level].name)) {
        notes_.Add(kForeignKeys, Uri(dir, entry.path()));
        return;
      }
      partition_values.push_back((*parsed)->value);
      partition_segments.emplace_back(parts[level]);
    }
    if (folder_levels > levels_left) {
      notes_.Add(kNestedFiles, Uri(dir, entry.path()));
      return;
    }
    if (!dir.is_s3()) {
      // Locally a file that is a symbolic link is someone else's (as it streams past: a wave
      // past the kept files lists its partitions again, and skips it again).
      std::error_code ec;
      if (std::filesystem::is_symlink(entry.path(), ec)) {
        notes_.Add(kLinkedFiles, entry.path());
        return;
      }
    }
    const std::string path = PartitionPath(partition_segments);
    auto [it, inserted] = found.try_emplace(path);
    Partition& partition = it->second;
    if (inserted) {
      partition.values = std::move(partition_values);
      partition.path = path;
      partition.location = root_for(dir, entry.path(), parts.back());
      partition.listed_files = 0;
      if (!dropped_) partition.files.emplace();
    }
    ++partition.listed_files;
    if (!partition.files) return;
    partition.files->push_back(std::move(entry));
    if (++kept_files_ > keep_files_up_to_) Drop(found);
  }

  // Past the files it may hold: every partition keeps its count only, and the planner lists
  // its files again when its wave comes.
  void Drop(std::map<std::string, Partition>& found) {
    dropped_ = true;
    kept_files_ = 0;
    for (auto& p : partitions_) p.files.reset();
    for (auto& [path, p] : found) p.files.reset();
  }

  // The folder holding `file_path`, whose base name is `file_name`.
  static Location root_for(const Location& any, const std::string& file_path,
                           std::string_view file_name) {
    return Location{any.fs, file_path.substr(0, file_path.size() - file_name.size() - 1)};
  }

  // Local disk: a partition whose folder is a symbolic link, or lies under one, really lives
  // elsewhere (outside the table): not touched. (Linked files are left out as they are listed.)
  void LeaveLinksAlone(const Location& root) {
    std::erase_if(partitions_, [&](const Partition& p) {
      auto real = CanonicalLocalPath(p.location.path);
      if (real.ok() && *real == p.location.path) return false;
      notes_.Add(kLinkedFolders, p.location.uri() + " -> " + (real.ok() ? *real : "?"));
      return true;
    });
  }

  const Table& table_;
  const PartitionPredicate& predicate_;
  NoteCollector notes_;
  std::set<std::string> tool_folders_;
  std::vector<Partition> partitions_;
  int64_t list_requests_ = 0;
  const int64_t keep_files_up_to_;
  int64_t kept_files_ = 0;  // in partitions' `files`
  bool dropped_ = false;    // past keep_files_up_to_: no partition keeps its files
};

}  // namespace

arrow::Result<Table> PathCatalog::LoadTable() {
  auto info = root_.fs->GetFileInfo(root_.path);
  if (!info.ok()) {
    return info.status().WithMessage("reading table path ", root_.uri(), ": ",
                                     info.status().message());
  }
  if (info->type() == FileType::NotFound) {
    return arrow::Status::IOError("table path not found: ", root_.uri());
  }
  if (info->type() != FileType::Directory) {
    return arrow::Status::Invalid("table path is a file, not a folder: ", root_.uri());
  }
  Table table;
  table.name = root_.uri();
  table.location = root_;
  // The keys are read off the first chain of partition folders; partitions laid out
  // differently are reported when listed.
  Location dir = root_;
  while (true) {
    int64_t requests = 0;
    ARROW_ASSIGN_OR_RAISE(auto entries, List(dir, /*recursive=*/false, &requests));
    std::optional<hive::KeyValue> first;
    std::string first_path;
    for (const auto& entry : entries) {
      if (entry.type() != FileType::Directory) continue;
      std::string_view name = BaseName(entry.path());
      if (RunLayout::IsHidden(name)) continue;
      auto parsed = hive::ParseSegment(name);
      if (parsed.ok() && parsed->has_value()) {
        first = **parsed;
        first_path = entry.path();
        break;
      }
    }
    if (!first) break;
    table.keys.push_back(PartitionKey{first->key, KeyType::kUnknown});
    dir = Location{dir.fs, first_path};
  }
  // No key=value folders: an unpartitioned table, whose own folder is its one partition
  // (path ""). Files in its subfolders are not the table's (reported, left alone).
  return table;
}

arrow::Result<PartitionListing> PathCatalog::ListPartitions(const Table& table,
                                                            const PartitionPredicate& predicate) {
  Walker walker(table, predicate, keep_files_up_to_);
  ARROW_RETURN_NOT_OK(walker.Walk(table.location, {}, {}));
  return walker.Finish(table.location);
}

}  // namespace s3c
