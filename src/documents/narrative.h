// Narrative: the paragraphs of a document that state facts the ledger does not
// hold (the strategy's objectives, consultations, events), written by an
// editor per language and merged in by the composer (issue 5, item 1).
//
// A narrative file is UTF-8 text in blocks. A block starts with a line
// `[header]` or `[PLACE:SECTION]`, where PLACE is one of
//   before   numbered paragraphs placed before the section
//   after    numbered paragraphs placed after the section
//   prepend  sentences put at the start of the section's first paragraph
//   append   sentences put at the end of the section's last paragraph
// and SECTION names a computed section of the document (the composer lists
// them; docs/documents.md). In `before` and `after` blocks a blank line ends
// a paragraph, a line starting with "- " is an item of a list that belongs to
// the paragraph above it, and a line `!figure TITLE` starts a text figure
// whose "- " lines are its items. `[header]` holds `key = value` lines (the
// masthead: body, session, symbol, title, ...). Lines starting with `#` are
// comments. An unknown place, section or header key is an error that names
// the file and line, so that a typing mistake cannot silently drop a
// paragraph.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace rmis::documents {

struct NarrativeParagraph {
  std::string text;
  std::vector<std::string> items;
  bool figure = false;  // a text figure: `text` is its title
};

struct Narrative {
  std::string file;  // where it came from; empty when there is none
  std::map<std::string, std::string> header;
  std::map<std::string, std::vector<NarrativeParagraph>> before, after;
  std::map<std::string, std::string> prepend, append;

  const std::vector<NarrativeParagraph>& Before(const std::string& section) const;
  const std::vector<NarrativeParagraph>& After(const std::string& section) const;
  std::string Prepend(const std::string& section) const;
  std::string Append(const std::string& section) const;
  std::string Header(const std::string& key, const std::string& fallback = "") const;
};

// Joins two pieces of running text with one space, or with none when either
// side is a CJK character or punctuation (Chinese is written without spaces
// between sentences).
void AppendText(std::string& to, const std::string& text);

// Parses narrative `text`; `sections` and `header_keys` are what the document
// knows. Fails (kInvalidArgument) with "FILE:LINE: ..." on anything unknown
// or malformed.
Result<Narrative> ParseNarrative(const std::string& text, const std::string& file,
                                 const std::set<std::string>& sections,
                                 const std::set<std::string>& header_keys);

}  // namespace rmis::documents
