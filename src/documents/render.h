// Renderers: the last stage, from a Document to bytes in one format. They
// lay out what the composer wrote and compute nothing.
//
//   PDF       cairo + pango: A4, embedded subset fonts (Noto), text that can
//             be searched and copied, charts as vector graphics.
//   HTML      one self-contained page that prints well (@page rules), charts
//             as inline SVG drawn by the same chart module.
//   Markdown  GitHub-flavoured; charts as SVG files beside it.
//   DOCX      pandoc (Debian's) converts an HTML rendering whose charts are
//             PNG files; see docs/documents.md for why pandoc.
//   E-mail    a MIME message (GMime): text/plain and text/html alternatives,
//             the charts as PNG parts the HTML refers to by cid:.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "documents/document.h"
#include "ledger/types.h"

namespace rmis::documents {

enum class OutputFormat { kPdf, kDocx, kHtml, kMarkdown, kEmail };

// "pdf", "docx", "html", "md", "eml".
Result<OutputFormat> ParseOutputFormat(std::string_view name);

// A rendered document: the main file's bytes and the files that go beside it
// (Markdown's chart images), each named relative to the main file's folder.
struct Rendered {
  std::string main;
  std::vector<std::pair<std::string, std::string>> companions;
};

struct EmailOptions {
  std::string from = "UN-Habitat Resource Mobilization <resource.mobilization@example.org>";
  std::string to = "undisclosed-recipients:;";
  ledger::Instant date = 0;  // the Date header, seconds since the epoch
};

struct RenderOptions {
  // The stem of companion file names ("report" gives "report.figure-2.svg").
  std::string stem = "document";
  // The pandoc program, for DOCX.
  std::string pandoc = "pandoc";
  EmailOptions email;
};

// Chart sizes in points (the text width of an A4 page with its margins).
inline constexpr double kChartWidth = 451.0;
inline constexpr double kChartHeight = 230.0;

Result<Rendered> Render(const Document& document, OutputFormat format, const RenderOptions& options);

// The individual renderers.
Result<std::string> RenderPdf(const Document& document);
// `images`: how charts appear in the HTML.
enum class HtmlImages { kInlineSvg, kPngFiles, kContentId };
struct HtmlRendering {
  std::string html;
  // For kPngFiles and kContentId: (file name or content id, PNG bytes).
  std::vector<std::pair<std::string, std::string>> images;
};
Result<HtmlRendering> RenderHtml(const Document& document, HtmlImages images);
Result<Rendered> RenderMarkdown(const Document& document, const std::string& stem);
std::string RenderPlainText(const Document& document);
Result<std::string> RenderDocx(const Document& document, const std::string& pandoc);
Result<std::string> RenderEmail(const Document& document, const EmailOptions& options);

// Escapes text for HTML (& < > " ').
std::string EscapeHtml(std::string_view text);

}  // namespace rmis::documents
