#include "job/run_context.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "util/error_kind.h"
#include "util/logging.h"

namespace s3c {
namespace {

// Where sorted runs spill when --spill_path does not say: $TMPDIR, else /tmp.
std::string TempFolder() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? std::string(tmp) : std::string("/tmp");
}

arrow::Status Usage(const arrow::Status& status) { return WithKind(status, ErrorKind::kUsage); }

// --archive_path and --journal_path must not be where readers of the table would look.
arrow::Status CheckOutsidePartitions(const Table& table, const Location& where,
                                     const std::string& flag) {
  if (!table.location.Contains(where)) return arrow::Status::OK();
  std::string_view rel = std::string_view(where.path).substr(table.location.path.size());
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (!rel.empty() && RunLayout::IsHidden(rel)) return arrow::Status::OK();
  return arrow::Status::Invalid(flag, " ", where.uri(), " is inside the table ",
                                table.location.uri(),
                                " where readers would see its files; choose a path outside it, "
                                "or under a folder whose name starts with '_'");
}

// A journal folder in another table's tool folder would be that table's: its runs settle the
// journals they find there, and remove those of other tables as copies (found by an
// adversarial review: a crashed run's journal removed so, its partitions' rows stayed twice).
arrow::Status CheckNotAnotherTablesToolFolder(const Table& table, const Location& journal) {
  const Location own = table.location.Child(std::string(RunLayout::kToolFolder));
  if (own.SameFolder(journal)) return arrow::Status::OK();
  const std::string& path = journal.path;
  for (size_t begin = 0; begin <= path.size();) {
    size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    if (std::string_view(path).substr(begin, end - begin) == RunLayout::kToolFolder) {
      const Location table_there{journal.fs, path.substr(0, begin > 0 ? begin - 1 : 0)};
      return arrow::Status::Invalid(
          "--journal_path ", journal.uri(), " is in the tool's own folder of the table at ",
          table_there.uri(), ": its runs settle the journals they find there and remove "
          "other tables'; choose a folder of its own");
    }
    begin = end + 1;
  }
  return arrow::Status::OK();
}

// The target, unless it is the table itself (then the run is in place).
arrow::Result<std::optional<Location>> ResolveTarget(const CompactionOptions& options,
                                                     const Table& table,
                                                     FileSystems& file_systems) {
  if (options.target_path.empty()) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(Location target, file_systems.Resolve(options.target_path));
  if (target.fs->type_name() == table.location.fs->type_name() &&
      target.path == table.location.path) {
    log::Info("--target_s3_path is the table's own location: compacting in place");
    return std::nullopt;
  }
  if (table.location.Contains(target) || target.Contains(table.location)) {
    return arrow::Status::Invalid("--target_s3_path ", target.uri(), " overlaps the table at ",
                                  table.location.uri(), "; choose a location outside it");
  }
  return target;
}

arrow::Result<std::optional<Location>> ResolveOutside(const std::string& path,
                                                      const std::string& flag, const Table& table,
                                                      FileSystems& file_systems) {
  if (path.empty()) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(Location where, file_systems.Resolve(path));
  ARROW_RETURN_NOT_OK(CheckOutsidePartitions(table, where, flag));
  return where;
}

// --report must not land where readers of the table (or the target) would read it as data, nor
// among the tool's own objects.
arrow::Status CheckReportPlace(const std::string& path, RunContext& run,
                               FileSystems& file_systems) {
  if (path.empty()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto where, ResolveOutside(path, "--report", run.table, file_systems));
  for (const Location& own : {run.layout.ToolFolder(), run.layout.JournalRoot()}) {
    if (own.Contains(*where)) {
      return arrow::Status::Invalid("--report ", where->uri(), " is inside the tool's folder ",
                                    own.uri(), "; choose a path outside it");
    }
  }
  if (run.target_root && run.target_root->Contains(*where)) {
    return arrow::Status::Invalid("--report ", where->uri(), " is inside --target_s3_path ",
                                  run.target_root->uri(), "; choose a path outside it");
  }
  run.report = where;
  return arrow::Status::OK();
}

// The locations, the layout, the policy and the fence: what ResolveRun and ResolveRecovery
// share.
arrow::Status ResolveLocations(const CompactionOptions& options, bool catalog_records_locations,
                               FileSystems& file_systems, std::string run_id, RunContext& run) {
  ARROW_ASSIGN_OR_RAISE(run.target_root, ResolveTarget(options, run.table, file_systems));
  ARROW_ASSIGN_OR_RAISE(auto archive, ResolveOutside(options.archive_path, "--archive_path",
                                                     run.table, file_systems));
  ARROW_ASSIGN_OR_RAISE(auto journal, ResolveOutside(options.journal_path, "--journal_path",
                                                     run.table, file_systems));
  if (journal) ARROW_RETURN_NOT_OK(CheckNotAnotherTablesToolFolder(run.table, *journal));
  run.layout = RunLayout(std::move(run_id), run.table.location,
                         run.target_root ? *run.target_root : run.table.location, archive,
                         journal);
  run.originals = OriginalsPolicy::Of(options.original_files, options.delete_grace_minutes,
                                      run.target_root.has_value());
  run.repoint = catalog_records_locations && run.target_root && options.update_catalog;
  run.defer_catalog = options.defer_catalog;
  if (catalog_records_locations && run.target_root && !options.update_catalog &&
      options.original_files == OriginalFiles::kDelete) {
    return arrow::Status::Invalid(
        "--delete_original_files=true with --update_catalog=false would leave the catalog "
        "pointing at deleted files");
  }
  ARROW_RETURN_NOT_OK(CheckReportPlace(options.report_path, run, file_systems));
  run.fence = {run.table.location, run.layout.ToolFolder(), run.layout.JournalRoot()};
  if (run.target_root) run.fence.push_back(*run.target_root);
  if (archive) run.fence.push_back(*archive);
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<RunContext> ResolveRun(const CompactionOptions& options, Table table,
                                     bool catalog_records_locations, FileSystems& file_systems,
                                     std::string run_id, int hardware_threads) {
  RunContext run;
  run.table = std::move(table);
  if (run.table.keys.empty() && !options.predicate.selects_all()) {
    return Usage(arrow::Status::Invalid(
        "--partition_predicate: ", run.table.name,
        " has no partition keys (its folder is compacted as one partition); run without it"));
  }
  ARROW_RETURN_NOT_OK(Usage(options.predicate.Validate(run.table.KeyNames())));
  ARROW_RETURN_NOT_OK(Usage(ResolveLocations(options, catalog_records_locations, file_systems,
                                             std::move(run_id), run)));
  if (run.table.keys.empty() && run.repoint) {
    return Usage(arrow::Status::Invalid(
        "--target_s3_path: ", run.table.name,
        " has no partition keys, so writing it elsewhere would move the whole table (its "
        "location in the catalog), which this tool does not change; compact it in place, or "
        "write a copy with --update_catalog false"));
  }
  run.shard = options.shard;
  run.budget = RunBudget(options.limits);
  run.scope = options.shard ? options.shard->Scope() : "";
  run.mode = options.mode;
  run.verify = options.verify;
  run.progress = options.progress;
  run.parallelism = options.parallelism > 0 ? options.parallelism : std::max(1, hardware_threads);
  run.wave_files = options.wave_files;
  run.io_threads = run.table.location.is_s3() ? std::max(16, run.parallelism) : run.parallelism;

  run.planner.packing.target_bytes = options.target_file_bytes;
  run.planner.packing.small_file_ratio = options.small_file_ratio;
  run.planner.min_input_files = options.min_input_files;
  run.planner.codec = options.codec;
  run.planner.compression_level = options.compression_level;
  run.planner.merge = options.merge;
  run.planner.io_threads = run.io_threads;
  run.planner.target_root = run.target_root;
  // Small files are read whole at execution: their footers are checked there, not fetched twice.
  run.planner.defer_footers_up_to = ExecuteOptions{}.whole_file_read_limit;

  run.execute.size.target_bytes = options.target_file_bytes;
  run.execute.row_group_bytes = options.row_group_bytes;
  run.execute.digest = options.verify == VerifyMode::kContent;
  run.planner.sort = options.sort;
  // The sorting memory is shared by the groups written at once.
  run.execute.sort_memory_bytes =
      std::max<int64_t>(int64_t{1} << 20, options.sort_memory_bytes / run.parallelism);
  run.execute.spill_path = options.spill_path.empty() ? TempFolder() : options.spill_path;
  std::error_code error;
  if (options.sort && !std::filesystem::is_directory(run.execute.spill_path, error)) {
    return Usage(arrow::Status::Invalid("--spill_path ", run.execute.spill_path,
                                        ": not a folder (--sort_by spills sorted runs there)"));
  }

  run.commit.defer_originals = run.repoint;
  run.commit.in_place = OriginalsPolicy::Of(options.original_files, options.delete_grace_minutes, false);
  run.commit.elsewhere = OriginalsPolicy::Of(options.original_files, options.delete_grace_minutes, true);
  run.commit.verify_content = options.verify == VerifyMode::kContent;
  run.commit.io_threads = run.io_threads;
  return run;
}

arrow::Status CheckReportOutside(const RunContext& run, const std::vector<Partition>& partitions) {
  if (!run.report) return arrow::Status::OK();
  for (const Partition& p : partitions) {
    if (p.location.Contains(*run.report)) {
      return Usage(arrow::Status::Invalid("--report ", run.report->uri(), " is in the folder of partition ",
                                          PartitionName(p.path), " (", p.location.uri(),
                                          ") where readers would take it for data; choose a path outside it"));
    }
  }
  return arrow::Status::OK();
}

arrow::Result<RunContext> ResolveRecovery(const CompactionOptions& options, Table table,
                                          bool catalog_records_locations,
                                          FileSystems& file_systems, std::string run_id) {
  RunContext run;
  run.table = std::move(table);
  ARROW_RETURN_NOT_OK(Usage(ResolveLocations(options, catalog_records_locations, file_systems,
                                             std::move(run_id), run)));
  run.io_threads = run.table.location.is_s3() ? 16 : 1;
  run.parallelism = 1;
  return run;
}

}  // namespace s3c
