// The Store: where the ledger lives. SQLite is the embedded default; a
// PostgreSQL implementation fills the same interface for shared deployments.
//
// A store appends and never edits. Every write goes through ledger::PlanImport
// inside one transaction, so the rules are checked against exactly the state
// the write lands on, and a write either happens whole or not at all.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "ledger/columns.h"
#include "ledger/dataset.h"
#include "ledger/import.h"
#include "ledger/types.h"

namespace rmis::store {

// Which entries to list. Empty or unset members do not filter.
struct EntryFilter {
  std::string id;
  std::string donor;
  std::string fund;
  std::optional<ledger::EntryKind> kind;
  std::optional<ledger::Date> from;  // value_date on or after
  std::optional<ledger::Date> to;    // value_date on or before
  std::optional<int> attributed_year;
  std::optional<ledger::Region> region;
  std::string appeal;
  std::string event;
  std::string settles;  // entries that settle this one
  std::optional<ledger::Instant> known_at;  // recorded_at on or before
  // Only the entries with these sequence numbers (entries are numbered 1, 2,
  // 3, ... in storage order: the entry at position p of the columns
  // ReadColumns gives has sequence number p + 1). Empty: no such filter.
  std::vector<int64_t> seqs;
  bool newest_first = false;  // order: by sequence number, descending instead of ascending
  int64_t after_seq = 0;   // cursor: entries stored after this sequence number
  int64_t before_seq = 0;  // cursor for newest_first: entries stored before this one; 0: no bound
  int64_t limit = 0;       // 0: no limit
};

struct ListedEntry {
  int64_t seq = 0;  // order of storage, for cursors
  ledger::Entry entry;
};

// Who makes a change and from where, for the audit trail.
struct Actor {
  std::string user;        // the account name; "cli" for the command line
  std::string address;     // the client's address; "" for the command line
  std::string request_id;  // the server's id for the request; "" for the CLI
};

// A client's promise that a retried request is the same request: the first
// answer is remembered under (user, key) and returned for every retry.
struct Idempotency {
  std::string key;
  std::string fingerprint;  // of the request (method, path, body)
};

// The answer remembered for an idempotent request.
struct StoredResponse {
  int status = 0;
  std::string body;
};

inline constexpr size_t kEchoEntries = 1000;

struct ImportResult {
  size_t added = 0;      // records appended (reference records and entries)
  size_t entries_added = 0;
  std::vector<std::string> entry_ids;  // the entries appended, in order
  std::vector<ledger::Entry> entries;  // the entries appended, when at most kEchoEntries
  size_t unchanged = 0;  // records already stored with the same content
  std::vector<ledger::Problem> problems;  // non-empty: nothing was written
  bool truncated = false;
  int64_t import_id = 0;
  // Set when an idempotent request was already answered: nothing was
  // written and this is the first answer.
  std::optional<StoredResponse> replayed;
  std::optional<StoredResponse> response;  // what WriteOptions::respond made
};

struct WriteOptions {
  Actor actor;
  std::string source;  // where the data came from ("upload entries.csv", a path)
  std::string action = "import";  // recorded in the audit trail ("entry.create", ...)
  std::optional<Idempotency> idempotency;
  // Makes the answer to remember under the idempotency key; called inside
  // the transaction after a successful write.
  std::function<StoredResponse(const ImportResult&)> respond;
};

// The next part of a streamed import (Store::ImportStream): entries as read,
// and the problems of the rows that could not be read.
struct EntryChunk {
  std::vector<ledger::Located<ledger::Entry>> entries;
  std::vector<ledger::Problem> problems;
};
// Fills `chunk` with the next part; returns false, with nothing in it, at
// the end.
using EntrySource = std::function<bool(EntryChunk& chunk)>;

enum class Role { kAdmin, kOfficer, kFocalPoint, kViewer };
std::string_view Name(Role role);
std::optional<Role> ParseRole(std::string_view text);

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::kViewer;
  bool disabled = false;
  std::string password_hash;        // Argon2id, libsodium's encoded string
  std::vector<std::string> donors;  // for a focal point: the donors assigned
  ledger::Instant created_at = 0;
};

// A login session or an API token. Only a hash of the secret is stored.
struct Session {
  std::string token_hash;  // hex SHA-256 of the secret the client holds
  int64_t user_id = 0;
  std::string csrf_token;  // empty for API tokens
  bool api_token = false;
  std::string label;       // what an API token is for
  ledger::Instant created_at = 0;
  ledger::Instant expires_at = 0;  // 0: does not expire
};

// One record of the audit trail. `hash` = SHA-256 over `previous_hash` and
// the record's fields (audit/chain.h), so a changed, removed or reordered
// record breaks the chain.
struct AuditRecord {
  int64_t seq = 0;
  ledger::Instant at = 0;
  std::string actor;
  std::string address;
  std::string request_id;
  std::string action;     // "import", "entry.create", "user.add", "login", "login.failed", ...
  std::string entity;     // "dataset", "entry", "user", "session"
  std::string entity_id;
  std::string before;     // JSON, "" when there was nothing
  std::string after;      // JSON
  std::string previous_hash;
  std::string hash;
};

struct AppliedMigration {
  int version = 0;
  std::string name;
  ledger::Instant applied_at = 0;
};

// One row of the imports table, with the number of entries that carry its
// id, counted when read.
struct ImportRecord {
  int64_t id = 0;
  ledger::Instant at = 0;
  std::string source;
  int64_t added = 0;      // records appended, as recorded (reference records and entries)
  int64_t unchanged = 0;
  int64_t entries = 0;    // entries whose import_id is this id
};

// Everything `rmis check` reads (analysis/check.h), from one snapshot of the
// store: writes that commit while it is read are not seen.
struct StoreContents {
  ledger::Ledger ledger;               // the reference records; every entry, unless streamed
  int64_t entries = 0;                 // how many entries the snapshot holds
  std::vector<ImportRecord> imports;   // in order of id
  int64_t entries_without_import = 0;  // entries whose import_id is NULL or names no import
  std::vector<AuditRecord> audit;      // the whole trail
  int64_t audit_head_seq = 0;
  std::string audit_head_hash;
  // The engine's own check of its files ("PRAGMA integrity_check" ...);
  // empty when the engine has none that a client can run.
  std::string engine_check;
  std::vector<std::string> engine_problems;  // what it found; empty: none
};

// Takes what Store::StreamContents reads.
class ContentsReader {
 public:
  virtual ~ContentsReader() = default;
  // First, once: donors, funds, targets, appeals, events and rates.
  virtual void OnReference(const ledger::Ledger& reference) = 0;
  // Then each entry, in storage order.
  virtual void OnEntry(const ledger::Entry& entry) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Everything stored, in storage order.
  virtual Result<ledger::Ledger> LoadLedger() = 0;

  // Runs `use` on the whole ledger without copying it, and returns what it
  // returned. A store may keep the ledger in memory and bring it up to date
  // before each call; writes wait until `use` returns. The default loads a
  // copy with LoadLedger.
  virtual Status ReadLedger(const std::function<void(const ledger::Ledger&)>& use) {
    auto ledger = LoadLedger();
    if (!ledger) return tl::unexpected(ledger.error());
    use(*ledger);
    return {};
  }

  // Runs `use` on the reference records and the entries held column by
  // column (ledger/columns.h): what the report needs, without entry records.
  // The default builds the columns from ReadLedger on every call; a store
  // that keeps them in memory overrides it.
  virtual Status ReadColumns(
      const std::function<void(const ledger::Ledger& reference, const ledger::EntryColumns& entries)>& use) {
    return ReadLedger([&](const ledger::Ledger& ledger) { use(ledger, ledger::ToColumns(ledger.entries)); });
  }

  // The reference records only (donors, funds, targets, appeals, events,
  // rates): no entries. Shared and read-only: the store keeps them in memory
  // while nothing changes them (SQLite's data_version, PostgreSQL's
  // reference_version), so that listing the funds of a store with 100,000
  // donors does not read every donor again. A write that changes them gives
  // later calls new records; the ones a caller holds stay as they were.
  virtual Result<std::shared_ptr<const ledger::Ledger>> LoadReference() = 0;

  // Checks `dataset` against the stored ledger and appends it, all in one
  // transaction. Problems in the data come back in ImportResult::problems
  // with nothing written; an Error means the store itself failed (nothing is
  // written either). `source` says where the data came from, for the record.
  virtual Result<ImportResult> Import(const ledger::Dataset& dataset,
                                      const WriteOptions& options) = 0;

  // Checks `dataset` as Import would, against the stored ledger, and writes
  // nothing. Used to report every problem of an import at once, even when
  // some rows could not be read.
  virtual Result<ImportResult> Check(const ledger::Dataset& dataset) = 0;

  // Imports a dataset too big to hold in memory (issue 6): `reference` (its
  // reference records, then its entries, if any) and then the entries
  // `next_chunk` gives, a chunk at a time, all in one transaction: all of it
  // or nothing. Each chunk is checked by ledger::PlanImport against the
  // stored ledger and the chunks before it; an entry that settles or
  // reverses one not seen yet waits for a later chunk. Rows that could not
  // be read come as a chunk's `problems`: then nothing is written, but every
  // row that could be read is still checked, so that one run reports every
  // problem (at most ledger::kMaxProblems). The result holds counts, not the
  // entries (entry_ids and entries stay empty). The default reads every
  // chunk into one dataset and calls Import (or Check): correct, but its
  // memory grows with the dataset.
  virtual Result<ImportResult> ImportStream(const ledger::Dataset& reference, const EntrySource& next_chunk,
                                            const WriteOptions& options);

  virtual Result<std::vector<ListedEntry>> ListEntries(const EntryFilter& filter) = 0;

  virtual Result<std::vector<AppliedMigration>> Migrations() = 0;

  // --- Accounts. Every change appends an audit record in the same
  // transaction. ---------------------------------------------------------
  // Fails with kConflict when the name is taken.
  virtual Result<User> AddUser(const User& user, const Actor& actor) = 0;
  // Replaces the stored user with the same id (role, password, disabled,
  // donors); the audit record holds the user before and after (never the
  // password hash, only whether it changed).
  virtual Status UpdateUser(const User& user, const Actor& actor) = 0;
  virtual Result<std::optional<User>> FindUser(const std::string& name) = 0;
  virtual Result<std::optional<User>> FindUserById(int64_t id) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;

  // --- Sessions and API tokens. -------------------------------------------
  virtual Status AddSession(const Session& session, const Actor& actor) = 0;
  virtual Result<std::optional<Session>> FindSession(const std::string& token_hash) = 0;
  virtual Status DeleteSession(const std::string& token_hash, const Actor& actor) = 0;

  // --- The audit trail. ----------------------------------------------------
  // Appends a record on its own (logins, failed logins). `seq`, `at`,
  // `previous_hash` and `hash` are filled in by the store.
  virtual Status AppendAudit(const AuditRecord& record) = 0;
  // Records with seq > after_seq, in order; limit 0: all.
  virtual Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq, int64_t limit) = 0;
  // The sequence number and hash of the last record written.
  virtual Result<std::pair<int64_t, std::string>> AuditHead() = 0;

  // --- Checking (issue 6). -------------------------------------------------
  // Reads the whole store, in one snapshot, for `rmis check`: the reference
  // records go to `reader` first, then every entry, one at a time in storage
  // order, and are not kept (contents.ledger.entries stays empty), so memory
  // does not grow with the ledger; the rest is returned.
  virtual Result<StoreContents> StreamContents(ContentsReader& reader) = 0;
  // The same, with every entry kept in contents.ledger.entries.
  Result<StoreContents> ReadContents();
};

// What a plan comes to, before anything is written: the problems, or the
// counts and the entries to be appended. Both stores use it, so that they
// report an import the same way.
ImportResult SummarizePlan(ledger::PlanOutcome& outcome);

// The sequence numbers of the entries ListEntries(filter) lists, in its
// order and up to its limit, found over `columns` (ReadColumns: position p
// is the entry numbered p + 1) without reading a row: a pass over memory
// instead of a scan of the table. nullopt when the filter names what the
// columns do not hold (an id, `settles`, `seqs`).
std::optional<std::vector<int64_t>> MatchingSeqs(const ledger::EntryColumns& columns, const EntryFilter& filter);

// The entries numbered `seqs` (in the order `filter` lists) that it lists, read from
// `store`, for positions found over columns that held `held` entries: all of
// them, or nullopt when the numbers cannot be trusted to be those positions
// (the last number is not `held`: a row deleted behind rmis's back, or a
// write since) or one is missing or does not match. The caller then lists
// from the table instead.
std::optional<std::vector<ListedEntry>> ListHeld(Store& store, size_t held, const EntryFilter& filter,
                                                 std::vector<int64_t> seqs);

// What a store needs from outside: the clock, and the country list.
struct StoreEnvironment {
  std::function<ledger::Instant()> now;
  ledger::CountryCheck is_country;
};

enum class OpenMode { kExisting, kCreate };

// Opens the store named by `location`: a file path for SQLite (the default),
// or a "postgresql://" URL. kCreate creates an empty store (failing with
// kConflict if one exists); kExisting fails with kNotFound if there is none.
// Pending migrations are applied and recorded on open.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, OpenMode mode,
                                         StoreEnvironment environment);

}  // namespace rmis::store
