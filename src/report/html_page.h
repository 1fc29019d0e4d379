#pragma once
// HtmlPage: the building blocks of a report page: the document itself with its stylesheet,
// sections, key-number cards, tables and badges. Everything a caller passes as text is
// escaped here; only arguments named `html` are taken as markup (built by these functions or
// by SvgChart). The page is one self-contained HTML5 file: inline CSS, no script, no font,
// image or link outside it; readable on screen and printed (@media print). Pure functions;
// thread-safe.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace s3c {

class HtmlPage {
 public:
  /// The whole document: <!DOCTYPE html>, <head> with `title` and the stylesheet, `body_html`.
  static std::string Document(const std::string& title, const std::string& body_html);

  /// <header>: the heading, then one line per entry of `meta` ("Run id", "20261201-...").
  static std::string Header(const std::string& heading,
                            const std::vector<std::pair<std::string, std::string>>& meta);

  /// Links to the sections present: [(anchor id, words)].
  static std::string Contents(const std::vector<std::pair<std::string, std::string>>& links);

  enum class Tone { kNeutral, kGood, kBad };
  /// A key number: a small label, the value in large type, a line of detail.
  static std::string Card(const std::string& label, const std::string& value,
                          const std::string& detail = "", Tone tone = Tone::kNeutral);
  /// The cards in a row that wraps.
  static std::string Cards(const std::vector<std::string>& cards_html);

  /// <section id=...> with an <h2>; `intro` (text, may be empty) is a paragraph under it.
  static std::string Section(const std::string& id, const std::string& heading,
                             const std::string& intro, const std::string& content_html);

  /// An <h3> inside a section.
  static std::string Subheading(const std::string& text);

  /// A paragraph of text.
  static std::string Paragraph(const std::string& text, const std::string& css_class = "");

  /// One table cell: its markup and how it aligns.
  struct Cell {
    std::string html;
    bool numeric = false;  // right-aligned, tabular figures
    bool name = false;     // a name that may be long: wraps after '/', monospace
  };
  static Cell Text(const std::string& text);
  static Cell Number(const std::string& text);
  static Cell Name(const std::string& text);
  static Cell Markup(std::string html);

  struct Column {
    std::string heading;
    bool numeric = false;
  };
  /// A table with a caption and a header row. `omitted` > 0 adds a last line saying how many
  /// rows were left out ("and 9,500 more partitions, not shown").
  static std::string Table(const std::string& caption, const std::vector<Column>& columns,
                           const std::vector<std::vector<Cell>>& rows, size_t omitted = 0,
                           const std::string& omitted_what = "rows");

  /// A bulleted list of texts; `omitted` > 0 adds a last item saying how many were left out.
  static std::string List(const std::vector<std::string>& items, size_t omitted = 0);

  /// A word in a coloured box (the word itself carries the meaning; the colour only repeats it):
  /// class "badge status-<word>".
  static std::string Badge(const std::string& word);
};

}  // namespace s3c
