#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "report/html_text.h"
#include "util/human.h"

namespace s3c {
namespace {

constexpr double kWidth = 960;
constexpr const char* kFont = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

std::string N(double value) { return HtmlText::Number(value); }
std::string E(std::string_view text) { return HtmlText::Escape(text); }

// Inputs come from documents: negative, huge or not finite values are clamped, so sums cannot
// overflow and no coordinate is NaN.
constexpr int64_t kMaxCount = 1'000'000'000'000'000;
constexpr double kMaxSeconds = 1e12;
int64_t NonNegative(int64_t value) { return std::clamp<int64_t>(value, 0, kMaxCount); }
double NonNegative(double value) {
  return std::isfinite(value) && value > 0 ? std::min(value, kMaxSeconds) : 0.0;
}

// A count short enough to sit above a bar (the exact count is in the bar's <title> and the
// table): 12,345, then 123k, 1.2M, 3.4G.
std::string Short(int64_t count) {
  if (count < 100000) return human::Count(count);
  char buf[32];
  if (count < 1000000) {
    std::snprintf(buf, sizeof(buf), "%lldk", static_cast<long long>(count / 1000));
  } else if (count < 1000000000) {
    std::snprintf(buf, sizeof(buf), "%.1fM", static_cast<double>(count) / 1e6);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1fG", static_cast<double>(count) / 1e9);
  }
  return buf;
}

std::string Open(const std::string& css_class, const std::string& title, double height) {
  const std::string t = E(title);
  return "<svg class=\"chart " + E(css_class) + "\" viewBox=\"0 0 " + N(kWidth) + " " +
         N(height) + "\" width=\"" + N(kWidth) + "\" height=\"" + N(height) +
         "\" role=\"img\" aria-label=\"" + t + "\" font-family=\"" + kFont +
         "\" font-size=\"12\">\n<title>" + t + "</title>\n";
}

std::string Rect(double x, double y, double w, double h, const char* fill,
                 const std::string& css_class, const std::string& title = "") {
  std::string out = "<rect class=\"" + E(css_class) + "\" x=\"" + N(x) + "\" y=\"" + N(y) +
                    "\" width=\"" + N(w) + "\" height=\"" + N(h) + "\" fill=\"" + fill + "\"";
  if (title.empty()) return out + "/>\n";
  return out + "><title>" + E(title) + "</title></rect>\n";
}

std::string Text(double x, double y, const std::string& text, const char* anchor = "start",
                 const std::string& css_class = "", const std::string& extra = "") {
  std::string out = "<text x=\"" + N(x) + "\" y=\"" + N(y) + "\" text-anchor=\"" + anchor + "\"";
  if (!css_class.empty()) out += " class=\"" + E(css_class) + "\"";
  if (!extra.empty()) out += " " + extra;
  return out + ">" + E(text) + "</text>\n";
}

std::string Line(double x1, double y1, double x2, double y2, const char* stroke,
                 const std::string& extra = "") {
  std::string out = "<line x1=\"" + N(x1) + "\" y1=\"" + N(y1) + "\" x2=\"" + N(x2) +
                    "\" y2=\"" + N(y2) + "\" stroke=\"" + stroke + "\"";
  if (!extra.empty()) out += " " + extra;
  return out + "/>\n";
}

// Coloured squares with their words, left to right from (x, y).
std::string Legend(double x, double y,
                   const std::vector<std::pair<std::string, const char*>>& items) {
  std::string out = "<g class=\"legend\">\n";
  for (const auto& [name, colour] : items) {
    out += Rect(x, y - 10, 12, 12, colour, "swatch");
    out += Text(x + 17, y, name);
    x += 17 + 7.0 * static_cast<double>(name.size()) + 24;
  }
  return out + "</g>\n";
}

std::string Empty(double x, double y, const std::string& text) {
  return Text(x, y, text, "middle", "empty", "fill=\"#444444\" font-size=\"16\"");
}

// "256 MiB-1 GiB" in two lines under its bucket; short labels in one (a document's own labels
// cut to fit).
std::string BucketLabel(double x, double y, const std::string& full) {
  const std::string label = HtmlText::Ellipsize(full, 20);
  const size_t dash = label.find('-');
  if (label.size() <= 8 || dash == std::string::npos) return Text(x, y, label, "middle", "axis");
  return "<text x=\"" + N(x) + "\" y=\"" + N(y) + "\" text-anchor=\"middle\" class=\"axis\">" +
         "<tspan x=\"" + N(x) + "\">" + E(label.substr(0, dash + 1)) + "</tspan><tspan x=\"" +
         N(x) + "\" dy=\"14\">" + E(label.substr(dash + 1)) + "</tspan></text>\n";
}

// Round steps for an axis from 0 to `span` seconds: about five ticks of 1, 2 or 5 x 10^k.
double TickStep(double span) {
  const double raw = span / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0}) {
    if (factor * magnitude >= raw) return factor * magnitude;
  }
  return 10.0 * magnitude;
}

}  // namespace

std::string SvgChart::DrawHistogram(const Histogram& chart) {
  constexpr double kTop = 48, kPlot = 200, kBottom = 46, kSide = 16;
  const double height = kTop + kPlot + kBottom;
  const size_t n = std::max<size_t>(chart.buckets.size(), 1);
  const double group = (kWidth - 2 * kSide) / static_cast<double>(n);
  const double bar = std::min(group * 0.4, 40.0);
  int64_t max = 0;
  for (const Bucket& b : chart.buckets) {
    max = std::max({max, NonNegative(b.before), NonNegative(b.after)});
  }

  std::string out = Open(chart.css_class, chart.title, height);
  out += Legend(kSide, 18, {{chart.before_name, kOrange}, {chart.after_name, kBlue}});
  for (size_t i = 0; i < chart.buckets.size(); ++i) {
    const Bucket& b = chart.buckets[i];
    const double x0 = kSide + group * static_cast<double>(i), mid = x0 + group / 2;
    if (chart.marked == i) {
      out += "<rect class=\"target\" x=\"" + N(x0 + 1) + "\" y=\"" + N(kTop - 14) + "\" width=\"" +
             N(group - 2) + "\" height=\"" + N(kPlot + 14) +
             "\" fill=\"#F2F2F2\" stroke=\"#333333\" stroke-dasharray=\"4 3\"/>\n";
      out += Text(mid, kTop - 2, chart.marked_name, "middle", "target-label",
                  "font-size=\"11\" font-weight=\"bold\"");
    }
    const std::pair<int64_t, const char*> series[] = {{b.before, kOrange}, {b.after, kBlue}};
    for (int s = 0; s < 2; ++s) {
      const int64_t count = NonNegative(series[s].first);
      if (count == 0 || max == 0) continue;
      const double h = std::max(kPlot * static_cast<double>(count) / static_cast<double>(max), 2.0);
      const double x = mid + (s == 0 ? -bar - 1 : 1);
      const std::string& name = s == 0 ? chart.before_name : chart.after_name;
      out += Rect(x, kTop + kPlot - h, bar, h, series[s].second,
                  s == 0 ? "bar bar-before" : "bar bar-after",
                  b.label + ": " + human::Count(count) + " " + chart.unit + " " + name);
      out += Text(x + bar / 2, kTop + kPlot - h - 3, Short(count), "middle", "count",
                  "font-size=\"10\"");
    }
    out += BucketLabel(mid, kTop + kPlot + 16, b.label);
  }
  out += Line(kSide, kTop + kPlot, kWidth - kSide, kTop + kPlot, "#333333");
  if (max == 0) out += Empty(kWidth / 2, kTop + kPlot / 2, "no files");
  return out + "</svg>\n";
}

std::string SvgChart::DrawBars(const Bars& chart) {
  const bool stacked = chart.layout == BarLayout::kStacked;
  constexpr double kTop = 34, kLabel = 330, kValue = 190, kSide = 8;
  const double row = stacked ? 24 : 28;
  const double area = kWidth - kLabel - kValue - 2 * kSide;
  const double rows = static_cast<double>(std::max<size_t>(chart.rows.size(), 2));
  const double height = kTop + row * rows + 8;
  int64_t max = 0;
  for (const BarRow& r : chart.rows) {
    const int64_t a = NonNegative(r.first), b = NonNegative(r.second);
    max = std::max(max, stacked ? a + b : std::max(a, b));
  }
  // A value's length on the axis; at least a pixel, so that a small value stays visible.
  const auto length = [&](int64_t value) {
    if (value <= 0 || max == 0) return 0.0;
    return std::max(area * static_cast<double>(value) / static_cast<double>(max), 1.0);
  };

  std::string out = Open(chart.css_class, chart.title, height);
  out += Legend(kSide, 16, {{chart.first_name, kOrange}, {chart.second_name, kBlue}});
  const double x0 = kSide + kLabel;
  for (size_t i = 0; i < chart.rows.size(); ++i) {
    const BarRow& r = chart.rows[i];
    const double y = kTop + row * static_cast<double>(i);
    const int64_t a = NonNegative(r.first), b = NonNegative(r.second);
    const double la = length(a), lb = length(b);
    // Stacked: the second continues the first. Grouped: two half-height bars, one under the other.
    const double h = stacked ? row - 8 : (row - 8) / 2;
    const double xb = stacked ? x0 + la : x0, yb = stacked ? y + 4 : y + 4 + h;
    out += "<g class=\"row\"><title>" + E(r.label) + "</title>\n";
    out += Text(x0 - 8, y + row / 2 + 4, HtmlText::Ellipsize(r.label, 48), "end", "label");
    if (a > 0) {
      out += Rect(x0, y + 4, la, h, kOrange, "bar " + chart.first_class,
                  human::Count(a) + " " + chart.first_name);
    }
    if (b > 0) {
      out += Rect(xb, yb, lb, h, kBlue, "bar " + chart.second_class,
                  human::Count(b) + " " + chart.second_name);
    }
    const double end = stacked ? x0 + la + lb : x0 + std::max(la, lb);
    out += Text(end + 6, y + row / 2 + 4, r.value_text, "start", "value", "font-size=\"11\"");
    out += "</g>\n";
  }
  out += Line(x0, kTop, x0, height - 8, "#333333");
  if (chart.rows.empty() || max == 0) {
    out += Empty(x0 + area / 2, kTop + row, chart.rows.empty() ? chart.empty_text : "no files");
  }
  return out + "</svg>\n";
}

std::string SvgChart::DrawTimeline(const Timeline& chart) {
  constexpr double kTop = 12, kLabel = 110, kNote = 180, kSide = 8, kRow = 24, kAxis = 30;
  const double area = kWidth - kLabel - kNote - 2 * kSide;
  const double rows = static_cast<double>(std::max<size_t>(chart.spans.size(), 2));
  const double height = kTop + kRow * rows + kAxis;
  const double axis_y = height - kAxis;
  double span = NonNegative(chart.total);
  for (const Span& s : chart.spans) span = std::max(span, NonNegative(s.end));
  if (span <= 0) span = 1;  // all at 0: bars at the origin, ticks in milliseconds
  const double x0 = kSide + kLabel;
  const auto x = [&](double t) { return x0 + area * std::min(NonNegative(t), span) / span; };

  std::string out = Open(chart.css_class, chart.title, height);
  const double step = TickStep(span);
  for (int k = 0; k <= 12 && step * k <= span * 1.0001; ++k) {
    const double t = step * k;
    out += Line(x(t), kTop, x(t), axis_y, "#DDDDDD");
    out += Text(x(t), axis_y + 16, human::Duration(t), "middle", "axis", "font-size=\"10\"");
  }
  out += Line(x0, axis_y, x0 + area, axis_y, "#333333");
  for (size_t i = 0; i < chart.spans.size(); ++i) {
    const Span& s = chart.spans[i];
    const double y = kTop + kRow * static_cast<double>(i);
    const double start = NonNegative(s.start), end = std::max(NonNegative(s.end), start);
    out += "<g class=\"row\"><title>" +
           E(s.name + ": " + human::Duration(start) + " to " + human::Duration(end) +
             (s.note.empty() ? "" : ", " + s.note)) +
           "</title>\n";
    out += Text(x0 - 8, y + kRow / 2 + 4, HtmlText::Ellipsize(s.name, 16), "end", "label");
    out += Rect(x(start), y + 5, std::max(x(end) - x(start), 2.0), kRow - 10, kGreen,
                "bar bar-stage");
    out += Text(x0 + area + 8, y + kRow / 2 + 4, s.note, "start", "value", "font-size=\"11\"");
    out += "</g>\n";
  }
  if (chart.spans.empty()) out += Empty(x0 + area / 2, kTop + kRow, chart.empty_text);
  return out + "</svg>\n";
}

}  // namespace s3c
