// Choosing a renderer (see render.h).
#include "documents/render.h"

namespace rmis::documents {

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "pdf") return OutputFormat::kPdf;
  if (name == "docx") return OutputFormat::kDocx;
  if (name == "html") return OutputFormat::kHtml;
  if (name == "md") return OutputFormat::kMarkdown;
  if (name == "eml") return OutputFormat::kEmail;
  return Fail(ErrorCode::kInvalidArgument,
              "unknown format \"" + std::string(name) + "\" (the formats are pdf, docx, html, md, eml)");
}

Result<Rendered> Render(const Document& document, OutputFormat format, const RenderOptions& options) {
  Rendered rendered;
  switch (format) {
    case OutputFormat::kPdf: {
      auto pdf = RenderPdf(document);
      if (!pdf) return tl::unexpected(pdf.error());
      rendered.main = std::move(*pdf);
      return rendered;
    }
    case OutputFormat::kDocx: {
      auto docx = RenderDocx(document, options.pandoc);
      if (!docx) return tl::unexpected(docx.error());
      rendered.main = std::move(*docx);
      return rendered;
    }
    case OutputFormat::kHtml: {
      auto html = RenderHtml(document, HtmlImages::kInlineSvg);
      if (!html) return tl::unexpected(html.error());
      rendered.main = std::move(html->html);
      return rendered;
    }
    case OutputFormat::kMarkdown:
      return RenderMarkdown(document, options.stem);
    case OutputFormat::kEmail: {
      auto email = RenderEmail(document, options.email);
      if (!email) return tl::unexpected(email.error());
      rendered.main = std::move(*email);
      return rendered;
    }
  }
  return Fail(ErrorCode::kInternal, "unknown output format");
}

}  // namespace rmis::documents
