// Drawing pango text so that a PDF's right-to-left text is extracted in
// logical order (issue 5, item 5: "the Arabic text comes out in logical
// order").
//
// pango_cairo_show_layout hands cairo each glyph cluster with its text.
// cairo writes a cluster of one glyph and several characters (the lam-alef
// ligature "لا" is one glyph for two letters) and a cluster of several glyphs
// (a letter and its vowel mark) as one /ActualText span or one ToUnicode
// entry of several characters. That is correct PDF, but text extractors
// that rebuild a line from glyph positions (poppler's pdftotext, and with it
// evince and okular; pdfminer, PyMuPDF) lay those characters out left to
// right in logical order and then reverse the right-to-left line, so "لأ"
// comes out "أل" and "قً" as "ًق" (docs/documents.md, "Arabic in PDF").
//
// ShowLayout and ShowLayoutLine draw the same glyphs at the same positions
// but, in right-to-left runs on a PDF surface, give every character a place
// of its own: a ligature's glyph carries its first letter and each further
// letter, and each mark, is carried by an empty, zero-width glyph of the same
// font placed just before (to the left of) the letter it follows. Every
// glyph then stands for one character, in logical order in the content
// stream and in right-to-left order on the page. On other surfaces (SVG,
// PNG) and in left-to-right runs they are pango's own functions.
#pragma once

#include <pango/pangocairo.h>

namespace rmis::documents {

// Like pango_cairo_show_layout_line: the line's baseline starts at the
// current point.
void ShowLayoutLine(cairo_t* cr, PangoLayoutLine* line);

// Like pango_cairo_show_layout: the layout's top-left corner is at the
// current point.
void ShowLayout(cairo_t* cr, PangoLayout* layout);

}  // namespace rmis::documents
