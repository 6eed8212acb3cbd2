// The store test suite, run against both stores: SQLite on a real file and
// PostgreSQL on a real server that the harness starts (issue 3, item 3).
// Migrations, append-only tables, one transaction per import, listing with
// filters and cursors, accounts, the audit chain, idempotency, and writers
// racing for one pledge. Then what only one store has (SQLite's WAL,
// PostgreSQL's fsync check, triggers and migration records), and a test that
// the same writes leave the same records, chain and answers on both.
#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "exchange/csv/dataset_reader.h"
#include "exchange/generate/generator.h"
#include "reference/countries.h"
#include "store/audit.h"
#include "store/migrations/migrations.h"
#include "support/postgres_harness.h"
#include "support/test_support.h"

namespace rmis::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::StoreKind;
using testing::TestStoreLocation;

StoreEnvironment TestEnvironment() {
  return StoreEnvironment{[] { return ledger::Instant{1700000000}; }, reference::IsCountryAlpha3};
}

WriteOptions Write(const std::string& source) {
  WriteOptions options;
  options.actor = Actor{"tester", "127.0.0.1", "req-1"};
  options.source = source;
  return options;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A dataset of entries given as the rows of an entries.csv.
ledger::Dataset Entries(const std::string& rows) {
  exchange::DatasetRead read;
  exchange::ReadDatasetFileText(
      "entries.csv", "id,kind,donor,fund,amount,currency,value_date,settles,reverses\n" + rows, read);
  EXPECT_TRUE(read.problems.empty()) << ledger::FormatProblem(read.problems[0]);
  return read.dataset;
}

ledger::Dataset Fixture(const std::string& name) {
  exchange::DatasetRead read = exchange::ReadDatasetDirectory(testing::FixtureDir(name).string());
  EXPECT_TRUE(read.problems.empty());
  return read.dataset;
}

class StoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    where_ = std::make_unique<TestStoreLocation>(GetParam());
    path_ = where_->location();
    auto store = OpenStore(path_, OpenMode::kCreate, TestEnvironment());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  ImportResult ImportFixture() {
    auto result = store_->Import(Fixture("small"), Write("small"));
    EXPECT_TRUE(result) << result.error().message;
    return *result;
  }
  std::unique_ptr<Store> OpenAgain() {
    auto store = OpenStore(path_, OpenMode::kExisting, TestEnvironment());
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }
  bool IsSqlite() const { return GetParam() == StoreKind::kSqlite; }

  std::unique_ptr<TestStoreLocation> where_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Stores, StoreTest, ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const auto& info) { return testing::StoreKindName(info.param); });

TEST_P(StoreTest, MigrationsAreAppliedAndRecorded) {
  auto migrations = store_->Migrations();
  ASSERT_TRUE(migrations);
  ASSERT_FALSE(migrations->empty());
  EXPECT_EQ((*migrations)[0].version, 1);
  EXPECT_EQ((*migrations)[0].name, "0001_ledger");
  EXPECT_EQ((*migrations)[0].applied_at, 1700000000);
  // Opening again applies nothing twice.
  store_.reset();
  auto again = OpenStore(path_, OpenMode::kExisting, TestEnvironment());
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->Migrations()->size(), migrations->size());
}

// The indexes of what settles or reverses an entry hold only the entries that
// name one (three in four name none): smaller, and nothing to insert for the
// others on import (issue 6).
TEST_P(StoreTest, LinkIndexesHoldOnlyEntriesThatNameAnother) {
  for (const std::string column : {"settles", "reverses"}) {
    const std::string name = "entries_by_" + column;
    const std::string definition =
        IsSqlite() ? where_->QueryText("SELECT sql FROM sqlite_master WHERE name = '" + name + "'")
                   : where_->QueryText("SELECT indexdef FROM pg_indexes WHERE indexname = '" + name + "'");
    EXPECT_THAT(definition, HasSubstr("WHERE")) << definition;
    EXPECT_THAT(definition, HasSubstr(column + " IS NOT NULL")) << definition;
  }
}

TEST_P(StoreTest, RefusesToCreateOverOrOpenWhatIsNotThere) {
  auto over = OpenStore(path_, OpenMode::kCreate, TestEnvironment());
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kConflict);
  // SQLite: a file that is not there; PostgreSQL: a database without the
  // rmis tables.
  TestStoreLocation empty(GetParam());
  auto missing = OpenStore(empty.location(), OpenMode::kExisting, TestEnvironment());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("rmis init --db"));
  // SQLite: a file that is not a database; PostgreSQL: no server there.
  auto junk = OpenStore(empty.Unusable(), OpenMode::kExisting, TestEnvironment());
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kIo);
}

TEST_P(StoreTest, WhatIsImportedIsWhatIsLoaded) {
  ImportResult result = ImportFixture();
  EXPECT_EQ(result.entries_added, 7u);
  EXPECT_TRUE(result.problems.empty());
  auto ledger = store_->LoadLedger();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->entries.size(), 7u);
  const ledger::Entry& r1 = ledger->entries[1];
  EXPECT_EQ(r1.id, "R1");
  EXPECT_EQ(r1.amount.minor_units(), 4000000);
  EXPECT_EQ(r1.amount.currency().str(), "CHF");
  EXPECT_EQ(r1.usd_cents, 4347826);
  EXPECT_EQ(r1.settles, "P1");
  EXPECT_EQ(ledger->donors[0].names[1], "墨西哥");
  EXPECT_EQ(ledger->targets.size(), 2u);
  EXPECT_EQ(ledger->entries[6].probability_ppm, 500000);
  // The same records, in the same order, as the dataset gave them.
  ledger::Dataset dataset = Fixture("small");
  ASSERT_EQ(ledger->donors.size(), dataset.donors.size());
  for (size_t i = 0; i < dataset.donors.size(); ++i) EXPECT_EQ(ledger->donors[i], dataset.donors[i].value);
  for (size_t i = 0; i < dataset.entries.size(); ++i)
    EXPECT_EQ(ledger->entries[i].id, dataset.entries[i].value.id);
  // ReadLedger and ReadColumns (what reports read) give the same ledger.
  ledger::Ledger read;
  ASSERT_TRUE(store_->ReadLedger([&](const ledger::Ledger& l) { read = l; }));
  EXPECT_EQ(read.entries, ledger->entries);
  EXPECT_EQ(read.rates, ledger->rates);
  ledger::EntryColumns expected = ledger::ToColumns(ledger->entries);
  ASSERT_TRUE(store_->ReadColumns([&](const ledger::Ledger& reference, const ledger::EntryColumns& columns) {
    EXPECT_EQ(reference.donors, ledger->donors);
    EXPECT_EQ(reference.targets, ledger->targets);
    EXPECT_TRUE(reference.entries.empty());
    EXPECT_EQ(columns.usd_cents, expected.usd_cents);
    EXPECT_EQ(columns.settles, expected.settles);
    EXPECT_EQ(columns.reverses, expected.reverses);
    EXPECT_EQ(columns.value_day, expected.value_day);
  }));
}

TEST_P(StoreTest, EntriesCannotBeEditedOrDeleted) {
  ImportFixture();
  EXPECT_THAT(where_->Exec("UPDATE entries SET amount_minor = 1 WHERE id = 'R1'"), HasSubstr("append-only"));
  EXPECT_THAT(where_->Exec("DELETE FROM entries WHERE id = 'R1'"), HasSubstr("append-only"));
  EXPECT_THAT(where_->Exec("DELETE FROM targets"), HasSubstr("append-only"));
  EXPECT_THAT(where_->Exec("UPDATE audit SET actor = 'someone else'"), HasSubstr("append-only"));
  EXPECT_THAT(where_->Exec("DELETE FROM audit"), HasSubstr("append-only"));
  EXPECT_EQ(store_->LoadLedger()->entries[1].amount.minor_units(), 4000000);
}

TEST_P(StoreTest, ARefusedImportWritesNothing) {
  ImportFixture();
  std::string before = where_->Dump();
  ledger::Dataset bad;
  ledger::Entry e;
  e.id = "N1";
  e.kind = ledger::EntryKind::kReceipt;
  e.donor = "nobody";
  e.fund = "core";
  e.amount = money::Money(100, money::CurrencyCode("USD"));
  bad.entries.push_back({e, {"entries.csv", 2}});
  bad.donors.push_back(
      {ledger::Donor{"new", "New donor", ledger::DonorType::kFoundation, "", {}}, {"donors.csv", 2}});
  auto result = store_->Import(bad, Write("bad"));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->problems.size(), 1u);
  EXPECT_EQ(where_->Dump(), before);
}

TEST_P(StoreTest, ACheckWritesNothing) {
  ImportFixture();
  std::string before = where_->Dump();
  auto good = store_->Check(Entries("C1,receipt,mex,core,10,USD,2021-04-01,,\n"));
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_TRUE(good->problems.empty());
  EXPECT_EQ(good->entries_added, 1u);
  auto bad = store_->Check(Entries("C2,receipt,che,earmarked,60001,CHF,2021-03-20,P1,\n"));
  ASSERT_TRUE(bad);
  ASSERT_EQ(bad->problems.size(), 1u);
  EXPECT_EQ(bad->problems[0].field, "amount");
  EXPECT_THAT(bad->problems[0].message, HasSubstr("P1"));
  EXPECT_EQ(where_->Dump(), before);
}

TEST_P(StoreTest, ListsWithFiltersAndCursor) {
  ImportFixture();
  EntryFilter receipts;
  receipts.kind = ledger::EntryKind::kReceipt;
  auto list = store_->ListEntries(receipts);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 4u);
  EntryFilter page;
  page.limit = 3;
  auto first = store_->ListEntries(page);
  ASSERT_EQ(first->size(), 3u);
  page.after_seq = first->back().seq;
  auto second = store_->ListEntries(page);
  ASSERT_EQ(second->size(), 3u);
  EXPECT_EQ((*second)[0].entry.id, "R2");
  EntryFilter dated;
  dated.from = *ledger::ParseDate("2021-03-01");
  dated.to = *ledger::ParseDate("2021-03-10");
  dated.fund = "earmarked";
  auto march = store_->ListEntries(dated);
  ASSERT_EQ(march->size(), 1u);
  EXPECT_EQ((*march)[0].entry.id, "R1");
  // Every filter, one at a time.
  auto count = [&](EntryFilter filter) { return store_->ListEntries(filter)->size(); };
  EntryFilter f;
  f.id = "R2";
  EXPECT_EQ(count(f), 1u);
  f = {};
  f.donor = "mex";
  EXPECT_EQ(count(f), 3u);
  f = {};
  f.attributed_year = 2020;
  EXPECT_EQ(count(f), 1u);
  f = {};
  f.region = ledger::Region::kAfrica;
  EXPECT_EQ(count(f), 1u);
  f = {};
  f.appeal = "covid19";
  EXPECT_EQ(count(f), 1u);
  f = {};
  f.settles = "P1";
  EXPECT_EQ(count(f), 1u);
  f = {};
  f.event = "pcsu";
  EXPECT_EQ(count(f), 0u);
  // Sequence numbers count from 1 in the order of storage.
  auto all = store_->ListEntries(EntryFilter{});
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, static_cast<int64_t>(i + 1));
}

TEST_P(StoreTest, ForeignKeysAreEnforced) {
  ImportFixture();
  std::string error =
      IsSqlite() ? where_->Exec(
                       "PRAGMA foreign_keys=ON; INSERT INTO entries (id, kind, donor, fund, currency,"
                       " amount_minor, usd_cents, value_date, recorded_at, attributed_year)"
                       " VALUES ('Z', 'receipt', 'ghost', 'core', 'USD', 1, 1, 0, 0, 1970)")
                 : where_->Exec(
                       "INSERT INTO entries (seq, id, kind, donor, fund, currency,"
                       " amount_minor, usd_cents, value_date, recorded_at, attributed_year)"
                       " VALUES (100, 'Z', 'receipt', 'ghost', 'core', 'USD', 1, 1, 0, 0, 1970)");
  EXPECT_THAT(Lower(error), HasSubstr("foreign key"));
}

TEST_P(StoreTest, AnIdempotentImportIsAppliedOnce) {
  ImportFixture();
  WriteOptions options = Write("api");
  options.action = "entry.create";
  options.idempotency = Idempotency{"key-1", "fingerprint-1"};
  int answered = 0;
  options.respond = [&](const ImportResult& result) {
    ++answered;
    return StoredResponse{201, "{\"added\":" + std::to_string(result.entries_added) + "}"};
  };
  ledger::Dataset one = Entries("I1,receipt,mex,core,10,USD,2021-04-01,,\n");
  auto first = store_->Import(one, options);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->response);
  EXPECT_EQ(first->response->body, "{\"added\":1}");
  EXPECT_FALSE(first->replayed);
  auto retry = store_->Import(one, options);
  ASSERT_TRUE(retry);
  ASSERT_TRUE(retry->replayed);
  EXPECT_EQ(retry->replayed->status, 201);
  EXPECT_EQ(retry->replayed->body, "{\"added\":1}");
  EXPECT_EQ(retry->entries_added, 0u);
  EXPECT_EQ(answered, 1);
  EXPECT_EQ(store_->ListEntries(EntryFilter{})->size(), 8u);
  // The same key for another request is refused.
  options.idempotency->fingerprint = "fingerprint-2";
  auto other = store_->Import(Entries("I2,receipt,mex,core,10,USD,2021-04-01,,\n"), options);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  // The same key for another user is another key.
  options.actor.user = "someone";
  auto theirs = store_->Import(Entries("I2,receipt,mex,core,10,USD,2021-04-01,,\n"), options);
  ASSERT_TRUE(theirs);
  EXPECT_FALSE(theirs->replayed);
  // A refused request is not remembered: a corrected retry is applied.
  options.idempotency = Idempotency{"key-2", "fingerprint-3"};
  auto refused = store_->Import(Entries("I3,receipt,nobody,core,10,USD,2021-04-01,,\n"), options);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->problems.size(), 1u);
  auto corrected = store_->Import(Entries("I3,receipt,mex,core,10,USD,2021-04-01,,\n"), options);
  ASSERT_TRUE(corrected);
  EXPECT_FALSE(corrected->replayed);
  EXPECT_EQ(corrected->entries_added, 1u);
  // Nothing new, but idempotent: the answer is remembered all the same.
  options.idempotency = Idempotency{"key-3", "fingerprint-4"};
  auto again = store_->Import(Entries("I3,receipt,mex,core,10,USD,2021-04-01,,\n"), options);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 1u);
  ASSERT_TRUE(again->response);
  auto replay = store_->Import(Entries("I3,receipt,mex,core,10,USD,2021-04-01,,\n"), options);
  ASSERT_TRUE(replay->replayed);
  EXPECT_EQ(replay->replayed->body, again->response->body);
}

TEST_P(StoreTest, AccountsAndSessions) {
  ImportFixture();
  Actor admin{"admin", "10.0.0.1", "req-7"};
  User user;
  user.name = "focal";
  user.role = Role::kFocalPoint;
  user.password_hash = "$argon2id$fake";
  user.donors = {"mex", "che"};
  auto added = store_->AddUser(user, admin);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->id, 1);
  EXPECT_EQ(added->created_at, 1700000000);
  auto found = store_->FindUser("focal");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->donors, (std::vector<std::string>{"che", "mex"}));
  EXPECT_EQ((*found)->role, Role::kFocalPoint);
  EXPECT_FALSE((*found)->disabled);
  EXPECT_EQ((*store_->FindUserById(1))->name, "focal");
  EXPECT_FALSE(*store_->FindUser("nobody"));
  EXPECT_FALSE(*store_->FindUserById(99));

  auto taken = store_->AddUser(user, admin);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  auto head = *store_->AuditHead();
  User stranger = user;
  stranger.name = "stranger";
  stranger.donors = {"atlantis"};
  auto unknown = store_->AddUser(stranger, admin);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(*store_->FindUser("stranger"));
  EXPECT_EQ(*store_->AuditHead(), head);  // nothing written

  Session session{"hash-of-a-secret-0123456789", 1, "csrf", false, "", 1700000000, 1700003600};
  ASSERT_TRUE(store_->AddSession(session, admin));
  auto stored = store_->FindSession(session.token_hash);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->csrf_token, "csrf");
  EXPECT_EQ((*stored)->expires_at, 1700003600);
  EXPECT_FALSE((*stored)->api_token);
  Session token{"hash-of-a-token-0123456789", 1, "", true, "scripts", 1700000000, 0};
  ASSERT_TRUE(store_->AddSession(token, admin));
  EXPECT_TRUE((*store_->FindSession(token.token_hash))->api_token);

  User changed = **found;
  changed.role = Role::kOfficer;
  changed.donors = {};
  ASSERT_TRUE(store_->UpdateUser(changed, admin));
  EXPECT_EQ((*store_->FindUser("focal"))->role, Role::kOfficer);
  EXPECT_TRUE((*store_->FindUser("focal"))->donors.empty());
  EXPECT_TRUE(*store_->FindSession(session.token_hash));  // still signed in
  changed.disabled = true;
  ASSERT_TRUE(store_->UpdateUser(changed, admin));
  EXPECT_TRUE((*store_->FindUser("focal"))->disabled);
  EXPECT_FALSE(*store_->FindSession(session.token_hash));  // a disabled account loses its sessions
  EXPECT_FALSE(*store_->FindSession(token.token_hash));
  User ghost = changed;
  ghost.id = 42;
  auto missing = store_->UpdateUser(ghost, admin);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  User second;
  second.name = "viewer";
  second.password_hash = "x";
  ASSERT_TRUE(store_->AddUser(second, admin));
  auto users = store_->ListUsers();
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "focal");
  EXPECT_EQ((*users)[1].name, "viewer");
  EXPECT_EQ((*users)[1].id, 2);

  // Logging out twice writes one record.
  Session other{"another-session-hash-0123", 2, "c", false, "", 1700000000, 0};
  ASSERT_TRUE(store_->AddSession(other, admin));
  ASSERT_TRUE(store_->DeleteSession(other.token_hash, admin));
  auto after_logout = *store_->AuditHead();
  ASSERT_TRUE(store_->DeleteSession(other.token_hash, admin));
  EXPECT_EQ(*store_->AuditHead(), after_logout);

  auto records = *store_->ListAudit(0, 0);
  std::vector<std::string> actions;
  for (const auto& r : records) actions.push_back(r.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"import", "user.add", "login", "token.create", "user.update",
                                               "user.update", "user.add", "login", "logout"}));
  EXPECT_THAT(records[1].after, Not(HasSubstr("argon2id")));  // never the password hash
  EXPECT_EQ(records[1].address, "10.0.0.1");
  EXPECT_EQ(records[1].request_id, "req-7");
}

TEST_P(StoreTest, EveryWriteExtendsTheAuditChain) {
  ImportFixture();
  User user;
  user.name = "officer";
  user.role = Role::kOfficer;
  user.password_hash = "x";
  ASSERT_TRUE(store_->AddUser(user, Actor{"admin", "", ""}));
  AuditRecord failed;
  failed.actor = "officer";
  failed.action = "login.failed";
  failed.entity = "user";
  failed.entity_id = "officer";
  ASSERT_TRUE(store_->AppendAudit(failed));
  auto records = store_->ListAudit(0, 0);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 3u);
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ((*records)[i].at, 1700000000);
    EXPECT_EQ((*records)[i].previous_hash, i == 0 ? "" : (*records)[i - 1].hash);
  }
  EXPECT_EQ((*records)[0].entity, "dataset");
  EXPECT_EQ((*records)[0].entity_id, "1");
  auto head = store_->AuditHead();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->first, 3);
  EXPECT_EQ(head->second, records->back().hash);
  EXPECT_TRUE(audit::Verify(*records, head->first, head->second).ok());
  EXPECT_EQ(store_->ListAudit(1, 1)->at(0).seq, 2);

  // A tool that gets past the trigger and changes a record is found out.
  std::string tamper = IsSqlite()
                           ? "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 2"
                           : "ALTER TABLE audit DISABLE TRIGGER audit_no_update;"
                             " UPDATE audit SET actor = 'mallory' WHERE seq = 2";
  ASSERT_EQ(where_->Exec(tamper), "");
  auto verification = audit::Verify(*store_->ListAudit(0, 0), head->first, head->second);
  ASSERT_FALSE(verification.ok());
  EXPECT_EQ(*verification.first_bad_seq, 2);
}

TEST_P(StoreTest, ALargeImportWithForwardReferencesIsStoredWhole) {
  ImportFixture();
  // More rows than one INSERT statement takes, and a receipt in the first
  // rows that settles a pledge in the last: the reference is checked when
  // the whole import is in.
  std::string rows = "L0,receipt,mex,core,5,USD,2021-04-01,LP,\n";
  for (int i = 1; i < 2500; ++i) rows += "L" + std::to_string(i) + ",receipt,gates,core,1,USD,2021-04-01,,\n";
  rows += "LP,pledge,mex,core,1000,USD,2021-03-01,,\n";
  auto result = store_->Import(Entries(rows), Write("large"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(result->problems.empty()) << ledger::FormatProblem(result->problems[0]);
  EXPECT_EQ(result->entries_added, 2501u);
  auto all = store_->ListEntries(EntryFilter{});
  ASSERT_EQ(all->size(), 2508u);
  EXPECT_EQ((*all)[7].entry.id, "L0");
  EXPECT_EQ((*all)[7].entry.settles, "LP");
  EXPECT_EQ(all->back().entry.id, "LP");
  EXPECT_EQ(all->back().seq, 2508);
  // The refused one writes none of its 2500 rows.
  std::string before = where_->Dump();
  std::string bad;
  for (int i = 0; i < 2499; ++i) bad += "B" + std::to_string(i) + ",receipt,gates,core,1,USD,2021-04-01,,\n";
  bad += "B2499,receipt,gates,core,1,USD,2021-04-01,NOPE,\n";
  auto refused = store_->Import(Entries(bad), Write("bad"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->problems.size(), 1u);
  EXPECT_EQ(where_->Dump(), before);
}

// The columns a store keeps for reports are its entries, position by
// position, read page by page with their links resolved by the database
// (PostgreSQL) or from segments and rows (SQLite): with a receipt stored
// before the pledge it settles, more entries than one page, and, once a row
// is deleted behind rmis's back (a gap in the numbers), read again by ids.
TEST_P(StoreTest, ColumnsAreTheEntriesEvenWithAGap) {
  ImportFixture();
  std::string rows = "C0,receipt,mex,core,5,USD,2021-04-01,CP,\n";
  for (int i = 1; i < 45000; ++i) rows += "C" + std::to_string(i) + ",receipt,gates,core,1,USD,2021-04-01,,\n";
  rows += "CP,pledge,mex,core,1000,USD,2021-03-01,,\n";
  rows += "CV,reversal,gates,core,1,USD,2021-04-02,,C7\n";
  auto result = store_->Import(Entries(rows), Write("large"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(result->problems.empty()) << ledger::FormatProblem(result->problems[0]);
  auto same = [&](Store& store) {
    auto ledger = store.LoadLedger();
    ASSERT_TRUE(ledger);
    ledger::EntryColumns expected = ledger::ToColumns(ledger->entries);
    ASSERT_TRUE(store.ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& columns) {
      ASSERT_EQ(columns.size(), ledger->entries.size());
      EXPECT_TRUE(columns.indexed());  // reports read the year's entries, not all
      EXPECT_EQ(columns.kind, expected.kind);
      EXPECT_EQ(columns.region, expected.region);
      EXPECT_EQ(columns.channel, expected.channel);
      EXPECT_EQ(columns.attributed_year, expected.attributed_year);
      EXPECT_EQ(columns.probability_ppm, expected.probability_ppm);
      EXPECT_EQ(columns.usd_cents, expected.usd_cents);
      EXPECT_EQ(columns.amount_minor, expected.amount_minor);
      EXPECT_EQ(columns.settles, expected.settles);
      EXPECT_EQ(columns.reverses, expected.reverses);
      EXPECT_EQ(columns.value_day, expected.value_day);
      EXPECT_EQ(columns.recorded_at, expected.recorded_at);
      for (size_t i = 0; i < ledger->entries.size(); ++i) {
        ASSERT_EQ(columns.donors.Name(columns.donor[i]), ledger->entries[i].donor) << i;
        ASSERT_EQ(columns.funds.Name(columns.fund[i]), ledger->entries[i].fund) << i;
      }
    }));
  };
  same(*OpenAgain());
  // C3 names nothing and nothing names it.
  EXPECT_EQ(where_->Exec(IsSqlite() ? "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE id = 'C3'"
                                    : "DROP TRIGGER entries_no_delete ON entries; DELETE FROM entries WHERE id = 'C3'"),
            "");
  same(*OpenAgain());
}

// What the API's entry list finds over the columns (store::MatchingSeqs) is
// what ListEntries lists from the table, filter by filter: each criterion
// alone and together, cursors both ways, limits, names the store never saw.
TEST_P(StoreTest, MatchingSeqsOverTheColumnsAreWhatIsListed) {
  testing::TempDir dir;
  exchange::GenerateOptions options;
  options.entries = 3000;
  options.donors = 100;
  options.seed = 21;
  ASSERT_TRUE(exchange::GenerateDataset(options, dir.File("data")));
  exchange::DatasetRead read = exchange::ReadDatasetDirectory(dir.File("data"));
  ASSERT_TRUE(read.problems.empty());
  auto imported = store_->Import(read.dataset, Write("generated"));
  ASSERT_TRUE(imported && imported->problems.empty());
  auto ledger = store_->LoadLedger();
  ASSERT_TRUE(ledger);
  const auto& entries = ledger->entries;
  const ledger::Entry& some = entries[entries.size() / 3];
  std::vector<EntryFilter> filters;
  auto add = [&](auto change) {
    EntryFilter f;
    change(f);
    filters.push_back(f);
  };
  add([](EntryFilter&) {});
  add([&](EntryFilter& f) { f.donor = some.donor; });
  add([&](EntryFilter& f) { f.fund = some.fund; });
  for (auto kind : {ledger::EntryKind::kPledge, ledger::EntryKind::kReceipt, ledger::EntryKind::kExpected,
                    ledger::EntryKind::kWriteOff, ledger::EntryKind::kReversal}) {
    add([&](EntryFilter& f) { f.kind = kind; });
  }
  add([&](EntryFilter& f) { f.from = some.value_date; });
  add([&](EntryFilter& f) { f.to = some.value_date; });
  add([&](EntryFilter& f) { f.attributed_year = some.attributed_year; });
  add([&](EntryFilter& f) { f.region = some.region; });
  for (const auto& e : entries) {
    if (!e.appeal.empty()) {
      add([&](EntryFilter& f) { f.appeal = e.appeal; });
      break;
    }
  }
  for (const auto& e : entries) {
    if (!e.event.empty()) {
      add([&](EntryFilter& f) { f.event = e.event; });
      break;
    }
  }
  add([&](EntryFilter& f) { f.known_at = some.recorded_at - 1; });
  add([&](EntryFilter& f) { f.donor = "nobody"; });
  add([&](EntryFilter& f) {
    f.fund = some.fund;
    f.kind = ledger::EntryKind::kReceipt;
    f.from = ledger::Date{some.value_date.days - 400};
    f.to = some.value_date;
  });
  const size_t plain = filters.size();
  for (size_t i = 0; i < plain; ++i) {
    for (int variant = 0; variant < 4; ++variant) {
      EntryFilter f = filters[i];
      f.limit = variant == 0 ? 0 : 7;
      f.newest_first = variant >= 2;
      if (variant == 3) f.before_seq = static_cast<int64_t>(entries.size() / 2);
      if (variant == 1) f.after_seq = static_cast<int64_t>(entries.size() / 2);
      filters.push_back(f);
    }
  }
  size_t nonempty = 0;
  ASSERT_TRUE(store_->ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& columns) {
    for (size_t i = 0; i < filters.size(); ++i) {
      SCOPED_TRACE("filter " + std::to_string(i));
      auto seqs = MatchingSeqs(columns, filters[i]);
      ASSERT_TRUE(seqs.has_value());
      auto listed = store_->ListEntries(filters[i]);
      ASSERT_TRUE(listed);
      std::vector<int64_t> expected;
      for (const auto& item : *listed) expected.push_back(item.seq);
      EXPECT_EQ(*seqs, expected);
      if (!expected.empty()) ++nonempty;
    }
    EntryFilter by_id;
    by_id.id = some.id;
    EXPECT_FALSE(MatchingSeqs(columns, by_id).has_value());
  }));
  EXPECT_GT(nonempty, filters.size() * 3 / 4);
}

// Two stores on one database, as two `rmis serve` processes would be: the
// write lock is the database's, not the process's (issue 3, item 4).
TEST_P(StoreTest, TwoProcessesNeverSettleMoreThanThePledge) {
  ImportFixture();
  std::unique_ptr<Store> other = OpenAgain();
  ASSERT_TRUE(other);
  // P1 is 100000 CHF with 40000 paid: 60000 open. Twelve writers each pay
  // 7000 at once, half through each store: exactly 8 can succeed.
  std::atomic<int> accepted{0}, refused{0}, failed{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 12; ++i) {
    writers.emplace_back([&, i] {
      Store& store = i % 2 ? *other : *store_;
      auto result =
          store.Import(Entries("C" + std::to_string(i) + ",receipt,che,earmarked,7000,CHF,2021-03-20,P1,\n"),
                       Write("race"));
      if (!result) {
        ++failed;
      } else if (result->problems.empty()) {
        ++accepted;
      } else {
        ++refused;
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(accepted.load(), 8);
  EXPECT_EQ(refused.load(), 4);
  EntryFilter paid;
  paid.settles = "P1";
  int64_t settled = 0;
  // Held in a variable: a range-for over *ListEntries(...) would read a
  // destroyed temporary.
  auto payments = store_->ListEntries(paid);
  ASSERT_TRUE(payments);
  for (const auto& item : *payments) settled += item.entry.amount.minor_units();
  EXPECT_EQ(settled, 40000 * 100 + 8 * 7000 * 100);
  // One chain, whichever process wrote.
  auto records = *store_->ListAudit(0, 0);
  EXPECT_EQ(records.size(), 9u);
  auto head = *other->AuditHead();
  EXPECT_TRUE(audit::Verify(records, head.first, head.second).ok());
  // Each store's reads see the other's writes.
  size_t seen = 0;
  auto count = [&](const ledger::Ledger&, const ledger::EntryColumns& columns) { seen = columns.size(); };
  ASSERT_TRUE(other->ReadColumns(count));
  EXPECT_EQ(seen, 15u);
  ASSERT_TRUE(store_->Import(Entries("Z1,receipt,mex,core,1,USD,2021-04-01,,\n"), Write("one more")));
  ASSERT_TRUE(other->ReadColumns(count));
  EXPECT_EQ(seen, 16u);
  ASSERT_TRUE(store_->ReadColumns(count));
  EXPECT_EQ(seen, 16u);
}

// The stores keep reference records in memory for writes and reports; a
// change made behind their back (another tool, another process) is seen.
TEST_P(StoreTest, ReferenceRecordsAddedByAnotherToolAreSeen) {
  ImportFixture();
  ASSERT_TRUE(store_->Import(Entries("W1,receipt,mex,core,1,USD,2021-04-01,,\n"), Write("warm")));
  ASSERT_TRUE(store_->ReadColumns([](const ledger::Ledger&, const ledger::EntryColumns&) {}));
  ASSERT_EQ(
      where_->Exec("INSERT INTO donors (id, name, type) VALUES ('tool', 'Added by a tool', 'foundation')"),
      "");
  auto result = store_->Import(Entries("T1,receipt,tool,core,1,USD,2021-04-01,,\n"), Write("after the tool"));
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->problems.empty()) << ledger::FormatProblem(result->problems[0]);
  size_t donors = 0, entries = 0;
  ASSERT_TRUE(store_->ReadColumns([&](const ledger::Ledger& reference, const ledger::EntryColumns& columns) {
    donors = reference.donors.size();
    entries = columns.size();
  }));
  EXPECT_EQ(donors, 5u);
  EXPECT_EQ(entries, 9u);
  EXPECT_EQ((*store_->LoadReference())->donors.back().id, "tool");
  // Straight after another tool's write, with nothing in between.
  ASSERT_EQ(where_->Exec("INSERT INTO funds (id, name, category) VALUES ('toolfund', 'By a tool', 'core')"), "");
  EXPECT_EQ((*store_->LoadReference())->funds.back().id, "toolfund");
}

// What an entry's text holds comes back as it was, whatever the characters:
// one entry (PostgreSQL: an INSERT) and twenty (PostgreSQL: a COPY, which
// escapes tabs, line breaks and backslashes).
TEST_P(StoreTest, EntryTextComesBackAsItWas) {
  ImportFixture();
  const std::string note = "tab\there\nnew line\\back\\slash\rreturn \\N \\. end";
  std::string rows;
  for (int i = 1; i <= 21; ++i) rows += "N" + std::to_string(i) + ",receipt,mex,core,10,USD,2021-04-01,,\n";
  ledger::Dataset all = Entries(rows);
  for (auto& item : all.entries) {
    item.value.note = note;
    item.value.programme = "a\tb";
  }
  ledger::Dataset one;
  one.entries.push_back(all.entries.front());
  all.entries.erase(all.entries.begin());
  ASSERT_TRUE(store_->Import(one, Write("api")));
  ASSERT_TRUE(store_->Import(all, Write("api")));
  auto ledger = OpenAgain()->LoadLedger();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->entries.size(), 7u + 21u);
  for (size_t i = 7; i < ledger->entries.size(); ++i) {
    const auto& stored = ledger->entries[i];
    EXPECT_EQ(stored.id, "N" + std::to_string(i - 6));
    EXPECT_EQ(stored.note, note) << stored.id;
    EXPECT_EQ(stored.programme, "a\tb") << stored.id;
  }
}

// The reference records are read once and shared while nothing changes them;
// a write that adds one gives later callers new records, and the records a
// caller holds stay as they were.
TEST_P(StoreTest, ReferenceRecordsAreSharedUntilTheyChange) {
  ImportFixture();
  auto first = store_->LoadReference();
  ASSERT_TRUE(first) << first.error().message;
  auto again = store_->LoadReference();
  ASSERT_TRUE(again);
  EXPECT_EQ(first->get(), again->get());  // the same records, not read again
  const size_t donors = (*first)->donors.size();
  // An entry alone changes no reference record.
  ASSERT_TRUE(store_->Import(Entries("S1,receipt,mex,core,10,USD,2021-04-01,,\n"), Write("api")));
  auto after_entry = store_->LoadReference();
  ASSERT_TRUE(after_entry);
  EXPECT_EQ(after_entry->get(), first->get());
  // A donor added by rmis.
  exchange::DatasetRead read;
  exchange::ReadDatasetFileText("donors.csv", "id,name,type,country\nnew,New donor,foundation,\n", read);
  ASSERT_TRUE(read.problems.empty()) << ledger::FormatProblem(read.problems[0]);
  auto added = store_->Import(read.dataset, Write("api"));
  ASSERT_TRUE(added && added->problems.empty());
  auto after_donor = store_->LoadReference();
  ASSERT_TRUE(after_donor);
  EXPECT_EQ((*after_donor)->donors.size(), donors + 1);
  EXPECT_EQ((*after_donor)->donors.back().id, "new");
  EXPECT_EQ((*first)->donors.size(), donors);  // what was held is unchanged
  // Once nobody holds them, a write may extend the records in place; either
  // way the next call sees the donor.
  first->reset();
  again->reset();
  after_entry->reset();
  after_donor->reset();
  exchange::DatasetRead more;
  exchange::ReadDatasetFileText("donors.csv", "id,name,type,country\nnewer,Newer donor,foundation,\n", more);
  ASSERT_TRUE(store_->Import(more.dataset, Write("api")));
  auto last = store_->LoadReference();
  ASSERT_TRUE(last);
  EXPECT_EQ((*last)->donors.size(), donors + 2);
  EXPECT_EQ((*last)->donors.back().id, "newer");
}

// --- SQLite only. ------------------------------------------------------------

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore(where_.location(), OpenMode::kCreate, TestEnvironment());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  TestStoreLocation where_{StoreKind::kSqlite};
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, UsesWalAndFullSync) { EXPECT_EQ(where_.QueryText("PRAGMA journal_mode"), "wal"); }

// A new store has pages of 16 KiB (an existing one keeps its own): an import
// of ten million entries takes 5% less time than with SQLite's 4 KiB.
TEST_F(SqliteStoreTest, NewStoreHasPagesOf16KiB) { EXPECT_EQ(where_.QueryText("PRAGMA page_size"), "16384"); }

// --- PostgreSQL only. --------------------------------------------------------

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    where_ = std::make_unique<TestStoreLocation>(StoreKind::kPostgres);
    auto store = OpenStore(where_->location(), OpenMode::kCreate, TestEnvironment());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  std::unique_ptr<TestStoreLocation> where_;
  std::unique_ptr<Store> store_;
};

TEST_F(PostgresStoreTest, RefusesAServerWithFsyncOff) {
  // A server of its own: fsync is set on the shared one's command line, where
  // nothing can turn it off.
  auto careless = testing::PostgresServer::StartSeparate("-c fsync=off");
  ASSERT_EQ(testing::PostgresQueryText(careless->Url("postgres"), "SHOW fsync"), "off");
  std::string url = careless->CreateDatabase();
  auto created = OpenStore(url, OpenMode::kCreate, TestEnvironment());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kIo);
  EXPECT_THAT(created.error().message, HasSubstr("fsync off"));
  EXPECT_EQ(testing::PostgresQueryText(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
            "0");
  // A store made while fsync was on is refused too, once it is off.
  ASSERT_EQ(testing::PostgresExec(url, "CREATE TABLE schema_migrations (version INTEGER)"), "");
  ASSERT_EQ(testing::PostgresExec(url, "CREATE TABLE entries (seq BIGINT)"), "");
  auto existing = OpenStore(url, OpenMode::kExisting, TestEnvironment());
  ASSERT_FALSE(existing);
  EXPECT_THAT(existing.error().message, HasSubstr("fsync off"));
  // The shared server, with fsync on, is fine.
  EXPECT_TRUE(OpenStore(where_->location(), OpenMode::kExisting, TestEnvironment()));
}

TEST_F(PostgresStoreTest, AppendOnlyTriggersRefuseUpdateDeleteAndTruncate) {
  ASSERT_TRUE(store_->Import(Fixture("small"), Write("small")));
  for (auto [table, column] : {std::pair{"entries", "note"}, {"targets", "note"}, {"audit", "actor"}}) {
    std::string name = table;
    EXPECT_THAT(where_->Exec("UPDATE " + name + " SET " + column + " = " + column), HasSubstr("append-only"))
        << name;
    EXPECT_THAT(where_->Exec("DELETE FROM " + name), HasSubstr("append-only")) << name;
    EXPECT_THAT(where_->Exec("TRUNCATE " + name + " CASCADE"), HasSubstr("append-only")) << name;
  }
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM entries"), "7");
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM targets"), "2");
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM audit"), "1");
  // The triggers are PL/pgSQL functions of the schema.
  EXPECT_EQ(where_->QueryText("SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
                              " WHERE p.proname = 'rmis_refuse_change'"),
            "plpgsql");
}

// The links of entries are checked set-wise at commit (migration 0006), not
// by foreign keys, and hold against any writer: here SQL written as another
// tool would.
TEST_F(PostgresStoreTest, TheLinksOfEntriesHoldWhoeverWrites) {
  ASSERT_TRUE(store_->Import(Fixture("small"), Write("small")));
  auto insert = [](int seq, const std::string& id, const std::string& donor, const std::string& settles,
                   const std::string& appeal) {
    auto text = [](const std::string& value) { return value.empty() ? std::string("NULL") : "'" + value + "'"; };
    return "INSERT INTO entries (seq, id, kind, donor, fund, currency, amount_minor, usd_cents, value_date,"
           " recorded_at, attributed_year, settles, appeal) VALUES (" +
           std::to_string(seq) + ", '" + id + "', '" + (settles.empty() ? "pledge" : "receipt") + "', '" +
           donor + "', 'core', 'USD', 100, 100, 18700, 0, 2021, " + text(settles) + ", " + text(appeal) + ");";
  };
  // Each missing record is named, with the entry that names it; nothing is
  // stored.
  EXPECT_THAT(where_->Exec(insert(8, "Z1", "ghost", "", "")),
              HasSubstr("entry Z1 names donor ghost, which is not stored: it violates the foreign key"));
  EXPECT_THAT(where_->Exec(insert(8, "Z2", "mex", "NOPE", "")), HasSubstr("entry Z2 names entry NOPE"));
  EXPECT_THAT(where_->Exec(insert(8, "Z3", "mex", "", "nope")), HasSubstr("entry Z3 names appeal nope"));
  // Each statement is checked, as the foreign keys did: the first
  // statement's entry is refused although the second is valid, and deferred
  // to commit (as rmis defers), the same.
  EXPECT_THAT(where_->Exec("BEGIN;" + insert(8, "Z4", "ghost", "", "") + insert(9, "Z5", "mex", "", "") + "COMMIT;"),
              HasSubstr("entry Z4 names donor ghost"));
  EXPECT_THAT(where_->Exec("BEGIN; SET CONSTRAINTS ALL DEFERRED;" + insert(8, "Z6", "ghost", "", "") +
                           insert(9, "Z7", "mex", "", "") + "COMMIT;"),
              HasSubstr("entry Z6 names donor ghost"));

  // A bad row among good ones in one statement; every kind of link.
  const std::string columns =
      "INSERT INTO entries (seq, id, kind, donor, fund, currency, amount_minor, usd_cents, value_date,"
      " recorded_at, attributed_year, event, reverses, import_id) VALUES ";
  EXPECT_THAT(where_->Exec(columns +
                           "(8, 'M1', 'receipt', 'mex', 'core', 'USD', 1, 1, 18700, 0, 2021, NULL, NULL, 1),"
                           "(9, 'M2', 'receipt', 'mex', 'nofund', 'USD', 1, 1, 18700, 0, 2021, NULL, NULL, 1),"
                           "(10, 'M3', 'receipt', 'mex', 'core', 'USD', 1, 1, 18700, 0, 2021, NULL, NULL, 1)"),
              HasSubstr("entry M2 names fund nofund"));
  EXPECT_THAT(where_->Exec(columns + "(8, 'M4', 'receipt', 'mex', 'core', 'USD', 1, 1, 18700, 0, 2021, 'gala',"
                                     " NULL, 1)"),
              HasSubstr("entry M4 names event gala"));
  EXPECT_THAT(where_->Exec(columns + "(8, 'M5', 'reversal', 'mex', 'core', 'USD', 1, 1, 18700, 0, 2021, NULL,"
                                     " 'R9', 1)"),
              HasSubstr("entry M5 names entry R9"));
  EXPECT_THAT(where_->Exec(columns +
                           "(8, 'M8', 'receipt', 'mex', 'core', 'USD', 1, 1, 18700, 0, 2021, NULL, NULL, 1),"
                           "(9, 'M9', 'reversal', 'mex', 'core', 'USD', 1, 1, 18700, 0, 2021, NULL, 'R8', 1)"),
              HasSubstr("entry M9 names entry R8, which is not stored: it violates the foreign key of entries.reverses"));
  EXPECT_THAT(where_->Exec(columns + "(8, 'M6', 'receipt', 'mex', 'core', 'USD', 1, 1, 18700, 0, 2021, NULL,"
                                     " NULL, 999)"),
              HasSubstr("entry M6 names import 999"));
  // The SQLSTATE is a foreign key's (checked at once here, to catch it).
  EXPECT_THAT(where_->Exec("BEGIN; SET CONSTRAINTS ALL IMMEDIATE; DO $$ BEGIN " + insert(8, "M7", "ghost", "", "") +
                           " EXCEPTION WHEN foreign_key_violation THEN RAISE EXCEPTION 'caught %', SQLSTATE;"
                           " END $$; COMMIT;"),
              HasSubstr("caught 23503"));
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM entries"), "7");
  // An entry may settle one that a later statement of the same transaction
  // stores, as with the deferrable keys before.
  EXPECT_EQ(where_->Exec("BEGIN; SET CONSTRAINTS ALL DEFERRED;" + insert(9, "F2", "mex", "F1", "covid19") +
                         insert(8, "F1", "mex", "", "") + "COMMIT;"),
            "");
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM entries"), "9");
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM entries_unchecked"), "0");

  // The records entries name cannot be taken away from under them.
  EXPECT_THAT(where_->Exec("DELETE FROM donors WHERE id = 'gates'"),
              HasSubstr("donors gates is named by entry X1: it violates the foreign key of entries.donor"));
  EXPECT_THAT(where_->Exec("UPDATE donors SET id = 'mexico' WHERE id = 'mex'"),
              HasSubstr("donors mex is named by entry"));
  EXPECT_THAT(where_->Exec("UPDATE funds SET id = 'tech' WHERE id = 'tc'"), HasSubstr("funds tc is named by entry R2"));
  EXPECT_THAT(where_->Exec("TRUNCATE appeals"), HasSubstr("appeals covid19 is named by entry"));
  EXPECT_THAT(where_->Exec("DELETE FROM imports"), HasSubstr("is named by entry"));
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM donors WHERE id IN ('gates', 'mex')"), "2");
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM appeals"), "1");
  // What no entry names may still change or go.
  EXPECT_EQ(where_->Exec("UPDATE donors SET name = 'United Mexican States' WHERE id = 'mex'"), "");
  EXPECT_EQ(where_->Exec("INSERT INTO donors (id, name, type) VALUES ('lone', 'Lone', 'private');"
                         "DELETE FROM donors WHERE id = 'lone'"),
            "");
  EXPECT_EQ(where_->Exec("TRUNCATE events"), "");
  // Taking a record away must run at READ COMMITTED: at REPEATABLE READ an
  // entry committed after the snapshot could not be seen.
  EXPECT_THAT(where_->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ;"
                           "INSERT INTO donors (id, name, type) VALUES ('brief', 'Brief', 'private');"
                           "DELETE FROM donors WHERE id = 'brief'; COMMIT;"),
              HasSubstr("needs READ COMMITTED"));
  EXPECT_EQ(where_->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ;"
                         "UPDATE donors SET name = 'Mexico' WHERE id = 'mex'; COMMIT;"),
            "");
  // The checks run as the store's owner, with its schema: a writer whose
  // search_path names another schema still has its entries checked.
  EXPECT_THAT(where_->Exec("CREATE SCHEMA elsewhere; SET search_path = elsewhere;"
                           "INSERT INTO public.entries (seq, id, kind, donor, fund, currency, amount_minor,"
                           " usd_cents, value_date, recorded_at, attributed_year)"
                           " VALUES (10, 'Q1', 'receipt', 'ghost', 'core', 'USD', 1, 1, 18700, 0, 2021)"),
              HasSubstr("entry Q1 names donor ghost"));
  // A bad link is refused by its own statement unless deferred, so a writer
  // can catch it and go on, as with a foreign key.
  EXPECT_EQ(where_->Exec("BEGIN; DO $$ BEGIN " + insert(10, "Z9", "ghost", "", "") +
                         " EXCEPTION WHEN foreign_key_violation THEN NULL; END $$;" + insert(10, "Z9", "mex", "", "") +
                         "COMMIT;"),
            "");
  EXPECT_EQ(where_->QueryText("SELECT donor FROM entries WHERE id = 'Z9'"), "mex");
  // No foreign key is left on entries: the checks above are the triggers'.
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM pg_constraint WHERE conrelid = 'entries'::regclass"
                              " AND contype = 'f'"),
            "0");
}

TEST_F(PostgresStoreTest, MigrationsAreRecordedAndNumberedLikeSqlite) {
  const auto& postgres = PostgresMigrations();
  const auto& sqlite = SqliteMigrations();
  ASSERT_EQ(postgres.size(), sqlite.size());
  for (size_t i = 0; i < postgres.size(); ++i) {
    EXPECT_EQ(postgres[i].version, sqlite[i].version);
    EXPECT_EQ(postgres[i].name, sqlite[i].name);
  }
  EXPECT_EQ(where_->QueryText("SELECT string_agg(version || ':' || name || ':' || applied_at, ','"
                              " ORDER BY version) FROM schema_migrations"),
            "1:0001_ledger:1700000000,2:0002_accounts_audit:1700000000,3:0003_entry_segments:1700000000,"
            "4:0004_partial_link_indexes:1700000000,5:0005_postgres_entry_segments:1700000000,"
            "6:0006_set_wise_entry_links:1700000000");
  // Money is BIGINT.
  EXPECT_EQ(where_->QueryText("SELECT string_agg(DISTINCT data_type, ',') FROM information_schema.columns"
                              " WHERE column_name IN ('amount_minor', 'usd_cents', 'amount_cents',"
                              " 'requirement_cents')"),
            "bigint");
  // A store opened again applies nothing and records nothing twice.
  store_.reset();
  auto again = OpenStore(where_->location(), OpenMode::kExisting, TestEnvironment());
  ASSERT_TRUE(again);
  EXPECT_EQ(where_->QueryText("SELECT count(*) FROM schema_migrations"), "6");
}

TEST_F(PostgresStoreTest, CreateNeedsADatabaseWithoutRmisTablesAndInUtf8) {
  // Other tables do not matter; an rmis table does.
  TestStoreLocation shared(StoreKind::kPostgres);
  ASSERT_EQ(shared.Exec("CREATE TABLE someone_elses (id INTEGER)"), "");
  EXPECT_TRUE(OpenStore(shared.location(), OpenMode::kCreate, TestEnvironment()));
  TestStoreLocation partial(StoreKind::kPostgres);
  ASSERT_EQ(partial.Exec("CREATE TABLE donors (id TEXT)"), "");
  auto over = OpenStore(partial.location(), OpenMode::kCreate, TestEnvironment());
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kConflict);
  EXPECT_THAT(over.error().message, HasSubstr("donors"));
  // A database that does not exist is not created.
  std::string url = testing::PostgresServer::Get().Url("no_such_database");
  auto absent = OpenStore(url, OpenMode::kCreate, TestEnvironment());
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::kIo);
  EXPECT_THAT(absent.error().message, HasSubstr("no_such_database"));
  // rmis stores text in UTF-8.
  std::string admin = testing::PostgresServer::Get().Url("postgres");
  ASSERT_EQ(testing::PostgresExec(admin, "CREATE DATABASE latin ENCODING 'LATIN1' TEMPLATE template0"), "");
  auto latin = OpenStore(testing::PostgresServer::Get().Url("latin"), OpenMode::kCreate, TestEnvironment());
  ASSERT_FALSE(latin);
  EXPECT_EQ(latin.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(latin.error().message, HasSubstr("UTF8"));
}

TEST_F(PostgresStoreTest, MessagesNeverShowThePassword) {
  int port = testing::PostgresServer::Get().port();
  for (const std::string& url :
       {"postgresql://postgres:s3cret-pw@127.0.0.1:" + std::to_string(port) + "/no_such_database",
        "postgres://postgres@127.0.0.1:" + std::to_string(port) + "/no_such_database?password=s3cret-pw",
        std::string("postgresql://postgres:s3cret-pw@[::1/db")}) {
    auto store = OpenStore(url, OpenMode::kExisting, TestEnvironment());
    ASSERT_FALSE(store) << url;
    EXPECT_THAT(store.error().message, Not(HasSubstr("s3cret"))) << store.error().message;
  }
  auto bad = OpenStore("postgresql://postgres:s3cret-pw@[::1/db", OpenMode::kExisting, TestEnvironment());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(PostgresStoreTest, TextWithANulByteIsRefusedNotCut) {
  ASSERT_TRUE(store_->Import(Fixture("small"), Write("small")));
  User user;
  user.name = std::string("nul\0name", 8);
  user.password_hash = "x";
  auto added = store_->AddUser(user, Actor{"admin", "", ""});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(*store_->FindUser("nul"));
  // In an entry's text too, written alone (INSERT) or with twenty others
  // (COPY): refused, nothing stored.
  for (int count : {1, 21}) {
    std::string rows;
    for (int i = 1; i <= count; ++i) rows += "N" + std::to_string(i) + ",receipt,mex,core,10,USD,2021-04-01,,\n";
    ledger::Dataset some = Entries(rows);
    some.entries.back().value.note = std::string("cut\0here", 8);
    auto imported = store_->Import(some, Write("api"));
    ASSERT_FALSE(imported) << count;
    EXPECT_EQ(imported.error().code, ErrorCode::kInvalidArgument) << count;
    EXPECT_EQ(where_->QueryText("SELECT count(*) FROM entries"), "7") << count;
  }
}

// Writes wait for the write lock; reads do not (Transaction::BeginWrite).
TEST_F(PostgresStoreTest, WritesWaitForTheWriteLockAndReadsDoNot) {
  ASSERT_TRUE(store_->Import(Fixture("small"), Write("small")));
  PGconn* holder = PQconnectdb(where_->location().c_str());
  ASSERT_EQ(PQstatus(holder), CONNECTION_OK);
  auto run = [&](const char* sql) {
    PGresult* result = PQexec(holder, sql);
    ExecStatusType status = PQresultStatus(result);
    PQclear(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  };
  ASSERT_TRUE(run("BEGIN"));
  ASSERT_TRUE(run("SELECT pg_advisory_xact_lock(8245362436190204532)"));  // 0x726d69732d777274, "rmis-wrt"
  std::atomic<bool> written{false};
  std::thread writer([&] {
    auto result = store_->Import(Entries("W1,receipt,mex,core,1,USD,2021-04-01,,\n"), Write("waits"));
    EXPECT_TRUE(result && result->problems.empty());
    written = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(written.load());
  auto read = store_->LoadLedger();  // not blocked
  ASSERT_TRUE(read);
  EXPECT_EQ(read->entries.size(), 7u);
  EXPECT_EQ(store_->ListEntries(EntryFilter{})->size(), 7u);
  ASSERT_TRUE(run("COMMIT"));
  writer.join();
  EXPECT_TRUE(written.load());
  EXPECT_EQ(store_->ListEntries(EntryFilter{})->size(), 8u);
  PQfinish(holder);
}

// --- Both stores, side by side. ----------------------------------------------

// The same writes, with the same clock, leave the same records, the same
// sequence numbers, the same audit chain (hash for hash) and the same answers
// on SQLite and on PostgreSQL.
TEST(StoreEquivalenceTest, TheSameWritesLeaveTheSameStateOnBothStores) {
  TestStoreLocation sqlite_place(StoreKind::kSqlite), postgres_place(StoreKind::kPostgres);
  auto sqlite_store = OpenStore(sqlite_place.location(), OpenMode::kCreate, TestEnvironment());
  auto postgres_store = OpenStore(postgres_place.location(), OpenMode::kCreate, TestEnvironment());
  ASSERT_TRUE(sqlite_store && postgres_store);
  exchange::DatasetRead sample = exchange::ReadDatasetDirectory(testing::SampleDir().string());
  ASSERT_TRUE(sample.problems.empty());

  struct Answers {
    std::vector<std::string> lines;
  };
  auto script = [&](Store& store) {
    Answers answers;
    auto note = [&](const std::string& line) { answers.lines.push_back(line); };
    auto describe = [](const Result<ImportResult>& result) -> std::string {
      if (!result) return "error " + result.error().message;
      std::string text = std::to_string(result->added) + " " + std::to_string(result->unchanged) + " " +
                         std::to_string(result->import_id);
      for (const auto& p : result->problems) text += " problem " + ledger::FormatProblem(p);
      if (result->response) text += " answer " + result->response->body;
      if (result->replayed) text += " replayed " + result->replayed->body;
      return text;
    };
    note("sample " + describe(store.Import(sample.dataset, Write("data/samples/unhabitat-2021"))));
    note("again " + describe(store.Import(sample.dataset, Write("again"))));
    note("refused " +
         describe(store.Import(Entries("X9,receipt,nobody,core,1,USD,2021-04-01,,\n"), Write("bad"))));
    WriteOptions idempotent = Write("api");
    idempotent.idempotency = Idempotency{"k", "f"};
    idempotent.respond = [](const ImportResult& r) { return StoredResponse{201, r.entry_ids.at(0)}; };
    ledger::Dataset one = Entries("E1,receipt,mexico,foundation_core,1,USD,2021-04-01,,\n");
    note("first " + describe(store.Import(one, idempotent)));
    note("retry " + describe(store.Import(one, idempotent)));
    User user;
    user.name = "focal";
    user.role = Role::kFocalPoint;
    user.password_hash = "h";
    user.donors = {"mexico", "china"};
    User stranger = user;
    stranger.name = "stranger";
    stranger.donors = {"atlantis"};
    auto refused_user = store.AddUser(stranger, Actor{"admin", "1.2.3.4", "r0"});
    // The database's own words differ; the code does not.
    note(refused_user ? "stranger added"
                      : std::string("stranger ") + ErrorCodeName(refused_user.error().code));
    auto added = store.AddUser(user, Actor{"admin", "1.2.3.4", "r1"});
    if (!added) {
      note("no user: " + added.error().message);
      return answers;
    }
    note("user " + std::to_string(added->id));
    added->disabled = true;
    note(store.UpdateUser(*added, Actor{"admin", "1.2.3.4", "r2"}) ? "updated" : "not updated");
    Session session{"token-hash-abcdefghijkl", added->id, "c", false, "", 1700000000, 0};
    note(store.AddSession(session, Actor{"focal", "", ""}) ? "session" : "no session");
    note(store.DeleteSession(session.token_hash, Actor{"focal", "", ""}) ? "logout" : "no logout");
    AuditRecord failed{0, 0, "focal", "5.6.7.8", "r3", "login.failed", "user", "focal", "", "{}", "", ""};
    note(store.AppendAudit(failed) ? "appended" : "not appended");
    return answers;
  };
  Answers sqlite_answers = script(**sqlite_store);
  Answers postgres_answers = script(**postgres_store);
  EXPECT_EQ(sqlite_answers.lines, postgres_answers.lines);
  EXPECT_EQ(sqlite_answers.lines, (std::vector<std::string>{
                                      "sample 734 0 1",
                                      "again 0 734 0",
                                      "refused 0 0 0 problem entries.csv:2: donor: unknown donor \"nobody\""
                                      " problem entries.csv:2: fund: unknown fund \"core\"",
                                      "first 1 0 2 answer E1",
                                      "retry 0 0 0 replayed E1",
                                      "stranger invalid_argument",
                                      "user 1",
                                      "updated",
                                      "session",
                                      "logout",
                                      "appended",
                                  }));

  auto a = (*sqlite_store)->LoadLedger(), b = (*postgres_store)->LoadLedger();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->donors, b->donors);
  EXPECT_EQ(a->funds, b->funds);
  EXPECT_EQ(a->targets, b->targets);
  EXPECT_EQ(a->appeals, b->appeals);
  EXPECT_EQ(a->events, b->events);
  EXPECT_EQ(a->rates, b->rates);
  EXPECT_EQ(a->entries, b->entries);
  EXPECT_GT(a->entries.size(), 300u);

  auto list_a = (*sqlite_store)->ListEntries(EntryFilter{}),
       list_b = (*postgres_store)->ListEntries(EntryFilter{});
  ASSERT_EQ(list_a->size(), list_b->size());
  for (size_t i = 0; i < list_a->size(); ++i) EXPECT_EQ((*list_a)[i].seq, (*list_b)[i].seq);

  auto audit_a = *(*sqlite_store)->ListAudit(0, 0), audit_b = *(*postgres_store)->ListAudit(0, 0);
  ASSERT_EQ(audit_a.size(), audit_b.size());
  auto fields = [](const AuditRecord& r) {
    return std::vector<std::string>{std::to_string(r.seq),
                                    std::to_string(r.at),
                                    r.actor,
                                    r.address,
                                    r.request_id,
                                    r.action,
                                    r.entity,
                                    r.entity_id,
                                    r.before,
                                    r.after,
                                    r.previous_hash,
                                    r.hash};
  };
  for (size_t i = 0; i < audit_a.size(); ++i) EXPECT_EQ(fields(audit_a[i]), fields(audit_b[i]));
  EXPECT_EQ(*(*sqlite_store)->AuditHead(), *(*postgres_store)->AuditHead());

  auto users_a = *(*sqlite_store)->ListUsers(), users_b = *(*postgres_store)->ListUsers();
  ASSERT_EQ(users_a.size(), users_b.size());
  EXPECT_EQ(audit::DescribeUser(users_a[0]), audit::DescribeUser(users_b[0]));
}

}  // namespace
}  // namespace rmis::store
