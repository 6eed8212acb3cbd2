// Dataset files to records (see dataset_reader.h and docs/data-format.md).
#include "exchange/csv/dataset_reader.h"

#include <charconv>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "exchange/csv/csv_reader.h"
#include "money/money.h"

namespace rmis::exchange {
namespace {

using ledger::Problem;

struct Column {
  std::string name;
  bool required;
};

struct Schema {
  std::string file;
  std::vector<Column> columns;
};

// A column of a schema: by its position in Schema::columns (fast, for the
// entries) or by its name (for the small files).
struct ColumnRef {
  ColumnRef(int position) : position(position) {}  // NOLINT: implicit by design
  ColumnRef(const char* name) : name(name) {}      // NOLINT
  int position = -1;
  const char* name = nullptr;
};

// One row, with its fields found by column and problems placed on the
// row's line.
class Row {
 public:
  // `field_of[i]` is the field holding schema column i, or -1 when the
  // header does not have it.
  Row(const Schema& schema, int64_t line, const std::vector<int>& field_of,
      const std::vector<std::string>& fields, std::vector<Problem>& problems)
      : schema_(schema), line_(line), field_of_(field_of), fields_(fields), problems_(problems) {}

  // The field's text, "" when the column is absent or the field empty.
  const std::string& Get(ColumnRef column) const {
    static const std::string kEmpty;
    int field = field_of_[Position(column)];
    return field < 0 ? kEmpty : fields_[field];
  }
  // The field's text; a problem if it is empty.
  const std::string& Required(ColumnRef column) {
    const std::string& value = Get(column);
    if (value.empty()) Bad(column, "is required");
    return value;
  }
  void Bad(ColumnRef column, std::string message) {
    problems_.push_back(Problem{schema_.file, line_, schema_.columns[Position(column)].name, std::move(message)});
    ok_ = false;
  }
  const std::string& Id(ColumnRef column, bool required) {
    const std::string& value = required ? Required(column) : Get(column);
    if (!value.empty() && !ledger::IsValidId(value)) {
      Bad(column, "\"" + value + "\" is not an identifier (1 to 64 letters, digits, _ - . :)");
    }
    return value;
  }
  ledger::Date Date(ColumnRef column) {
    const std::string& text = Required(column);
    if (text.empty()) return {};
    auto date = ledger::ParseDate(text);
    if (!date) {
      Bad(column, date.error().message);
      return {};
    }
    return *date;
  }
  int Year(ColumnRef column, bool required) {
    const std::string& text = required ? Required(column) : Get(column);
    if (text.empty()) return 0;
    int year = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
    if (ec != std::errc() || ptr != text.data() + text.size() || year < 1900 || year > 2200) {
      Bad(column, "\"" + text + "\" is not a year from 1900 to 2200");
      return 0;
    }
    return year;
  }
  int64_t UsdCents(ColumnRef column) {
    const std::string& text = Required(column);
    if (text.empty()) return 0;
    auto cents = money::ParseUsdCents(text);
    if (!cents) {
      Bad(column, cents.error().message);
      return 0;
    }
    return *cents;
  }
  template <typename Enum>
  Enum Choice(ColumnRef column, std::optional<Enum> (*parse)(std::string_view),
              const char* choices, bool required) {
    const std::string& text = required ? Required(column) : Get(column);
    if (text.empty() && required) return Enum{};
    auto value = parse(text);
    if (!value) {
      Bad(column, "\"" + text + "\" is not one of " + choices);
      return Enum{};
    }
    return *value;
  }
  bool ok() const { return ok_; }
  const std::string& file() const { return schema_.file; }
  int64_t line() const { return line_; }

 private:
  int Position(ColumnRef column) const {
    if (column.position >= 0) return column.position;
    for (size_t i = 0; i < schema_.columns.size(); ++i) {
      if (schema_.columns[i].name == column.name) return static_cast<int>(i);
    }
    throw std::logic_error(std::string("no column ") + column.name + " in " + schema_.file);
  }

  const Schema& schema_;
  int64_t line_;
  const std::vector<int>& field_of_;
  const std::vector<std::string>& fields_;
  std::vector<Problem>& problems_;
  bool ok_ = true;
};

const std::vector<Schema>& Schemas() {
  static const std::vector<Schema> schemas = {
      {"donors.csv",
       {{"id", true}, {"name", true}, {"type", true}, {"country", true}, {"name_ar", false},
        {"name_zh", false}, {"name_fr", false}, {"name_ru", false}, {"name_es", false}}},
      {"funds.csv", {{"id", true}, {"name", true}, {"category", true}}},
      {"targets.csv",
       {{"fund", true}, {"year_from", true}, {"year_to", true}, {"amount_usd", true},
        {"decided_on", true}, {"note", true}}},
      {"appeals.csv",
       {{"id", true}, {"name", true}, {"requirement_usd", true}, {"countries", true},
        {"launched_on", true}}},
      {"events.csv", {{"id", true}, {"name", true}, {"held_on", true}}},
      {"rates.csv", {{"currency", true}, {"month", true}, {"units_per_usd", true}}},
      {"entries.csv",
       {{"id", true}, {"kind", true}, {"donor", true}, {"fund", true}, {"amount", true},
        {"currency", true}, {"value_date", true}, {"recorded_at", false},
        {"attributed_year", false}, {"region", false}, {"country", false},
        {"programme", false}, {"appeal", false}, {"channel", false}, {"event", false},
        {"settles", false}, {"reverses", false}, {"probability", false}, {"note", false}}},
  };
  return schemas;
}

constexpr const char* kDonorTypes =
    "member_state, regional_organization, un_entity, multilateral_fund, foundation, "
    "private_sector, subnational_government, individual, other";
constexpr const char* kRegions =
    "africa, arab_states, asia_pacific, europe, latin_america_caribbean, global";

void ParseDonor(Row& row, ledger::Dataset& out) {
  ledger::Donor donor;
  donor.id = row.Id("id", true);
  donor.name = row.Required("name");
  donor.type = row.Choice<ledger::DonorType>("type", ledger::ParseDonorType, kDonorTypes, true);
  donor.country = row.Get("country");
  for (size_t i = 0; i < std::size(ledger::kNameLanguages); ++i) {
    donor.names[i] = row.Get(("name_" + std::string(ledger::kNameLanguages[i])).c_str());
  }
  if (row.ok()) out.donors.push_back({std::move(donor), {row.file(), row.line()}});
}

void ParseFund(Row& row, ledger::Dataset& out) {
  ledger::Fund fund;
  fund.id = row.Id("id", true);
  fund.name = row.Required("name");
  fund.category = row.Choice<ledger::FundCategory>(
      "category", ledger::ParseFundCategory, "core, earmarked, technical_cooperation", true);
  if (row.ok()) out.funds.push_back({std::move(fund), {row.file(), row.line()}});
}

void ParseTarget(Row& row, ledger::Dataset& out) {
  ledger::Target target;
  target.fund = row.Id("fund", true);
  target.year_from = row.Year("year_from", true);
  target.year_to = row.Year("year_to", true);
  target.amount_cents = row.UsdCents("amount_usd");
  target.decided_on = row.Date("decided_on");
  target.note = row.Get("note");
  if (row.ok()) out.targets.push_back({std::move(target), {row.file(), row.line()}});
}

void ParseAppeal(Row& row, ledger::Dataset& out) {
  ledger::Appeal appeal;
  appeal.id = row.Id("id", true);
  appeal.name = row.Required("name");
  appeal.requirement_cents = row.UsdCents("requirement_usd");
  const std::string& countries = row.Get("countries");
  if (!countries.empty()) {
    auto [ptr, ec] = std::from_chars(countries.data(), countries.data() + countries.size(),
                                     appeal.countries);
    if (ec != std::errc() || ptr != countries.data() + countries.size() || appeal.countries < 0) {
      row.Bad("countries", "\"" + countries + "\" is not a number of countries");
    }
  }
  appeal.launched_on = row.Date("launched_on");
  if (row.ok()) out.appeals.push_back({std::move(appeal), {row.file(), row.line()}});
}

void ParseEvent(Row& row, ledger::Dataset& out) {
  ledger::Event event;
  event.id = row.Id("id", true);
  event.name = row.Required("name");
  event.held_on = row.Date("held_on");
  if (row.ok()) out.events.push_back({std::move(event), {row.file(), row.line()}});
}

void ParseRate(Row& row, ledger::Dataset& out) {
  ledger::RateRecord rate;
  rate.currency = row.Required("currency");
  if (!rate.currency.empty() && !money::FindCurrency(rate.currency)) {
    row.Bad("currency", "unknown currency \"" + rate.currency + "\" (ISO 4217)");
  }
  const std::string& month = row.Required("month");
  if (!month.empty()) {
    auto parsed = ledger::ParseMonth(month);
    if (parsed) {
      rate.month = *parsed;
    } else {
      row.Bad("month", parsed.error().message);
    }
  }
  rate.units_per_usd = row.Required("units_per_usd");
  if (!rate.units_per_usd.empty()) {
    if (auto parsed = money::Rate::Parse(rate.units_per_usd); !parsed) {
      row.Bad("units_per_usd", parsed.error().message);
    }
  }
  if (row.ok()) out.rates.push_back({std::move(rate), {row.file(), row.line()}});
}

// The positions of entries.csv's columns in its schema (see Schemas()).
enum EntryColumn : int {
  kId, kKind, kDonor, kFund, kAmount, kCurrency, kValueDate, kRecordedAt, kAttributedYear,
  kRegion, kCountry, kProgramme, kAppeal, kChannel, kEvent, kSettles, kReverses, kProbability,
  kNote,
};

void ParseEntry(Row& row, ledger::Dataset& out) {
  ledger::Entry entry;
  entry.id = row.Id(kId, true);
  entry.kind = row.Choice<ledger::EntryKind>(kKind, ledger::ParseEntryKind,
                                             "pledge, receipt, expected, write_off, reversal", true);
  entry.donor = row.Id(kDonor, true);
  entry.fund = row.Id(kFund, true);
  const std::string& currency = row.Required(kCurrency);
  const std::string& amount = row.Required(kAmount);
  if (!currency.empty() && !money::FindCurrency(currency)) {
    row.Bad(kCurrency, "unknown currency \"" + currency + "\" (ISO 4217)");
  } else if (!currency.empty() && !amount.empty()) {
    auto money = money::Money::Parse(amount, currency);
    if (!money) {
      row.Bad(kAmount, money.error().message);
    } else if (money->minor_units() <= 0) {
      row.Bad(kAmount, "amount must be more than zero");
    } else {
      entry.amount = *money;
    }
  }
  entry.value_date = row.Date(kValueDate);
  const std::string& recorded = row.Get(kRecordedAt);
  if (recorded.empty()) {
    entry.recorded_at = ledger::StartOfDay(entry.value_date);
  } else if (auto instant = ledger::ParseInstant(recorded)) {
    entry.recorded_at = *instant;
  } else {
    row.Bad(kRecordedAt, instant.error().message);
  }
  entry.attributed_year = row.Year(kAttributedYear, false);
  if (entry.attributed_year == 0) entry.attributed_year = ledger::YearOf(entry.value_date);
  entry.region = row.Choice<ledger::Region>(kRegion, ledger::ParseRegion, kRegions, false);
  entry.country = row.Get(kCountry);
  entry.programme = row.Id(kProgramme, false);
  entry.appeal = row.Id(kAppeal, false);
  entry.channel = row.Choice<ledger::Channel>(
      kChannel, ledger::ParseChannel, "new_contribution, reprogrammed, internal_emergency_fund",
      false);
  entry.event = row.Id(kEvent, false);
  entry.settles = row.Id(kSettles, false);
  entry.reverses = row.Id(kReverses, false);
  const std::string& probability = row.Get(kProbability);
  if (!probability.empty()) {
    if (auto ppm = ledger::ParseProbability(probability)) {
      entry.probability_ppm = *ppm;
    } else {
      row.Bad(kProbability, ppm.error().message);
    }
  }
  entry.note = row.Get(kNote);
  if (row.ok()) out.entries.push_back({std::move(entry), {row.file(), row.line()}});
}

using RowParser = void (*)(Row&, ledger::Dataset&);

RowParser ParserFor(const std::string& file) {
  static const std::map<std::string, RowParser> parsers = {
      {"donors.csv", ParseDonor},   {"funds.csv", ParseFund},   {"targets.csv", ParseTarget},
      {"appeals.csv", ParseAppeal}, {"events.csv", ParseEvent}, {"rates.csv", ParseRate},
      {"entries.csv", ParseEntry},
  };
  return parsers.at(file);
}

const Schema* FindSchema(const std::string& file) {
  for (const Schema& schema : Schemas()) {
    if (schema.file == file) return &schema;
  }
  return nullptr;
}

// Builds the handler that checks the header and parses each row of one file.
class FileReader {
 public:
  FileReader(const Schema& schema, DatasetRead& out)
      : schema_(schema), parse_(ParserFor(schema.file)), out_(out) {}

  bool operator()(int64_t line, std::vector<std::string>& fields) {
    if (!have_header_) {
      have_header_ = true;
      return ReadHeader(line, fields);
    }
    if (fields.size() != header_size_) {
      out_.problems.push_back(Problem{schema_.file, line, "",
                                      "the row has " + std::to_string(fields.size()) +
                                          " fields but the header has " +
                                          std::to_string(header_size_)});
      return true;
    }
    Row row(schema_, line, field_of_, fields, out_.problems);
    parse_(row, out_.dataset);
    return true;
  }
  bool have_header() const { return have_header_; }

 private:
  bool ReadHeader(int64_t line, const std::vector<std::string>& fields) {
    header_size_ = fields.size();
    field_of_.assign(schema_.columns.size(), -1);
    bool ok = true;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& name = fields[i];
      int position = -1;
      for (size_t c = 0; c < schema_.columns.size(); ++c) {
        if (schema_.columns[c].name == name) position = static_cast<int>(c);
      }
      if (position < 0) {
        std::string expected;
        for (const Column& column : schema_.columns) {
          expected += (expected.empty() ? "" : ", ") + column.name;
        }
        out_.problems.push_back(Problem{schema_.file, line, name,
                                        "unknown column \"" + name + "\" (the columns are " +
                                            expected + ")"});
        ok = false;
      } else if (field_of_[position] >= 0) {
        out_.problems.push_back(
            Problem{schema_.file, line, name, "column \"" + name + "\" appears twice"});
        ok = false;
      } else {
        field_of_[position] = static_cast<int>(i);
      }
    }
    for (size_t c = 0; c < schema_.columns.size(); ++c) {
      const Column& column = schema_.columns[c];
      if (column.required && field_of_[c] < 0) {
        out_.problems.push_back(Problem{schema_.file, line, column.name,
                                        "required column \"" + column.name + "\" is missing"});
        ok = false;
      }
    }
    return ok;  // a bad header makes every row meaningless: stop
  }

  const Schema& schema_;
  RowParser parse_;
  DatasetRead& out_;
  std::vector<int> field_of_;  // schema column -> field, -1 when absent
  size_t header_size_ = 0;
  bool have_header_ = false;
};

void CheckNotEmpty(const FileReader& reader, const std::string& file, DatasetRead& out) {
  if (!reader.have_header()) {
    out.problems.push_back(
        Problem{file, 0, "", "the file is empty; it needs at least its header row"});
  }
}

}  // namespace

const std::vector<std::string>& DatasetFileNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const Schema& schema : Schemas()) list.push_back(schema.file);
    return list;
  }();
  return names;
}

void ReadDatasetFileText(const std::string& file_name, std::string_view text, DatasetRead& out) {
  const Schema* schema = FindSchema(file_name);
  if (schema == nullptr) {
    out.problems.push_back(Problem{file_name, 0, "", "not a file of the dataset format"});
    return;
  }
  ++out.files;
  FileReader reader(*schema, out);
  ReadCsvText(text, file_name, std::ref(reader), out.problems);
  CheckNotEmpty(reader, file_name, out);
}

void ReadDatasetRecord(const std::string& file_name,
                       const std::vector<std::pair<std::string, std::string>>& fields,
                       DatasetRead& out) {
  const Schema* schema = FindSchema(file_name);
  if (schema == nullptr) {
    out.problems.push_back(Problem{"", 0, "", "not a kind of record rmis knows"});
    return;
  }
  size_t first_problem = out.problems.size();
  FileReader reader(*schema, out);
  std::vector<std::string> header, values;
  for (const auto& [column, value] : fields) {
    header.push_back(column);
    values.push_back(value);
  }
  if (reader(0, header)) reader(0, values);
  for (size_t i = first_problem; i < out.problems.size(); ++i) {
    out.problems[i].file.clear();
    out.problems[i].line = 0;
  }
  auto clear = [](auto& records) {
    for (auto& record : records) record.where = {};
  };
  clear(out.dataset.donors);
  clear(out.dataset.funds);
  clear(out.dataset.targets);
  clear(out.dataset.appeals);
  clear(out.dataset.events);
  clear(out.dataset.rates);
  clear(out.dataset.entries);
}

DatasetRead ReadDatasetDirectory(const std::string& directory, bool read_entries) {
  namespace fs = std::filesystem;
  DatasetRead out;
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    out.problems.push_back(Problem{directory, 0, "", "not a directory"});
    return out;
  }
  std::set<std::string> known(DatasetFileNames().begin(), DatasetFileNames().end());
  std::set<std::string> present;
  for (const auto& item : fs::directory_iterator(directory, error)) {
    std::string name = item.path().filename().string();
    if (known.count(name)) {
      present.insert(name);
    } else if (item.path().extension() == ".csv") {
      out.problems.push_back(Problem{name, 0, "",
                                     "not a file of the dataset format (the files are "
                                     "donors.csv, funds.csv, targets.csv, appeals.csv, "
                                     "events.csv, rates.csv, entries.csv)"});
    }
  }
  if (error) {
    out.problems.push_back(Problem{directory, 0, "", "cannot list: " + error.message()});
  }
  out.has_entries = present.count("entries.csv") > 0;
  for (const Schema& schema : Schemas()) {
    if (!present.count(schema.file)) continue;
    ++out.files;
    if (schema.file == "entries.csv" && !read_entries) continue;
    FileReader reader(schema, out);
    ReadCsvFile((fs::path(directory) / schema.file).string(), schema.file, std::ref(reader),
                out.problems);
    CheckNotEmpty(reader, schema.file, out);
  }
  if (out.files == 0 && out.problems.empty()) {
    out.problems.push_back(Problem{directory, 0, "", "holds none of the dataset's files"});
  }
  return out;
}

struct EntryChunkReader::State {
  std::mutex mutex;
  std::condition_variable changed;
  struct Chunk {
    std::vector<ledger::Located<ledger::Entry>> entries;
    std::vector<Problem> problems;
  };
  std::deque<Chunk> ready;
  bool done = false;  // the thread has given its last chunk
  bool stop = false;  // the caller wants no more
  std::thread thread;
};

EntryChunkReader::EntryChunkReader(std::string path, size_t chunk_rows) : state_(std::make_unique<State>()) {
  if (chunk_rows == 0) chunk_rows = 1;
  State* state = state_.get();
  state->thread = std::thread([state, path = std::move(path), chunk_rows] {
    const std::string file = "entries.csv";
    DatasetRead part;
    part.dataset.entries.reserve(chunk_rows);
    // Hands the rows read so far to the caller; waits while two chunks are
    // waiting. Returns false when the caller wants no more.
    auto hand_over = [&](bool last) {
      std::unique_lock<std::mutex> lock(state->mutex);
      state->changed.wait(lock, [&] { return state->stop || state->ready.size() < 2; });
      if (state->stop) return false;
      state->ready.push_back(State::Chunk{std::move(part.dataset.entries), std::move(part.problems)});
      part.dataset.entries.clear();
      part.dataset.entries.reserve(chunk_rows);
      part.problems.clear();
      if (last) state->done = true;
      state->changed.notify_all();
      return true;
    };
    FileReader reader(*FindSchema(file), part);
    size_t rows = 0;
    auto on_row = [&](int64_t line, std::vector<std::string>& fields) {
      if (!reader(line, fields)) return false;
      if (++rows % chunk_rows == 0) return hand_over(false);
      return true;
    };
    ReadCsvFile(path, file, on_row, part.problems);
    CheckNotEmpty(reader, file, part);
    if (!hand_over(true)) return;
  });
}

EntryChunkReader::~EntryChunkReader() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
  }
  state_->changed.notify_all();
  state_->thread.join();
}

bool EntryChunkReader::Next(std::vector<ledger::Located<ledger::Entry>>& entries,
                            std::vector<ledger::Problem>& problems) {
  entries.clear();
  problems.clear();
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->changed.wait(lock, [&] { return !state_->ready.empty() || state_->done; });
  if (state_->ready.empty()) return false;
  entries = std::move(state_->ready.front().entries);
  problems = std::move(state_->ready.front().problems);
  state_->ready.pop_front();
  state_->changed.notify_all();
  return true;
}

}  // namespace rmis::exchange
