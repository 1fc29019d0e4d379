#include "report/html_page.h"

#include "report/html_text.h"
#include "util/human.h"

namespace s3c {
namespace {

std::string E(const std::string& text) { return HtmlText::Escape(text); }

// Okabe-Ito colours; every status and series also says what it is in words.
constexpr const char* kStyle = R"(
:root { --blue: #0072B2; --orange: #E69F00; --green: #009E73; --vermillion: #D55E00;
        --sky: #56B4E9; --grey: #666666; --line: #DDDDDD; --ink: #1A1A1A; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #FFFFFF; line-height: 1.45;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { padding: 20px 32px 12px; border-bottom: 4px solid var(--blue); background: #F7F9FB; }
h1 { font-size: 1.55rem; margin: 0 0 6px; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.meta { margin: 0; font-size: 0.9rem; color: #333333; display: grid;
        grid-template-columns: max-content 1fr; column-gap: 12px; }
.meta dt { font-weight: 600; } .meta dd { margin: 0; overflow-wrap: anywhere; }
main { padding: 8px 32px 32px; max-width: 1120px; }
nav { margin: 12px 0; font-size: 0.9rem; } nav a { margin-right: 14px; color: var(--blue); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 8px; }
.card { flex: 1 1 170px; min-width: 170px; padding: 10px 14px; border: 1px solid #CCCCCC;
        border-left: 6px solid var(--blue); border-radius: 6px; background: #FFFFFF; }
.card.good { border-left-color: var(--green); } .card.bad { border-left-color: var(--vermillion); }
.card .label { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.05em; color: #444444; }
.card .value { font-size: 1.6rem; font-weight: 700; line-height: 1.25; overflow-wrap: anywhere; }
.card .detail { font-size: 0.85rem; color: #444444; }
section { margin: 28px 0; }
section > p { margin: 4px 0 10px; color: #333333; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin: 8px 0; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #F2F2F2; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { white-space: normal; }
.name { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: break-word;
        min-width: 12em; }
tr.omitted td { font-style: italic; color: #444444; }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 0.8rem; font-weight: 600;
         border: 1px solid var(--grey); color: #000000; background: #EEEEEE; white-space: nowrap; }
.status-compacted, .status-compact { background: #BFE6DA; border-color: var(--green); }
.status-failed, .status-fail { background: #F4C7AD; border-color: var(--vermillion); }
.status-deferred, .status-planned, .status-copy, .status-copied, .status-live {
  background: #FBE3B3; border-color: var(--orange); }
.status-skipped, .status-skip, .status-expired { background: #EEEEEE; border-color: var(--grey); }
ul.messages li { margin: 4px 0; overflow-wrap: anywhere; }
.muted { color: #444444; }
.empty { color: #444444; font-style: italic; }
footer { padding: 12px 32px 24px; color: #444444; font-size: 0.8rem; border-top: 1px solid var(--line); }
@media print {
  body { font-size: 10pt; }
  header { background: none; border-bottom: 2px solid #000000; padding: 0 0 6px; }
  main { padding: 0; max-width: none; }
  nav { display: none; }
  .card, svg.chart, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  footer { padding: 6px 0 0; }
  @page { margin: 12mm; }
}
)";

// A CSS class name from a document's word: letters only, else "other".
std::string ClassWord(const std::string& word) {
  std::string out;
  for (char c : word) {
    if (c >= 'a' && c <= 'z') {
      out += c;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      return "other";
    }
  }
  return out.empty() ? "other" : out;
}

}  // namespace

std::string HtmlPage::Document(const std::string& title, const std::string& body_html) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"color-scheme\" content=\"light\">\n<title>" +
         E(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + body_html +
         "</body>\n</html>\n";
}

std::string HtmlPage::Header(const std::string& heading,
                             const std::vector<std::pair<std::string, std::string>>& meta) {
  std::string out = "<header>\n<h1>" + E(heading) + "</h1>\n";
  if (!meta.empty()) {
    out += "<dl class=\"meta\">\n";
    for (const auto& [name, value] : meta) {
      out += "<dt>" + E(name) + "</dt><dd>" + E(value) + "</dd>\n";
    }
    out += "</dl>\n";
  }
  return out + "</header>\n";
}

std::string HtmlPage::Contents(const std::vector<std::pair<std::string, std::string>>& links) {
  std::string out = "<nav aria-label=\"Contents\">";
  for (const auto& [id, words] : links) {
    out += "<a href=\"#" + E(id) + "\">" + E(words) + "</a>";
  }
  return out + "</nav>\n";
}

std::string HtmlPage::Card(const std::string& label, const std::string& value,
                           const std::string& detail, Tone tone) {
  const char* tone_class = tone == Tone::kGood ? " good" : tone == Tone::kBad ? " bad" : "";
  std::string out = "<div class=\"card" + std::string(tone_class) + "\"><div class=\"label\">" +
                    E(label) + "</div><div class=\"value\">" + E(value) + "</div>";
  if (!detail.empty()) out += "<div class=\"detail\">" + E(detail) + "</div>";
  return out + "</div>\n";
}

std::string HtmlPage::Cards(const std::vector<std::string>& cards_html) {
  std::string out = "<div class=\"cards\">\n";
  for (const std::string& card : cards_html) out += card;
  return out + "</div>\n";
}

std::string HtmlPage::Section(const std::string& id, const std::string& heading,
                              const std::string& intro, const std::string& content_html) {
  std::string out = "<section id=\"" + E(id) + "\">\n<h2>" + E(heading) + "</h2>\n";
  if (!intro.empty()) out += "<p>" + E(intro) + "</p>\n";
  return out + content_html + "</section>\n";
}

std::string HtmlPage::Subheading(const std::string& text) {
  return "<h3>" + E(text) + "</h3>\n";
}

std::string HtmlPage::Paragraph(const std::string& text, const std::string& css_class) {
  if (css_class.empty()) return "<p>" + E(text) + "</p>\n";
  return "<p class=\"" + E(css_class) + "\">" + E(text) + "</p>\n";
}

HtmlPage::Cell HtmlPage::Text(const std::string& text) { return {E(text), false, false}; }
HtmlPage::Cell HtmlPage::Number(const std::string& text) { return {E(text), true, false}; }
// Breaks only after a '/' (a partition path's folders), or, for a single word longer than the
// column, inside it.
HtmlPage::Cell HtmlPage::Name(const std::string& text) {
  std::string html;
  for (char c : E(text)) {
    html += c;
    if (c == '/') html += "<wbr>";
  }
  return {std::move(html), false, true};
}
HtmlPage::Cell HtmlPage::Markup(std::string html) { return {std::move(html), false, false}; }

std::string HtmlPage::Table(const std::string& caption, const std::vector<Column>& columns,
                            const std::vector<std::vector<Cell>>& rows, size_t omitted,
                            const std::string& omitted_what) {
  std::string out = "<table>\n<caption>" + E(caption) + "</caption>\n<thead><tr>";
  for (const Column& c : columns) {
    out += c.numeric ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">";
    out += E(c.heading) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const Cell& cell : row) {
      out += cell.numeric ? "<td class=\"num\">" : cell.name ? "<td class=\"name\">" : "<td>";
      out += cell.html + "</td>";
    }
    out += "</tr>\n";
  }
  if (omitted > 0) {
    out += "<tr class=\"omitted\"><td colspan=\"" + std::to_string(columns.size()) + "\">and " +
           E(human::Count(static_cast<int64_t>(omitted))) + " more " + E(omitted_what) +
           ", not shown (the JSON document has them all)</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string HtmlPage::List(const std::vector<std::string>& items, size_t omitted) {
  std::string out = "<ul class=\"messages\">\n";
  for (const std::string& item : items) out += "<li>" + E(item) + "</li>\n";
  if (omitted > 0) {
    out += "<li class=\"muted\">and " + E(human::Count(static_cast<int64_t>(omitted))) +
           " more, not shown</li>\n";
  }
  return out + "</ul>\n";
}

std::string HtmlPage::Badge(const std::string& word) {
  return "<span class=\"badge status-" + ClassWord(word) + "\">" + E(word) + "</span>";
}

}  // namespace s3c
