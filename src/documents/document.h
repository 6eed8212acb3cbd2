// The document model: what the composer produces and every renderer reads.
//
// A Document is a language, a masthead and a list of blocks (headings,
// numbered paragraphs, figures, tables, notices), all text already in the
// document's language with every figure formatted. Renderers (render.h) only
// lay it out: PDF, HTML, Markdown, DOCX, e-mail.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "documents/chart.h"
#include "documents/language.h"

namespace rmis::documents {

struct Table {
  std::string number;  // "Table 1"
  std::string title;
  std::string unit;    // "(United States dollars)", may be empty
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;  // per column: numbers are aligned to the end
  std::vector<std::string> notes;  // printed below the table
};

struct Figure {
  std::string id;      // "figure-2": file names and anchors
  std::string number;  // "Figure 2"
  std::string title;
  std::string unit;
  std::optional<Chart> chart;      // a chart, or
  std::vector<std::string> items;  // a text figure (a framed list)
  std::string description;  // the chart's data in words, for readers without images
};

struct Block {
  enum class Kind { kHeading, kParagraph, kFigure, kTable, kNotice };
  Kind kind = Kind::kParagraph;
  std::string number;  // "5." for numbered paragraphs
  std::string text;
  std::vector<std::string> items;  // a list under the paragraph
  std::optional<Figure> figure;
  std::optional<Table> table;
};

struct Document {
  std::string language;  // "zh"
  Direction direction = Direction::kLeftToRight;
  // Masthead lines above the title (body, session, date and place, agenda);
  // the symbol is printed at the top right (left in right-to-left).
  std::vector<std::string> masthead;
  std::string symbol;
  std::string distribution;  // "Distr.: General" or the like, may be empty
  std::string agenda_title;  // bold, above the title
  std::string title;
  std::string subtitle;  // "Report of the Executive Director"
  std::vector<Block> blocks;
  std::vector<std::string> footnotes;  // page footnotes of the first page
  // For renderers: fonts from the catalogue.
  std::string text_font;
  std::string heading_font;
  std::string chart_font;
  // Whether running text is justified (not for Chinese, where pango would
  // only widen the spaces around numbers).
  bool justify = true;
  // A line for the page footer and the e-mail's subject.
  std::string running_title;
};

}  // namespace rmis::documents
