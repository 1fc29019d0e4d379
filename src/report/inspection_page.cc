#include "report/inspection_page.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "report/html_page.h"
#include "report/html_report.h"
#include "report/html_text.h"
#include "report/report_sections.h"
#include "report/svg_chart.h"
#include "util/human.h"
#include "util/version.h"

namespace s3c {
namespace {

using Cells = std::vector<HtmlPage::Cell>;
constexpr auto Arrow = &ReportSections::Arrow;

std::vector<JsonView> Partitions(JsonView doc) {
  std::vector<JsonView> out;
  for (const JsonView& p : doc["partitions"].Items()) {
    if (p.is_object()) out.push_back(p);
  }
  return out;
}

std::string Heading(JsonView doc) {
  return "Inspection: " + doc["table"].String(doc["location"].String("(table not named)"));
}

std::vector<std::pair<std::string, std::string>> Meta(JsonView doc) {
  std::vector<std::pair<std::string, std::string>> meta;
  const auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) meta.emplace_back(name, value);
  };
  add("Location", doc["location"].String());
  add("Generated", doc["generated_at"].String());
  if (doc["footers"].present()) {
    add("Footers", doc["footers"].Bool() ? "read (rows, row groups, codecs, schemas)"
                                         : "not read (sizes and names only)");
  }
  if (doc["target_file_bytes"].Int() > 0) {
    add("Target file size", human::Bytes(doc["target_file_bytes"].Int()));
  }
  if (doc["small_file_bytes"].Int() > 0) {
    add("Small file", "below " + human::Bytes(doc["small_file_bytes"].Int()));
  }
  if (doc["min_input_files"].Int() > 0) {
    add("Compacts", "partitions with at least " +
                        ReportSections::Counted(doc["min_input_files"].Int(), "small file"));
  }
  add("Tool version", doc["version"].String());
  return meta;
}

std::vector<std::string> Cards(JsonView doc) {
  const JsonView t = doc["totals"];
  const int64_t files = t["files"].Int(), small = t["small_files"].Int();
  std::vector<std::string> cards = {
      HtmlPage::Card("Partitions", human::Count(t["partitions"].Int()),
                     human::Count(t["to_compact"].Int()) + " to compact"),
      HtmlPage::Card("Files", Arrow(human::Count(files), human::Count(t["files_after"].Int())),
                     "now \u2192 after a run (estimate)"),
      HtmlPage::Card("Small files", human::Count(small),
                     (files > 0 ? ReportSections::Percent(static_cast<double>(small) /
                                                          static_cast<double>(files)) +
                                      " of files, "
                                : std::string()) +
                         human::Bytes(t["small_bytes"].Int()),
                     small > 0 ? HtmlPage::Tone::kBad : HtmlPage::Tone::kGood),
      HtmlPage::Card("Bytes", Arrow(human::Bytes(t["bytes"].Int()),
                                    human::Bytes(t["bytes_after"].Int()))),
  };
  if (t["scan_requests"].is_object()) {
    const int64_t now = t["scan_requests"]["now"].Int(), after = t["scan_requests"]["after"].Int();
    cards.push_back(HtmlPage::Card("Requests to scan the table",
                                   Arrow(human::Count(now), human::Count(after)),
                                   ReportSections::PercentChange(now, after)));
  }
  if (t["rows"].OptInt()) cards.push_back(HtmlPage::Card("Rows", human::Count(t["rows"].Int())));
  const size_t journals = doc["journals"].Items().size();
  size_t live = 0;
  for (const JsonView& lease : doc["leases"].Items()) live += lease["live"].Bool() ? 1 : 0;
  if (journals > 0 || live > 0) {
    cards.push_back(HtmlPage::Card(
        "Pending", ReportSections::Counted(static_cast<int64_t>(journals), "journal"),
        ReportSections::Counted(static_cast<int64_t>(live), "live lease"), HtmlPage::Tone::kBad));
  }
  return cards;
}

std::string SizesSection(JsonView doc, const std::vector<JsonView>& partitions) {
  ReportSections::HistogramSource source;
  source.histogram = doc["histogram"];
  source.partitions = partitions;
  source.target_bytes = doc["target_file_bytes"].Int();
  source.after_name = "after (estimate)";
  return HtmlPage::Section("sizes", "File sizes",
                           "Every Parquet file of the table by size, now and as a run would "
                           "leave them. The outlined bucket holds the target size.",
                           ReportSections::FileSizes(source));
}

std::string TopSection(const std::vector<JsonView>& partitions) {
  std::vector<JsonView> small;
  for (const JsonView& p : partitions) {
    if (p["small_files"].Int() > 0) small.push_back(p);
  }
  std::stable_sort(small.begin(), small.end(), [](const JsonView& a, const JsonView& b) {
    return a["small_files"].Int() > b["small_files"].Int();
  });
  if (small.size() > HtmlReport::kTopPartitions) small.resize(HtmlReport::kTopPartitions);
  SvgChart::Bars chart;
  chart.title = "Partitions with the most small files: small and other files";
  chart.css_class = "chart-partitions";
  chart.layout = SvgChart::BarLayout::kStacked;
  chart.first_name = "small files";
  chart.second_name = "other files";
  chart.first_class = "bar-small";
  chart.second_class = "bar-kept";
  chart.empty_text = "no partition has small files";
  for (const JsonView& p : small) {
    const int64_t files = p["files"].Int(), count = p["small_files"].Int();
    chart.rows.push_back({p["partition"].String(), count, std::max<int64_t>(files - count, 0),
                          human::Count(count) + " small of " + human::Count(files) + " files"});
  }
  return HtmlPage::Section("top", "Partitions with the most small files",
                           "The " + std::to_string(HtmlReport::kTopPartitions) +
                               " partitions with the most small files.",
                           SvgChart::DrawBars(chart));
}

std::string Codecs(JsonView codecs) {
  std::string out;
  for (const auto& [codec, files] : codecs.Fields()) {
    out += (out.empty() ? "" : ", ") + codec + " " + human::Count(files.Int());
  }
  return out;
}

std::string PartitionsSection(JsonView doc, const std::vector<JsonView>& partitions) {
  const bool footers = doc["footers"].Bool();
  std::vector<HtmlPage::Column> columns = {
      {"Partition"},      {"Action"},           {"Files", true},         {"Small files", true},
      {"Small share", true}, {"Bytes", true},  {"Files after", true},   {"Bytes after", true},
      {"Scan requests", true}};
  if (footers) columns.insert(columns.end(), {{"Rows", true}, {"Codecs"}, {"Schemas", true}});
  columns.push_back({"Reason"});
  const size_t shown = std::min(partitions.size(), HtmlReport::kMaxTableRows);
  std::vector<Cells> rows;
  for (size_t i = 0; i < shown; ++i) {
    const JsonView p = partitions[i];
    const JsonView scans = p["scan_requests"];
    Cells row = {HtmlPage::Name(p["partition"].String()),
                 HtmlPage::Markup(HtmlPage::Badge(p["action"].String())),
                 HtmlPage::Number(human::Count(p["files"].Int())),
                 HtmlPage::Number(human::Count(p["small_files"].Int())),
                 HtmlPage::Number(ReportSections::Percent(p["small_share"].Number())),
                 HtmlPage::Number(human::Bytes(p["bytes"].Int())),
                 HtmlPage::Number(human::Count(p["files_after"].Int())),
                 HtmlPage::Number(human::Bytes(p["bytes_after"].Int())),
                 HtmlPage::Number(scans.is_object() ? Arrow(human::Count(scans["now"].Int()),
                                                            human::Count(scans["after"].Int()))
                                                    : "")};
    if (footers) {
      const JsonView f = p["footers"];
      row.push_back(HtmlPage::Number(f["rows"].OptInt() ? human::Count(f["rows"].Int()) : ""));
      row.push_back(HtmlPage::Text(Codecs(f["codecs"])));
      row.push_back(
          HtmlPage::Number(f["schemas"].OptInt() ? human::Count(f["schemas"].Int()) : ""));
    }
    row.push_back(HtmlPage::Text(p["reason"].String()));
    rows.push_back(std::move(row));
  }
  if (partitions.empty()) {
    return HtmlPage::Section("partitions", "Partitions", "The table has no partition.", "");
  }
  return HtmlPage::Section(
      "partitions", "Partitions", "Worst first, as the inspection ranked them.",
      HtmlPage::Table("Partitions (" + human::Count(static_cast<int64_t>(partitions.size())) + ")",
                      columns, rows, partitions.size() - shown, "partitions"));
}

std::string DriftSection(const std::vector<JsonView>& partitions) {
  std::vector<Cells> rows;
  size_t drifts = 0;
  for (const JsonView& p : partitions) {
    for (const std::string& drift : p["footers"]["drift"].Strings()) {
      if (++drifts > HtmlReport::kMaxListed) continue;
      rows.push_back({HtmlPage::Name(p["partition"].String()), HtmlPage::Text(drift)});
    }
  }
  if (drifts == 0) return "";
  return HtmlPage::Section("drift", "Schema drift",
                           "Partitions whose files do not all share one schema.",
                           HtmlPage::Table("Schema drift", {{"Partition"}, {"Difference"}}, rows,
                                           drifts - rows.size(), "differences"));
}

std::string PendingSection(JsonView doc) {
  std::string content;
  std::vector<Cells> journals;
  for (const JsonView& j : doc["journals"].Items()) {
    journals.push_back({HtmlPage::Name(j["run_id"].String()), HtmlPage::Text(j["state"].String()),
                        HtmlPage::Number(human::Count(j["partitions"].Int())),
                        HtmlPage::Text(j["detail"].String())});
  }
  if (!journals.empty()) {
    const size_t all = journals.size();
    journals.resize(std::min(all, HtmlReport::kMaxListed));
    content += HtmlPage::Table("Journals of unfinished runs (the next run settles them first)",
                               {{"Run"}, {"State"}, {"Partitions", true}, {"Detail"}}, journals,
                               all - journals.size(), "journals");
  }
  std::vector<Cells> leases;
  for (const JsonView& l : doc["leases"].Items()) {
    leases.push_back({HtmlPage::Name(l["name"].String()), HtmlPage::Name(l["run_id"].String()),
                      HtmlPage::Text(l["holder"].String()),
                      HtmlPage::Text(l["expires_at"].String()),
                      HtmlPage::Markup(HtmlPage::Badge(l["live"].Bool() ? "live" : "expired"))});
  }
  if (!leases.empty()) {
    const size_t all = leases.size();
    leases.resize(std::min(all, HtmlReport::kMaxListed));
    content += HtmlPage::Table("Leases", {{"Lease"}, {"Run"}, {"Holder"}, {"Expires"}, {"State"}},
                               leases, all - leases.size(), "leases");
  }
  if (content.empty()) {
    content = HtmlPage::Paragraph("No unfinished run and no lease.", "empty");
  }
  return HtmlPage::Section("pending", "Journals and leases", "", content);
}

// The newest run whose outputs are among the table's files (inspect reads it from their names).
std::string LastRunSection(JsonView doc) {
  const JsonView r = doc["last_run"];
  if (!r.is_object()) {
    return HtmlPage::Section(
        "last-run", "Last run", "",
        HtmlPage::Paragraph(r.exists() ? "No file of the table was written by s3-compaction."
                                       : "The document does not say.",
                            "empty"));
  }
  std::vector<Cells> rows;
  const auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) rows.push_back({HtmlPage::Text(name), HtmlPage::Text(value)});
  };
  add("Run", r["run_id"].String());
  add("Started", r["started_at"].String());
  add("Files written", r["written_at"].String());
  if (r["partitions"].OptNumber()) add("Partitions with its files", human::Count(r["partitions"].Int()));
  if (r["files"].OptNumber()) add("Its files there now", human::Count(r["files"].Int()));
  return HtmlPage::Section("last-run", "Last run", "",
                           HtmlPage::Table("The newest run whose files are in the table",
                                           {{"What"}, {"Value"}}, rows));
}

std::string NotesSection(JsonView doc) {
  const std::vector<std::string> notes = doc["notes"].Strings();
  if (notes.empty()) return "";
  const size_t shown = std::min(notes.size(), HtmlReport::kMaxListed);
  return HtmlPage::Section("notes", "Notes", "",
                           HtmlPage::List({notes.begin(), notes.begin() + shown},
                                          notes.size() - shown));
}

std::string Footer(JsonView doc) {
  return "<footer>Rendered by s3-compaction " + HtmlText::Escape(kVersion) +
         " from an inspection's JSON" +
         (doc["version"].present() ? " (written by version " +
                                         HtmlText::Escape(doc["version"].String()) + ")"
                                   : std::string()) +
         ".</footer>\n";
}

}  // namespace

std::string InspectionPage::Render(JsonView doc) {
  const std::vector<JsonView> partitions = Partitions(doc);
  const std::string drift = DriftSection(partitions);
  const std::string notes = NotesSection(doc);
  std::vector<std::pair<std::string, std::string>> contents = {
      {"sizes", "File sizes"}, {"top", "Most small files"}, {"partitions", "Partitions"}};
  if (!drift.empty()) contents.emplace_back("drift", "Schema drift");
  contents.emplace_back("pending", "Journals and leases");
  contents.emplace_back("last-run", "Last run");
  if (!notes.empty()) contents.emplace_back("notes", "Notes");

  const std::string body = HtmlPage::Header(Heading(doc), Meta(doc)) + "<main>\n" +
                           HtmlPage::Contents(contents) + HtmlPage::Cards(Cards(doc)) +
                           SizesSection(doc, partitions) + TopSection(partitions) +
                           PartitionsSection(doc, partitions) + drift + PendingSection(doc) +
                           LastRunSection(doc) + notes + "</main>\n" + Footer(doc);
  return HtmlPage::Document(Heading(doc), body);
}

}  // namespace s3c
