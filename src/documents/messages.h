// Message catalogues: the wording of the documents in each language, kept in
// files that a translator edits without recompiling (issue 5, item 3).
//
// A catalogue is a UTF-8 `.properties` file (the Java/ICU convention that
// translation tools such as Weblate, Crowdin and Poedit read): `key = value`
// lines, `#` comments, a trailing backslash to continue a line, and the
// escapes \n \t \\ \uXXXX. Keys under `style.` are plain settings (the
// editorial number style, fonts, date patterns: docs/documents.md); every
// other value is an ICU MessageFormat pattern with named arguments, so plural
// and select rules come from ICU (`{n, plural, one {...} other {...}}`).
//
// Every pattern is compiled when the catalogue is loaded, so a broken pattern
// is reported with its file and line before any document is written.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class MessageFormat;
U_NAMESPACE_END

namespace rmis::documents {

// The named arguments of one message: strings (already formatted numbers,
// names, dates) and numbers (for plural and select).
class MessageArgs {
 public:
  MessageArgs& Text(std::string name, std::string value);
  MessageArgs& Number(std::string name, double value);
  const std::vector<std::pair<std::string, std::variant<std::string, double>>>& items() const {
    return items_;
  }

 private:
  std::vector<std::pair<std::string, std::variant<std::string, double>>> items_;
};

// Reads a .properties file into key -> (value, line). Fails (kInvalidArgument)
// with "FILE:LINE: ..." on a malformed line or escape.
Result<std::map<std::string, std::pair<std::string, int>>> ReadProperties(const std::string& text,
                                                                           const std::string& file);

class Catalog {
 public:
  Catalog();
  ~Catalog();
  Catalog(Catalog&&) noexcept;
  Catalog& operator=(Catalog&&) noexcept;

  // Loads `<directory>/<language>.properties`. The patterns are compiled for
  // the locale named by the catalogue's `style.number_locale` (default: the
  // language). Fails with kNotFound when the file is missing and kCorrupt
  // (naming file and line) when a line or a pattern is malformed.
  static Result<Catalog> Load(const std::string& directory, const std::string& language);
  // The same from text already read (for tests); `file` names it in errors.
  static Result<Catalog> Parse(const std::string& text, const std::string& file,
                               const std::string& language);

  // A catalogue consulted for keys this one lacks (the English one). The
  // fallback must outlive this catalogue.
  void SetFallback(const Catalog* fallback) { fallback_ = fallback; }

  const std::string& language() const { return language_; }
  const std::string& file() const { return file_; }

  // A plain setting (`style.*`), or `fallback_value` when absent.
  std::string Setting(const std::string& key, const std::string& fallback_value = "") const;
  bool Has(const std::string& key) const;
  // Keys of every message and setting, sorted.
  std::vector<std::string> Keys() const;

  // Formats message `key` with `args`. A key missing here and in the
  // fallback gives "[key]" so that the gap is visible in the document;
  // Missing() lists such keys.
  std::string Format(const std::string& key, const MessageArgs& args = MessageArgs()) const;
  const std::vector<std::string>& Missing() const { return missing_; }

 private:
  std::string language_;
  std::string file_;
  std::map<std::string, std::string> settings_;
  std::map<std::string, std::unique_ptr<icu::MessageFormat>> messages_;
  const Catalog* fallback_ = nullptr;
  mutable std::vector<std::string> missing_;
};

}  // namespace rmis::documents
