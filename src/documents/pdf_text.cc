// Right-to-left text on a PDF surface, one glyph per character (see
// pdf_text.h).
#include "documents/pdf_text.h"

#include <cairo-pdf.h>
#include <hb.h>

#include <string>
#include <vector>

namespace rmis::documents {
namespace {

// How far left of its letter a mark's or a ligature's further letter is
// placed, one step further for each: well under any letter's width, and far
// enough apart that cairo writes each at its own position (it merges glyph
// positions closer than about 1/500 em).
constexpr double kCarrierStep = 0.1;  // points

double Units(int pango_units) { return static_cast<double>(pango_units) / PANGO_SCALE; }

bool OnPdf(cairo_t* cr) { return cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_PDF; }

// An empty glyph of no width in `font` (ZERO WIDTH SPACE, else COMBINING
// GRAPHEME JOINER), to carry a character without drawing anything; false
// when the font has none.
bool EmptyGlyph(PangoFont* font, cairo_scaled_font_t* scaled, PangoGlyph* glyph) {
  hb_font_t* hb = pango_font_get_hb_font(font);
  if (hb == nullptr) return false;
  for (hb_codepoint_t code : {0x200Bu, 0x034Fu}) {
    hb_codepoint_t index = 0;
    if (!hb_font_get_nominal_glyph(hb, code, &index)) continue;
    cairo_glyph_t probe{index, 0, 0};
    cairo_text_extents_t extents;
    cairo_scaled_font_glyph_extents(scaled, &probe, 1, &extents);
    if (extents.width == 0 && extents.height == 0 && extents.x_advance == 0) {
      *glyph = index;
      return true;
    }
  }
  return false;
}

bool Drawable(PangoGlyph glyph) { return glyph != PANGO_GLYPH_EMPTY && (glyph & PANGO_GLYPH_UNKNOWN_FLAG) == 0; }

// Draws one right-to-left run whose left edge is at x, baseline y. Returns
// false, having drawn nothing, when the run's font has no empty glyph.
bool ShowRightToLeftRun(cairo_t* cr, const char* text, PangoGlyphItem* run, double x, double y) {
  PangoItem* item = run->item;
  PangoGlyphString* glyphs = run->glyphs;
  cairo_scaled_font_t* scaled = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(item->analysis.font));
  if (scaled == nullptr) return false;
  PangoGlyph empty = 0;
  if (!EmptyGlyph(item->analysis.font, scaled, &empty)) return false;

  // Glyphs are stored in visual order (left to right); their x positions.
  const int n = glyphs->num_glyphs;
  std::vector<double> left(static_cast<size_t>(n));
  double pen = x;
  for (int i = 0; i < n; ++i) {
    left[static_cast<size_t>(i)] = pen + Units(glyphs->glyphs[i].geometry.x_offset);
    pen += Units(glyphs->glyphs[i].geometry.width);
  }
  auto glyph_at = [&](int i) {
    const PangoGlyphInfo& info = glyphs->glyphs[i];
    return cairo_glyph_t{info.glyph, left[static_cast<size_t>(i)], y + Units(info.geometry.y_offset)};
  };

  // What cairo gets: glyphs in logical order, each with its characters.
  std::string utf8;
  std::vector<cairo_glyph_t> out;
  std::vector<cairo_text_cluster_t> clusters;
  auto emit = [&](cairo_glyph_t glyph, const char* chars, int bytes) {
    out.push_back(glyph);
    utf8.append(chars, static_cast<size_t>(bytes));
    clusters.push_back(cairo_text_cluster_t{bytes, 1});
  };
  const char* run_text = text + item->offset;
  double base_left = 0;  // the left edge of the last letter drawn
  bool have_base = false;
  int carried = 0;  // characters carried for that letter so far
  auto carry = [&](const char* chars, int bytes) {
    ++carried;
    emit(cairo_glyph_t{empty, base_left - kCarrierStep * carried, y}, chars, bytes);
  };

  // Clusters in logical order: from the rightmost glyph to the leftmost.
  for (int i = n - 1; i >= 0;) {
    const int start = glyphs->log_clusters[i];
    int j = i;
    while (j >= 0 && glyphs->log_clusters[j] == start) --j;  // glyphs i .. j+1
    const int end = j >= 0 ? glyphs->log_clusters[j] : item->length;
    const char* chars = run_text + start;
    const char* chars_end = run_text + end;

    // The cluster's letter: its first glyph that advances the pen.
    int letter = -1;
    for (int k = i; k > j; --k) {
      if (Drawable(glyphs->glyphs[k].glyph) && glyphs->glyphs[k].geometry.width > 0) {
        letter = k;
        break;
      }
    }
    bool any_drawable = false;
    for (int k = i; k > j; --k) any_drawable = any_drawable || Drawable(glyphs->glyphs[k].glyph);
    if (!any_drawable) {
      i = j;  // nothing to see (a joiner, a direction mark): no text either
      continue;
    }
    const char* rest = chars;
    if (letter >= 0 || !have_base) {
      // A letter (or a mark with no letter before it in this run): its
      // glyph carries its first character.
      if (letter < 0) {
        for (int k = i; k > j; --k) {
          if (Drawable(glyphs->glyphs[k].glyph)) {
            letter = k;
            break;
          }
        }
      }
      rest = g_utf8_next_char(chars);
      emit(glyph_at(letter), chars, static_cast<int>(rest - chars));
      base_left = left[static_cast<size_t>(letter)];
      have_base = true;
      carried = 0;
    }
    // The cluster's other glyphs (marks drawn with it) carry no text.
    for (int k = i; k > j; --k) {
      if (k == letter || !Drawable(glyphs->glyphs[k].glyph)) continue;
      out.push_back(glyph_at(k));
      clusters.push_back(cairo_text_cluster_t{0, 1});
    }
    // Its further characters (a ligature's second letter, marks) each get
    // an empty glyph just left of the letter.
    for (const char* c = rest; c < chars_end;) {
      const char* next = g_utf8_next_char(c);
      carry(c, static_cast<int>(next - c));
      c = next;
    }
    i = j;
  }
  if (out.empty()) return true;
  cairo_set_scaled_font(cr, scaled);
  cairo_show_text_glyphs(cr, utf8.data(), static_cast<int>(utf8.size()), out.data(), static_cast<int>(out.size()),
                         clusters.data(), static_cast<int>(clusters.size()), static_cast<cairo_text_cluster_flags_t>(0));
  return true;
}

}  // namespace

void ShowLayoutLine(cairo_t* cr, PangoLayoutLine* line) {
  bool rtl = false;
  for (GSList* run = line->runs; run != nullptr && !rtl; run = run->next) {
    rtl = (static_cast<PangoGlyphItem*>(run->data)->item->analysis.level & 1) != 0;
  }
  if (!rtl || !OnPdf(cr)) {
    pango_cairo_show_layout_line(cr, line);
    return;
  }
  double x = 0, y = 0;
  cairo_get_current_point(cr, &x, &y);
  const char* text = pango_layout_get_text(line->layout);
  for (GSList* node = line->runs; node != nullptr; node = node->next) {
    auto* run = static_cast<PangoGlyphItem*>(node->data);
    double width = Units(pango_glyph_string_get_width(run->glyphs));
    bool drawn = false;
    if ((run->item->analysis.level & 1) != 0) drawn = ShowRightToLeftRun(cr, text, run, x, y);
    if (!drawn) {
      cairo_move_to(cr, x, y);
      pango_cairo_show_glyph_item(cr, text, run);
    }
    x += width;
  }
  cairo_move_to(cr, x, y);
}

void ShowLayout(cairo_t* cr, PangoLayout* layout) {
  if (!OnPdf(cr)) {
    pango_cairo_show_layout(cr, layout);
    return;
  }
  double x = 0, y = 0;
  cairo_get_current_point(cr, &x, &y);
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(iter, nullptr, &logical);
    cairo_move_to(cr, x + Units(logical.x), y + Units(pango_layout_iter_get_baseline(iter)));
    ShowLayoutLine(cr, pango_layout_iter_get_line_readonly(iter));
  } while (pango_layout_iter_next_line(iter));
  pango_layout_iter_free(iter);
  cairo_move_to(cr, x, y);
}

}  // namespace rmis::documents
