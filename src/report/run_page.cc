#include "report/run_page.h"

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

#include "report/html_page.h"
#include "report/html_text.h"
#include "report/html_report.h"
#include "report/report_sections.h"
#include "report/svg_chart.h"
#include "util/human.h"
#include "util/version.h"

namespace s3c {
namespace {

using Cells = std::vector<HtmlPage::Cell>;
constexpr auto Arrow = &ReportSections::Arrow;

// The stages in the order a run enters them; others (a newer version's) go after, by start.
constexpr const char* kStageOrder[] = {"recovery", "listing",    "planning", "reading", "writing",
                                       "verifying", "publishing", "removing", "catalog"};

size_t StageRank(const std::string& name) {
  const auto it = std::find(std::begin(kStageOrder), std::end(kStageOrder), name);
  return static_cast<size_t>(it - std::begin(kStageOrder));
}

// "failed" first, then "deferred" (left for a later run), then the rest.
int StatusRank(const std::string& status) {
  if (status == "failed") return 0;
  if (status == "deferred") return 1;
  return 2;
}

struct Partition {
  JsonView view;
  std::string name, status;
  int64_t files_before, files_after;
};

std::vector<Partition> ReadPartitions(JsonView doc) {
  std::vector<Partition> out;
  for (const JsonView& d : doc["details"].Items()) {
    if (!d.is_object()) continue;
    out.push_back({d, d["partition"].String(), d["status"].String(), d["files_before"].Int(),
                   d["files_after"].Int()});
  }
  return out;
}

std::string Heading(JsonView doc) {
  const std::string table = doc["table"].String("(table not named)");
  return (doc["dry_run"].Bool() ? "Dry run: " : "Compaction run: ") + table;
}

std::vector<std::pair<std::string, std::string>> Meta(JsonView doc) {
  std::vector<std::pair<std::string, std::string>> meta;
  const auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) meta.emplace_back(name, value);
  };
  add("Run", doc["run_id"].String());
  add("Started", doc["started_at"].String());
  add("Kind", doc["dry_run"].Bool() ? "dry run: nothing was written" : "");
  add("Written to", doc["target"].String());
  add("Shard", doc["shard"].String());
  add("Originals", doc["originals"].String());
  add("Archive", doc["archive"].String());
  if (doc["target_file_bytes"].Int() > 0) {
    add("Target file size", human::Bytes(doc["target_file_bytes"].Int()));
  }
  add("Sorted by", doc["sort"]["by"].String());
  add("Tool version", doc["version"].String());
  return meta;
}

std::string PartitionsCard(JsonView doc) {
  const JsonView p = doc["partitions"];
  const bool dry = doc["dry_run"].Bool();
  const int64_t done = dry ? p["planned"].Int() : p["compacted"].Int() + p["copied"].Int();
  std::string detail;
  for (const char* status : {"compacted", "copied", "planned", "skipped", "deferred", "failed"}) {
    if (p[status].Int() <= 0) continue;
    if (!detail.empty()) detail += " \u00b7 ";
    detail += human::Count(p[status].Int()) + " " + status;
  }
  return HtmlPage::Card(dry ? "Partitions planned" : "Partitions compacted",
                        human::Count(done) + " of " + human::Count(p["considered"].Int()),
                        detail);
}

std::string FilesCard(JsonView doc) {
  const int64_t before = doc["files"]["before"].Int(), after = doc["files"]["after"].Int();
  std::string detail = ReportSections::PercentChange(before, after);
  if (doc["files"]["rewritten"].Int() > 0) {
    detail += (detail.empty() ? "" : " \u00b7 ") + human::Count(doc["files"]["rewritten"].Int()) +
              " rewritten into " + human::Count(doc["files"]["written"].Int());
  }
  return HtmlPage::Card("Files", Arrow(human::Count(before), human::Count(after)), detail,
                        after < before ? HtmlPage::Tone::kGood : HtmlPage::Tone::kNeutral);
}

std::string BytesCard(JsonView doc) {
  const int64_t before = doc["bytes"]["before"].Int(), after = doc["bytes"]["after"].Int();
  std::string detail = ReportSections::PercentChange(before, after);
  if (doc["bytes"]["rewritten"].Int() > 0) {
    detail += (detail.empty() ? "" : " \u00b7 ") + human::Bytes(doc["bytes"]["rewritten"].Int()) +
              " rewritten";
  }
  return HtmlPage::Card("Bytes", Arrow(human::Bytes(before), human::Bytes(after)), detail);
}

std::string RowsCard(JsonView doc) {
  std::string detail;
  if (doc["sort"].is_object()) detail = "sorted by " + doc["sort"]["by"].String();
  return HtmlPage::Card("Rows rewritten", human::Count(doc["rows"]["rewritten"].Int()), detail);
}

std::string TimeCard(JsonView doc) {
  std::string detail;
  const JsonView t = doc["throughput"];
  if (t["bytes_per_second"].Number() > 0) {
    detail = human::Bytes(t["bytes_per_second"].Int()) + "/s";
  }
  if (t["rows_per_second"].Number() > 0) {
    detail += (detail.empty() ? "" : " \u00b7 ") + human::Count(t["rows_per_second"].Int()) +
              " rows/s";
  }
  return HtmlPage::Card("Time", human::Duration(std::max(doc["seconds"].Number(), 0.0)), detail);
}

bool RequestsEstimated(JsonView doc) {
  return doc["requests_estimated"].Bool() || doc["dry_run"].Bool();
}

std::vector<std::string> Cards(JsonView doc) {
  std::vector<std::string> cards = {PartitionsCard(doc), FilesCard(doc), BytesCard(doc),
                                    RowsCard(doc), TimeCard(doc)};
  if (doc["requests"].is_object()) {
    cards.push_back(HtmlPage::Card(
        "Storage requests", human::Count(ReportSections::TotalRequests(doc["requests"])),
        RequestsEstimated(doc) ? "estimated" : ""));
  }
  if (const int64_t failed = doc["partitions"]["failed"].Int(); failed > 0) {
    cards.push_back(HtmlPage::Card("Failed partitions", human::Count(failed),
                                   "each left as it was; see Failures", HtmlPage::Tone::kBad));
  }
  if (const int64_t left = doc["remaining"]["partitions"].Int(); left > 0) {
    cards.push_back(HtmlPage::Card(
        "Left for the next run", ReportSections::Counted(left, "partition"),
        human::Count(doc["remaining"]["files"].Int()) + " files, " +
            human::Bytes(doc["remaining"]["bytes"].Int())));
  }
  return cards;
}

std::string SizesSection(JsonView doc, const std::vector<Partition>& partitions) {
  ReportSections::HistogramSource source;
  source.histogram = doc["histogram"];
  for (const Partition& p : partitions) source.partitions.push_back(p.view);
  source.target_bytes = doc["target_file_bytes"].Int();
  source.after_name = doc["dry_run"].Bool() ? "after (planned)" : "after";
  return HtmlPage::Section("sizes", "File sizes",
                           "Every Parquet file of the partitions considered, by size. The "
                           "outlined bucket holds the target size.",
                           ReportSections::FileSizes(source));
}

std::string TopSection(const std::vector<Partition>& partitions) {
  std::vector<const Partition*> removed;
  for (const Partition& p : partitions) {
    if (p.files_before > p.files_after) removed.push_back(&p);
  }
  std::stable_sort(removed.begin(), removed.end(), [](const Partition* a, const Partition* b) {
    return std::make_tuple(b->files_before - b->files_after, a->name) <
           std::make_tuple(a->files_before - a->files_after, b->name);
  });
  if (removed.size() > HtmlReport::kTopPartitions) removed.resize(HtmlReport::kTopPartitions);
  SvgChart::Bars chart;
  chart.title = "Partitions with the most files removed: files before and after";
  chart.css_class = "chart-partitions";
  chart.layout = SvgChart::BarLayout::kGrouped;
  chart.first_name = "files before";
  chart.second_name = "files after";
  chart.first_class = "bar-files-before";
  chart.second_class = "bar-files-after";
  chart.empty_text = "no partition had files removed";
  for (const Partition* p : removed) {
    chart.rows.push_back({p->name, p->files_before, p->files_after,
                          Arrow(human::Count(p->files_before), human::Count(p->files_after)) +
                              " files"});
  }
  return HtmlPage::Section("top", "Partitions with the most files removed",
                           "The " + std::to_string(HtmlReport::kTopPartitions) +
                               " partitions whose file count dropped most.",
                           SvgChart::DrawBars(chart));
}

std::string TimelineSection(JsonView doc) {
  std::vector<JsonView> stages;
  for (const JsonView& s : doc["stages"].Items()) {
    if (s.is_object()) stages.push_back(s);
  }
  if (stages.empty() && !doc["stages"].is_array()) return "";  // an older document
  std::stable_sort(stages.begin(), stages.end(), [](const JsonView& a, const JsonView& b) {
    return std::make_tuple(StageRank(a["name"].String()), a["start"].Number()) <
           std::make_tuple(StageRank(b["name"].String()), b["start"].Number());
  });
  SvgChart::Timeline chart;
  chart.title = "Stages of the run over time, with the busy time of each";
  chart.css_class = "chart-timeline";
  chart.total = doc["seconds"].Number();
  std::vector<Cells> rows;
  for (const JsonView& s : stages) {
    const double busy = std::max(s["seconds"].Number(), 0.0);
    chart.spans.push_back({s["name"].String("?"), s["start"].Number(), s["end"].Number(),
                           "busy " + human::Duration(busy)});
    rows.push_back({HtmlPage::Text(s["name"].String("?")),
                    HtmlPage::Number(human::Duration(std::max(s["start"].Number(), 0.0))),
                    HtmlPage::Number(human::Duration(std::max(s["end"].Number(), 0.0))),
                    HtmlPage::Number(human::Duration(busy))});
  }
  return HtmlPage::Section(
      "timeline", "Stages",
      "Each stage from when it was first entered to when it was last left; stages overlap "
      "(reading and writing run in parallel). Busy time is summed over threads.",
      SvgChart::DrawTimeline(chart) +
          HtmlPage::Table("Stages", {{"Stage"}, {"Start", true}, {"End", true}, {"Busy", true}},
                          rows));
}

std::string FailuresSection(const std::vector<Partition>& partitions) {
  std::vector<Cells> rows;
  size_t failed = 0;
  for (const Partition& p : partitions) {
    if (p.status != "failed") continue;
    if (++failed > HtmlReport::kMaxListed) continue;
    rows.push_back({HtmlPage::Name(p.name), HtmlPage::Text(p.view["reason"].String())});
  }
  if (failed == 0) return "";
  return HtmlPage::Section(
      "failures", "Failures",
      "Each failed partition was left as it was (no row lost); the next run tries it again.",
      HtmlPage::Table("Failed partitions", {{"Partition"}, {"Error"}}, rows,
                      failed - rows.size(), "failures"));
}

// "rows (input column chunks ... too small)": how the partition was written, and why so.
std::string Method(JsonView d) {
  const std::string method = d["method"].String(), why = d["method_reason"].String();
  if (why.empty()) return method;
  return method.empty() ? why : method + " (" + why + ")";
}

std::string PartitionsSection(const std::vector<Partition>& partitions) {
  std::vector<const Partition*> order;
  for (const Partition& p : partitions) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const Partition* a, const Partition* b) {
    return std::make_tuple(StatusRank(a->status), -a->files_after, -a->files_before, a->name) <
           std::make_tuple(StatusRank(b->status), -b->files_after, -b->files_before, b->name);
  });
  const size_t shown = std::min(order.size(), HtmlReport::kMaxTableRows);
  std::vector<Cells> rows;
  for (size_t i = 0; i < shown; ++i) {
    const Partition& p = *order[i];
    const JsonView d = p.view;
    rows.push_back({HtmlPage::Name(p.name), HtmlPage::Markup(HtmlPage::Badge(p.status)),
                    HtmlPage::Number(human::Count(p.files_before)),
                    HtmlPage::Number(human::Count(p.files_after)),
                    HtmlPage::Number(human::Bytes(d["bytes_before"].Int())),
                    HtmlPage::Number(human::Bytes(d["bytes_after"].Int())),
                    HtmlPage::Number(human::Count(d["rows"].Int())), HtmlPage::Text(Method(d)),
                    HtmlPage::Text(d["reason"].String())});
  }
  const std::string intro =
      partitions.empty() ? "No partition was considered."
                         : "Worst first: failures, then partitions left for a later run, then "
                           "those with the most files left.";
  return HtmlPage::Section(
      "partitions", "Partitions", intro,
      partitions.empty()
          ? ""
          : HtmlPage::Table("Partitions (" + human::Count(static_cast<int64_t>(order.size())) + ")",
                            {{"Partition"}, {"Status"}, {"Files before", true},
                             {"Files after", true}, {"Bytes before", true}, {"Bytes after", true},
                             {"Rows rewritten", true}, {"Method"}, {"Reason"}},
                            rows, order.size() - shown, "partitions"));
}

std::string RequestsSection(JsonView doc) {
  const std::string table = ReportSections::RequestsTable(doc["requests"], RequestsEstimated(doc));
  if (table.empty()) return "";
  return HtmlPage::Section("requests", "Storage requests",
                           RequestsEstimated(doc) ? "What the run would make, estimated." : "",
                           table);
}

std::string NotesSection(JsonView doc) {
  std::string content;
  const std::pair<const char*, JsonView> lists[] = {
      {"Notes", doc["notes"]}, {"Recovered from earlier runs", doc["recovered"]},
      {"Limits", doc["limits"]}};
  for (const auto& [heading, list] : lists) {
    const std::vector<std::string> items = list.Strings();
    if (items.empty()) continue;
    const size_t shown = std::min(items.size(), HtmlReport::kMaxListed);
    content += HtmlPage::Subheading(heading) +
               HtmlPage::List({items.begin(), items.begin() + shown}, items.size() - shown);
  }
  if (content.empty()) return "";
  return HtmlPage::Section("notes", "Notes", "", content);
}

std::string Footer(JsonView doc) {
  return "<footer>Rendered by s3-compaction " + HtmlText::Escape(kVersion) +
         " from the run's JSON summary" +
         (doc["version"].present() ? " (written by version " +
                                         HtmlText::Escape(doc["version"].String()) + ")"
                                   : std::string()) +
         ".</footer>\n";
}

}  // namespace

std::string RunPage::Render(JsonView doc) {
  const std::vector<Partition> partitions = ReadPartitions(doc);
  const std::string failures = FailuresSection(partitions);
  const std::string timeline = TimelineSection(doc);
  const std::string requests = RequestsSection(doc);
  const std::string notes = NotesSection(doc);
  std::vector<std::pair<std::string, std::string>> contents = {{"sizes", "File sizes"},
                                                               {"top", "Most files removed"}};
  if (!timeline.empty()) contents.emplace_back("timeline", "Stages");
  if (!failures.empty()) contents.emplace_back("failures", "Failures");
  contents.emplace_back("partitions", "Partitions");
  if (!requests.empty()) contents.emplace_back("requests", "Requests");
  if (!notes.empty()) contents.emplace_back("notes", "Notes");

  const std::string body = HtmlPage::Header(Heading(doc), Meta(doc)) + "<main>\n" +
                           HtmlPage::Contents(contents) + HtmlPage::Cards(Cards(doc)) +
                           SizesSection(doc, partitions) + TopSection(partitions) + timeline +
                           failures + PartitionsSection(partitions) + requests + notes +
                           "</main>\n" + Footer(doc);
  const std::string run_id = doc["run_id"].String();
  return HtmlPage::Document(Heading(doc) + (run_id.empty() ? "" : " (" + run_id + ")"), body);
}

}  // namespace s3c
