#include "cli/command_line.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "catalog/glue/glue_catalog.h"
#include "catalog/path/path_catalog.h"
#include "cli/exit_code.h"
#include "inspect/table_inspector.h"
#include "job/compaction_job.h"
#include "plan/planner.h"
#include "report/html_report.h"
#include "report/progress_bar.h"
#include "report/report_file.h"
#include "storage/file_systems.h"
#include "util/error_kind.h"
#include "util/utf8.h"
#include "util/version.h"

namespace s3c {
namespace {

constexpr const char* kDescription =
    "s3-compaction: compacts the small Parquet files of a Hive-partitioned table into files of\n"
    "about --target_file_size_mb, without losing or duplicating a row. New files are written to\n"
    "a staging area, verified, then published; originals are deleted only when asked, and only\n"
    "after that.";

constexpr const char* kFooter = R"(Exit codes:
  0  success: every selected partition compacted, copied or skipped
  1  internal error
  2  usage error: bad flag or value, bad --partition_predicate
  3  input error: the run could not start (missing table, a view or Iceberg table, locked...),
     or `report` cannot read its --from; or a page (--report, --html) could not be
     written (a run's work is done then: its summary is printed)
  4  partial failure: some partitions failed (the summary says why; none lost a row)

Examples:
  s3-compaction --table_path s3://bucket/events --partition_predicate "year='2023' AND month='05'"
  s3-compaction --table_path ./events --target_file_size_mb 256 --delete_original_files true
  s3-compaction --table_path ./events --dry-run
  s3-compaction inspect --table_path s3://bucket/events --html health.html
  s3-compaction --table_path ./events --report run.html
  s3-compaction recover --table_path ./events
  s3-compaction report --from run.json --html run.html)";

arrow::Result<bool> ParseBool(const std::string& flag, std::string value) {
  std::transform(value.begin(), value.end(), value.begin(), ::tolower);
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  return arrow::Status::Invalid(flag, ": expected true or false, got '", value, "'");
}

int UsageError(const std::string& message) {
  std::cerr << "s3-compaction: error: " << message << "\n"
            << "Run with --help for usage.\n";
  return kExitUsageError;
}

// A number, before CLI::Range judges it: Range reads text that is not a number as out of range
// ("--wave_files: Value abc not in range 1 to ..."), which misleads.
const CLI::Validator kNumber(
    [](std::string& text) -> std::string {
      double value = 0;
      return CLI::detail::lexical_cast(text, value) ? std::string()
                                                     : "'" + text + "' is not a number";
    },
    "", "number");

// The flags as typed, before they are checked and converted into CompactionOptions.
struct RawFlags {
  std::string predicate, delete_originals = "false", update_catalog = "true", compression = "keep",
              log_format = "text", verify = "rows", merge = "auto", shard, sort_by;
  double target_mb = 128, row_group_mb = 0, sort_memory_mb = 1024;
  int verbosity = 0;
  bool dry_run = false;
};

struct Subcommands {
  CLI::App* recover;
  CLI::App* commit;
  CLI::App* inspect;
};

void DescribeTool(CLI::App& app) {
  app.footer(kFooter);
  app.get_formatter()->column_width(36);
  app.set_version_flag("--version", std::string("s3-compaction ") + kVersion + " (Arrow " +
                                        kArrowVersion + ")");
}

void AddTableFlags(CLI::App& app, CliRequest& request) {
  const char* table = "Table (one of)";
  app.add_option("--table_path", request.table_path,
                 "A table with no catalog: local folder or s3://bucket/prefix (key=value folders, or just files)")
      ->type_name("PATH")
      ->group(table);
  app.add_option("--database_name", request.database_name, "Glue Data Catalog database")
      ->type_name("NAME")
      ->group(table);
  app.add_option("--table_name", request.table_name, "Glue Data Catalog table")
      ->type_name("NAME")
      ->group(table);
}

void AddWhatFlags(CLI::App& app, CompactionOptions& options, RawFlags& raw) {
  const char* what = "What to compact";
  app.add_option("--partition_predicate", raw.predicate,
                 "Partitions to compact, in Glue's syntax: \"year='2023' AND month IN ('05','06')\"")
      ->type_name("EXPR")
      ->group(what);
  app.add_option("--target_file_size_mb", raw.target_mb, "Size of the files to write")
      ->type_name("MIB")
      ->capture_default_str()
      ->check(kNumber)->check(CLI::Range(0.0625, 1048576.0).description(""))
      ->group(what);
  app.add_option("--min_input_files", options.min_input_files,
                 "Leave alone a partition with fewer small files")
      ->type_name("N")
      ->capture_default_str()
      ->check(kNumber)->check(CLI::Range(1, 1 << 30).description(""))
      ->group(what);
  app.add_option("--small_file_ratio", options.small_file_ratio,
                 "Files of at least this share of the target are left as they are")
      ->type_name("R")
      ->capture_default_str()
      ->check(kNumber)->check(CLI::Range(0.01, 1.0).description(""))
      ->group(what);
  app.add_option("--sort_by", raw.sort_by,
                 "Sort each compacted partition: \"col [ASC|DESC] [NULLS FIRST|LAST], ...\"")
      ->type_name("COLS")
      ->group(what);
}

void AddLimitFlags(CLI::App& app, CompactionOptions& options) {
  const char* limits = "Limits (a run that fits a window; the rest is left for the next run)";
  app.add_option("--max_runtime_minutes", options.limits.max_runtime_minutes,
                 "Start no new partition after M minutes; those under way finish")
      ->type_name("M")
      ->check(kNumber)->check(CLI::Range(0.0, 525600.0).description(""))
      ->group(limits);
  app.add_option("--max_partitions", options.limits.max_partitions,
                 "Compact at most N partitions, those removing the most small files per byte first")
      ->type_name("N")
      ->check(kNumber)->check(CLI::Range(int64_t{0}, int64_t{1} << 40).description(""))
      ->group(limits);
  app.add_option("--max_input_gb", options.limits.max_input_gb,
                 "Read at most G GiB of input files")
      ->type_name("G")
      ->check(kNumber)->check(CLI::Range(0.0, 1048576.0).description(""))
      ->group(limits);
}

void AddWhereFlags(CLI::App& app, CompactionOptions& options, RawFlags& raw) {
  const char* where = "Where the results go";
  app.add_option("--target_s3_path", options.target_path,
                 "Write partitions under PATH/<partition>/ instead of in place")
      ->type_name("PATH")
      ->group(where);
  app.add_option("--delete_original_files", raw.delete_originals,
                 "true: delete originals once new files are published; false: keep (archived in place)")
      ->type_name("BOOL")
      ->capture_default_str()
      ->group(where);
  app.add_option("--update_catalog", raw.update_catalog,
                 "With Glue: repoint partitions to the target and update statistics (false: "
                 "export only; deferred: leave it to `s3-compaction commit`)")
      ->type_name("BOOL")
      ->capture_default_str()
      ->group(where);
  app.add_option("--archive_path", options.archive_path,
                 "Where kept originals go (default <table>/_s3_compaction/archive/<run>)")
      ->type_name("PATH")
      ->group(where);
  app.add_option("--delete_grace_minutes", options.delete_grace_minutes,
                 "With delete: keep originals out of readers' way this long, delete them later")
      ->type_name("N")
      ->check(kNumber)->check(CLI::Range(0, 525600).description(""))
      ->group(where);
}

void AddSafetyFlags(CLI::App& app, CompactionOptions& options, RawFlags& raw) {
  const char* safety = "Safety";
  app.add_option("--journal_path", options.journal_path,
                 "Where the run journal lives (default <table>/_s3_compaction; the lease is "
                 "always there)")
      ->type_name("PATH")
      ->group(safety);
  app.add_option("--verify", raw.verify,
                 "rows: outputs open and row counts agree; content: also a digest of every row")
      ->type_name("HOW")
      ->check(CLI::IsMember({"rows", "content"}).description(""))
      ->capture_default_str()
      ->group(safety);
  app.add_flag("--force_unlock", options.force_unlock,
               "Take the table's lease even if another run holds it (only if that run is dead)")
      ->group(safety);
  app.add_flag("--accept_unconditional_store", options.accept_unconditional_store,
               "Run even on an S3-compatible store that ignores conditional writes "
               "(If-None-Match, If-Match), where the lease cannot keep two runs apart: only if "
               "your scheduler guarantees one run at a time")
      ->group(safety);
}

Subcommands AddSubcommands(CLI::App& app, CliRequest& request) {
  auto* recover = app.add_subcommand(
      "recover", "Finish or undo what earlier runs left half done (every run does this first)");
  recover->fallthrough();
  auto* commit = app.add_subcommand(
      "commit", "Apply the catalog updates of runs made with --update_catalog deferred, then "
                "finish them");
  commit->fallthrough();
  auto* inspect = app.add_subcommand(
      "inspect", "Show the table's health: small files per partition, what a run would do, "
                 "pending work, the last run; reads no data file and writes nothing");
  inspect->fallthrough();
  inspect->add_flag("--footers", request.footers,
                    "Also read every file's footer: rows, row groups, codecs, schema drift");
  return {recover, commit, inspect};
}

CLI::App* AddReportCommand(CLI::App& app, ReportRequest& report) {
  auto* command = app.add_subcommand(
      "report", "Render a saved --json output (a run's or an inspection's) as one HTML page");
  command->add_option("--from", report.from, "The saved JSON: a file, s3://bucket/key, or - (stdin)")
      ->type_name("FILE")
      ->required();
  command->add_option("--html", report.html, "The page to write: a file or s3://bucket/key")
      ->type_name("FILE")
      ->required();
  return command;
}

// A page is named as one (.html, .htm), so that no spelling of a page's path can replace a data
// file (a run's --report is written into folders a catalog may share with data).
arrow::Status CheckPageName(const std::string& path, const char* flag) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.ends_with(".html") || lower.ends_with(".htm")) return arrow::Status::OK();
  return arrow::Status::Invalid(flag, ": ", path, ": name the page FILE.html");
}

// `report` reads a document, not a table: a run's flag given with it is a mistake, not ignored
// (only the logging flags apply).
arrow::Status CheckReportRequest(const CLI::App& app, const ReportRequest& report) {
  for (const CLI::Option* option : app.get_options()) {
    if (option->count() == 0 || option->check_lname("verbose") ||
        option->check_lname("log-format")) {
      continue;
    }
    return arrow::Status::Invalid("report: ", option->get_name(), " is a run's flag; report takes "
                                  "--from and --html");
  }
  if (report.from != "-") ARROW_RETURN_NOT_OK(FileSystems::CheckSpelling(report.from));
  ARROW_RETURN_NOT_OK(FileSystems::CheckSpelling(report.html));
  return CheckPageName(report.html, "report: --html");
}

void AddHowFlags(CLI::App& app, CompactionOptions& options, RawFlags& raw) {
  const char* how = "How";
  app.add_option("--shard", raw.shard,
                 "Run shard K of N (0-based): only the partitions it owns; N shards at once "
                 "cover the table exactly once")
      ->type_name("K/N")
      ->group(how);
  app.add_flag("--dry-run,--dry_run", raw.dry_run,
               "Print the plan and the storage requests it would make; write nothing")
      ->group(how);
  app.add_option("--compression", raw.compression,
                 "keep (the inputs'), none, snappy, gzip, zstd, lz4, brotli; zstd:9 sets a level")
      ->type_name("CODEC")
      ->capture_default_str()
      ->group(how);
  app.add_option("--merge", raw.merge,
                 "auto: merge pages where they apply and make good files, else rows; pages: "
                 "wherever they apply; rows: decode and encode every row")
      ->type_name("HOW")
      ->check(CLI::IsMember({"auto", "pages", "rows"}).description(""))
      ->capture_default_str()
      ->group(how);
  app.add_option("--parallelism", options.parallelism,
                 "Groups of files written at once (default: the machine's cores)")
      ->type_name("N")
      ->check(kNumber)->check(CLI::Range(1, 1024).description(""))
      ->group(how);
  app.add_option("--wave_files", options.wave_files,
                 "Plan, journal and commit at most N input files at a time (bounds memory and "
                 "journal objects on huge tables)")
      ->type_name("N")
      ->capture_default_str()
      ->check(kNumber)->check(CLI::Range(int64_t{1}, int64_t{1} << 40).description(""))
      ->group(how);
  app.add_option("--sort_memory_mb", raw.sort_memory_mb,
                 "Memory for --sort_by, shared by the partitions sorted at once; beyond it, "
                 "sorted runs spill to disk")
      ->type_name("MIB")
      ->capture_default_str()
      ->check(kNumber)->check(CLI::Range(1.0, 1048576.0).description(""))
      ->group(how);
  app.add_option("--spill_path", options.spill_path,
                 "Local folder where --sort_by spills (default: $TMPDIR or /tmp)")
      ->type_name("PATH")
      ->group(how);
  app.add_option("--row_group_size_mb", raw.row_group_mb,
                 "Row group size (default: a quarter of the target, at most 128)")
      ->type_name("MIB")
      ->check(kNumber)->check(CLI::Range(0.0625, 4096.0).description(""))
      ->group(how);
}

void AddOutputFlags(CLI::App& app, CliRequest& request, RawFlags& raw) {
  const char* output = "Output";
  app.add_flag("--json", request.json, "Print the summary as one JSON object on stdout")
      ->group(output);
  app.add_option("--report,--html", request.report_path,
                 "Also write the summary as one self-contained HTML page (local or s3://)")
      ->type_name("FILE")
      ->group(output);
  app.add_flag("-v,--verbose", raw.verbosity, "Log what happens, on stderr (twice for more)")
      ->group(output);
  app.add_option("--log-format,--log_format", raw.log_format, "Log lines as text or json")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "json"}).description(""))
      ->capture_default_str()
      ->group(output);
}

/// nullopt when the flags parsed; otherwise the exit code, CLI11 having printed why (or the
/// help, or the version).
std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsageError;
  }
  return std::nullopt;
}

arrow::Status CheckTableChoice(const CliRequest& request) {
  const bool glue = !request.database_name.empty() || !request.table_name.empty();
  if (request.table_path.empty() && !glue) {
    return arrow::Status::Invalid(
        "say which table: --table_path, or --database_name with --table_name");
  }
  if (!request.table_path.empty() && glue) {
    return arrow::Status::Invalid("--table_path and --database_name/--table_name are exclusive");
  }
  if (glue && (request.database_name.empty() || request.table_name.empty())) {
    return arrow::Status::Invalid("--database_name and --table_name go together");
  }
  return arrow::Status::OK();
}

arrow::Status ConvertOriginalFiles(const RawFlags& raw, CompactionOptions& options) {
  ARROW_ASSIGN_OR_RAISE(bool delete_originals,
                        ParseBool("--delete_original_files", raw.delete_originals));
  options.original_files = delete_originals ? OriginalFiles::kDelete : OriginalFiles::kKeep;
  return arrow::Status::OK();
}

arrow::Status ConvertCatalogMode(const RawFlags& raw, CompactionOptions& options) {
  if (raw.update_catalog == "deferred") {
    options.update_catalog = true;
    options.defer_catalog = true;
    return arrow::Status::OK();
  }
  auto update = ParseBool("--update_catalog", raw.update_catalog);
  if (!update.ok()) return arrow::Status::Invalid(update.status().message(), " or deferred");
  options.update_catalog = *update;
  return arrow::Status::OK();
}

arrow::Status ConvertPredicate(const RawFlags& raw, CompactionOptions& options) {
  if (raw.predicate.empty()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(options.predicate, PartitionPredicate::Parse(raw.predicate));
  return arrow::Status::OK();
}

arrow::Status ConvertShard(const RawFlags& raw, CompactionOptions& options) {
  if (raw.shard.empty()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(options.shard, Shard::Parse(raw.shard));
  return arrow::Status::OK();
}

// CLI::Range lets NaN through (every comparison with NaN is false), and "nan" parses as a
// double: a NaN size would make every partition "skipped".
arrow::Status CheckFinite(const RawFlags& raw, const CompactionOptions& options) {
  const std::pair<const char*, double> numbers[] = {
      {"--target_file_size_mb", raw.target_mb},
      {"--row_group_size_mb", raw.row_group_mb},
      {"--small_file_ratio", options.small_file_ratio},
      {"--max_runtime_minutes", options.limits.max_runtime_minutes},
      {"--max_input_gb", options.limits.max_input_gb},
      {"--sort_memory_mb", raw.sort_memory_mb}};
  for (const auto& [flag, value] : numbers) {
    if (!std::isfinite(value)) return arrow::Status::Invalid(flag, ": not a number: ", value);
  }
  return arrow::Status::OK();
}

// Every value is text for JSON (the journal, the summary, Glue requests): a flag that is not
// UTF-8 is refused before anything is touched. (Names found on disk are bytes, and handled.)
arrow::Status CheckUtf8(const CLI::App& app) {
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& value : option->results()) {
      if (auto bad = FirstInvalidUtf8(value)) {
        return arrow::Status::Invalid(option->get_name(), ": not valid UTF-8 (byte ", *bad + 1,
                                      "): ", EscapeInvalidUtf8(value));
      }
    }
  }
  for (const CLI::App* sub : app.get_subcommands({})) ARROW_RETURN_NOT_OK(CheckUtf8(*sub));
  return arrow::Status::OK();
}

arrow::Status ConvertSort(const RawFlags& raw, CompactionOptions& options) {
  if (!options.spill_path.empty() && options.spill_path.rfind("s3://", 0) == 0) {
    return arrow::Status::Invalid("--spill_path: sorted runs spill to a local folder, not ",
                                  options.spill_path);
  }
  if (raw.sort_by.empty()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(options.sort, SortSpec::Parse(raw.sort_by));  // messages name the flag
  return arrow::Status::OK();
}

// --report to a local folder that does not exist would be found out only after the run.
arrow::Status CheckReportPath(const std::string& path) {
  if (path.empty()) return arrow::Status::OK();
  ARROW_RETURN_NOT_OK(CheckPageName(path, "--report"));
  if (path.rfind("s3://", 0) == 0) return arrow::Status::OK();
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::absolute(path, error).parent_path();
  if (error || !std::filesystem::is_directory(parent, error)) {
    return arrow::Status::Invalid("--report: no folder ", parent.string(), " to write ", path, " in");
  }
  if (std::filesystem::is_directory(path, error)) {
    return arrow::Status::Invalid("--report: ", path, " is a folder; name the page's file");
  }
  return arrow::Status::OK();
}

void ConvertSizes(const RawFlags& raw, CompactionOptions& options) {
  options.target_file_bytes = static_cast<int64_t>(std::llround(raw.target_mb * 1048576.0));
  options.row_group_bytes = static_cast<int64_t>(std::llround(raw.row_group_mb * 1048576.0));
  options.sort_memory_bytes = static_cast<int64_t>(std::llround(raw.sort_memory_mb * 1048576.0));
}

void ConvertModes(const RawFlags& raw, bool json, CompactionOptions& options) {
  options.mode = raw.dry_run ? RunMode::kDryRun : RunMode::kRun;
  options.verify = raw.verify == "content" ? VerifyMode::kContent : VerifyMode::kRows;
  options.merge = raw.merge == "pages"  ? MergeMode::kPages
                  : raw.merge == "rows" ? MergeMode::kRows
                                        : MergeMode::kAuto;
  options.progress = !json && ProgressBar::TerminalAttached();
}

void ConvertLogging(const RawFlags& raw, CliRequest& request) {
  request.log_level = raw.verbosity >= 2   ? log::Level::kDebug
                      : raw.verbosity == 1 ? log::Level::kInfo
                                           : log::Level::kWarn;
  request.log_format = raw.log_format == "json" ? log::Format::kJson : log::Format::kText;
}

/// Checks the flags CLI11 cannot check alone and fills `request` from them; the first problem
/// found is the usage error reported.
arrow::Status ConvertFlags(const RawFlags& raw, CliRequest& request) {
  CompactionOptions& options = request.options;
  ARROW_RETURN_NOT_OK(CheckTableChoice(request));
  for (const std::string* path : {&request.table_path, &options.target_path,
                                  &options.archive_path, &options.journal_path,
                                  &request.report_path}) {
    if (!path->empty()) ARROW_RETURN_NOT_OK(FileSystems::CheckSpelling(*path));
  }
  ARROW_RETURN_NOT_OK(CheckReportPath(request.report_path));
  options.report_path = request.report_path;
  ARROW_RETURN_NOT_OK(ConvertOriginalFiles(raw, options));
  ARROW_RETURN_NOT_OK(ConvertCatalogMode(raw, options));
  ARROW_RETURN_NOT_OK(ConvertPredicate(raw, options));
  ARROW_RETURN_NOT_OK(ConvertShard(raw, options));
  ARROW_RETURN_NOT_OK(
      ParseCompression(raw.compression, &options.codec, &options.compression_level));
  ARROW_RETURN_NOT_OK(CheckFinite(raw, options));
  ARROW_RETURN_NOT_OK(ConvertSort(raw, options));
  ConvertSizes(raw, options);
  ConvertModes(raw, request.json, options);
  ConvertLogging(raw, request);
  return arrow::Status::OK();
}

}  // namespace

std::variant<CliRequest, int> CommandLine::Parse(int argc, char** argv) {
  CLI::App app{kDescription, "s3-compaction"};
  DescribeTool(app);
  CliRequest request;
  RawFlags raw;
  AddTableFlags(app, request);
  AddWhatFlags(app, request.options, raw);
  AddLimitFlags(app, request.options);
  AddWhereFlags(app, request.options, raw);
  AddSafetyFlags(app, request.options, raw);
  const Subcommands subcommands = AddSubcommands(app, request);
  ReportRequest report;
  const CLI::App* report_command = AddReportCommand(app, report);
  AddHowFlags(app, request.options, raw);
  AddOutputFlags(app, request, raw);

  if (std::optional<int> exit_code = ParseFlags(app, argc, argv)) return *exit_code;
  request.recover_only = subcommands.recover->parsed();
  request.commit_only = subcommands.commit->parsed();
  request.inspect = subcommands.inspect->parsed();
  if (auto text = CheckUtf8(app); !text.ok()) return UsageError(text.message());
  if (report_command->parsed()) {
    if (auto checked = CheckReportRequest(app, report); !checked.ok()) {
      return UsageError(checked.message());
    }
    ConvertLogging(raw, request);
    request.report = report;
    return request;
  }
  if (auto converted = ConvertFlags(raw, request); !converted.ok()) {
    return UsageError(converted.message());
  }
  return request;
}

namespace {

int ExitCodeOf(const arrow::Status& status) {
  switch (KindOf(status)) {
    case ErrorKind::kUsage: return kExitUsageError;
    case ErrorKind::kInput: return kExitInputError;
    case ErrorKind::kInternal: return kExitInternalError;
  }
  return kExitInternalError;
}

/// The catalog the request names, or the exit code that stops it.
std::variant<std::unique_ptr<Catalog>, int> OpenCatalog(const CliRequest& request,
                                                        std::shared_ptr<aws::AwsContext> aws,
                                                        FileSystems& file_systems) {
  if (!request.table_path.empty()) {
    auto root = file_systems.Resolve(request.table_path);
    if (!root.ok()) {
      // A misspelt path is the user's to fix (2); one that cannot be reached, or S3 without
      // the CA certificates HTTPS needs, stops the run before it starts (3).
      if (root.status().IsInvalid()) return UsageError(root.status().message());
      log::Error(root.status().message());
      return kExitInputError;
    }
    return std::unique_ptr<Catalog>(std::make_unique<PathCatalog>(*root));
  }
  // Checked before any request, as S3 paths are (FileSystems::S3).
  if (auto attempts = aws->config().MaxAttempts(); !attempts.ok()) {
    return UsageError(attempts.status().message());
  }
  auto glue = GlueClient::Make(aws->config(), aws->credentials());
  if (!glue.ok()) {
    log::Error(glue.status().message());
    return kExitInputError;
  }
  return std::unique_ptr<Catalog>(std::make_unique<GlueCatalog>(
      std::shared_ptr<GlueClient>(std::move(*glue)), request.database_name, request.table_name,
      file_systems));
}

/// --report/--html: the document as a page; false (after saying why) when it could not be
/// written.
bool WriteHtml(const CliRequest& request, FileSystems& file_systems,
               const nlohmann::json& document) {
  if (request.report_path.empty()) return true;
  auto written = WriteReport(file_systems, request.report_path, HtmlReport::Render(document));
  if (!written.ok()) {
    log::Error(written.message());
    return false;
  }
  log::Info("report written to ", request.report_path);
  return true;
}

int Inspect(const CliRequest& request, Catalog& catalog, FileSystems& file_systems) {
  TableInspector inspector(request.options, file_systems, request.footers);
  auto health = inspector.Inspect(catalog);
  if (!health.ok()) {
    log::Error(health.status().message());
    return ExitCodeOf(health.status());
  }
  const nlohmann::json document = Utf8Safe(health->ToJson());
  if (request.json) {
    std::cout << document.dump(2) << std::endl;
  } else {
    std::cout << health->ToText() << std::flush;
  }
  return WriteHtml(request, file_systems, document) ? kExitSuccess : kExitInputError;
}

}  // namespace

int RunRequest(const CliRequest& request) {
  if (request.report) return RunReportCommand(*request.report);
  auto aws = aws::AwsContext::FromEnvironment();
  FileSystems file_systems(aws);
  auto opened = OpenCatalog(request, aws, file_systems);
  if (std::holds_alternative<int>(opened)) return std::get<int>(opened);
  Catalog& catalog = *std::get<std::unique_ptr<Catalog>>(opened);
  if (request.inspect) return Inspect(request, catalog, file_systems);

  CompactionJob job(request.options, file_systems);
  auto summary = request.recover_only  ? job.Recover(catalog)
                 : request.commit_only ? job.CommitDeferred(catalog)
                                       : job.Run(catalog);
  if (!summary.ok()) {
    log::Error(summary.status().message());
    return ExitCodeOf(summary.status());
  }
  // Names are bytes: what is not UTF-8 is escaped (\xNN), so the output stays JSON. Written
  // a partition at a time; the whole document is built only for a page (--report).
  if (request.json) {
    summary->WriteJson(std::cout, 2);
    std::cout << std::endl;
  } else {
    std::cout << summary->ToText() << std::flush;
  }
  const bool reported = request.report_path.empty() ||
                        WriteHtml(request, file_systems, Utf8Safe(summary->ToJson()));
  if (summary->Count(PartitionStatus::kFailed) > 0) return kExitPartialFailure;
  return reported ? kExitSuccess : kExitInputError;
}

}  // namespace s3c
