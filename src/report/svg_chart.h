#pragma once
// SvgChart: the report's charts as inline SVG text: a histogram of two series (before and after,
// grouped by bucket), horizontal bars (two series per row, stacked or side by side) and a
// timeline of spans. Pure functions of their input: the same input gives the same text.
//
// Every chart is one <svg role="img"> with a <title> and an aria-label, colours from the
// Okabe-Ito palette, a legend in words, and every bar's value as text (a label and the bar's
// own <title>), so nothing relies on colour alone. No script, no reference outside the
// document, no xmlns (HTML5 gives inline SVG its namespace). All text is HTML-escaped here;
// long labels are cut with an ellipsis, the full text kept in a <title>. Empty or all-zero input
// draws the axes and says so in words; no attribute is ever NaN or infinite (inputs that are
// not finite or are negative count as 0). Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace s3c {

class SvgChart {
 public:
  // The Okabe-Ito colours the report uses.
  static constexpr const char* kBlue = "#0072B2";
  static constexpr const char* kOrange = "#E69F00";
  static constexpr const char* kGreen = "#009E73";
  static constexpr const char* kVermillion = "#D55E00";
  static constexpr const char* kGrey = "#666666";

  /// One bucket of a histogram: its label and the two series' counts.
  struct Bucket {
    std::string label;
    int64_t before = 0;
    int64_t after = 0;
  };
  struct Histogram {
    std::string title;                  // the <title> and aria-label
    std::string css_class;              // added to the <svg>'s class "chart"
    std::vector<Bucket> buckets;
    std::string before_name = "before";  // legend words
    std::string after_name = "after";
    std::optional<size_t> marked;       // a bucket drawn outlined (the target size's)
    std::string marked_name;            // its caption: "target 128 MiB"
    std::string unit = "files";         // in each bar's <title>: "1-4 KiB: 12 files before"
  };
  /// Bars of each bucket side by side, "before" in orange (class "bar bar-before"), "after" in
  /// blue ("bar bar-after"); a bar only for a count above 0, its count printed above it.
  static std::string DrawHistogram(const Histogram& chart);

  /// One row of a bar chart: a label and two values, with the text printed after the bars.
  struct BarRow {
    std::string label;
    int64_t first = 0;
    int64_t second = 0;
    std::string value_text;  // "120 small of 130 files"
  };
  enum class BarLayout {
    kStacked,   // second continues first: the row is first + second long
    kGrouped,   // two thinner bars, one above the other
  };
  struct Bars {
    std::string title;
    std::string css_class;
    std::vector<BarRow> rows;  // drawn in this order, top to bottom
    BarLayout layout = BarLayout::kStacked;
    std::string first_name, second_name;    // legend words
    std::string first_class, second_class;  // each bar's class is "bar <class>"
    std::string empty_text = "no files";
  };
  /// First series orange, second blue.
  static std::string DrawBars(const Bars& chart);

  /// A span of time: from `start` to `end` seconds after the origin, with `note` printed to its
  /// right ("busy 3.2 s").
  struct Span {
    std::string name;
    double start = 0;
    double end = 0;
    std::string note;
  };
  struct Timeline {
    std::string title;
    std::string css_class;
    std::vector<Span> spans;  // one row each, in this order
    double total = 0;         // the axis covers [0, max(total, every end)]
    std::string empty_text = "no stage timings";
  };
  /// Green bars (class "bar bar-stage") on a time axis with ticks at round durations.
  static std::string DrawTimeline(const Timeline& chart);
};

}  // namespace s3c
