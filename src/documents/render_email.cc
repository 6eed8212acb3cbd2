// The e-mail renderer (see render.h): a MIME message built with GMime, the
// standard MIME library in Debian, so that headers are encoded (RFC 2047),
// lines folded and bodies transfer-encoded as the RFCs require.
#include <gmime/gmime.h>

#include <mutex>

#include "documents/render.h"

namespace rmis::documents {
namespace {

void InitializeGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// A text part in UTF-8, quoted-printable (readable in any mail source view).
GMimePart* TextPart(const char* subtype, const std::string& text) {
  GMimePart* part = g_mime_part_new_with_type("text", subtype);
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(text.data(), text.size());
  GMimeDataWrapper* content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content(part, content);
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  g_object_unref(content);
  g_object_unref(stream);
  return part;
}

GMimePart* ImagePart(const std::string& name, const std::string& png) {
  GMimePart* part = g_mime_part_new_with_type("image", "png");
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(png.data(), png.size());
  GMimeDataWrapper* content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content(part, content);
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
  g_mime_part_set_content_id(part, (name + "@rmis.invalid").c_str());
  g_mime_part_set_filename(part, name.c_str());
  GMimeContentDisposition* disposition = g_mime_content_disposition_parse(nullptr, "inline");
  g_mime_content_disposition_set_parameter(disposition, "filename", name.c_str());
  g_mime_object_set_content_disposition(GMIME_OBJECT(part), disposition);
  g_object_unref(disposition);
  g_object_unref(content);
  g_object_unref(stream);
  return part;
}

}  // namespace

Result<std::string> RenderEmail(const Document& document, const EmailOptions& options) {
  InitializeGMime();
  auto html = RenderHtml(document, HtmlImages::kContentId);
  if (!html) return tl::unexpected(html.error());

  GMimeMessage* message = g_mime_message_new(TRUE);
  InternetAddressList* from = internet_address_list_parse(nullptr, options.from.c_str());
  InternetAddressList* to = internet_address_list_parse(nullptr, options.to.c_str());
  if (from == nullptr || internet_address_list_length(from) == 0) {
    if (from) g_object_unref(from);
    if (to) g_object_unref(to);
    g_object_unref(message);
    return Fail(ErrorCode::kInvalidArgument, "--from: not an e-mail address: " + options.from);
  }
  internet_address_list_append(g_mime_message_get_from(message), from);
  if (to != nullptr) internet_address_list_append(g_mime_message_get_to(message), to);
  g_object_unref(from);
  if (to) g_object_unref(to);
  g_mime_message_set_subject(message, document.running_title.c_str(), "utf-8");
  GDateTime* date = g_date_time_new_from_unix_utc(options.date);
  g_mime_message_set_date(message, date);
  g_date_time_unref(date);
  char* id = g_mime_utils_generate_message_id("rmis.invalid");
  g_mime_message_set_message_id(message, id);
  g_free(id);
  g_mime_object_set_header(GMIME_OBJECT(message), "Content-Language", document.language.c_str(), "utf-8");

  GMimeMultipart* alternative = g_mime_multipart_new_with_subtype("alternative");
  GMimePart* plain = TextPart("plain", RenderPlainText(document));
  g_mime_multipart_add(alternative, GMIME_OBJECT(plain));
  g_object_unref(plain);
  GMimePart* html_part = TextPart("html", html->html);
  if (html->images.empty()) {
    g_mime_multipart_add(alternative, GMIME_OBJECT(html_part));
  } else {
    GMimeMultipart* related = g_mime_multipart_new_with_subtype("related");
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(related), "type", "text/html");
    g_mime_multipart_add(related, GMIME_OBJECT(html_part));
    for (const auto& [name, png] : html->images) {
      GMimePart* image = ImagePart(name, png);
      g_mime_multipart_add(related, GMIME_OBJECT(image));
      g_object_unref(image);
    }
    g_mime_multipart_add(alternative, GMIME_OBJECT(related));
    g_object_unref(related);
  }
  g_object_unref(html_part);
  g_mime_message_set_mime_part(message, GMIME_OBJECT(alternative));
  g_object_unref(alternative);

  GMimeFormatOptions* format = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_DOS);
  char* text = g_mime_object_to_string(GMIME_OBJECT(message), format);
  std::string result = text ? text : "";
  g_free(text);
  g_mime_format_options_free(format);
  g_object_unref(message);
  if (result.empty()) return Fail(ErrorCode::kInternal, "writing the e-mail failed");
  return result;
}

}  // namespace rmis::documents
