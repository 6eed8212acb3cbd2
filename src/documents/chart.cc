// Bar charts drawn with cairo and pango (see chart.h).
#include "documents/chart.h"

#include <cairo-svg.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "documents/pdf_text.h"

namespace rmis::documents {
namespace {

struct Rgb {
  double r, g, b;
};

// Series colours: UN blue, a lighter blue, then contrasting tones; chosen to
// stay distinct in grey print.
constexpr Rgb kPalette[] = {
    {0.000, 0.310, 0.600}, {0.608, 0.765, 0.902}, {0.949, 0.647, 0.255},
    {0.416, 0.659, 0.310}, {0.600, 0.400, 0.700}, {0.800, 0.300, 0.300},
};
constexpr Rgb kInk = {0.15, 0.15, 0.15};
constexpr Rgb kGrid = {0.82, 0.82, 0.82};

void SetColour(cairo_t* cr, const Rgb& c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

// A nice step for about `count` ticks up to `max`.
double NiceStep(double max, int count) {
  if (max <= 0) return 1;
  double raw = max / count;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double fraction = raw / magnitude;
  double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * magnitude;
}

int DecimalsOf(double step) {
  int decimals = 0;
  while (decimals < 6 && std::fabs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-9) {
    ++decimals;
  }
  return decimals;
}

class Painter {
 public:
  Painter(cairo_t* cr, const ChartStyle& style, bool rtl) : cr_(cr), rtl_(rtl) {
    layout_ = pango_cairo_create_layout(cr);
    PangoContext* context = pango_layout_get_context(layout_);
    pango_context_set_base_dir(context, rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
    // Unrounded glyph positions (see render_pdf.cc): charts are vector art.
    pango_context_set_round_glyph_positions(context, FALSE);
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(context, options);
    cairo_font_options_destroy(options);
    pango_layout_set_auto_dir(layout_, FALSE);
    font_ = pango_font_description_from_string(style.font_family.c_str());
    pango_font_description_set_absolute_size(font_, style.font_size * PANGO_SCALE);
    pango_layout_set_font_description(layout_, font_);
    pango_layout_context_changed(layout_);
  }
  ~Painter() {
    pango_font_description_free(font_);
    g_object_unref(layout_);
  }
  Painter(const Painter&) = delete;
  Painter& operator=(const Painter&) = delete;

  // Sets the text and width (-1: no wrapping); returns the ink size.
  std::pair<double, double> Measure(const std::string& text, double width, bool bold = false) {
    Prepare(text, width, PANGO_ALIGN_LEFT, bold);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return {static_cast<double>(w) / PANGO_SCALE, static_cast<double>(h) / PANGO_SCALE};
  }

  // Draws text in the box whose top-left corner is (x, y). `align` is
  // logical: in a right-to-left chart, "start" is the right.
  void Text(const std::string& text, double x, double y, double width, PangoAlignment align,
            const Rgb& colour = kInk, bool bold = false) {
    Prepare(text, width, align, bold);
    SetColour(cr_, colour);
    if (width < 0) {
      int w = 0, h = 0;
      pango_layout_get_size(layout_, &w, &h);
      double text_width = static_cast<double>(w) / PANGO_SCALE;
      if (align == PANGO_ALIGN_CENTER) x -= text_width / 2;
      if (align == PANGO_ALIGN_RIGHT) x -= text_width;
    }
    cairo_move_to(cr_, x, y);
    ShowLayout(cr_, layout_);
  }

  // Text turned a quarter anticlockwise, centred on (cx, cy).
  void VerticalText(const std::string& text, double cx, double cy) {
    auto [w, h] = Measure(text, -1);
    cairo_save(cr_);
    cairo_translate(cr_, cx, cy);
    cairo_rotate(cr_, -M_PI / 2);
    pango_cairo_update_layout(cr_, layout_);
    SetColour(cr_, kInk);
    cairo_move_to(cr_, -w / 2, -h / 2);
    ShowLayout(cr_, layout_);
    cairo_restore(cr_);
    pango_cairo_update_layout(cr_, layout_);
  }

  bool rtl() const { return rtl_; }

 private:
  void Prepare(const std::string& text, double width, PangoAlignment align, bool bold) {
    pango_font_description_set_weight(font_, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout_, font_);
    pango_layout_set_text(layout_, text.c_str(), -1);
    pango_layout_set_width(layout_, width < 0 ? -1 : static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    // Alignment is physical in pango; callers speak of the start and end of
    // the line, which swap in a right-to-left chart.
    if (rtl_ && align != PANGO_ALIGN_CENTER) align = align == PANGO_ALIGN_LEFT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
    pango_layout_set_alignment(layout_, align);
  }

  cairo_t* cr_;
  bool rtl_;
  PangoLayout* layout_ = nullptr;
  PangoFontDescription* font_ = nullptr;
};

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

TickValues ChooseTicks(const Chart& chart) {
  double max_value = 0;
  for (size_t c = 0; c < chart.categories.size(); ++c) {
    double stack = 0;
    for (const auto& series : chart.series) {
      double v = c < series.values.size() ? std::max(0.0, series.values[c]) : 0.0;
      if (chart.kind == Chart::Kind::kStackedBars) {
        stack += v;
      } else {
        max_value = std::max(max_value, v);
      }
    }
    max_value = std::max(max_value, stack);
  }
  TickValues result;
  const double step = NiceStep(max_value, 5);
  const int count = std::max(1, static_cast<int>(std::ceil(max_value / step - 1e-9)));
  for (int t = 0; t <= count; ++t) result.values.push_back(step * t);
  result.decimals = DecimalsOf(step);
  return result;
}

void DrawChart(cairo_t* cr, const Chart& chart, const ChartStyle& style, double x, double y, double width,
               double height) {
  cairo_save(cr);
  Painter paint(cr, style, chart.right_to_left);
  const bool rtl = chart.right_to_left;
  const double pad = style.font_size * 0.6;
  const double line = paint.Measure("Ag", -1).second;
  // Mirrors an x coordinate of a left-to-right layout for right-to-left.
  auto mirror_x = [&](double left, double w) { return rtl ? x + width - (left - x) - w : left; };

  // Legend, across the top.
  double top = y;
  if (!chart.series.empty() && (chart.series.size() > 1 || !chart.series[0].name.empty())) {
    double cursor = x;
    double swatch = line * 0.7;
    for (size_t s = 0; s < chart.series.size(); ++s) {
      double text_width = paint.Measure(chart.series[s].name, -1).first;
      double item_width = swatch + pad / 2 + text_width + pad * 2;
      if (cursor + item_width > x + width && cursor > x) {
        cursor = x;
        top += line + pad / 2;
      }
      SetColour(cr, kPalette[s % std::size(kPalette)]);
      cairo_rectangle(cr, mirror_x(cursor, swatch), top + (line - swatch) / 2, swatch, swatch);
      cairo_fill(cr);
      double text_left = cursor + swatch + pad / 2;
      paint.Text(chart.series[s].name, mirror_x(text_left, text_width), top, text_width + 1, PANGO_ALIGN_LEFT);
      cursor += item_width;
    }
    top += line + pad;
  }

  // The value axis.
  std::vector<Chart::Tick> ticks_list = chart.ticks;
  if (ticks_list.size() < 2) {
    TickValues chosen = ChooseTicks(chart);
    ticks_list.clear();
    for (double v : chosen.values) {
      char text[32];
      std::snprintf(text, sizeof text, "%.*f", chosen.decimals, v);
      ticks_list.push_back({v, text});
    }
  }
  const int ticks = static_cast<int>(ticks_list.size()) - 1;
  const double axis_max = ticks_list.back().value;
  auto tick_text = [&](int t) { return ticks_list[static_cast<size_t>(t)].label; };
  auto tick_value = [&](int t) { return ticks_list[static_cast<size_t>(t)].value; };
  double tick_width = 0;
  for (int t = 0; t <= ticks; ++t) tick_width = std::max(tick_width, paint.Measure(tick_text(t), -1).first);

  if (chart.kind == Chart::Kind::kHorizontalBars) {
    // Category labels at the start, bars growing towards the end, value
    // ticks and the axis label below.
    double label_width = 0;
    for (const auto& c : chart.categories) label_width = std::max(label_width, paint.Measure(c, -1).first);
    label_width = std::min(label_width, width * 0.35);
    const double bottom_space = line * 2 + pad * 2;
    const double plot_left = x + label_width + pad;
    const double plot_right = x + width - tick_width / 2 - pad * 4;
    const double plot_top = top;
    const double plot_bottom = y + height - bottom_space;
    const double plot_width = plot_right - plot_left;
    const size_t n = std::max<size_t>(1, chart.categories.size());
    const double slot = (plot_bottom - plot_top) / static_cast<double>(n);
    cairo_set_line_width(cr, 0.5);
    for (int t = 0; t <= ticks; ++t) {
      double gx = plot_left + plot_width * tick_value(t) / axis_max;
      SetColour(cr, kGrid);
      cairo_move_to(cr, mirror_x(gx, 0), plot_top);
      cairo_line_to(cr, mirror_x(gx, 0), plot_bottom);
      cairo_stroke(cr);
      paint.Text(tick_text(t), mirror_x(gx, 0), plot_bottom + pad / 2, -1, PANGO_ALIGN_CENTER);
    }
    if (!chart.value_axis_label.empty()) {
      paint.Text(chart.value_axis_label, mirror_x(plot_left, plot_width), plot_bottom + line + pad, plot_width,
                 PANGO_ALIGN_CENTER);
    }
    const ChartSeries* series = chart.series.empty() ? nullptr : &chart.series[0];
    for (size_t c = 0; c < chart.categories.size(); ++c) {
      double cy = plot_top + slot * static_cast<double>(c);
      double label_h = paint.Measure(chart.categories[c], label_width).second;
      paint.Text(chart.categories[c], mirror_x(x, label_width), cy + (slot - label_h) / 2, label_width,
                 PANGO_ALIGN_RIGHT);
      if (series == nullptr || c >= series->values.size()) continue;
      double v = std::max(0.0, series->values[c]);
      double bar = axis_max > 0 ? plot_width * v / axis_max : 0;
      double bar_h = slot * 0.6;
      SetColour(cr, kPalette[0]);
      cairo_rectangle(cr, mirror_x(plot_left, bar), cy + (slot - bar_h) / 2, bar, bar_h);
      cairo_fill(cr);
      if (c < series->labels.size() && !series->labels[c].empty()) {
        double text_w = paint.Measure(series->labels[c], -1).first;
        double th = paint.Measure(series->labels[c], -1).second;
        paint.Text(series->labels[c], mirror_x(plot_left + bar + pad / 2, text_w), cy + (slot - th) / 2, text_w + 1,
                   PANGO_ALIGN_LEFT);
      }
    }
    SetColour(cr, kInk);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, mirror_x(plot_left, 0), plot_top);
    cairo_line_to(cr, mirror_x(plot_left, 0), plot_bottom);
    cairo_stroke(cr);
    cairo_restore(cr);
    return;
  }

  // Vertical bars: the axis label turned along the value axis, ticks beside
  // it, categories below the bars.
  double category_height = 0;
  const size_t n = std::max<size_t>(1, chart.categories.size());
  const double axis_label_space = chart.value_axis_label.empty() ? 0 : line + pad;
  const double plot_left = x + axis_label_space + tick_width + pad;
  const double plot_right = x + width - pad;
  const double plot_width = plot_right - plot_left;
  const double slot = plot_width / static_cast<double>(n);
  for (const auto& c : chart.categories) {
    category_height = std::max(category_height, paint.Measure(c, slot - pad).second);
  }
  const double category_axis_space = chart.category_axis_label.empty() ? 0 : line + pad;
  const double plot_top = top + line / 2;
  const double plot_bottom = y + height - category_height - pad - category_axis_space;
  const double plot_height = plot_bottom - plot_top;

  cairo_set_line_width(cr, 0.5);
  for (int t = 0; t <= ticks; ++t) {
    double gy = plot_bottom - plot_height * tick_value(t) / axis_max;
    SetColour(cr, kGrid);
    cairo_move_to(cr, mirror_x(plot_left, plot_width), gy);
    cairo_line_to(cr, mirror_x(plot_left, plot_width) + plot_width, gy);
    cairo_stroke(cr);
    std::string label = tick_text(t);
    double lw = paint.Measure(label, -1).first;
    paint.Text(label, mirror_x(plot_left - pad / 2 - lw, lw), gy - line / 2, lw + 1, PANGO_ALIGN_RIGHT);
  }
  if (!chart.value_axis_label.empty()) {
    double cx = mirror_x(x, line) + line / 2;
    paint.VerticalText(chart.value_axis_label, cx, (plot_top + plot_bottom) / 2);
  }
  const size_t series_count = std::max<size_t>(1, chart.series.size());
  const double group_width = slot * 0.7;
  for (size_t c = 0; c < chart.categories.size(); ++c) {
    double slot_left = plot_left + slot * static_cast<double>(c);
    paint.Text(chart.categories[c], mirror_x(slot_left + pad / 2, slot - pad), plot_bottom + pad / 2, slot - pad,
               PANGO_ALIGN_CENTER);
    double stack = 0;
    for (size_t s = 0; s < chart.series.size(); ++s) {
      const ChartSeries& series = chart.series[s];
      double v = c < series.values.size() ? std::max(0.0, series.values[c]) : 0.0;
      double bar_h = axis_max > 0 ? plot_height * v / axis_max : 0;
      double bar_left, bar_w, bar_top;
      if (chart.kind == Chart::Kind::kStackedBars) {
        bar_w = group_width;
        bar_left = slot_left + (slot - bar_w) / 2;
        bar_top = plot_bottom - plot_height * stack / axis_max - bar_h;
        stack += v;
      } else {
        bar_w = group_width / static_cast<double>(series_count);
        bar_left = slot_left + (slot - group_width) / 2 + bar_w * static_cast<double>(s);
        bar_top = plot_bottom - bar_h;
      }
      SetColour(cr, kPalette[s % std::size(kPalette)]);
      cairo_rectangle(cr, mirror_x(bar_left, bar_w), bar_top, bar_w, bar_h);
      cairo_fill(cr);
      if (c < series.labels.size() && !series.labels[c].empty()) {
        auto [tw, th] = paint.Measure(series.labels[c], -1);
        paint.Text(series.labels[c], mirror_x(bar_left + bar_w / 2, 0), bar_top - th - 1, -1, PANGO_ALIGN_CENTER);
        (void)tw;
      }
    }
  }
  if (!chart.category_axis_label.empty()) {
    paint.Text(chart.category_axis_label, mirror_x(plot_left, plot_width), plot_bottom + category_height + pad,
               plot_width, PANGO_ALIGN_CENTER);
  }
  SetColour(cr, kInk);
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, mirror_x(plot_left, plot_width), plot_bottom);
  cairo_line_to(cr, mirror_x(plot_left, plot_width) + plot_width, plot_bottom);
  cairo_stroke(cr);
  cairo_restore(cr);
}

Result<std::string> ChartToSvg(const Chart& chart, const ChartStyle& style, double width, double height) {
  std::string svg;
  cairo_surface_t* surface = cairo_svg_surface_create_for_stream(AppendToString, &svg, width, height);
  cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  DrawChart(cr, chart, style, 0, 0, width, height);
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Fail(ErrorCode::kInternal, std::string("drawing a chart failed: ") + cairo_status_to_string(status));
  }
  return svg;
}

Result<std::string> ChartToPng(const Chart& chart, const ChartStyle& style, double width, double height,
                               double scale) {
  int pixel_width = static_cast<int>(std::ceil(width * scale));
  int pixel_height = static_cast<int>(std::ceil(height * scale));
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixel_width, pixel_height);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_scale(cr, scale, scale);
  DrawChart(cr, chart, style, 0, 0, width, height);
  std::string png;
  cairo_status_t status = cairo_status(cr);
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_write_to_png_stream(surface, AppendToString, &png);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Fail(ErrorCode::kInternal, std::string("drawing a chart failed: ") + cairo_status_to_string(status));
  }
  return png;
}

}  // namespace rmis::documents
