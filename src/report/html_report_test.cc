#include "report/html_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <regex>
#include <string>

#include "report/size_histogram.h"

namespace s3c {
namespace {

using nlohmann::json;

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

json Histogram(std::vector<int64_t> before, std::vector<int64_t> after) {
  return {{"buckets", SizeHistogram::Buckets()}, {"before", before}, {"after", after}};
}

// A run as `s3-compaction --json` prints it (the fields of RunSummary::ToJson and issue 16's).
json SampleRun() {
  return json::parse(R"({
    "kind": "run", "version": "0.1.0", "run_id": "20261201T010203Z-4f2a", "table": "s3://lake/events",
    "started_at": "2026-12-01T01:02:03Z", "target": null, "shard": null, "dry_run": false,
    "originals": "deleted", "target_file_bytes": 134217728,
    "partitions": {"considered": 3, "compacted": 1, "copied": 0, "planned": 0, "skipped": 1,
                   "failed": 1, "deferred": 0},
    "remaining": {"partitions": 0, "files": 0, "bytes": 0}, "limits": [],
    "sort": null,
    "files": {"before": 1250, "after": 53, "rewritten": 1200, "written": 3},
    "bytes": {"before": 419430400, "after": 398458880, "rewritten": 314572800},
    "rows": {"rewritten": 24000000}, "seconds": 42.5,
    "details": [
      {"partition": "year=2023/month=05", "status": "compacted", "files_before": 1200,
       "files_after": 3, "bytes_before": 314572800, "bytes_after": 293601280, "input_files": 1200,
       "input_bytes": 314572800, "output_files": 3, "rows": 24000000, "other_files": 0,
       "output_sizes": [134217728, 134217728, 25165824], "method": "pages",
       "histogram_before": [0,0,0,0,1200,0,0,0,0,0,0,0],
       "histogram_after": [0,0,0,0,0,0,0,0,1,2,0,0]},
      {"partition": "year=2023/month=06", "status": "skipped", "files_before": 20,
       "files_after": 20, "bytes_before": 52428800, "bytes_after": 52428800, "input_files": 0,
       "input_bytes": 0, "output_files": 0, "rows": 0, "other_files": 1, "output_sizes": [],
       "reason": "fewer than 5 small files",
       "histogram_before": [0,0,0,0,0,0,0,20,0,0,0,0],
       "histogram_after": [0,0,0,0,0,0,0,20,0,0,0,0]},
      {"partition": "year=2023/month=07", "status": "failed", "files_before": 30,
       "files_after": 30, "bytes_before": 52428800, "bytes_after": 52428800, "input_files": 30,
       "input_bytes": 52428800, "output_files": 0, "rows": 0, "other_files": 0,
       "output_sizes": [], "reason": "reading part-00007.parquet: Couldn't deserialize thrift",
       "histogram_before": [0,0,0,0,0,0,30,0,0,0,0,0],
       "histogram_after": [0,0,0,0,0,0,30,0,0,0,0,0]}
    ],
    "notes": ["originals deleted after publishing"], "recovered": [],
    "stages": [
      {"name": "listing", "seconds": 0.8, "start": 0.0, "end": 0.8},
      {"name": "planning", "seconds": 1.1, "start": 0.8, "end": 1.9},
      {"name": "reading", "seconds": 61.0, "start": 1.9, "end": 38.0},
      {"name": "writing", "seconds": 44.0, "start": 2.0, "end": 39.0},
      {"name": "publishing", "seconds": 0.4, "start": 39.0, "end": 40.1},
      {"name": "removing", "seconds": 2.0, "start": 40.1, "end": 42.4}
    ],
    "requests": {"list": 4, "head": 3, "get": 2460, "put": 6, "copy": 0, "delete": 2},
    "throughput": {"bytes_per_second": 7401713, "rows_per_second": 564705}
  })");
}

json SampleInspection() {
  return json::parse(R"({
    "kind": "inspection", "version": "0.1.0", "table": "analytics.events",
    "location": "s3://lake/events", "generated_at": "2026-12-01T09:00:00Z", "footers": true,
    "target_file_bytes": 134217728, "small_file_bytes": 100663296, "min_input_files": 5,
    "totals": {"partitions": 2, "files": 1220, "bytes": 367001600, "small_files": 1200,
               "small_bytes": 314572800, "other_files": 1, "to_compact": 1, "files_after": 23,
               "bytes_after": 360000000, "scan_requests": {"now": 1222, "after": 25},
               "rows": 25000000},
    "partitions": [
      {"partition": "year=2023/month=05", "files": 1200, "bytes": 314572800,
       "small_files": 1200, "small_bytes": 314572800, "small_share": 1.0, "action": "compact",
       "reason": "1,200 small files", "files_after": 3, "bytes_after": 300000000,
       "scan_requests": {"now": 1201, "after": 4},
       "histogram_before": [0,0,0,0,1200,0,0,0,0,0,0,0], "histogram_after": [0,0,0,0,0,0,0,0,1,2,0,0],
       "footers": {"rows": 24000000, "row_groups": 1200,
                   "row_group_bytes": {"min": 200000, "median": 262144, "max": 300000},
                   "codecs": {"SNAPPY": 1100, "ZSTD": 100}, "schemas": 2,
                   "drift": ["column 'note' is string in 1,100 files, large_string in 100"]}},
      {"partition": "year=2023/month=06", "files": 20, "bytes": 52428800, "small_files": 0,
       "small_bytes": 0, "small_share": 0.0, "action": "skip", "reason": "no small files",
       "files_after": 20, "bytes_after": 52428800, "scan_requests": {"now": 21, "after": 21},
       "histogram_before": [0,0,0,0,0,0,0,20,0,0,0,0], "histogram_after": [0,0,0,0,0,0,0,20,0,0,0,0],
       "footers": {"rows": 1000000, "row_groups": 20, "codecs": {"SNAPPY": 20}, "schemas": 1,
                   "drift": []}}
    ],
    "journals": [{"run_id": "20261130T220000Z-99aa", "state": "half done: 2 partitions published",
                  "partitions": 2, "detail": "the next run finishes it"}],
    "leases": [{"name": "lease.json", "run_id": "20261130T220000Z-99aa", "holder": "host-7/pid 4242",
                "expires_at": "2026-11-30T23:00:00Z", "live": false}],
    "last_run": {"run_id": "20261129T010000Z-1b2c", "started_at": "2026-11-29T01:00:00Z",
                 "written_at": "2026-11-29T01:05:00Z", "partitions": 4, "files": 12},
    "notes": ["1 file is not Parquet and is left alone"]
  })");
  // (histogram added by the caller where a test needs it)
}

// What every page must be: one HTML5 document, no script, nothing outside it.
void ExpectSelfContained(const std::string& html) {
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  const std::string lower = Lower(html);
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  EXPECT_EQ(lower.find("http"), std::string::npos);
  EXPECT_EQ(lower.find("src="), std::string::npos);
  EXPECT_EQ(lower.find("url("), std::string::npos);
  EXPECT_EQ(lower.find("@import"), std::string::npos);
  EXPECT_EQ(lower.find("<link"), std::string::npos);
  EXPECT_EQ(lower.find("<img"), std::string::npos);
  EXPECT_EQ(lower.find("javascript:"), std::string::npos);
  static const std::regex kHref(R"re(href="([^"]*)")re");
  for (std::sregex_iterator it(html.begin(), html.end(), kHref), end; it != end; ++it) {
    EXPECT_EQ((*it)[1].str().rfind("#", 0), 0u) << (*it)[0];
  }
  static const std::regex kHandler(R"re(\son[a-z]+=)re", std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, kHandler));
  // Every chart is an image with a name.
  EXPECT_EQ(Occurrences(html, "<svg "), Occurrences(html, "role=\"img\""));
  EXPECT_EQ(Occurrences(html, "<svg "), Occurrences(html, "</svg>"));
  EXPECT_EQ(Occurrences(html, "</html>"), 1u);
}

// No attribute or label holds NaN or infinity.
void ExpectFinite(const std::string& html) {
  static const std::regex kAttribute(R"re(\s(x|y|x1|y1|x2|y2|dy|width|height)="([^"]*)")re");
  static const std::regex kDecimal(R"(-?[0-9]+(\.[0-9])?)");
  for (std::sregex_iterator it(html.begin(), html.end(), kAttribute), end; it != end; ++it) {
    EXPECT_TRUE(std::regex_match((*it)[2].str(), kDecimal)) << (*it)[0];
  }
  static const std::regex kNotFinite(R"(\b(nan|-?inf|infinity)\b)", std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, kNotFinite));
}

TEST(HtmlReport, KindOfADocument) {
  EXPECT_EQ(HtmlReport::KindOf(json{{"kind", "run"}}), HtmlReport::Kind::kRun);
  EXPECT_EQ(HtmlReport::KindOf(json{{"kind", "inspection"}}), HtmlReport::Kind::kInspection);
  EXPECT_EQ(HtmlReport::KindOf(json{{"run_id", "r"}, {"table", "t"}}), HtmlReport::Kind::kRun);
  EXPECT_EQ(HtmlReport::KindOf(json{{"kind", "plan"}, {"run_id", "r"}}), std::nullopt);
  EXPECT_EQ(HtmlReport::KindOf(json{{"kind", 3}}), std::nullopt);
  EXPECT_EQ(HtmlReport::KindOf(json::object()), std::nullopt);
  EXPECT_EQ(HtmlReport::KindOf(json::array({1, 2})), std::nullopt);
  EXPECT_EQ(HtmlReport::KindOf(json("run")), std::nullopt);
  EXPECT_EQ(HtmlReport::KindOf(json(nullptr)), std::nullopt);
  // Render never refuses: a page that says what the document is not.
  for (const json& doc : {json::array({1}), json{{"kind", "<plan>"}}, json(nullptr)}) {
    const std::string html = HtmlReport::Render(doc);
    ExpectSelfContained(html);
    EXPECT_NE(html.find("neither a run&#39;s summary nor an inspection"), std::string::npos);
  }
}

TEST(HtmlReport, RendersARun) {
  json doc = SampleRun();
  doc["histogram"] = Histogram({0, 0, 0, 0, 1200, 0, 30, 20, 0, 0, 0, 0},
                               {0, 0, 0, 0, 0, 0, 30, 20, 1, 2, 0, 0});
  const std::string html = HtmlReport::Render(doc);
  ExpectSelfContained(html);
  ExpectFinite(html);
  EXPECT_NE(html.find("<title>Compaction run: s3://lake/events (20261201T010203Z-4f2a)</title>"),
            std::string::npos);
  // Cards.
  EXPECT_NE(html.find(">1,250 \u2192 53<"), std::string::npos);
  EXPECT_NE(html.find(">-95.8%"), std::string::npos);
  EXPECT_NE(html.find(">400.0 MiB \u2192 380.0 MiB<"), std::string::npos);
  EXPECT_NE(html.find(">24,000,000<"), std::string::npos);
  EXPECT_NE(html.find(">42.5 s<"), std::string::npos);
  EXPECT_NE(html.find(">2,475<"), std::string::npos);  // requests
  EXPECT_NE(html.find("Failed partitions"), std::string::npos);
  // Three charts: sizes, partitions, stages.
  EXPECT_EQ(Occurrences(html, "<svg "), 3u);
  EXPECT_NE(html.find("class=\"chart chart-sizes\""), std::string::npos);
  EXPECT_NE(html.find("class=\"chart chart-partitions\""), std::string::npos);
  EXPECT_NE(html.find("class=\"chart chart-timeline\""), std::string::npos);
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-before\""), 3u);  // non-empty buckets
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-after\""), 4u);
  EXPECT_EQ(Occurrences(html, "class=\"target\""), 1u);
  EXPECT_NE(html.find("<th scope=\"col\" class=\"num\">64-256 MiB (target)</th>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>before</td><td class=\"num\">0</td><td class=\"num\">0</td>"
                      "<td class=\"num\">0</td><td class=\"num\">0</td>"
                      "<td class=\"num\">1,200</td>"),
            std::string::npos);
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-files-before\""), 1u);  // one partition shrank
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-stage\""), 6u);
  EXPECT_NE(html.find(">busy 1 min 1 s<"), std::string::npos);
  // Failures, with their messages; the table worst first.
  EXPECT_NE(html.find("id=\"failures\""), std::string::npos);
  EXPECT_NE(html.find("Couldn&#39;t deserialize thrift"), std::string::npos);
  const size_t failed = html.find("<td class=\"name\">year=2023/<wbr>month=07</td><td><span");
  const size_t skipped = html.find("<td class=\"name\">year=2023/<wbr>month=06</td><td><span");
  const size_t compacted = html.find("<td class=\"name\">year=2023/<wbr>month=05</td><td><span");
  ASSERT_NE(failed, std::string::npos);
  EXPECT_LT(failed, skipped);
  EXPECT_LT(skipped, compacted);  // 20 files left before 3
  EXPECT_NE(html.find("<span class=\"badge status-failed\">failed</span>"), std::string::npos);
  EXPECT_NE(html.find("<td>pages</td>"), std::string::npos);
  // Requests by kind, notes.
  EXPECT_NE(html.find("<caption>Storage requests by kind</caption>"), std::string::npos);
  EXPECT_NE(html.find("<td>get</td><td class=\"num\">2,460</td>"), std::string::npos);
  EXPECT_NE(html.find("originals deleted after publishing"), std::string::npos);
}

TEST(HtmlReport, ARunWithoutHistogramSumsItsPartitions) {
  const std::string html = HtmlReport::Render(SampleRun());  // details carry theirs
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-before\""), 3u);
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-after\""), 4u);
}

TEST(HtmlReport, AnOlderRunSummaryRenders) {
  // What the tool printed before issue 16: no kind, no histograms, stages or requests.
  json doc = SampleRun();
  for (const char* field : {"kind", "started_at", "stages", "requests", "throughput"}) {
    doc.erase(field);
  }
  for (json& d : doc["details"]) {
    d.erase("histogram_before");
    d.erase("histogram_after");
  }
  ASSERT_EQ(HtmlReport::KindOf(doc), HtmlReport::Kind::kRun);
  const std::string html = HtmlReport::Render(doc);
  ExpectSelfContained(html);
  ExpectFinite(html);
  EXPECT_NE(html.find("This document carries no file-size histogram."), std::string::npos);
  EXPECT_EQ(Occurrences(html, "<svg "), 1u);  // the partitions chart only
  EXPECT_EQ(html.find("id=\"timeline\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"requests\""), std::string::npos);
  EXPECT_NE(html.find("year=2023/<wbr>month=07"), std::string::npos);
}

TEST(HtmlReport, ADryRunSaysSo) {
  json doc = SampleRun();
  doc["dry_run"] = true;
  doc["requests"] = {{"list", 4}, {"get", 2460}, {"put", 6}, {"copy", 0}, {"delete", 0}};
  const std::string html = HtmlReport::Render(doc);
  EXPECT_NE(html.find("Dry run: s3://lake/events"), std::string::npos);
  EXPECT_NE(html.find("Storage requests by kind (estimated)"), std::string::npos);
  EXPECT_NE(html.find("after (planned)"), std::string::npos);
}

TEST(HtmlReport, RendersAnInspection) {
  json doc = SampleInspection();
  doc["histogram"] = Histogram({0, 0, 0, 0, 1200, 0, 0, 20, 0, 0, 0, 0},
                               {0, 0, 0, 0, 0, 0, 0, 20, 1, 2, 0, 0});
  const std::string html = HtmlReport::Render(doc);
  ExpectSelfContained(html);
  ExpectFinite(html);
  EXPECT_NE(html.find("<title>Inspection: analytics.events</title>"), std::string::npos);
  EXPECT_NE(html.find(">1,220 \u2192 23<"), std::string::npos);
  EXPECT_NE(html.find(">1,222 \u2192 25<"), std::string::npos);  // scan requests
  EXPECT_NE(html.find("98.4% of files"), std::string::npos);
  EXPECT_EQ(Occurrences(html, "<svg "), 2u);
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-before\""), 2u);
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-after\""), 3u);
  EXPECT_NE(html.find("after (estimate)"), std::string::npos);
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-small\""), 1u);
  EXPECT_EQ(Occurrences(html, "class=\"bar bar-kept\""), 0u);  // all 1,200 are small
  EXPECT_NE(html.find(">1,200 small of 1,200 files<"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge status-compact\">compact</span>"), std::string::npos);
  EXPECT_NE(html.find("SNAPPY 1,100, ZSTD 100"), std::string::npos);
  EXPECT_NE(html.find("id=\"drift\""), std::string::npos);
  EXPECT_NE(html.find("large_string in 100"), std::string::npos);
  EXPECT_NE(html.find("half done: 2 partitions published"), std::string::npos);
  EXPECT_NE(html.find("host-7/pid 4242"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge status-expired\">expired</span>"), std::string::npos);
  EXPECT_NE(html.find("20261129T010000Z-1b2c"), std::string::npos);
  EXPECT_NE(html.find("2026-11-29T01:05:00Z"), std::string::npos);
  EXPECT_NE(html.find("1 file is not Parquet"), std::string::npos);
}

TEST(HtmlReport, EmptyDocumentsRender) {
  for (const json& doc :
       {json{{"kind", "run"}}, json{{"kind", "inspection"}}, json{{"run_id", ""}},
        json{{"kind", "run"},
             {"partitions", {{"considered", 0}}},
             {"files", {{"before", 0}, {"after", 0}}},
             {"seconds", 0},
             {"details", json::array()},
             {"stages", json::array()},
             {"requests", {{"list", 0}}},
             {"histogram", Histogram(std::vector<int64_t>(12, 0), std::vector<int64_t>(12, 0))}},
        json{{"kind", "inspection"},
             {"totals", {{"partitions", 0}, {"files", 0}}},
             {"partitions", json::array()},
             {"histogram", Histogram(std::vector<int64_t>(12, 0), std::vector<int64_t>(12, 0))},
             {"journals", json::array()},
             {"leases", json::array()},
             {"last_run", nullptr}}}) {
    SCOPED_TRACE(doc.dump());
    const std::string html = HtmlReport::Render(doc);
    ExpectSelfContained(html);
    ExpectFinite(html);
    EXPECT_EQ(html.find("class=\"bar "), std::string::npos);
  }
  const std::string run = HtmlReport::Render(
      json{{"kind", "run"},
           {"details", json::array()},
           {"stages", json::array()},
           {"histogram", Histogram(std::vector<int64_t>(12, 0), std::vector<int64_t>(12, 0))}});
  EXPECT_NE(run.find(">no files<"), std::string::npos);
  EXPECT_NE(run.find(">no partition had files removed<"), std::string::npos);
  EXPECT_NE(run.find(">no stage timings<"), std::string::npos);
  EXPECT_NE(run.find("No partition was considered."), std::string::npos);
  const std::string inspection = HtmlReport::Render(
      json{{"kind", "inspection"}, {"partitions", json::array()}, {"last_run", nullptr}});
  EXPECT_NE(inspection.find(">no partition has small files<"), std::string::npos);
  EXPECT_NE(inspection.find("No file of the table was written by s3-compaction."), std::string::npos);
  EXPECT_NE(inspection.find("No unfinished run and no lease."), std::string::npos);
}

TEST(HtmlReport, FieldsOfAnotherTypeAreLeftOut) {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  json run = {{"kind", "run"},
              {"table", 5},
              {"run_id", json::array()},
              {"dry_run", "yes"},
              {"partitions", "many"},
              {"files", {{"before", "x"}, {"after", nan}}},
              {"bytes", {{"before", inf}, {"after", -inf}}},
              {"seconds", nan},
              {"target_file_bytes", -1},
              {"details", {1, nullptr, "p", json::object(),
                           {{"partition", 7}, {"status", json::object()}, {"files_before", 1e300},
                            {"files_after", -1e300}, {"histogram_before", "no"},
                            {"histogram_after", {nan, inf, "x", -3, 1e300}}}}},
              {"stages",
               {nullptr, 3, {{"name", 1}, {"start", "x"}, {"end", inf}, {"seconds", nan}}}},
              {"requests", {{"get", "many"}, {"put", inf}, {"weird", 18446744073709551615ULL}}},
              {"histogram", {{"buckets", "none"}, {"before", {1, 2}}, {"after", json::object()}}},
              {"notes", {1, "a note", nullptr}},
              {"throughput", {{"bytes_per_second", nan}}}};
  std::string html = HtmlReport::Render(run);
  ExpectSelfContained(html);
  ExpectFinite(html);
  EXPECT_NE(html.find("a note"), std::string::npos);

  json inspection = {{"kind", "inspection"},
                     {"totals", {{"files", 3}, {"small_files", nan}, {"scan_requests", 5}}},
                     {"partitions", {nullptr, {{"partition", nullptr}, {"small_share", nan},
                                               {"small_files", inf}, {"footers", 3}}}},
                     {"footers", true},
                     {"journals", {1, {{"run_id", 2}}}},
                     {"leases", "none"},
                     {"last_run", {{"files", "x"}, {"partitions", {{"compacted", "x"}}}}},
                     {"histogram", {{"before", json::array()}, {"after", json::array()}}}};
  html = HtmlReport::Render(inspection);
  ExpectSelfContained(html);
  ExpectFinite(html);
}

TEST(HtmlReport, HostileNamesAreEscaped) {
  const std::string hostile = "p=<script>alert(\"x\")</script><b>&amp;'\\x80";
  const std::string long_name = "p=" + std::string(4000, 'y') + "<img src=x>";
  json run = SampleRun();
  run["table"] = "<script>document.write(1)</script>";
  run["details"][0]["partition"] = hostile;
  run["details"][1]["partition"] = long_name;
  run["details"][1]["files_after"] = 2;  // on the chart of files removed
  run["details"][2]["reason"] = "<iframe src=\"http://evil\">";
  run["notes"] = {"<style>body{display:none}</style>"};
  run["stages"][0]["name"] = "<svg onload=alert(1)>";
  run["requests"]["<x>"] = 1;
  json inspection = SampleInspection();
  inspection["table"] = hostile;
  inspection["partitions"][0]["partition"] = hostile;
  inspection["partitions"][1]["partition"] = long_name;
  inspection["partitions"][1]["small_files"] = 5;  // on the chart of small files
  inspection["partitions"][0]["action"] = "\"><script>";
  inspection["leases"][0]["holder"] = "</td></tr></table><script>";
  inspection["partitions"][0]["footers"]["codecs"] = {{"<b>", 1}};
  for (const json& doc : {run, inspection}) {
    const std::string html = HtmlReport::Render(doc);
    const std::string lower = Lower(html);
    EXPECT_EQ(lower.find("<script"), std::string::npos);
    EXPECT_EQ(lower.find("<b>"), std::string::npos);
    EXPECT_EQ(lower.find("<img"), std::string::npos);
    EXPECT_EQ(lower.find("<iframe"), std::string::npos);
    EXPECT_EQ(lower.find("<style>body"), std::string::npos);
    EXPECT_EQ(lower.find("<svg onload"), std::string::npos);
    EXPECT_NE(html.find("p=&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;&amp;amp;"
                        "&#39;\\x80"),
              std::string::npos);
    EXPECT_EQ(Occurrences(html, "<style>"), 1u);
    // The long name: whole in the table and in the chart row's <title>, cut on the chart.
    EXPECT_NE(html.find("<td class=\"name\">p=" + std::string(4000, 'y') +
                        "&lt;img src=x&gt;</td>"),
              std::string::npos);
    EXPECT_NE(html.find(">p=" + std::string(45, 'y') + "\u2026</text>"), std::string::npos);
  }
  // The error message's URL is text, escaped; no element carries it.
  const std::string html = HtmlReport::Render(run);
  EXPECT_NE(html.find("&lt;iframe src=&quot;http://evil&quot;&gt;"), std::string::npos);
}

TEST(HtmlReport, OutputIsDeterministic) {
  json doc = SampleRun();
  const std::string first = HtmlReport::Render(doc);
  EXPECT_EQ(first, HtmlReport::Render(doc));
  EXPECT_EQ(first, HtmlReport::Render(json::parse(doc.dump())));
  json inspection = SampleInspection();
  EXPECT_EQ(HtmlReport::Render(inspection), HtmlReport::Render(inspection));
}

TEST(HtmlReport, TenThousandPartitionsMakeAPageOfReasonableSize) {
  json run = SampleRun();
  json inspection = SampleInspection();
  run["details"] = json::array();
  inspection["partitions"] = json::array();
  for (int i = 0; i < 10000; ++i) {
    const std::string name =
        "year=2023/month=" + std::to_string(i % 12) + "/day=" + std::to_string(i);
    run["details"].push_back({{"partition", name},
                              {"status", i % 100 == 0 ? "failed" : "compacted"},
                              {"files_before", 100 + i % 37},
                              {"files_after", i % 5},
                              {"bytes_before", 1000000},
                              {"bytes_after", 990000},
                              {"reason", i % 100 == 0 ? "boom " + std::to_string(i) : ""},
                              {"histogram_before", {0, 0, 0, 100 + i % 37, 0, 0, 0, 0, 0, 0, 0, 0}},
                              {"histogram_after", {0, 0, 0, 0, 0, 0, 0, i % 5, 0, 0, 0, 0}}});
    inspection["partitions"].push_back({{"partition", name},
                                        {"files", 100},
                                        {"small_files", 100 - i % 100},
                                        {"small_share", (100 - i % 100) / 100.0},
                                        {"action", "compact"},
                                        {"footers", {{"drift", {"d1", "d2"}}}}});
  }
  const std::string run_html = HtmlReport::Render(run);
  const std::string inspection_html = HtmlReport::Render(inspection);
  for (const std::string* html : {&run_html, &inspection_html}) {
    EXPECT_LT(html->size(), 1u << 20);
    EXPECT_NE(html->find("and 9,500 more partitions, not shown"), std::string::npos);
  }
  // Each row of the partitions table has a badge; the inspection's lease has one more.
  EXPECT_EQ(Occurrences(run_html, "<span class=\"badge "), HtmlReport::kMaxTableRows);
  EXPECT_EQ(Occurrences(inspection_html, "<span class=\"badge "), HtmlReport::kMaxTableRows + 1);
  EXPECT_EQ(Occurrences(run_html, "class=\"bar bar-files-before\""), HtmlReport::kTopPartitions);
  EXPECT_EQ(run_html.find("and 0 more"), std::string::npos);
  // 100 failures: all listed (the cap is 200), and first in the table.
  EXPECT_NE(run_html.find("boom 9900"), std::string::npos);
  EXPECT_EQ(Occurrences(inspection_html, "class=\"bar bar-small\""), HtmlReport::kTopPartitions);
  EXPECT_NE(inspection_html.find("and 19,800 more differences, not shown"), std::string::npos);
}

}  // namespace
}  // namespace s3c
