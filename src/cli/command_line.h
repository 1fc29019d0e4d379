#pragma once
// CommandLine: every flag of s3-compaction, its help text and its validation, in one place.
// Parse() either yields a request to run or says the process is done (help, version, usage
// error), having printed what it had to.

#include <optional>
#include <string>
#include <variant>

#include "cli/report_command.h"
#include "job/compaction_options.h"
#include "util/logging.h"

namespace s3c {

struct CliRequest {
  CompactionOptions options;
  std::string table_path;     // --table_path (no catalog)
  std::string database_name;  // --database_name + --table_name (Glue Data Catalog)
  std::string table_name;
  bool json = false;
  bool recover_only = false;  // the `recover` subcommand
  bool commit_only = false;   // the `commit` subcommand
  bool inspect = false;       // the `inspect` subcommand
  bool footers = false;       // inspect --footers
  std::string report_path;    // --report / --html: also write the summary as an HTML page
  std::optional<ReportRequest> report;  // the `report` subcommand (no table: the rest unused)
  log::Level log_level = log::Level::kWarn;
  log::Format log_format = log::Format::kText;
};

class CommandLine {
 public:
  /// A request to run, or the exit code to return right away.
  static std::variant<CliRequest, int> Parse(int argc, char** argv);
};

/// Runs a parsed request and prints its summary; returns the exit code.
int RunRequest(const CliRequest& request);

}  // namespace s3c
