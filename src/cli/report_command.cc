#include "cli/report_command.h"

#include <algorithm>
#include <new>

#include "cli/exit_code.h"
#include "report/html_report.h"
#include "report/report_file.h"
#include "storage/file_systems.h"
#include "util/json_fields.h"
#include "util/logging.h"

namespace s3c {
namespace {

int InputError(std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');  // one line, whatever a store says
  log::Error(message);
  return kExitInputError;
}

// Reads, renders and writes; exceptions (memory) are the caller's.
int RenderReport(const ReportRequest& request) {
  FileSystems file_systems;
  const std::string source = request.from == "-" ? "standard input" : request.from;
  auto text = ReadReportInput(file_systems, request.from);
  if (!text.ok()) return InputError(text.status().message());
  auto doc = ParseJsonObject(*text, source);
  if (!doc.ok()) return InputError(doc.status().message());
  if (!HtmlReport::KindOf(*doc)) {
    return InputError(source +
                      ": neither a run's summary nor an inspection (no \"kind\" of \"run\" or "
                      "\"inspection\", and no \"run_id\")");
  }
  if (auto written = WriteReport(file_systems, request.html, HtmlReport::Render(*doc));
      !written.ok()) {
    return InputError(written.message());
  }
  return kExitSuccess;
}

}  // namespace

int RunReportCommand(const ReportRequest& request) {
  try {
    return RenderReport(request);
  } catch (const std::bad_alloc&) {
    return InputError((request.from == "-" ? std::string("standard input") : request.from) +
                      ": too large to render in this machine's memory");
  }
}

}  // namespace s3c
