// Message catalogues (see messages.h).
#include "documents/messages.h"

#include <unicode/locid.h>
#include <unicode/msgfmt.h>
#include <unicode/parseerr.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace rmis::documents {
namespace {

std::string Utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

void AppendUtf8(std::string& out, uint32_t code_point) {
  icu::UnicodeString one = icu::UnicodeString(static_cast<UChar32>(code_point));
  one.toUTF8String(out);
}

bool IsSetting(const std::string& key) { return key.rfind("style.", 0) == 0; }

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\f");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\f\r");
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace

MessageArgs& MessageArgs::Text(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
  return *this;
}

MessageArgs& MessageArgs::Number(std::string name, double value) {
  items_.emplace_back(std::move(name), value);
  return *this;
}

Result<std::map<std::string, std::pair<std::string, int>>> ReadProperties(const std::string& text,
                                                                           const std::string& file) {
  std::map<std::string, std::pair<std::string, int>> result;
  std::istringstream in(text);
  std::string raw;
  int line_number = 0;
  // A UTF-8 byte-order mark is ignored.
  bool first = true;
  while (std::getline(in, raw)) {
    ++line_number;
    if (first && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);
    first = false;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    std::string logical = raw;
    const int start_line = line_number;
    // A line ending in an odd number of backslashes continues on the next.
    auto continues = [](const std::string& s) {
      size_t n = 0;
      while (n < s.size() && s[s.size() - 1 - n] == '\\') ++n;
      return n % 2 == 1;
    };
    while (continues(logical)) {
      logical.pop_back();
      std::string next;
      if (!std::getline(in, next)) break;
      ++line_number;
      if (!next.empty() && next.back() == '\r') next.pop_back();
      size_t begin = next.find_first_not_of(" \t\f");
      logical += begin == std::string::npos ? "" : next.substr(begin);
    }
    std::string trimmed = Trim(logical);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == '!') continue;
    size_t separator = trimmed.find_first_of("=:");
    if (separator == std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  file + ":" + std::to_string(start_line) + ": expected 'key = value'");
    }
    std::string key = Trim(std::string_view(trimmed).substr(0, separator));
    std::string value_raw = Trim(std::string_view(trimmed).substr(separator + 1));
    if (key.empty()) {
      return Fail(ErrorCode::kInvalidArgument, file + ":" + std::to_string(start_line) + ": empty key");
    }
    std::string value;
    for (size_t i = 0; i < value_raw.size(); ++i) {
      char c = value_raw[i];
      if (c != '\\') {
        value += c;
        continue;
      }
      if (++i >= value_raw.size()) break;
      char e = value_raw[i];
      switch (e) {
        case 'n': value += '\n'; break;
        case 't': value += '\t'; break;
        case 'u': {
          std::string hex = value_raw.substr(i + 1, 4);
          if (hex.size() != 4 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
            return Fail(ErrorCode::kInvalidArgument,
                        file + ":" + std::to_string(start_line) + ": \\u needs four hex digits");
          }
          AppendUtf8(value, static_cast<uint32_t>(std::stoul(hex, nullptr, 16)));
          i += 4;
          break;
        }
        default: value += e; break;  // \\, \=, \:, \#, \ (space)
      }
    }
    if (result.count(key)) {
      return Fail(ErrorCode::kInvalidArgument, file + ":" + std::to_string(start_line) +
                                                   ": key " + key + " is defined twice (first on line " +
                                                   std::to_string(result[key].second) + ")");
    }
    result[key] = {value, start_line};
  }
  return result;
}

Catalog::Catalog() = default;
Catalog::~Catalog() = default;
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;

Result<Catalog> Catalog::Load(const std::string& directory, const std::string& language) {
  std::string path = directory + "/" + language + ".properties";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(ErrorCode::kNotFound,
                "no message catalogue " + path + " (set --messages or RMIS_MESSAGES to the folder that holds it)");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str(), path, language);
}

Result<Catalog> Catalog::Parse(const std::string& text, const std::string& file,
                               const std::string& language) {
  auto entries = ReadProperties(text, file);
  if (!entries) return Fail(ErrorCode::kCorrupt, entries.error().message);
  Catalog catalog;
  catalog.language_ = language;
  catalog.file_ = file;
  for (const auto& [key, value] : *entries) {
    if (IsSetting(key)) catalog.settings_[key] = value.first;
  }
  std::string locale_id = catalog.Setting("style.number_locale", language);
  icu::Locale locale(locale_id.c_str());
  for (const auto& [key, value] : *entries) {
    if (IsSetting(key)) continue;
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse_error{};
    auto format = std::make_unique<icu::MessageFormat>(icu::UnicodeString::fromUTF8(value.first), locale,
                                                       parse_error, status);
    if (U_FAILURE(status)) {
      return Fail(ErrorCode::kCorrupt, file + ":" + std::to_string(value.second) + ": " + key +
                                           ": not a valid ICU MessageFormat pattern (" +
                                           u_errorName(status) + " at offset " +
                                           std::to_string(parse_error.offset) + ")");
    }
    catalog.messages_[key] = std::move(format);
  }
  return catalog;
}

std::string Catalog::Setting(const std::string& key, const std::string& fallback_value) const {
  auto it = settings_.find(key);
  if (it != settings_.end()) return it->second;
  return fallback_value;
}

bool Catalog::Has(const std::string& key) const {
  return messages_.count(key) > 0 || settings_.count(key) > 0;
}

std::vector<std::string> Catalog::Keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, value] : settings_) keys.push_back(key);
  for (const auto& [key, value] : messages_) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string Catalog::Format(const std::string& key, const MessageArgs& args) const {
  auto it = messages_.find(key);
  if (it == messages_.end()) {
    if (fallback_ != nullptr && fallback_->messages_.count(key)) {
      missing_.push_back(key);
      return fallback_->Format(key, args);
    }
    missing_.push_back(key);
    return "[" + key + "]";
  }
  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  names.reserve(args.items().size());
  values.reserve(args.items().size());
  for (const auto& [name, value] : args.items()) {
    names.push_back(icu::UnicodeString::fromUTF8(name));
    if (const auto* text = std::get_if<std::string>(&value)) {
      values.emplace_back(icu::UnicodeString::fromUTF8(*text));
    } else {
      values.emplace_back(std::get<double>(value));
    }
  }
  icu::UnicodeString result;
  UErrorCode status = U_ZERO_ERROR;
  it->second->format(names.data(), values.data(), static_cast<int32_t>(names.size()), result, status);
  if (U_FAILURE(status)) return "[" + key + ": " + u_errorName(status) + "]";
  return Utf8(result);
}

}  // namespace rmis::documents
