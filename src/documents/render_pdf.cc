// The PDF renderer (see render.h): cairo's PDF surface with pango for text.
// Pango shapes every script (HarfBuzz), applies the bidirectional algorithm
// and falls back across the Noto fonts; cairo embeds subsets of the fonts
// with ToUnicode maps, so the text can be searched and copied, and charts
// drawn by chart.cc on the same surface stay vector graphics.
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <map>
#include <memory>
#include <tuple>

#include "documents/pdf_text.h"
#include "documents/render.h"

namespace rmis::documents {
namespace {

constexpr double kPageWidth = 595.276;   // A4, points
constexpr double kPageHeight = 841.890;
constexpr double kMarginSide = 72.0;
constexpr double kMarginTop = 64.0;
constexpr double kMarginBottom = 72.0;
constexpr double kTextWidth = kPageWidth - 2 * kMarginSide;
constexpr double kBodySize = 10.5;
constexpr double kNumberWidth = 28.0;  // the hanging paragraph number

struct LayoutDeleter {
  void operator()(PangoLayout* layout) const { g_object_unref(layout); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, LayoutDeleter>;
struct FontDeleter {
  void operator()(PangoFontDescription* font) const { pango_font_description_free(font); }
};
using FontPtr = std::unique_ptr<PangoFontDescription, FontDeleter>;

// Glyph positions as the font designs them, not rounded to whole device
// units: a PDF is resolution independent, and rounded positions leave gaps
// between joined Arabic letters that text extraction reads as spaces.
void UnhintedPositions(PangoContext* context) {
  pango_context_set_round_glyph_positions(context, FALSE);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context, options);
  cairo_font_options_destroy(options);
}

// Line breaking in Chinese may fall between any two ideographs; an amount
// such as "4 100 万美元" must not break inside its unit. The catalogue binds
// the number to its unit with a no-break space; here the (at most three)
// ideographs after a no-break space are bound together with word joiners
// (U+2060), which are invisible and which text extraction drops.
std::string BindUnitsAfterNoBreakSpace(const std::string& text) {
  static const std::string kNoBreakSpace = "\xC2\xA0";
  static const std::string kWordJoiner = "\xE2\x81\xA0";
  auto ideograph_at = [&](size_t at) {
    // U+4E00..U+9FFF: three-byte sequences E4 B8 80 .. E9 BF BF.
    if (at + 3 > text.size()) return false;
    unsigned char lead = static_cast<unsigned char>(text[at]);
    return lead >= 0xE4 && lead <= 0xE9;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    if (text.compare(at, kNoBreakSpace.size(), kNoBreakSpace) == 0) {
      out += kNoBreakSpace;
      at += kNoBreakSpace.size();
      int bound = 0;
      while (bound < 3 && ideograph_at(at)) {
        if (bound > 0) out += kWordJoiner;
        out.append(text, at, 3);
        at += 3;
        ++bound;
      }
      continue;
    }
    out += text[at++];
  }
  return out;
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class PdfWriter {
 public:
  explicit PdfWriter(const Document& document) : document_(document) {
    rtl_ = document.direction == Direction::kRightToLeft;
    surface_ = cairo_pdf_surface_create_for_stream(AppendToString, &pdf_, kPageWidth, kPageHeight);
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, document.running_title.c_str());
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "rmis");
    cr_ = cairo_create(surface_);
    y_ = kMarginTop;
  }
  ~PdfWriter() {
    if (context_) g_object_unref(context_);
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
  }
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  Result<std::string> Write() {
    FirstPage();
    for (const Block& block : document_.blocks) {
      switch (block.kind) {
        case Block::Kind::kHeading:
          Space(6);
          Text(block.text, kMarginSide, kTextWidth, document_.heading_font, kBodySize + 1.5, true, PANGO_ALIGN_LEFT);
          Space(4);
          break;
        case Block::Kind::kNotice:
          Notice(block.text);
          break;
        case Block::Kind::kParagraph:
          Paragraph(block);
          break;
        case Block::Kind::kFigure:
          FigureBlock(*block.figure);
          break;
        case Block::Kind::kTable:
          TableBlock(*block.table);
          break;
      }
    }
    Footer();
    cairo_show_page(cr_);
    cairo_destroy(cr_);
    cr_ = nullptr;
    cairo_surface_finish(surface_);
    cairo_status_t status = cairo_surface_status(surface_);
    cairo_surface_destroy(surface_);
    surface_ = nullptr;
    if (status != CAIRO_STATUS_SUCCESS) {
      return Fail(ErrorCode::kInternal, std::string("writing the PDF failed: ") + cairo_status_to_string(status));
    }
    return std::move(pdf_);
  }

 private:
  // A layout for `text` at `width`, in the document's direction.
  LayoutPtr Layout(const std::string& text, double width, const std::string& family, double size, bool bold,
                   PangoAlignment align) {
    LayoutPtr layout(pango_layout_new(Context()));
    pango_layout_set_auto_dir(layout.get(), FALSE);
    pango_layout_set_font_description(layout.get(), Font(family, size, bold));
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    // Alignment is physical in pango; "left" here means the start of the line.
    if (rtl_ && align != PANGO_ALIGN_CENTER) align = align == PANGO_ALIGN_LEFT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
    pango_layout_set_alignment(layout.get(), align);
    pango_layout_set_spacing(layout.get(), static_cast<int>(size * 0.25 * PANGO_SCALE));
    std::string bound = BindUnitsAfterNoBreakSpace(text);
    pango_layout_set_text(layout.get(), bound.c_str(), -1);
    return layout;
  }

  // One pango context for every layout of the document (creating one per
  // layout cost a context, its font options and font lookups each time):
  // the document's base direction, unrounded glyph positions. The page's
  // transformation is the identity throughout.
  PangoContext* Context() {
    if (context_ == nullptr) {
      context_ = pango_cairo_create_context(cr_);
      pango_context_set_base_dir(context_, rtl_ ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
      UnhintedPositions(context_);
    }
    return context_;
  }

  // The font descriptions in use, made once each.
  const PangoFontDescription* Font(const std::string& family, double size, bool bold) {
    auto key = std::make_tuple(family, size, bold);
    auto it = fonts_.find(key);
    if (it != fonts_.end()) return it->second.get();
    PangoFontDescription* font = pango_font_description_from_string(family.c_str());
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    return fonts_.emplace(key, FontPtr(font)).first->second.get();
  }

  static double Height(PangoLayout* layout) {
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  // The physical x of a box given in logical terms: in right-to-left
  // documents a box at the start of the line sits at the right.
  double X(double logical_x, double width) const {
    return rtl_ ? kPageWidth - logical_x - width : logical_x;
  }

  double Bottom() const { return kPageHeight - kMarginBottom; }

  void NewPage() {
    Footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = kMarginTop;
  }

  void NeedSpace(double height) {
    if (y_ + height > Bottom() && y_ > kMarginTop + 1) NewPage();
  }

  void Space(double points) { y_ += points; }

  void Footer() {
    std::string text = std::to_string(page_);
    LayoutPtr layout = Layout(text, kTextWidth, document_.heading_font, 8.5, false, PANGO_ALIGN_CENTER);
    cairo_set_source_rgb(cr_, 0.2, 0.2, 0.2);
    cairo_move_to(cr_, kMarginSide, kPageHeight - kMarginBottom + 24);
    ShowLayout(cr_, layout.get());
    if (!document_.running_title.empty() && page_ > 1) {
      LayoutPtr title = Layout(document_.symbol.empty() ? document_.running_title : document_.symbol, kTextWidth,
                               document_.heading_font, 8.5, false, PANGO_ALIGN_LEFT);
      cairo_move_to(cr_, kMarginSide, kMarginTop - 28);
      ShowLayout(cr_, title.get());
    }
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }

  // Draws `layout` line by line from the current position, breaking pages
  // between lines. `x` is the physical left edge of the layout box.
  void Lines(PangoLayout* layout, double x) {
    PangoLayoutIter* iter = pango_layout_get_iter(layout);
    double offset = -1;  // layout y of the first line on this page
    double top = y_;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      double line_top = static_cast<double>(logical.y) / PANGO_SCALE;
      double line_height = static_cast<double>(logical.height) / PANGO_SCALE;
      double baseline = static_cast<double>(pango_layout_iter_get_baseline(iter)) / PANGO_SCALE;
      if (offset < 0) offset = line_top;
      if (top + (line_top - offset) + line_height > Bottom()) {
        y_ = top + (line_top - offset);
        NewPage();
        top = y_;
        offset = line_top;
      }
      cairo_move_to(cr_, x + static_cast<double>(logical.x) / PANGO_SCALE, top + (baseline - offset));
      ShowLayoutLine(cr_, pango_layout_iter_get_line_readonly(iter));
      y_ = top + (line_top - offset) + line_height;
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
  }

  void Text(const std::string& text, double logical_x, double width, const std::string& family, double size,
            bool bold, PangoAlignment align) {
    LayoutPtr layout = Layout(text, width, family, size, bold, align);
    Lines(layout.get(), X(logical_x, width));
  }

  void FirstPage() {
    if (!document_.symbol.empty()) {
      Text(document_.symbol, kMarginSide, kTextWidth, document_.heading_font, 12, true, PANGO_ALIGN_RIGHT);
      Space(6);
    }
    for (const auto& line : document_.masthead) {
      Text(line, kMarginSide, kTextWidth, document_.heading_font, 10, false, PANGO_ALIGN_LEFT);
      Space(1);
    }
    if (!document_.masthead.empty() || !document_.symbol.empty()) {
      Space(4);
      cairo_set_line_width(cr_, 0.8);
      cairo_move_to(cr_, kMarginSide, y_);
      cairo_line_to(cr_, kPageWidth - kMarginSide, y_);
      cairo_stroke(cr_);
      Space(14);
    }
    if (!document_.agenda_title.empty()) {
      Text(document_.agenda_title, kMarginSide, kTextWidth * 0.75, document_.heading_font, 10.5, true,
           PANGO_ALIGN_LEFT);
      Space(14);
    }
    Text(document_.title, kMarginSide, kTextWidth, document_.heading_font, 15, true, PANGO_ALIGN_LEFT);
    Space(6);
    if (!document_.subtitle.empty()) {
      Text(document_.subtitle, kMarginSide, kTextWidth, document_.heading_font, 12, false, PANGO_ALIGN_LEFT);
    }
    Space(16);
    // The first page's footnotes sit at its foot.
    if (!document_.footnotes.empty()) {
      double footer_y = Bottom() - 6;
      for (auto it = document_.footnotes.rbegin(); it != document_.footnotes.rend(); ++it) {
        LayoutPtr note = Layout(*it, kTextWidth, document_.text_font, 8.5, false, PANGO_ALIGN_LEFT);
        footer_y -= Height(note.get());
        cairo_move_to(cr_, X(kMarginSide, kTextWidth), footer_y);
        ShowLayout(cr_, note.get());
      }
      cairo_set_line_width(cr_, 0.5);
      cairo_move_to(cr_, X(kMarginSide, 120), footer_y - 4);
      cairo_line_to(cr_, X(kMarginSide, 120) + 120, footer_y - 4);
      cairo_stroke(cr_);
    }
  }

  void Paragraph(const Block& block) {
    Space(kBodySize * 0.7);
    double indent = block.number.empty() ? 0 : kNumberWidth;
    LayoutPtr body = Layout(block.text, kTextWidth - indent, document_.text_font, kBodySize, false,
                            PANGO_ALIGN_LEFT);
    pango_layout_set_justify(body.get(), document_.justify);
    // Keep at least two lines with the number.
    PangoLayoutLine* first = pango_layout_get_line_readonly(body.get(), 0);
    PangoRectangle first_line;
    pango_layout_line_get_extents(first, nullptr, &first_line);
    NeedSpace(2.2 * static_cast<double>(first_line.height) / PANGO_SCALE);
    if (!block.number.empty()) {
      LayoutPtr number = Layout(block.number, kNumberWidth, document_.text_font, kBodySize, false, PANGO_ALIGN_LEFT);
      PangoLayoutIter* number_iter = pango_layout_get_iter(number.get());
      PangoLayoutIter* body_iter = pango_layout_get_iter(body.get());
      double baseline = static_cast<double>(pango_layout_iter_get_baseline(body_iter)) / PANGO_SCALE;
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(number_iter, nullptr, &logical);
      cairo_move_to(cr_, X(kMarginSide, kNumberWidth) + static_cast<double>(logical.x) / PANGO_SCALE, y_ + baseline);
      ShowLayoutLine(cr_, pango_layout_iter_get_line_readonly(number_iter));
      pango_layout_iter_free(number_iter);
      pango_layout_iter_free(body_iter);
    }
    Lines(body.get(), X(kMarginSide + indent, kTextWidth - indent));
    for (const auto& item : block.items) {
      Space(3);
      Text(item, kMarginSide + indent + 18, kTextWidth - indent - 18, document_.text_font, kBodySize, false,
           PANGO_ALIGN_LEFT);
    }
  }

  void Notice(const std::string& text) {
    Space(10);
    LayoutPtr layout = Layout(text, kTextWidth - 20, document_.text_font, kBodySize, false, PANGO_ALIGN_LEFT);
    double height = Height(layout.get()) + 16;
    NeedSpace(height);
    cairo_set_source_rgb(cr_, 0.95, 0.95, 0.95);
    cairo_rectangle(cr_, kMarginSide, y_, kTextWidth, height);
    cairo_fill_preserve(cr_);
    cairo_set_source_rgb(cr_, 0.4, 0.4, 0.4);
    cairo_set_line_width(cr_, 0.8);
    cairo_stroke(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    y_ += 8;
    Lines(layout.get(), X(kMarginSide + 10, kTextWidth - 20));
    y_ += 8;
  }

  // Number and title, centred, kept with what follows.
  void Caption(const std::string& number, const std::string& title, const std::string& unit, double keep) {
    LayoutPtr n = Layout(number, kTextWidth, document_.heading_font, kBodySize, false, PANGO_ALIGN_CENTER);
    LayoutPtr t = Layout(title, kTextWidth, document_.heading_font, kBodySize, true, PANGO_ALIGN_CENTER);
    double height = Height(n.get()) + Height(t.get()) + 4;
    LayoutPtr u;
    if (!unit.empty()) {
      u = Layout(unit, kTextWidth, document_.heading_font, kBodySize - 1, false, PANGO_ALIGN_CENTER);
      height += Height(u.get()) + 2;
    }
    Space(12);
    NeedSpace(height + keep);
    Lines(n.get(), kMarginSide);
    Space(2);
    Lines(t.get(), kMarginSide);
    if (u) {
      Space(2);
      Lines(u.get(), kMarginSide);
    }
    Space(6);
  }

  void FigureBlock(const Figure& figure) {
    if (figure.chart) {
      Caption(figure.number, figure.title, figure.unit, kChartHeight);
      ChartStyle style;
      style.font_family = document_.chart_font;
      DrawChart(cr_, *figure.chart, style, kMarginSide, y_, kChartWidth, kChartHeight);
      y_ += kChartHeight + 6;
      return;
    }
    std::vector<LayoutPtr> items;
    double height = 16;
    for (const auto& item : figure.items) {
      items.push_back(Layout(item, kTextWidth - 40, document_.text_font, kBodySize - 0.5, false, PANGO_ALIGN_LEFT));
      height += Height(items.back().get()) + 4;
    }
    Caption(figure.number, figure.title, figure.unit, height);
    double top = y_;
    y_ += 8;
    for (auto& item : items) {
      Lines(item.get(), X(kMarginSide + 20, kTextWidth - 40));
      y_ += 4;
    }
    y_ += 4;
    cairo_set_line_width(cr_, 0.8);
    cairo_rectangle(cr_, kMarginSide + 8, top, kTextWidth - 16, y_ - top);
    cairo_stroke(cr_);
    y_ += 6;
  }

  void TableBlock(const Table& table) {
    const size_t columns = table.header.size();
    if (columns == 0) return;
    const double pad = 5;
    const double column_width = kTextWidth / static_cast<double>(columns);
    auto cell_layout = [&](const std::string& text, size_t column, bool header) {
      bool numeric = column < table.numeric.size() && table.numeric[column];
      return Layout(text, column_width - 2 * pad, header ? document_.heading_font : document_.text_font,
                    kBodySize - 1, header, numeric && !header ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    };
    auto row_layouts = [&](const std::vector<std::string>& cells, bool header) {
      std::vector<LayoutPtr> row;
      for (size_t c = 0; c < columns; ++c) row.push_back(cell_layout(c < cells.size() ? cells[c] : "", c, header));
      return row;
    };
    auto row_height = [&](const std::vector<LayoutPtr>& row) {
      double height = 0;
      for (const auto& cell : row) height = std::max(height, Height(cell.get()));
      return height + 2 * pad;
    };
    auto draw_row = [&](const std::vector<LayoutPtr>& row, double height, bool header) {
      if (header) {
        cairo_set_source_rgb(cr_, 0.92, 0.92, 0.92);
        cairo_rectangle(cr_, kMarginSide, y_, kTextWidth, height);
        cairo_fill(cr_);
        cairo_set_source_rgb(cr_, 0, 0, 0);
      }
      for (size_t c = 0; c < columns; ++c) {
        double logical_x = kMarginSide + column_width * static_cast<double>(c) + pad;
        cairo_move_to(cr_, X(logical_x, column_width - 2 * pad), y_ + pad);
        ShowLayout(cr_, row[c].get());
      }
      y_ += height;
      cairo_set_line_width(cr_, header ? 0.9 : 0.4);
      cairo_move_to(cr_, kMarginSide, y_);
      cairo_line_to(cr_, kPageWidth - kMarginSide, y_);
      cairo_stroke(cr_);
    };
    std::vector<LayoutPtr> header = row_layouts(table.header, true);
    double header_height = row_height(header);
    std::vector<LayoutPtr> first;
    if (!table.rows.empty()) first = row_layouts(table.rows[0], false);
    Caption(table.number, table.title, table.unit, header_height + (first.empty() ? 0 : row_height(first)));
    draw_row(header, header_height, true);
    for (size_t r = 0; r < table.rows.size(); ++r) {
      std::vector<LayoutPtr> row = r == 0 ? std::move(first) : row_layouts(table.rows[r], false);
      double height = row_height(row);
      if (y_ + height > Bottom()) {
        NewPage();
        draw_row(header, header_height, true);  // the header again on the new page
      }
      draw_row(row, height, false);
    }
    for (const auto& note : table.notes) {
      Space(4);
      Text(note, kMarginSide, kTextWidth, document_.text_font, kBodySize - 1.5, false, PANGO_ALIGN_LEFT);
    }
    Space(6);
  }

  const Document& document_;
  bool rtl_ = false;
  PangoContext* context_ = nullptr;
  std::map<std::tuple<std::string, double, bool>, FontPtr> fonts_;
  std::string pdf_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  double y_ = 0;
  int page_ = 1;
};

}  // namespace

Result<std::string> RenderPdf(const Document& document) {
  PdfWriter writer(document);
  return writer.Write();
}

}  // namespace rmis::documents
