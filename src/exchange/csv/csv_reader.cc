// CSV reading on top of libcsv (see csv_reader.h).
#include "exchange/csv/csv_reader.h"

#include <csv.h>
#include <unicode/utf8.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace rmis::exchange {
namespace {

// RFC 4180: spaces are part of a field.
int NoSpace(unsigned char) { return 0; }

// libcsv's parser state for "no field of the current record seen yet".
constexpr int kRowNotBegun = 0;

// Returns the byte offset of the first byte that is not valid UTF-8, or -1.
int64_t FirstInvalidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return start;
  }
  return -1;
}

class Parser {
 public:
  Parser(std::string display_name, const CsvRowHandler& on_row,
         std::vector<ledger::Problem>& problems)
      : name_(std::move(display_name)), on_row_(on_row), problems_(problems) {
    csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_space_func(&parser_, NoSpace);
  }
  ~Parser() { csv_free(&parser_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Feeds one line (with its line break, if any). Returns false once reading
  // should stop.
  bool FeedLine(std::string_view line) {
    ++line_;
    if (line_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (int64_t bad = FirstInvalidUtf8(line); bad >= 0) {
      Problem("", "bytes that are not UTF-8 at column " + std::to_string(bad + 1) +
                      " of the line; save the file as UTF-8");
      bad_encoding_ = true;
    }
    if (parser_.pstate == kRowNotBegun) row_start_ = line_;
    size_t used = csv_parse(&parser_, line.data(), line.size(), OnField, OnRow, this);
    if (used != line.size()) {
      Problem("", "malformed CSV: a quote inside an unquoted field, or text after a "
                  "closing quote (quote the whole field and double the quotes inside it)");
      return false;
    }
    return !stopped_;
  }

  void Finish() {
    if (csv_fini(&parser_, OnField, OnRow, this) != 0) {
      problems_.push_back(ledger::Problem{
          name_, row_start_, "",
          "a quoted field that starts on this line is never closed (missing \")"});
    }
  }

  int64_t rows() const { return rows_; }

 private:
  static void OnField(void* data, size_t size, void* self_ptr) {
    auto* self = static_cast<Parser*>(self_ptr);
    self->fields_.emplace_back(static_cast<const char*>(data), size);
  }
  static void OnRow(int, void* self_ptr) {
    auto* self = static_cast<Parser*>(self_ptr);
    ++self->rows_;
    if (!self->stopped_ && !self->bad_encoding_) {
      if (!self->on_row_(self->row_start_, self->fields_)) self->stopped_ = true;
    }
    self->bad_encoding_ = false;
    self->fields_.clear();
    self->row_start_ = self->line_ + 1;
  }
  void Problem(std::string field, std::string message) {
    problems_.push_back(ledger::Problem{name_, line_, std::move(field), std::move(message)});
  }

  std::string name_;
  const CsvRowHandler& on_row_;
  std::vector<ledger::Problem>& problems_;
  csv_parser parser_{};
  std::vector<std::string> fields_;
  int64_t line_ = 0;
  int64_t row_start_ = 1;
  int64_t rows_ = 0;
  bool stopped_ = false;
  bool bad_encoding_ = false;
};

// Splits `block` into lines and feeds the complete ones; keeps the partial
// last line in `carry`.
bool FeedBlock(Parser& parser, std::string& carry, std::string_view block) {
  size_t start = 0;
  while (true) {
    size_t newline = block.find('\n', start);
    if (newline == std::string_view::npos) {
      carry.append(block.substr(start));
      return true;
    }
    std::string_view piece = block.substr(start, newline + 1 - start);
    bool go_on;
    if (!carry.empty()) {
      carry.append(piece);
      go_on = parser.FeedLine(carry);
      carry.clear();
    } else {
      go_on = parser.FeedLine(piece);
    }
    if (!go_on) return false;
    start = newline + 1;
  }
}

}  // namespace

int64_t ReadCsvText(std::string_view text, const std::string& display_name,
                    const CsvRowHandler& on_row, std::vector<ledger::Problem>& problems) {
  Parser parser(display_name, on_row, problems);
  std::string carry;
  if (FeedBlock(parser, carry, text)) {
    bool go_on = carry.empty() || parser.FeedLine(carry);
    if (go_on) parser.Finish();
  }
  return parser.rows();
}

int64_t ReadCsvFile(const std::string& path, const std::string& display_name,
                    const CsvRowHandler& on_row, std::vector<ledger::Problem>& problems) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    problems.push_back(ledger::Problem{display_name, 0, "",
                                       std::string("cannot open: ") + std::strerror(errno)});
    return 0;
  }
  Parser parser(display_name, on_row, problems);
  std::string carry;
  std::vector<char> buffer(1 << 20);
  bool go_on = true;
  while (go_on) {
    size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
    if (n == 0) break;
    go_on = FeedBlock(parser, carry, std::string_view(buffer.data(), n));
  }
  if (std::ferror(file.get())) {
    problems.push_back(ledger::Problem{display_name, 0, "",
                                       std::string("cannot read: ") + std::strerror(errno)});
    return parser.rows();
  }
  if (go_on && !carry.empty()) go_on = parser.FeedLine(carry);
  if (go_on) parser.Finish();
  return parser.rows();
}

std::string CsvEscape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace rmis::exchange
