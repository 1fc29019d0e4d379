#include "report/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>

namespace s3c {
namespace {

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Every numeric attribute of the SVG is a plain finite decimal.
void ExpectFiniteAttributes(const std::string& svg) {
  static const std::regex kAttribute(R"re(\s(x|y|x1|y1|x2|y2|dy|width|height)="([^"]*)")re");
  static const std::regex kDecimal(R"(-?[0-9]+(\.[0-9])?)");
  size_t seen = 0;
  for (std::sregex_iterator it(svg.begin(), svg.end(), kAttribute), end; it != end; ++it) {
    EXPECT_TRUE(std::regex_match((*it)[2].str(), kDecimal)) << (*it)[0];
    ++seen;
  }
  EXPECT_GT(seen, 0u);
}

void ExpectAccessible(const std::string& svg, const std::string& title) {
  EXPECT_EQ(svg.rfind("<svg class=\"chart ", 0), 0u) << svg.substr(0, 80);
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"" + title + "\""), std::string::npos);
  EXPECT_NE(svg.find("<title>" + title + "</title>"), std::string::npos);
  EXPECT_EQ(svg.find("http"), std::string::npos);
  EXPECT_EQ(Occurrences(svg, "<svg"), 1u);
  EXPECT_EQ(Occurrences(svg, "</svg>"), 1u);
}

TEST(SvgChart, HistogramDrawsABarPerNonZeroCountAndMarksTheTarget) {
  SvgChart::Histogram chart;
  chart.title = "sizes";
  chart.buckets = {{"< 1 KiB", 0, 0}, {"1-4 KiB", 1200, 0}, {"4-16 KiB", 30, 2},
                   {"256 MiB-1 GiB", 0, 7}};
  chart.marked = 3;
  chart.marked_name = "target 128 MiB";
  const std::string svg = SvgChart::DrawHistogram(chart);
  ExpectAccessible(svg, "sizes");
  ExpectFiniteAttributes(svg);
  EXPECT_EQ(Occurrences(svg, "class=\"bar bar-before\""), 2u);
  EXPECT_EQ(Occurrences(svg, "class=\"bar bar-after\""), 2u);
  EXPECT_EQ(Occurrences(svg, "class=\"target\""), 1u);
  EXPECT_NE(svg.find(">target 128 MiB<"), std::string::npos);
  EXPECT_NE(svg.find(">1,200<"), std::string::npos);  // counts labelled
  EXPECT_NE(svg.find("<title>1-4 KiB: 1,200 files before</title>"), std::string::npos);
  EXPECT_NE(svg.find(">256 MiB-</tspan>"), std::string::npos);  // long labels in two lines

  chart.buckets = {{"a", 123456, 0}, {"b", 9876543, 0}, {"c", 4200000000, 0}};
  const std::string big = SvgChart::DrawHistogram(chart);
  EXPECT_NE(big.find(">123k<"), std::string::npos);
  EXPECT_NE(big.find(">9.9M<"), std::string::npos);
  EXPECT_NE(big.find(">4.2G<"), std::string::npos);
  EXPECT_NE(big.find("<title>b: 9,876,543 files before</title>"), std::string::npos);
  EXPECT_EQ(svg.find("no files"), std::string::npos);
}

TEST(SvgChart, EmptyChartsSayNoFilesAndStayFinite) {
  SvgChart::Histogram histogram;
  histogram.title = "h";
  histogram.buckets = {{"a", 0, 0}, {"b", 0, 0}};
  histogram.marked = 0;
  std::string svg = SvgChart::DrawHistogram(histogram);
  ExpectFiniteAttributes(svg);
  EXPECT_NE(svg.find(">no files<"), std::string::npos);
  EXPECT_EQ(svg.find("class=\"bar "), std::string::npos);

  histogram.buckets.clear();
  histogram.marked.reset();
  ExpectFiniteAttributes(SvgChart::DrawHistogram(histogram));

  SvgChart::Bars bars;
  bars.title = "b";
  bars.empty_text = "no partition has small files";
  svg = SvgChart::DrawBars(bars);
  ExpectAccessible(svg, "b");
  ExpectFiniteAttributes(svg);
  EXPECT_NE(svg.find(">no partition has small files<"), std::string::npos);
  bars.rows = {{"p=1", 0, 0, "0 files"}};
  svg = SvgChart::DrawBars(bars);
  ExpectFiniteAttributes(svg);
  EXPECT_NE(svg.find(">no files<"), std::string::npos);

  SvgChart::Timeline timeline;
  timeline.title = "t";
  svg = SvgChart::DrawTimeline(timeline);
  ExpectFiniteAttributes(svg);
  EXPECT_NE(svg.find(">no stage timings<"), std::string::npos);
  timeline.spans = {{"listing", 0, 0, "busy 0 ms"}};
  svg = SvgChart::DrawTimeline(timeline);
  ExpectFiniteAttributes(svg);
  EXPECT_EQ(Occurrences(svg, "class=\"bar bar-stage\""), 1u);
}

TEST(SvgChart, ValuesThatAreNotFiniteOrNegativeCountAsZero) {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  SvgChart::Timeline timeline;
  timeline.title = "t";
  timeline.total = nan;
  timeline.spans = {{"a", nan, inf, ""}, {"b", -5, -1, ""}, {"c", 1e300, 2e300, ""},
                    {"d", 3, 1, ""}};
  ExpectFiniteAttributes(SvgChart::DrawTimeline(timeline));

  SvgChart::Bars bars;
  bars.title = "b";
  bars.rows = {{"x", INT64_MAX, INT64_MAX, ""}, {"y", -4, 3, ""}};
  ExpectFiniteAttributes(SvgChart::DrawBars(bars));

  SvgChart::Histogram histogram;
  histogram.title = "h";
  histogram.buckets = {{"a", INT64_MAX, -1}, {"b", 1, INT64_MIN}};
  const std::string svg = SvgChart::DrawHistogram(histogram);
  ExpectFiniteAttributes(svg);
  EXPECT_EQ(Occurrences(svg, "class=\"bar bar-before\""), 2u);
  EXPECT_EQ(Occurrences(svg, "class=\"bar bar-after\""), 0u);
}

TEST(SvgChart, LongAndHostileLabelsAreCutAndEscaped) {
  SvgChart::Bars bars;
  bars.title = "top <b>";
  const std::string long_name = "p=" + std::string(300, 'x') + "<script>";
  bars.rows = {{"p=<script>alert(\"1\")</script>&'", 3, 1, "3 \u2192 1"}, {long_name, 2, 0, ""}};
  const std::string svg = SvgChart::DrawBars(bars);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("p=&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;&amp;&#39;"),
            std::string::npos);
  // The full name in the row's <title>, an ellipsized one on screen.
  EXPECT_NE(svg.find("<title>p=" + std::string(300, 'x') + "&lt;script&gt;</title>"),
            std::string::npos);
  EXPECT_NE(svg.find(">p=" + std::string(45, 'x') + "\u2026</text>"), std::string::npos);
}

TEST(SvgChart, TimelineRowsFollowTheirSpans) {
  SvgChart::Timeline timeline;
  timeline.title = "stages";
  timeline.total = 10;
  timeline.spans = {{"listing", 0, 2, "busy 2.0 s"}, {"reading", 1, 9, "busy 14.0 s"},
                    {"writing", 1.5, 9.5, "busy 12.0 s"}};
  const std::string svg = SvgChart::DrawTimeline(timeline);
  ExpectAccessible(svg, "stages");
  ExpectFiniteAttributes(svg);
  EXPECT_EQ(Occurrences(svg, "class=\"bar bar-stage\""), 3u);
  EXPECT_NE(svg.find(">busy 14.0 s<"), std::string::npos);
  EXPECT_NE(svg.find("<title>reading: 1.0 s to 9.0 s, busy 14.0 s</title>"), std::string::npos);
  EXPECT_NE(svg.find(">10.0 s<"), std::string::npos);  // the axis reaches the end
}

}  // namespace
}  // namespace s3c
