#include "report/report_sections.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "report/html_page.h"
#include "report/size_histogram.h"
#include "report/svg_chart.h"
#include "util/human.h"

namespace s3c {
namespace {

// More buckets than any version writes: a document claiming more is not trusted further.
constexpr size_t kMaxBuckets = 64;
// Sums of document numbers saturate here (JsonView caps each at 1e15), so they cannot overflow.
constexpr int64_t kMaxSum = 1'000'000'000'000'000;

int64_t SaturatingAdd(int64_t sum, int64_t value) {
  return std::min(sum + std::clamp<int64_t>(value, 0, kMaxSum), kMaxSum);
}

void AddInto(std::vector<int64_t>& sum, const std::vector<int64_t>& counts) {
  if (sum.size() < counts.size()) sum.resize(std::min(counts.size(), kMaxBuckets), 0);
  for (size_t i = 0; i < sum.size() && i < counts.size(); ++i) {
    sum[i] = SaturatingAdd(sum[i], counts[i]);
  }
}

struct Counts {
  std::vector<int64_t> before, after;
  bool found = false;
};

Counts ReadCounts(const ReportSections::HistogramSource& source) {
  Counts c;
  if (source.histogram["before"].is_array() || source.histogram["after"].is_array()) {
    AddInto(c.before, source.histogram["before"].Ints());
    AddInto(c.after, source.histogram["after"].Ints());
    c.found = true;
    return c;
  }
  for (const JsonView& p : source.partitions) {
    if (!p["histogram_before"].is_array() && !p["histogram_after"].is_array()) continue;
    AddInto(c.before, p["histogram_before"].Ints());
    AddInto(c.after, p["histogram_after"].Ints());
    c.found = true;
  }
  return c;
}

std::string BucketLabel(const std::vector<JsonView>& buckets, size_t i) {
  if (i < buckets.size()) {
    if (auto label = buckets[i]["label"].OptString()) return *label;
  }
  if (i < SizeHistogram::kBuckets) return SizeHistogram::Label(i);
  return "bucket " + std::to_string(i + 1);
}

// The bucket holding `target`: by the document's bounds when it has them, else SizeHistogram's.
std::optional<size_t> TargetBucket(const std::vector<JsonView>& buckets, size_t n, int64_t target) {
  if (target <= 0 || n == 0) return std::nullopt;
  if (!buckets.empty()) {
    for (size_t i = 0; i < buckets.size() && i < n; ++i) {
      const auto lower = buckets[i]["lower"].OptInt();
      const auto upper = buckets[i]["upper"].OptInt();
      if (lower && target >= *lower && (!upper || target < *upper)) return i;
    }
    return std::nullopt;
  }
  const size_t b = SizeHistogram::BucketOf(target);
  return b < n ? std::optional<size_t>(b) : std::nullopt;
}

// The histogram's numbers, a column per bucket, so they read left to right like the chart.
std::string NumbersTable(const SvgChart::Histogram& chart) {
  std::vector<HtmlPage::Column> columns = {{"Files"}};
  std::vector<HtmlPage::Cell> before = {HtmlPage::Text("before")};
  std::vector<HtmlPage::Cell> after = {HtmlPage::Text(chart.after_name)};
  int64_t total_before = 0, total_after = 0;
  for (size_t i = 0; i < chart.buckets.size(); ++i) {
    const SvgChart::Bucket& b = chart.buckets[i];
    columns.push_back({chart.marked == i ? b.label + " (target)" : b.label, true});
    before.push_back(HtmlPage::Number(human::Count(b.before)));
    after.push_back(HtmlPage::Number(human::Count(b.after)));
    total_before = SaturatingAdd(total_before, b.before);
    total_after = SaturatingAdd(total_after, b.after);
  }
  columns.push_back({"Total", true});
  before.push_back(HtmlPage::Number(human::Count(total_before)));
  after.push_back(HtmlPage::Number(human::Count(total_after)));
  return HtmlPage::Table("Files by size", columns, {before, after});
}

}  // namespace

std::string ReportSections::FileSizes(const HistogramSource& source) {
  const Counts counts = ReadCounts(source);
  if (!counts.found) {
    return HtmlPage::Paragraph("This document carries no file-size histogram.", "empty");
  }
  const std::vector<JsonView> buckets = source.histogram["buckets"].Items();
  const size_t n = std::max(counts.before.size(), counts.after.size());
  SvgChart::Histogram chart;
  chart.title = "Parquet files by size, before and " + source.after_name;
  chart.css_class = "chart-sizes";
  chart.after_name = source.after_name;
  for (size_t i = 0; i < n; ++i) {
    chart.buckets.push_back({BucketLabel(buckets, i),
                             i < counts.before.size() ? counts.before[i] : 0,
                             i < counts.after.size() ? counts.after[i] : 0});
  }
  chart.marked = TargetBucket(buckets, n, source.target_bytes);
  chart.marked_name = "target " + human::Bytes(source.target_bytes);
  return SvgChart::DrawHistogram(chart) + NumbersTable(chart);
}

int64_t ReportSections::TotalRequests(JsonView requests) {
  int64_t total = 0;
  for (const auto& [kind, count] : requests.Fields()) total = SaturatingAdd(total, count.Int());
  return total;
}

std::string ReportSections::RequestsTable(JsonView requests, bool estimated) {
  if (!requests.is_object()) return "";
  static const char* kOrder[] = {"list", "head", "get", "put", "copy", "delete"};
  std::vector<std::string> kinds(std::begin(kOrder), std::end(kOrder));
  for (const auto& [kind, count] : requests.Fields()) {
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  std::vector<std::vector<HtmlPage::Cell>> rows;
  for (const std::string& kind : kinds) {
    if (!requests[kind].OptInt()) continue;
    rows.push_back({HtmlPage::Text(kind), HtmlPage::Number(human::Count(requests[kind].Int()))});
  }
  rows.push_back({HtmlPage::Markup("<strong>Total</strong>"),
                  HtmlPage::Number(human::Count(TotalRequests(requests)))});
  return HtmlPage::Table(estimated ? "Storage requests by kind (estimated)"
                                   : "Storage requests by kind",
                         {{"Kind"}, {"Requests", true}}, rows);
}

std::string ReportSections::Arrow(const std::string& before, const std::string& after) {
  return before + " \u2192 " + after;
}

std::string ReportSections::PercentChange(int64_t before, int64_t after) {
  if (before <= 0 || before == after) return "";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%+.1f%%",
                100.0 * (static_cast<double>(after) - static_cast<double>(before)) /
                    static_cast<double>(before));
  return buf;
}

std::string ReportSections::Counted(int64_t n, const std::string& noun) {
  return human::Count(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string ReportSections::Percent(double share) {
  if (!(share >= 0)) share = 0;  // NaN too
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * std::min(share, 1.0));
  return buf;
}

}  // namespace s3c
