// Narrative files (see narrative.h).
#include "documents/narrative.h"

#include <sstream>

namespace rmis::documents {
namespace {

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

void AppendText(std::string& to, const std::string& text) {
  if (to.empty()) {
    to = text;
    return;
  }
  auto is_wide = [](const std::string& s, bool at_end) {
    if (s.empty()) return false;
    // The lead byte of the last/first UTF-8 character: CJK ideographs and
    // punctuation are three-byte sequences starting with E2..E9 or EF.
    size_t i = at_end ? s.size() - 1 : 0;
    if (at_end) {
      while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    }
    unsigned char lead = static_cast<unsigned char>(s[i]);
    return lead >= 0xE3 && lead <= 0xEF && lead != 0xE2;
  };
  if (is_wide(to, true) || is_wide(text, false)) {
    to += text;
  } else {
    to += " " + text;
  }
}

namespace {
const std::vector<NarrativeParagraph> kNone;
}

const std::vector<NarrativeParagraph>& Narrative::Before(const std::string& section) const {
  auto it = before.find(section);
  return it == before.end() ? kNone : it->second;
}
const std::vector<NarrativeParagraph>& Narrative::After(const std::string& section) const {
  auto it = after.find(section);
  return it == after.end() ? kNone : it->second;
}
std::string Narrative::Prepend(const std::string& section) const {
  auto it = prepend.find(section);
  return it == prepend.end() ? "" : it->second;
}
std::string Narrative::Append(const std::string& section) const {
  auto it = append.find(section);
  return it == append.end() ? "" : it->second;
}
std::string Narrative::Header(const std::string& key, const std::string& fallback) const {
  auto it = header.find(key);
  return it == header.end() ? fallback : it->second;
}

Result<Narrative> ParseNarrative(const std::string& text, const std::string& file,
                                 const std::set<std::string>& sections,
                                 const std::set<std::string>& header_keys) {
  Narrative narrative;
  narrative.file = file;
  std::istringstream in(text);
  std::string raw;
  int line_number = 0;
  enum class Place { kNone, kHeader, kBefore, kAfter, kPrepend, kAppend } place = Place::kNone;
  std::string section;
  std::vector<NarrativeParagraph>* paragraphs = nullptr;
  std::string* sentences = nullptr;
  bool paragraph_open = false;
  auto where = [&] { return file + ":" + std::to_string(line_number) + ": "; };
  while (std::getline(in, raw)) {
    ++line_number;
    if (line_number == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);
    std::string line = Trim(raw);
    if (!line.empty() && line[0] == '#') continue;
    if (!line.empty() && line.front() == '[' && line.back() == ']') {
      std::string name = line.substr(1, line.size() - 2);
      paragraph_open = false;
      paragraphs = nullptr;
      sentences = nullptr;
      if (name == "header") {
        place = Place::kHeader;
        continue;
      }
      size_t colon = name.find(':');
      std::string place_name = colon == std::string::npos ? name : name.substr(0, colon);
      section = colon == std::string::npos ? "" : name.substr(colon + 1);
      if (place_name == "before") place = Place::kBefore;
      else if (place_name == "after") place = Place::kAfter;
      else if (place_name == "prepend") place = Place::kPrepend;
      else if (place_name == "append") place = Place::kAppend;
      else return Fail(ErrorCode::kInvalidArgument, where() + "unknown block [" + name +
                                                      "]: expected [header], [before:S], [after:S], [prepend:S] or [append:S]");
      if (!sections.count(section)) {
        std::string known;
        for (const auto& s : sections) known += (known.empty() ? "" : ", ") + s;
        return Fail(ErrorCode::kInvalidArgument,
                    where() + "unknown section \"" + section + "\" (the sections are: " + known + ")");
      }
      if (place == Place::kBefore) paragraphs = &narrative.before[section];
      if (place == Place::kAfter) paragraphs = &narrative.after[section];
      if (place == Place::kPrepend) sentences = &narrative.prepend[section];
      if (place == Place::kAppend) sentences = &narrative.append[section];
      continue;
    }
    switch (place) {
      case Place::kNone:
        if (!line.empty()) return Fail(ErrorCode::kInvalidArgument, where() + "text before the first [block]");
        break;
      case Place::kHeader: {
        if (line.empty()) break;
        size_t equals = line.find('=');
        if (equals == std::string::npos) {
          return Fail(ErrorCode::kInvalidArgument, where() + "expected 'key = value' in [header]");
        }
        std::string key = Trim(line.substr(0, equals));
        if (!header_keys.count(key)) {
          std::string known;
          for (const auto& k : header_keys) known += (known.empty() ? "" : ", ") + k;
          return Fail(ErrorCode::kInvalidArgument,
                      where() + "unknown header key \"" + key + "\" (the keys are: " + known + ")");
        }
        narrative.header[key] = Trim(line.substr(equals + 1));
        break;
      }
      case Place::kPrepend:
      case Place::kAppend:
        if (!line.empty()) AppendText(*sentences, line);
        break;
      case Place::kBefore:
      case Place::kAfter: {
        if (line.empty()) {
          paragraph_open = false;
          break;
        }
        if (line.rfind("!figure", 0) == 0) {
          NarrativeParagraph figure;
          figure.figure = true;
          figure.text = Trim(line.substr(7));
          paragraphs->push_back(std::move(figure));
          paragraph_open = true;
          break;
        }
        if (line.rfind("- ", 0) == 0) {
          if (!paragraph_open) {
            return Fail(ErrorCode::kInvalidArgument, where() + "a list item needs a paragraph above it");
          }
          paragraphs->back().items.push_back(Trim(line.substr(2)));
          break;
        }
        if (paragraph_open && !paragraphs->back().items.empty()) {
          return Fail(ErrorCode::kInvalidArgument,
                      where() + "text after a list: leave a blank line to start a new paragraph");
        }
        if (!paragraph_open) {
          paragraphs->push_back(NarrativeParagraph{});
          paragraph_open = true;
        }
        AppendText(paragraphs->back().text, line);
        break;
      }
    }
  }
  return narrative;
}

}  // namespace rmis::documents
