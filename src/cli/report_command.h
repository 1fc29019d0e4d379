#pragma once
// The `report` subcommand: a saved --json output (a run's summary or an inspection) rendered as
// one self-contained HTML page (HtmlReport), read from and written to a local path or s3://,
// "-" reading standard input.

#include <string>

namespace s3c {

struct ReportRequest {
  std::string from;  // --from: the saved JSON, or "-"
  std::string html;  // --html: the page to write
};

/// Renders and writes the page; returns the exit code: 0, or 3 (kExitInputError) when the input
/// cannot be read, is not JSON, or is neither kind of document, or the page cannot be written,
/// with one line on stderr saying which. REQUIRES: both paths spelt correctly
/// (FileSystems::CheckSpelling; the command line checks them).
int RunReportCommand(const ReportRequest& request);

}  // namespace s3c
