// The entries as columns, as the SQLite store keeps them for reports: the
// year index must give the very report that reading every entry gives, and
// the column segments a new process loads must give the very columns that
// reading the rows gives. On a generated ledger of 140,000 entries over ten
// years (two sealed segments and a tail), with pledges in instalments,
// write-offs, reversals, prior-year money, appeals and events.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "analysis/report.h"
#include "exchange/csv/dataset_reader.h"
#include "exchange/generate/generator.h"
#include "exchange/json/report_json.h"
#include "reference/countries.h"
#include "store/store.h"
#include "support/postgres_harness.h"
#include "support/test_support.h"

namespace rmis {
namespace {

store::StoreEnvironment Env() {
  return store::StoreEnvironment{[] { return ledger::Instant{1700000000}; }, reference::IsCountryAlpha3};
}

// How a report is made: on one thread, or on two from as few entries as
// possible.
enum class Threads { kOne, kTwo };

std::string ReportText(const ledger::Ledger& reference, const ledger::EntryColumns& columns, int year,
                       const char* as_of, std::optional<ledger::Instant> known_at = std::nullopt,
                       Threads threads = Threads::kOne) {
  analysis::ReportOptions options;
  options.threads = threads == Threads::kOne ? 1 : 2;
  options.parallel_from = 1;
  options.year = year;
  options.snapshot.as_of = *ledger::ParseDate(as_of);
  options.snapshot.known_at = known_at;
  return exchange::ReportToJson(analysis::ComputeReport(reference, columns, options)).dump(1);
}

int64_t Scalar(const std::string& db, const char* sql) {
  sqlite3* handle = nullptr;
  sqlite3_open(db.c_str(), &handle);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(handle, sql, -1, &stmt, nullptr);
  int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return value;
}

void Exec(const std::string& db, const char* sql) {
  sqlite3* handle = nullptr;
  sqlite3_open(db.c_str(), &handle);
  ASSERT_EQ(sqlite3_exec(handle, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(handle);
  sqlite3_close(handle);
}

// The reports of every year, at several dates and one known-at instant.
std::vector<std::string> AllReports(const ledger::Ledger& reference, const ledger::EntryColumns& columns,
                                    Threads threads = Threads::kOne) {
  std::vector<std::string> reports;
  for (int year = 2015; year <= 2026; ++year) {
    for (const char* day : {"-03-31", "-06-30", "-12-31"}) {
      std::string as_of = std::to_string(year) + day;
      reports.push_back(ReportText(reference, columns, year, as_of.c_str(), std::nullopt, threads));
    }
    std::string end = std::to_string(year) + "-12-31";
    reports.push_back(ReportText(reference, columns, year, end.c_str(),
                                 ledger::StartOfDay(ledger::MakeDate(year, 7, 1)), threads));
  }
  return reports;
}

// Empty columns numbering donors, funds, appeals and events as `from` does
// (as a store numbers them in its stored order before loading segments).
ledger::EntryColumns SameNames(const ledger::EntryColumns& from) {
  ledger::EntryColumns columns;
  columns.donors = from.donors;
  columns.funds = from.funds;
  columns.appeals = from.appeals;
  columns.events = from.events;
  return columns;
}

class ColumnsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    exchange::GenerateOptions options;
    options.entries = 140000;
    options.donors = 3000;
    options.seed = 11;
    ASSERT_TRUE(exchange::GenerateDataset(options, dir_->File("data")));
    db_ = dir_->File("store.db");
    auto store = store::OpenStore(db_, store::OpenMode::kCreate, Env());
    ASSERT_TRUE(store) << store.error().message;
    auto read = exchange::ReadDatasetDirectory(dir_->File("data"));
    ASSERT_TRUE(read.problems.empty());
    store::WriteOptions write;
    write.actor = store::Actor{"test", "", ""};
    write.source = "generated";
    auto imported = (*store)->Import(read.dataset, write);
    ASSERT_TRUE(imported && imported->problems.empty());
  }
  static void TearDownTestSuite() { delete dir_; }

  static testing::TempDir* dir_;
  static std::string db_;
};
testing::TempDir* ColumnsTest::dir_ = nullptr;
std::string ColumnsTest::db_;

TEST_F(ColumnsTest, TheYearIndexGivesTheReportOfEveryEntry) {
  auto store = store::OpenStore(db_, store::OpenMode::kExisting, Env());
  ASSERT_TRUE(store);
  ledger::Ledger reference;
  ledger::EntryColumns indexed;
  ASSERT_TRUE((*store)->ReadColumns([&](const ledger::Ledger& r, const ledger::EntryColumns& c) {
    reference = r;
    indexed = c;
  }));
  ASSERT_EQ(indexed.size(), 140000u);
  ASSERT_TRUE(indexed.indexed());
  // A year lists far fewer entries than the ledger holds.
  EXPECT_LT(indexed.YearPositions(2021).size(), indexed.size() / 4);
  ledger::EntryColumns scan_all = indexed;
  scan_all.DropIndex();
  auto with_index = AllReports(reference, indexed);
  auto without = AllReports(reference, scan_all);
  ASSERT_EQ(with_index.size(), without.size());
  for (size_t i = 0; i < with_index.size(); ++i) EXPECT_EQ(with_index[i], without[i]) << "report " << i;
  // Two threads, each reading half of what is read, give the same reports.
  EXPECT_EQ(AllReports(reference, indexed, Threads::kTwo), with_index);
  EXPECT_EQ(AllReports(reference, scan_all, Threads::kTwo), with_index);
  // And the columns made from entry records, by id, agree with the store's.
  auto ledger = (*store)->LoadLedger();
  ASSERT_TRUE(ledger);
  EXPECT_EQ(AllReports(reference, ledger::ToColumns(ledger->entries)), with_index);
}

// A report reads a year through a plan made for an earlier report (runs of
// consecutive entries, scattered ones copied into rows); entries appended
// since are read from the columns until so many were appended that the plan
// is made again. Each way, the figures are those of reading every entry.
TEST_F(ColumnsTest, AReportReadsWhatWasAppendedAfterItsPlanWasMade) {
  auto store = store::OpenStore(db_, store::OpenMode::kExisting, Env());
  ASSERT_TRUE(store);
  auto ledger = (*store)->LoadLedger();
  ASSERT_TRUE(ledger);
  const ledger::Ledger& reference = *ledger;
  ledger::EntryColumns growing;
  size_t next = 0;
  auto append = [&](size_t count) {
    for (size_t i = 0; i < count && next < ledger->entries.size(); ++i) growing.Append(ledger->entries[next++]);
    if (!growing.indexed()) growing.Reindex();
  };
  auto check = [&](int year, const char* as_of) {
    ledger::EntryColumns scan_all = growing;
    scan_all.DropIndex();
    for (Threads threads : {Threads::kOne, Threads::kTwo}) {
      EXPECT_EQ(ReportText(reference, growing, year, as_of, std::nullopt, threads),
                ReportText(reference, scan_all, year, as_of))
          << year << " as of " << as_of << " after " << growing.size() << " entries";
    }
  };
  // Two years (a store keeps the plans of the last two asked), mid-year and
  // as of a date after every entry (so that what is appended counts: appeals
  // and events add up over all years).
  auto check_years = [&] {
    for (int year : {2021, 2023}) {
      check(year, (std::to_string(year) + "-06-30").c_str());
      check(year, "2030-12-31");
    }
  };
  append(100000);
  check_years();  // the plans are made
  // A few appended: read from the columns beside the plan.
  for (int round = 0; round < 3; ++round) {
    append(700);
    check_years();
  }
  // Many appended: the plans are made again.
  append(30000);
  check_years();
  append(ledger->entries.size());
  check_years();
  EXPECT_EQ(growing.size(), ledger->entries.size());
}

TEST_F(ColumnsTest, ANewProcessLoadsSealedSegmentsAndGetsTheSameFigures) {
  std::vector<std::string> before;
  {
    auto store = store::OpenStore(db_, store::OpenMode::kExisting, Env());
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->ReadColumns(
        [&](const ledger::Ledger& r, const ledger::EntryColumns& c) { before = AllReports(r, c); }));
  }
  // The first read sealed the two full runs of 65,536 entries.
  EXPECT_EQ(Scalar(db_, "SELECT count(*) FROM entry_segments"), 2);
  EXPECT_EQ(Scalar(db_, "SELECT sum(rows) FROM entry_segments"), 131072);
  auto reread = [&] {
    std::vector<std::string> after;
    auto store = store::OpenStore(db_, store::OpenMode::kExisting, Env());
    EXPECT_TRUE(store);
    if (!store) return after;
    EXPECT_TRUE((*store)->ReadColumns(
        [&](const ledger::Ledger& r, const ledger::EntryColumns& c) { after = AllReports(r, c); }));
    return after;
  };
  EXPECT_EQ(reread(), before);
  // A segment that is not one (damaged, or from another ledger) is ignored:
  // the rows are read, the figures are the same, and it is sealed anew.
  Exec(db_, "UPDATE entry_segments SET data = x'00112233' WHERE first_seq = 1");
  EXPECT_EQ(reread(), before);
  EXPECT_NE(Scalar(db_, "SELECT length(data) FROM entry_segments WHERE first_seq = 1"), 4);
  Exec(db_, "DELETE FROM entry_segments");
  EXPECT_EQ(reread(), before);
  EXPECT_EQ(Scalar(db_, "SELECT count(*) FROM entry_segments"), 2);
  // A segment of the earlier format (names per segment, RMISSEG2) is not
  // misread: it is rejected, and sealed anew in the current one.
  Exec(db_, "UPDATE entry_segments SET data = CAST('RMISSEG2' || substr(data, 9) AS BLOB) WHERE first_seq = 1");
  EXPECT_EQ(reread(), before);
  EXPECT_EQ(Scalar(db_, "SELECT count(*) FROM entry_segments WHERE substr(data, 1, 8) = CAST('RMISSEG3' AS BLOB)"), 2);
}

// Segments hold donors, funds, appeals and events by the store's numbers:
// donors stored after a segment was sealed do not change what it means.
TEST_F(ColumnsTest, SegmentsStayValidWhenDonorsAreAdded) {
  std::vector<std::string> before;
  auto read = [&] {
    std::vector<std::string> reports;
    auto store = store::OpenStore(db_, store::OpenMode::kExisting, Env());
    EXPECT_TRUE(store);
    if (!store) return reports;
    EXPECT_TRUE((*store)->ReadColumns(
        [&](const ledger::Ledger& r, const ledger::EntryColumns& c) { reports = AllReports(r, c); }));
    return reports;
  };
  before = read();
  Exec(db_, "CREATE TABLE segments_before AS SELECT first_seq, data FROM entry_segments");
  auto store = store::OpenStore(db_, store::OpenMode::kExisting, Env());
  ASSERT_TRUE(store);
  ledger::Dataset more;
  more.donors.push_back(ledger::Located<ledger::Donor>{
      ledger::Donor{"zz-late-donor", "A late donor", ledger::DonorType::kOther, "MEX", {}}, {}});
  store::WriteOptions write;
  write.actor = store::Actor{"test", "", ""};
  write.source = "late";
  auto added = (*store)->Import(more, write);
  ASSERT_TRUE(added && added->problems.empty());
  store->reset();
  EXPECT_EQ(read(), before);
  // The same segments were loaded, not rewritten.
  EXPECT_EQ(Scalar(db_, "SELECT count(*) FROM entry_segments s JOIN segments_before b USING (first_seq)"
                        " WHERE s.data = b.data"),
            2);
  Exec(db_, "DROP TABLE segments_before");
}

// `rmis import` (Store::ImportStream) seals the full runs of entries as it
// finishes: the first report after it loads segments.
TEST_F(ColumnsTest, AStreamedImportSealsItsSegments) {
  auto read = exchange::ReadDatasetDirectory(dir_->File("data"));
  ASSERT_TRUE(read.problems.empty());
  std::vector<ledger::Located<ledger::Entry>> entries = std::move(read.dataset.entries);
  read.dataset.entries.clear();
  const std::string db = dir_->File("streamed.db");
  {
    auto store = store::OpenStore(db, store::OpenMode::kCreate, Env());
    ASSERT_TRUE(store) << store.error().message;
    size_t next = 0;
    store::EntrySource chunks = [&](store::EntryChunk& chunk) {
      if (next >= entries.size()) return false;
      for (size_t i = 0; i < 10000 && next < entries.size(); ++i) chunk.entries.push_back(entries[next++]);
      return true;
    };
    store::WriteOptions write;
    write.actor = store::Actor{"test", "", ""};
    write.source = "generated";
    auto imported = (*store)->ImportStream(read.dataset, chunks, write);
    ASSERT_TRUE(imported) << imported.error().message;
    ASSERT_TRUE(imported->problems.empty());
    EXPECT_EQ(imported->entries_added, 140000u);
  }
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM entry_segments"), 2);
  EXPECT_EQ(Scalar(db, "SELECT sum(rows) FROM entry_segments"), 131072);
  std::vector<std::string> reports, expected;
  for (const std::string* path : {&db, static_cast<const std::string*>(&db_)}) {
    auto store = store::OpenStore(*path, store::OpenMode::kExisting, Env());
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->ReadColumns([&](const ledger::Ledger& r, const ledger::EntryColumns& c) {
      (path == &db ? reports : expected) = AllReports(r, c);
    }));
  }
  EXPECT_EQ(reports, expected);
}

// Positions are seq - 1 only while SQLite numbers the entries 1, 2, 3, ...
// A store where that does not hold (an entry deleted behind the triggers'
// back, after the sealed runs or inside one) is read row by row with ids,
// its segments unused: the figures are those of its entries.
TEST_F(ColumnsTest, AStoreWithAGapIsReadByIds) {
  {
    auto store = store::OpenStore(db_, store::OpenMode::kExisting, Env());
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->ReadColumns([](const ledger::Ledger&, const ledger::EntryColumns&) {}));
  }
  // The first entry after seq `after` that no other entry names is deleted:
  // after the sealed runs, and inside the first.
  for (int after : {131072, 1000}) {
    SCOPED_TRACE(after);
    const std::string db = dir_->File("gap-" + std::to_string(after) + ".db");
    Exec(db_, ("VACUUM INTO '" + db + "'").c_str());
    const std::string drop =
        "DROP TRIGGER entries_no_delete;"
        " DELETE FROM entries WHERE seq = (SELECT min(seq) FROM entries e WHERE seq > " + std::to_string(after) +
        " AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.settles = e.id OR x.reverses = e.id))";
    Exec(db, drop.c_str());
    ASSERT_EQ(Scalar(db, "SELECT count(*) FROM entries"), 139999);
    ASSERT_EQ(Scalar(db, "SELECT count(*) FROM entry_segments"), 2);
    auto store = store::OpenStore(db, store::OpenMode::kExisting, Env());
    ASSERT_TRUE(store);
    auto ledger = (*store)->LoadLedger();
    ASSERT_TRUE(ledger);
    std::vector<std::string> reports;
    ASSERT_TRUE((*store)->ReadColumns([&](const ledger::Ledger& r, const ledger::EntryColumns& c) {
      EXPECT_EQ(c.size(), 139999u);
      reports = AllReports(r, c);
    }));
    EXPECT_EQ(reports, AllReports(*ledger, ledger::ToColumns(ledger->entries)));
  }
}

// A run of rows with no segment (all 140,000 here) is read on two
// connections at once, each filling its half of the columns in place
// (SqliteStore::FillTail): the columns hold the entries, position by
// position. A row naming a donor the store does not hold (written behind
// rmis's back, foreign keys off) stops its half, which is then read again on
// one connection, the name numbered.
TEST_F(ColumnsTest, RowsReadInTwoHalvesAreTheEntries) {
  const std::string db = dir_->File("halves.db");
  Exec(db_, ("VACUUM INTO '" + db + "'").c_str());
  Exec(db,
       "DELETE FROM entry_segments;"
       " INSERT INTO entries (id, kind, donor, fund, currency, amount_minor, usd_cents, value_date, recorded_at,"
       " attributed_year, import_id) VALUES ('ghost-receipt', 'receipt', 'ghost-donor', 'core', 'USD', 12345,"
       " 12345, 19000, 1700000000, 2022, 1)");
  ASSERT_EQ(Scalar(db, "SELECT count(*) FROM entries"), 140001);
  auto store = store::OpenStore(db, store::OpenMode::kExisting, Env());
  ASSERT_TRUE(store);
  auto ledger = (*store)->LoadLedger();
  ASSERT_TRUE(ledger);
  const std::vector<ledger::Entry>& entries = ledger->entries;
  ASSERT_TRUE((*store)->ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& c) {
    ASSERT_EQ(c.size(), entries.size());
    size_t differ = 0, first = 0;
    auto name = [](const ledger::Interner& names, int32_t number) {
      return number == ledger::EntryColumns::kNone ? std::string() : names.Name(number);
    };
    auto id_at = [&](int32_t position) {
      return position == ledger::EntryColumns::kNone ? std::string() : entries[static_cast<size_t>(position)].id;
    };
    for (size_t i = 0; i < entries.size(); ++i) {
      const ledger::Entry& e = entries[i];
      const bool same = c.kind[i] == e.kind && c.region[i] == e.region && c.channel[i] == e.channel &&
                        name(c.donors, c.donor[i]) == e.donor && name(c.funds, c.fund[i]) == e.fund &&
                        name(c.appeals, c.appeal[i]) == e.appeal && name(c.events, c.event[i]) == e.event &&
                        id_at(c.settles[i]) == e.settles && id_at(c.reverses[i]) == e.reverses &&
                        c.value_day[i] == e.value_date.days && c.attributed_year[i] == e.attributed_year &&
                        c.probability_ppm[i] == e.probability_ppm.value_or(-1) &&
                        c.recorded_at[i] == e.recorded_at && c.usd_cents[i] == e.usd_cents &&
                        c.amount_minor[i] == e.amount.minor_units();
      if (!same && differ++ == 0) first = i;
    }
    EXPECT_EQ(differ, 0u) << "the first at position " << first << ", entry " << entries[first].id;
    EXPECT_EQ(name(c.donors, c.donor.back()), "ghost-donor");
  }));
  // And it was sealed as it was read: a new process reads the same.
  EXPECT_EQ(Scalar(db, "SELECT sum(rows) FROM entry_segments"), 131072);
}

TEST(Segments, RoundTripAndRejectGarbage) {
  ledger::Ledger l;
  ledger::Entry pledge;
  pledge.id = "p";
  pledge.kind = ledger::EntryKind::kPledge;
  pledge.donor = "d1";
  pledge.fund = "core";
  pledge.amount = money::Money(1000, money::CurrencyCode("EUR"));
  pledge.usd_cents = 1100;
  pledge.value_date = *ledger::ParseDate("2021-02-03");
  pledge.attributed_year = 2021;
  pledge.event = "ev";
  ledger::Entry receipt = pledge;
  receipt.id = "r";
  receipt.kind = ledger::EntryKind::kReceipt;
  receipt.settles = "p";
  receipt.donor = "d2";
  receipt.event.clear();
  receipt.appeal = "ap";
  receipt.probability_ppm = 5;
  auto columns = ledger::ToColumns({pledge, receipt});
  std::string segment = ledger::EncodeSegment(columns, 0, 2);
  ledger::EntryColumns decoded = SameNames(columns);
  decoded.donors.Intern("d3");  // a donor added since: the numbers still hold
  ASSERT_TRUE(ledger::DecodeSegment(segment, decoded));
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_EQ(decoded.donors.Name(decoded.donor[1]), "d2");
  EXPECT_EQ(decoded.events.Name(decoded.event[0]), "ev");
  EXPECT_EQ(decoded.appeals.Name(decoded.appeal[1]), "ap");
  EXPECT_EQ(decoded.settles[1], 0);
  EXPECT_EQ(decoded.probability_ppm[1], 5);
  EXPECT_EQ(decoded.usd_cents[0], 1100);
  EXPECT_EQ(decoded.AlwaysPositions().size(), 2u);
  for (size_t cut : {size_t{0}, size_t{5}, segment.size() / 2, segment.size() - 1}) {
    ledger::EntryColumns bad = SameNames(columns);
    EXPECT_FALSE(ledger::DecodeSegment(std::string_view(segment).substr(0, cut), bad)) << cut;
    EXPECT_EQ(bad.size(), 0u);
  }
  // Columns that number donors otherwise (or know fewer of them) do not
  // take the segment: its numbers would name other donors.
  ledger::EntryColumns other = SameNames(columns);
  other.donors = ledger::Interner();
  other.donors.Intern("d2");
  other.donors.Intern("d1");
  EXPECT_FALSE(ledger::DecodeSegment(segment, other));
  EXPECT_EQ(other.size(), 0u);
  ledger::EntryColumns fewer = SameNames(columns);
  fewer.events = ledger::Interner();
  EXPECT_FALSE(ledger::DecodeSegment(segment, fewer));
  // A donor number out of range, or a year list out of order, is refused
  // even with the right names.
  ledger::EntryColumns wrong = columns;
  wrong.donor[1] = 7;
  ledger::EntryColumns into = SameNames(columns);
  EXPECT_FALSE(ledger::DecodeSegment(ledger::EncodeSegment(wrong, 0, 2), into));
  EXPECT_EQ(into.size(), 0u);
  // The earlier format is refused, never misread.
  std::string old_format = segment;
  old_format.replace(0, 8, "RMISSEG2");
  EXPECT_FALSE(ledger::DecodeSegment(old_format, into));
  EXPECT_EQ(into.size(), 0u);
  EXPECT_TRUE(ledger::DecodeSegment(segment, into));
}

// A dataset may name an entry stored after the one naming it: the store
// hands over positions ahead of the end, the index waits for Reindex, and
// the report is the report of every entry.
TEST(Segments, AnEntryNamingALaterOneIsListedOnceThatOneIsHere) {
  ledger::Ledger reference;
  reference.funds = {{"core", "Core", ledger::FundCategory::kCore}};
  reference.donors = {{"d1", "Donor", ledger::DonorType::kMemberState, "MEX", {}}};
  ledger::EntryColumns columns;
  auto view = [](std::string_view id, ledger::EntryKind kind, ledger::Date value_date, int64_t cents) {
    ledger::EntryView v;
    v.id = id;
    v.donor = "d1";
    v.fund = "core";
    v.kind = kind;
    v.value_day = value_date.days;
    v.attributed_year = 2021;
    v.usd_cents = cents;
    v.amount_minor = cents;
    return v;
  };
  const ledger::EntryView receipt = view("r", ledger::EntryKind::kReceipt, ledger::MakeDate(2022, 3, 1), 400);
  const ledger::EntryView pledge = view("p", ledger::EntryKind::kPledge, ledger::MakeDate(2021, 2, 1), 1000);
  columns.AppendResolved(receipt, 1, ledger::EntryColumns::kNone);  // settles the pledge, stored next
  EXPECT_FALSE(columns.indexed());
  columns.AppendResolved(pledge, ledger::EntryColumns::kNone, ledger::EntryColumns::kNone);
  columns.Reindex();
  ASSERT_TRUE(columns.indexed());
  // The 2022 receipt is listed for 2021, the year of the pledge it settles.
  EXPECT_EQ(columns.YearPositions(2021), (std::vector<int32_t>{0, 1}));
  ledger::EntryColumns scan_all = columns;
  scan_all.DropIndex();
  EXPECT_EQ(ReportText(reference, columns, 2021, "2022-12-31"), ReportText(reference, scan_all, 2021, "2022-12-31"));
  auto report = ReportText(reference, columns, 2021, "2022-12-31");
  EXPECT_NE(report.find("\"pledged_usd\": \"6.00\""), std::string::npos) << report;
  // A segment of the receipt alone names a position past its end: accepted
  // when the ledger holds that many entries.
  std::string first = ledger::EncodeSegment(columns, 0, 1);
  ledger::EntryColumns alone = SameNames(columns);
  EXPECT_FALSE(ledger::DecodeSegment(first, alone));
  ledger::EntryColumns ledger_of_two = SameNames(columns);
  EXPECT_TRUE(ledger::DecodeSegment(first, ledger_of_two, 2));
}

// PostgreSQL keeps column segments too (migration 0005): `rmis import`
// seals every full run of 65,536 entries, as does the first process to read
// the entries as columns when there is none; the next loads those segments
// (their rows untouched: the same xmin) and gets the same figures, which are
// those of the entry records. A segment that is not one is ignored and
// written anew; donors stored after the segments were sealed do not change
// what they mean.
TEST(PostgresColumns, ANewProcessLoadsSealedSegmentsAndGetsTheSameFigures) {
  testing::TempDir dir;
  exchange::GenerateOptions options;
  options.entries = 140000;
  options.donors = 3000;
  options.seed = 11;
  ASSERT_TRUE(exchange::GenerateDataset(options, dir.File("data")));
  const std::string url = testing::PostgresServer::Get().CreateDatabase();
  ASSERT_EQ(testing::RunRmis({"init", "--db", url}).exit_code, 0);
  testing::CommandResult imported = testing::RunRmis({"import", "--db", url, dir.File("data")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto reports = [&] {
    std::vector<std::string> out;
    auto store = store::OpenStore(url, store::OpenMode::kExisting, Env());
    EXPECT_TRUE(store);
    if (!store) return out;
    EXPECT_TRUE((*store)->ReadColumns([&](const ledger::Ledger& r, const ledger::EntryColumns& c) {
      EXPECT_EQ(c.size(), 140000u);
      EXPECT_TRUE(c.indexed());
      out = AllReports(r, c);
    }));
    return out;
  };
  auto query = [&](const char* sql) { return testing::PostgresQueryText(url, sql); };
  // `rmis import` sealed the two full runs of 65,536 entries.
  EXPECT_EQ(query("SELECT count(*) || ' ' || sum(rows) FROM entry_segments"), "2 131072");
  const std::string by_import = query("SELECT string_agg(first_seq || ':' || xmin::text, ',' ORDER BY first_seq) FROM entry_segments");
  const std::vector<std::string> first = reports();  // from the segments
  EXPECT_EQ(query("SELECT string_agg(first_seq || ':' || xmin::text, ',' ORDER BY first_seq) FROM entry_segments"),
            by_import);
  {
    auto store = store::OpenStore(url, store::OpenMode::kExisting, Env());
    ASSERT_TRUE(store);
    auto ledger = (*store)->LoadLedger();
    ASSERT_TRUE(ledger);
    EXPECT_EQ(AllReports(*ledger, ledger::ToColumns(ledger->entries)), first);
  }
  // With no segment, the first process to read the rows seals them; the
  // next one loads them.
  EXPECT_EQ(testing::PostgresExec(url, "DELETE FROM entry_segments"), "");
  EXPECT_EQ(reports(), first);
  EXPECT_EQ(query("SELECT count(*) || ' ' || sum(rows) FROM entry_segments"), "2 131072");
  const std::string sealed = query("SELECT string_agg(first_seq || ':' || xmin::text, ',' ORDER BY first_seq) FROM entry_segments");
  EXPECT_EQ(reports(), first);
  EXPECT_EQ(query("SELECT string_agg(first_seq || ':' || xmin::text, ',' ORDER BY first_seq) FROM entry_segments"),
            sealed);
  // Not a segment: the rows are read instead, and it is sealed anew.
  EXPECT_EQ(testing::PostgresExec(url, "UPDATE entry_segments SET data = '\\x00112233' WHERE first_seq = 1"), "");
  EXPECT_EQ(reports(), first);
  EXPECT_NE(query("SELECT length(data) FROM entry_segments WHERE first_seq = 1"), "4");
  // A donor stored after the segments: the same segments, the same figures.
  const std::string resealed = query("SELECT string_agg(first_seq || ':' || xmin::text, ',' ORDER BY first_seq) FROM entry_segments");
  {
    auto store = store::OpenStore(url, store::OpenMode::kExisting, Env());
    ASSERT_TRUE(store);
    ledger::Dataset more;
    more.donors.push_back(ledger::Located<ledger::Donor>{
        ledger::Donor{"zz-late-donor", "A late donor", ledger::DonorType::kOther, "MEX", {}}, {}});
    store::WriteOptions write;
    write.source = "late";
    auto added = (*store)->Import(more, write);
    ASSERT_TRUE(added && added->problems.empty());
  }
  EXPECT_EQ(reports(), first);
  EXPECT_EQ(query("SELECT string_agg(first_seq || ':' || xmin::text, ',' ORDER BY first_seq) FROM entry_segments"),
            resealed);
  // A row of a sealed run deleted behind rmis's back: the segments no longer
  // stand for the rows, and the copy is made from the rows, by ids, with the
  // figures of the records left.
  EXPECT_EQ(testing::PostgresExec(url,
                                  "ALTER TABLE entries DISABLE TRIGGER entries_no_delete;"
                                  " DELETE FROM entries WHERE seq = 1000 AND NOT EXISTS"
                                  " (SELECT 1 FROM entries n WHERE n.settles = entries.id OR n.reverses = entries.id);"
                                  " ALTER TABLE entries ENABLE TRIGGER entries_no_delete;"),
            "");
  ASSERT_EQ(query("SELECT count(*) FROM entries"), "139999");
  std::vector<std::string> records;
  {
    auto store = store::OpenStore(url, store::OpenMode::kExisting, Env());
    ASSERT_TRUE(store);
    auto ledger = (*store)->LoadLedger();
    ASSERT_TRUE(ledger);
    records = AllReports(*ledger, ledger::ToColumns(ledger->entries));
    ASSERT_TRUE((*store)->ReadColumns([&](const ledger::Ledger& r, const ledger::EntryColumns& c) {
      EXPECT_EQ(c.size(), 139999u);
      EXPECT_EQ(AllReports(r, c), records);
    }));
  }
  EXPECT_NE(records, first);
}

}  // namespace
}  // namespace rmis
