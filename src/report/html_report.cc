#include "report/html_report.h"

#include "report/html_page.h"
#include "report/inspection_page.h"
#include "report/json_view.h"
#include "report/run_page.h"

namespace s3c {

std::optional<HtmlReport::Kind> HtmlReport::KindOf(const nlohmann::json& doc) {
  const JsonView view(&doc);
  if (!view.is_object()) return std::nullopt;
  if (const auto kind = view["kind"].OptString()) {
    if (*kind == "run") return Kind::kRun;
    if (*kind == "inspection") return Kind::kInspection;
    return std::nullopt;
  }
  if (!view["kind"].present() && view["run_id"].present()) return Kind::kRun;
  return std::nullopt;
}

std::string HtmlReport::Render(const nlohmann::json& doc) {
  const JsonView view(&doc);
  const std::optional<Kind> kind = KindOf(doc);
  if (kind == Kind::kRun) return RunPage::Render(view);
  if (kind == Kind::kInspection) return InspectionPage::Render(view);
  return HtmlPage::Document(
      "s3-compaction report",
      HtmlPage::Header("s3-compaction report", {}) +
          "<main>\n" +
          HtmlPage::Paragraph("This document is neither a run's summary nor an inspection.") +
          "</main>\n");
}

}  // namespace s3c
