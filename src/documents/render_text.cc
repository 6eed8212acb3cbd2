// The Markdown and plain-text renderers (see render.h).
#include <algorithm>

#include "documents/render.h"

namespace rmis::documents {
namespace {

// Escapes the characters that Markdown would read as markup.
std::string EscapeMarkdown(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']' || c == '<' || c == '>' || c == '|' ||
        c == '#') {
      out += '\\';
    }
    out += c;
  }
  // A line that starts with "1." or "-" would become a list.
  if (!out.empty() && (out[0] == '-' || out[0] == '+')) out.insert(0, "\\");
  return out;
}

std::string EscapeNumber(const std::string& number) {
  std::string out;
  for (char c : number) {
    if (c == '.') out += "\\";
    out += c;
  }
  return out;
}

}  // namespace

Result<Rendered> RenderMarkdown(const Document& document, const std::string& stem) {
  Rendered rendered;
  std::string& m = rendered.main;
  const bool rtl = document.direction == Direction::kRightToLeft;
  if (rtl) m += "<div dir=\"rtl\" lang=\"" + document.language + "\">\n\n";
  if (!document.symbol.empty()) m += "**" + EscapeMarkdown(document.symbol) + "**\n\n";
  for (const auto& line : document.masthead) m += EscapeMarkdown(line) + "  \n";
  if (!document.masthead.empty()) m += "\n";
  if (!document.agenda_title.empty()) m += "**" + EscapeMarkdown(document.agenda_title) + "**\n\n";
  m += "# " + EscapeMarkdown(document.title) + "\n\n";
  if (!document.subtitle.empty()) m += "## " + EscapeMarkdown(document.subtitle) + "\n\n";
  ChartStyle style;
  style.font_family = document.chart_font;
  for (const Block& block : document.blocks) {
    switch (block.kind) {
      case Block::Kind::kHeading:
        m += "## " + EscapeMarkdown(block.text) + "\n\n";
        break;
      case Block::Kind::kNotice:
        m += "> " + EscapeMarkdown(block.text) + "\n\n";
        break;
      case Block::Kind::kParagraph:
        if (!block.number.empty()) m += EscapeNumber(block.number) + " ";
        m += EscapeMarkdown(block.text) + "\n\n";
        for (const auto& item : block.items) m += "- " + EscapeMarkdown(item) + "\n";
        if (!block.items.empty()) m += "\n";
        break;
      case Block::Kind::kFigure: {
        const Figure& f = *block.figure;
        m += "**" + EscapeMarkdown(f.number) + "**  \n**" + EscapeMarkdown(f.title) + "**";
        if (!f.unit.empty()) m += "  \n" + EscapeMarkdown(f.unit);
        m += "\n\n";
        if (f.chart) {
          auto svg = ChartToSvg(*f.chart, style, kChartWidth, kChartHeight);
          if (!svg) return tl::unexpected(svg.error());
          std::string name = stem + "." + f.id + ".svg";
          m += "![" + EscapeMarkdown(f.title) + "](" + name + ")\n\n";
          if (!f.description.empty()) m += "*" + EscapeMarkdown(f.description) + "*\n\n";
          rendered.companions.emplace_back(name, std::move(*svg));
        } else {
          for (const auto& item : f.items) m += "- " + EscapeMarkdown(item) + "\n";
          m += "\n";
        }
        break;
      }
      case Block::Kind::kTable: {
        const Table& t = *block.table;
        m += "**" + EscapeMarkdown(t.number) + "**  \n**" + EscapeMarkdown(t.title) + "**";
        if (!t.unit.empty()) m += "  \n" + EscapeMarkdown(t.unit);
        m += "\n\n|";
        for (const auto& cell : t.header) m += " " + EscapeMarkdown(cell) + " |";
        m += "\n|";
        for (size_t i = 0; i < t.header.size(); ++i) {
          bool numeric = i < t.numeric.size() && t.numeric[i];
          m += numeric ? " ---: |" : " --- |";
        }
        m += "\n";
        for (const auto& row : t.rows) {
          m += "|";
          for (const auto& cell : row) m += " " + EscapeMarkdown(cell) + " |";
          m += "\n";
        }
        m += "\n";
        for (const auto& note : t.notes) m += EscapeMarkdown(note) + "\n\n";
        break;
      }
    }
  }
  if (!document.footnotes.empty()) {
    m += "---\n\n";
    for (const auto& note : document.footnotes) m += EscapeMarkdown(note) + "\n\n";
  }
  if (rtl) m += "</div>\n";
  return rendered;
}

std::string RenderPlainText(const Document& document) {
  std::string t;
  if (!document.symbol.empty()) t += document.symbol + "\n\n";
  for (const auto& line : document.masthead) t += line + "\n";
  if (!document.masthead.empty()) t += "\n";
  if (!document.agenda_title.empty()) t += document.agenda_title + "\n\n";
  t += document.title + "\n";
  if (!document.subtitle.empty()) t += document.subtitle + "\n";
  t += "\n";
  for (const Block& block : document.blocks) {
    switch (block.kind) {
      case Block::Kind::kHeading:
        t += block.text + "\n\n";
        break;
      case Block::Kind::kNotice:
        t += "[" + block.text + "]\n\n";
        break;
      case Block::Kind::kParagraph:
        t += (block.number.empty() ? "" : block.number + " ") + block.text + "\n\n";
        for (const auto& item : block.items) t += "  " + item + "\n";
        if (!block.items.empty()) t += "\n";
        break;
      case Block::Kind::kFigure: {
        const Figure& f = *block.figure;
        t += f.number + ": " + f.title + (f.unit.empty() ? "" : " " + f.unit) + "\n";
        if (!f.description.empty()) t += f.description + "\n";
        for (const auto& item : f.items) t += "  " + item + "\n";
        t += "\n";
        break;
      }
      case Block::Kind::kTable: {
        const Table& table = *block.table;
        t += table.number + ": " + table.title + "\n";
        for (const auto& row : table.rows) {
          std::string line;
          for (size_t i = 0; i < row.size(); ++i) {
            if (row[i].empty()) continue;
            if (!line.empty()) line += " | ";
            line += row[i];
          }
          t += "  " + line + "\n";
        }
        for (const auto& note : table.notes) t += note + "\n";
        t += "\n";
        break;
      }
    }
  }
  for (const auto& note : document.footnotes) t += note + "\n";
  return t;
}

}  // namespace rmis::documents
