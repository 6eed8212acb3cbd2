// Charts: the one chart module that every renderer uses (issue 5, item 4).
//
// A Chart is a description (bars, series, axis labels and legend already in
// the document's language, numbers already formatted by the caller); Draw
// paints it with cairo and pango on any cairo surface, so the PDF gets vector
// graphics, the HTML an SVG, and the DOCX and e-mail a PNG, all the same
// picture. Text is laid out by pango, so Arabic is shaped and runs right to
// left; in a right-to-left document the chart is mirrored (categories run
// from the right, the value axis is on the right).
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace rmis::documents {

struct ChartSeries {
  std::string name;             // the legend entry
  std::vector<double> values;   // one per category
  // Optional labels printed at the end of each bar (e.g. a share); empty or
  // one per category.
  std::vector<std::string> labels;
};

struct Chart {
  enum class Kind {
    kGroupedBars,     // vertical bars, series side by side
    kStackedBars,     // vertical bars, series stacked
    kHorizontalBars,  // horizontal bars, one series
  };
  Kind kind = Kind::kGroupedBars;
  std::vector<std::string> categories;
  std::vector<ChartSeries> series;
  std::string value_axis_label;     // e.g. "Millions of US dollars"
  std::string category_axis_label;  // may be empty
  bool right_to_left = false;
  // The value axis: round values from 0 up, the last one the axis maximum,
  // each with its label in the document's language (ChooseTicks gives the
  // values). Empty: the chart chooses them and prints plain numbers.
  struct Tick {
    double value = 0;
    std::string label;
  };
  std::vector<Tick> ticks;
};

// Round values for the value axis of `chart` (0, step, ..., at least the
// largest bar or stack), and how many decimals the step needs.
struct TickValues {
  std::vector<double> values;
  int decimals = 0;
};
TickValues ChooseTicks(const Chart& chart);

struct ChartStyle {
  std::string font_family = "Noto Sans";
  double font_size = 8.5;  // points (user units)
};

// Draws `chart` into the rectangle (x, y, width, height) of `cr`, in user
// units (points for PDF and SVG, pixels for PNG at scale 1).
void DrawChart(cairo_t* cr, const Chart& chart, const ChartStyle& style, double x, double y, double width,
               double height);

// The chart as a standalone SVG document (width x height points).
Result<std::string> ChartToSvg(const Chart& chart, const ChartStyle& style, double width, double height);

// The chart as a PNG image: width x height points at `scale` pixels a point.
Result<std::string> ChartToPng(const Chart& chart, const ChartStyle& style, double width, double height,
                               double scale);

}  // namespace rmis::documents
