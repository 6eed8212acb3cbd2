// The HTML renderer (see render.h): one page, styled for screen and print.
#include <algorithm>

#include "documents/render.h"

namespace rmis::documents {
namespace {

ChartStyle StyleOf(const Document& document) {
  ChartStyle style;
  style.font_family = document.chart_font;
  return style;
}

// Cairo names the glyphs and clips of every SVG alike ("glyph0-1"); inline
// SVGs share one id space, so each chart's ids get the figure's prefix.
std::string PrefixSvgIds(std::string svg, const std::string& prefix) {
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (size_t at = svg.find(from); at != std::string::npos; at = svg.find(from, at + to.size())) {
      svg.replace(at, from.size(), to);
    }
  };
  replace_all("id=\"", "id=\"" + prefix);
  replace_all("href=\"#", "href=\"#" + prefix);
  replace_all("url(#", "url(#" + prefix);
  return svg;
}

std::string Css(const Document& document) {
  const bool rtl = document.direction == Direction::kRightToLeft;
  const std::string start = rtl ? "right" : "left";
  const std::string end = rtl ? "left" : "right";
  return R"(
  @page { size: A4; margin: 2cm 2.2cm; }
  body { font-family: ")" + document.text_font + R"(", serif; font-size: 11pt; line-height: 1.45;
         text-align: )" + (document.justify ? "justify" : start) + R"(;
         max-width: 44em; margin: 2em auto; padding: 0 1em; color: #111; }
  h1, h2, .masthead, .symbol, figcaption, caption { font-family: ")" + document.heading_font + R"(", sans-serif; }
  h1, h2, .agenda-title { text-align: )" + start + R"(; break-after: avoid; page-break-after: avoid; }
  p { orphans: 2; widows: 2; }
  h1 { font-size: 15pt; margin: 1.2em 0 0.2em; }
  h2 { font-size: 12pt; font-weight: normal; margin: 0 0 1.2em; }
  .symbol { text-align: )" + end + R"(; font-weight: bold; }
  .masthead { border-bottom: 1px solid #444; padding-bottom: 0.4em; margin-bottom: 0.8em; }
  .masthead p { margin: 0.1em 0; }
  .agenda-title { font-weight: bold; text-align: )" + start + R"(; }
  p.para { display: flex; gap: 0.8em; margin: 0.7em 0; }
  p.para .num { flex: 0 0 2em; }
  div.items { margin: 0.3em 0 0.6em; padding-)" + start + R"(: 4.5em; }
  div.items p { margin: 0.25em 0; }
  .notice { border: 1px solid #999; background: #f4f4f4; padding: 0.6em 0.9em; margin: 1em 0; }
  figure { margin: 1.2em 0; page-break-inside: avoid; break-inside: avoid; }
  figcaption { text-align: center; font-weight: bold; margin-bottom: 0.4em; }
  figcaption .unit { display: block; font-weight: normal; font-size: 9.5pt; }
  figure svg, figure img { width: 100%; height: auto; }
  figure .text-figure { border: 1px solid #666; padding: 0.5em 1em; }
  .description { font-size: 9pt; color: #444; }
  table { border-collapse: collapse; margin: 0.4em auto 0.2em; page-break-inside: avoid; break-inside: avoid; }
  caption { font-weight: bold; margin-bottom: 0.4em; }
  caption .unit { display: block; font-weight: normal; font-size: 9.5pt; }
  th, td { border-bottom: 1px solid #bbb; padding: 0.25em 0.8em; text-align: )" + start + R"(; vertical-align: top; }
  th { border-bottom: 1.5px solid #333; }
  td.num { text-align: )" + end + R"(; white-space: nowrap; }
  .table-notes { font-size: 9.5pt; margin: 0.2em 0 1em; text-align: center; }
  .footnotes { border-top: 1px solid #999; margin-top: 2em; font-size: 9pt; }
  @media print { body { max-width: none; margin: 0; padding: 0; } }
)";
}

// A paragraph's list. The items carry their own labels ("(a)"), so they are
// paragraphs with list roles, not an <ol>: pandoc would number an <ol> a
// second time in the DOCX ("1. (a) ...").
std::string Items(const std::vector<std::string>& items) {
  std::string h = "<div class=\"items\" role=\"list\">\n";
  for (const auto& item : items) h += "<p role=\"listitem\">" + EscapeHtml(item) + "</p>\n";
  return h + "</div>\n";
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Result<HtmlRendering> RenderHtml(const Document& document, HtmlImages images) {
  HtmlRendering rendering;
  const bool rtl = document.direction == Direction::kRightToLeft;
  std::string& h = rendering.html;
  h += "<!DOCTYPE html>\n<html lang=\"" + EscapeHtml(document.language) + "\" dir=\"" + (rtl ? "rtl" : "ltr") +
       "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + EscapeHtml(document.running_title) + "</title>\n<style>" + Css(document) + "</style>\n</head>\n<body>\n";
  if (!document.symbol.empty()) h += "<p class=\"symbol\">" + EscapeHtml(document.symbol) + "</p>\n";
  if (!document.masthead.empty() || !document.distribution.empty()) {
    h += "<div class=\"masthead\">\n";
    for (const auto& line : document.masthead) h += "<p>" + EscapeHtml(line) + "</p>\n";
    h += "</div>\n";
  }
  if (!document.agenda_title.empty()) h += "<p class=\"agenda-title\">" + EscapeHtml(document.agenda_title) + "</p>\n";
  h += "<h1>" + EscapeHtml(document.title) + "</h1>\n";
  if (!document.subtitle.empty()) h += "<h2>" + EscapeHtml(document.subtitle) + "</h2>\n";
  for (const Block& block : document.blocks) {
    switch (block.kind) {
      case Block::Kind::kHeading:
        h += "<h2>" + EscapeHtml(block.text) + "</h2>\n";
        break;
      case Block::Kind::kNotice:
        h += "<div class=\"notice\" role=\"note\">" + EscapeHtml(block.text) + "</div>\n";
        break;
      case Block::Kind::kParagraph:
        if (block.number.empty()) {
          h += "<p>" + EscapeHtml(block.text) + "</p>\n";
        } else {
          // The space between number and text is ignored by the flex layout
          // and keeps them apart where CSS is not applied (pandoc's DOCX).
          h += "<p class=\"para\"><span class=\"num\">" + EscapeHtml(block.number) + "</span> <span>" +
               EscapeHtml(block.text) + "</span></p>\n";
        }
        if (!block.items.empty()) h += Items(block.items);
        break;
      case Block::Kind::kFigure: {
        const Figure& f = *block.figure;
        h += "<figure id=\"" + EscapeHtml(f.id) + "\">\n<figcaption>" + EscapeHtml(f.number) + "<br>" + EscapeHtml(f.title);
        if (!f.unit.empty()) h += "<span class=\"unit\">" + EscapeHtml(f.unit) + "</span>";
        h += "</figcaption>\n";
        if (f.chart) {
          std::string alt = f.description.empty() ? f.title : f.description;
          if (images == HtmlImages::kInlineSvg) {
            auto svg = ChartToSvg(*f.chart, StyleOf(document), kChartWidth, kChartHeight);
            if (!svg) return tl::unexpected(svg.error());
            // Drop the XML declaration; give the SVG a label for screen readers.
            std::string body = *svg;
            size_t start = body.find("<svg");
            if (start != std::string::npos) body = body.substr(start);
            body = PrefixSvgIds(body, f.id + "-");
            body.insert(4, " role=\"img\" aria-label=\"" + EscapeHtml(alt) + "\"");
            h += body + "\n";
          } else {
            auto png = ChartToPng(*f.chart, StyleOf(document), kChartWidth, kChartHeight, 2.5);
            if (!png) return tl::unexpected(png.error());
            std::string name = f.id + ".png";
            std::string src = images == HtmlImages::kContentId ? "cid:" + name + "@rmis.invalid" : name;
            h += "<img src=\"" + EscapeHtml(src) + "\" alt=\"" + EscapeHtml(alt) + "\" width=\"" +
                 std::to_string(static_cast<int>(kChartWidth)) + "\">\n";
            rendering.images.emplace_back(name, std::move(*png));
          }
          if (!f.description.empty()) h += "<p class=\"description\">" + EscapeHtml(f.description) + "</p>\n";
        } else {
          h += "<div class=\"text-figure\">" + Items(f.items) + "</div>\n";
        }
        h += "</figure>\n";
        break;
      }
      case Block::Kind::kTable: {
        const Table& t = *block.table;
        h += "<table>\n<caption>" + EscapeHtml(t.number) + "<br>" + EscapeHtml(t.title);
        if (!t.unit.empty()) h += "<span class=\"unit\">" + EscapeHtml(t.unit) + "</span>";
        h += "</caption>\n<thead><tr>";
        for (const auto& cell : t.header) h += "<th scope=\"col\">" + EscapeHtml(cell) + "</th>";
        h += "</tr></thead>\n<tbody>\n";
        for (const auto& row : t.rows) {
          h += "<tr>";
          for (size_t i = 0; i < row.size(); ++i) {
            bool numeric = i < t.numeric.size() && t.numeric[i];
            h += numeric ? "<td class=\"num\">" : "<td>";
            h += EscapeHtml(row[i]) + "</td>";
          }
          h += "</tr>\n";
        }
        h += "</tbody>\n</table>\n";
        if (!t.notes.empty()) {
          h += "<div class=\"table-notes\">";
          for (const auto& note : t.notes) h += "<p>" + EscapeHtml(note) + "</p>";
          h += "</div>\n";
        }
        break;
      }
    }
  }
  if (!document.footnotes.empty()) {
    h += "<div class=\"footnotes\">\n";
    for (const auto& note : document.footnotes) h += "<p>" + EscapeHtml(note) + "</p>\n";
    h += "</div>\n";
  }
  h += "</body>\n</html>\n";
  return rendering;
}

}  // namespace rmis::documents
