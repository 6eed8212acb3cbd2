// The SQLite store, through SQLite's C API with a few RAII helpers.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include "store/audit.h"
#include "store/import_stream.h"
#include "store/migrations/migrations.h"

namespace rmis::store {
namespace {

using ledger::Entry;

tl::unexpected<Error> SqlError(sqlite3* db, const std::string& what) {
  return Fail(ErrorCode::kIo, what + ": " + sqlite3_errmsg(db));
}

// A prepared statement; finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      error_ = sqlite3_errmsg(db);
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  const std::string& error() const { return error_; }
  sqlite3_stmt* raw() const { return stmt_; }

  void Bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  // Binds text that stays unchanged until the next Step (no copy).
  void BindStatic(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void BindNull(int index) { sqlite3_bind_null(stmt_, index); }
  // Binds NULL for an empty reference (so foreign keys apply only when set).
  void BindRef(int index, const std::string& id) {
    if (id.empty()) {
      BindNull(index);
    } else {
      Bind(index, id);
    }
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void ResetKeepingBindings() { sqlite3_reset(stmt_); }

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  // A view of the column's text, valid until the next Step or Reset.
  std::string_view View(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? std::string_view(reinterpret_cast<const char*>(text),
                                   static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string_view();
  }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string error_;
};

Status Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return Fail(ErrorCode::kIo, text);
  }
  return {};
}

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  // BEGIN IMMEDIATE takes the write lock now, so the state read inside the
  // transaction is the state the write lands on.
  Status Begin() {
    auto status = Exec(db_, "BEGIN IMMEDIATE");
    open_ = status.has_value();
    return status;
  }
  Status Commit() {
    auto status = Exec(db_, "COMMIT");
    if (status) open_ = false;
    return status;
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

class SqliteStore : public Store {
 public:
  SqliteStore(sqlite3* db, StoreEnvironment environment)
      : db_(db), env_(std::move(environment)) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  Status Configure() {
    // Pages of 16 KiB (SQLite's default is 4 KiB): an import of ten million
    // entries takes 5% less CPU and time (docs/performance.md). Only a new,
    // empty file takes it, before WAL mode writes its header; an existing
    // store keeps the size it was made with.
    for (const char* pragma : {"PRAGMA page_size=16384", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                               "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000"}) {
      if (auto status = Exec(db_, pragma); !status) return status;
    }
    // What SQLite really does, read back: a build or a setting that keeps
    // synchronous below FULL could lose a commit that was acknowledged
    // (issue 6), so rmis refuses to work on such a connection.
    Statement synchronous(db_, "PRAGMA synchronous");
    if (synchronous.Step() != SQLITE_ROW || synchronous.Int(0) < 2) {
      return Fail(ErrorCode::kIo, "SQLite runs with synchronous=" + std::to_string(synchronous.Int(0)) +
                                      " (below FULL): a commit could be lost on a crash; rmis refuses to use it");
    }
    // WAL where the file system allows it; in rollback-journal mode FULL
    // still makes every commit durable, but without a journal it does not.
    Statement journal(db_, "PRAGMA journal_mode");
    if (journal.Step() != SQLITE_ROW || journal.View(0) == "off") {
      return Fail(ErrorCode::kIo, "SQLite runs without a journal: rmis refuses to use it");
    }
    return {};
  }

  Status Migrate() {
    if (auto status = Exec(db_,
                           "CREATE TABLE IF NOT EXISTS schema_migrations ("
                           " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                           " applied_at INTEGER NOT NULL) STRICT");
        !status) {
      return status;
    }
    for (const Migration& migration : SqliteMigrations()) {
      Transaction transaction(db_);
      if (auto status = transaction.Begin(); !status) return status;
      Statement check(db_, "SELECT 1 FROM schema_migrations WHERE version = ?");
      check.Bind(1, static_cast<int64_t>(migration.version));
      if (check.Step() == SQLITE_ROW) continue;  // applied already
      std::string sql(migration.sql);
      if (auto status = Exec(db_, sql.c_str()); !status) {
        return Fail(ErrorCode::kIo, "migration " + std::string(migration.name) +
                                        " failed: " + status.error().message);
      }
      Statement record(db_,
                       "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?,?,?)");
      record.Bind(1, static_cast<int64_t>(migration.version));
      record.Bind(2, migration.name);
      record.Bind(3, env_.now());
      if (record.Step() != SQLITE_DONE) return SqlError(db_, "recording a migration");
      if (auto status = transaction.Commit(); !status) return status;
    }
    return {};
  }

  Result<ledger::Ledger> LoadLedger() override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    ledger::Ledger ledger;
    if (auto status = Load(ledger); !status) return tl::unexpected(status.error());
    return ledger;
  }

  // The reference records and the entries' columns are kept in memory after
  // the first call: this connection's own writes are appended as they
  // commit, and a commit by another connection (PRAGMA data_version changes)
  // makes them load again.
  Status ReadColumns(const std::function<void(const ledger::Ledger&, const ledger::EntryColumns&)>& use) override {
    std::unique_lock<std::recursive_mutex> lock(mutex_);
    Statement version(db_, "PRAGMA data_version");
    if (version.Step() != SQLITE_ROW) return SqlError(db_, "reading the data version");
    int64_t now = version.Int(0);
    if (!cache_ || now != cache_version_) {
      ledger::Ledger fresh;
      if (auto status = LoadReference(fresh); !status) return status;
      ledger::EntryColumns columns;
      if (auto status = LoadColumns(fresh, columns); !status) return status;
      std::unique_lock<std::shared_mutex> write(cache_mutex_);
      cache_ = std::move(fresh);
      cache_columns_ = std::move(columns);
      cache_version_ = now;
    }
    std::shared_lock<std::shared_mutex> read(cache_mutex_);
    lock.unlock();  // writers may commit meanwhile; they wait only to append to the cache
    use(*cache_, cache_columns_);
    return {};
  }

  Result<std::shared_ptr<const ledger::Ledger>> LoadReference() override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (auto status = LoadReferenceForPlan(); !status) return tl::unexpected(status.error());
    return std::shared_ptr<const ledger::Ledger>(reference_);
  }

  Result<ImportResult> Import(const ledger::Dataset& dataset, const WriteOptions& options) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return Apply(dataset, &options);
  }

  Result<ImportResult> Check(const ledger::Dataset& dataset) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return Apply(dataset, nullptr);
  }

  Result<ImportResult> ImportStream(const ledger::Dataset& reference, const EntrySource& next_chunk,
                                    const WriteOptions& options) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    // For the bulk transaction only (issue 6):
    // - SQLite's foreign-key checks cost an index probe per reference per
    //   row, and PlanImport has checked every reference they would (donor,
    //   fund, appeal, event, settles, reverses; the import's row is written
    //   first). foreign_keys can only change outside a transaction.
    // - The CHECK constraints of `entries` hold by construction: kind is
    //   written from ledger::Name, the amount is more than zero and the
    //   probability within 0..1 since the reader refuses anything else.
    //   SQLite builds a temporary table for `kind IN (...)` on every row.
    // - A larger page cache keeps the indexes' upper levels in memory.
    // All three are put back whatever happens; STRICT typing, NOT NULL and
    // UNIQUE still apply, and `rmis check` runs PRAGMA foreign_key_check.
    for (const char* pragma : {"PRAGMA foreign_keys=OFF", "PRAGMA ignore_check_constraints=ON",
                               "PRAGMA cache_size=-262144"}) {
      if (auto status = Exec(db_, pragma); !status) return tl::unexpected(status.error());
    }
    struct Restore {
      sqlite3* db;
      ~Restore() {
        for (const char* pragma : {"PRAGMA foreign_keys=ON", "PRAGMA ignore_check_constraints=OFF",
                                   "PRAGMA cache_size=-2000"}) {
          sqlite3_exec(db, pragma, nullptr, nullptr, nullptr);
        }
      }
    } restore{db_};
    auto result = ApplyStream(reference, next_chunk, options);
    // The caches are read again when next asked for, rather than appended
    // to row by row (or left stale after a rollback).
    reference_.reset();
    reference_version_ = -1;
    {
      std::unique_lock<std::shared_mutex> write(cache_mutex_);
      cache_.reset();
      cache_columns_ = ledger::EntryColumns();
      cache_version_ = -1;
    }
    // The import is committed: its full runs of entries are sealed now, so
    // that the first report after it loads segments instead of every row.
    if (result && result->problems.empty() && !result->replayed && result->entries_added > 0) SealAfterImport();
    return result;
  }

  Result<std::vector<ListedEntry>> ListEntries(const EntryFilter& filter) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    std::string sql = std::string(kEntryColumns) + " WHERE seq > ?1";
    if (!filter.id.empty()) sql += " AND id = ?13";
    if (!filter.donor.empty()) sql += " AND donor = ?2";
    if (!filter.fund.empty()) sql += " AND fund = ?3";
    if (filter.kind) sql += " AND kind = ?4";
    if (filter.from) sql += " AND value_date >= ?5";
    if (filter.to) sql += " AND value_date <= ?6";
    if (filter.attributed_year) sql += " AND attributed_year = ?7";
    if (filter.region) sql += " AND region = ?8";
    if (!filter.appeal.empty()) sql += " AND appeal = ?9";
    if (!filter.event.empty()) sql += " AND event = ?10";
    if (!filter.settles.empty()) sql += " AND settles = ?11";
    if (filter.before_seq > 0) sql += " AND seq < ?14";
    if (filter.known_at) sql += " AND recorded_at <= ?15";
    // A JSON array of the numbers: one statement, a rowid lookup each.
    std::string seqs;
    if (!filter.seqs.empty()) {
      sql += " AND seq IN (SELECT value FROM json_each(?16))";
      seqs = "[";
      for (size_t i = 0; i < filter.seqs.size(); ++i) seqs += (i ? "," : "") + std::to_string(filter.seqs[i]);
      seqs += "]";
    }
    sql += filter.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq";
    if (filter.limit > 0) sql += " LIMIT ?12";
    Statement query(db_, sql.c_str());
    if (!query.ok()) return Fail(ErrorCode::kIo, query.error());
    query.Bind(1, filter.after_seq);
    if (!filter.id.empty()) query.Bind(13, filter.id);
    if (!filter.donor.empty()) query.Bind(2, filter.donor);
    if (!filter.fund.empty()) query.Bind(3, filter.fund);
    if (filter.kind) query.Bind(4, ledger::Name(*filter.kind));
    if (filter.from) query.Bind(5, static_cast<int64_t>(filter.from->days));
    if (filter.to) query.Bind(6, static_cast<int64_t>(filter.to->days));
    if (filter.attributed_year) query.Bind(7, static_cast<int64_t>(*filter.attributed_year));
    if (filter.region) query.Bind(8, ledger::Name(*filter.region));
    if (!filter.appeal.empty()) query.Bind(9, filter.appeal);
    if (!filter.event.empty()) query.Bind(10, filter.event);
    if (!filter.settles.empty()) query.Bind(11, filter.settles);
    if (filter.before_seq > 0) query.Bind(14, filter.before_seq);
    if (filter.known_at) query.Bind(15, *filter.known_at);
    if (!filter.seqs.empty()) query.Bind(16, seqs);
    if (filter.limit > 0) query.Bind(12, filter.limit);
    std::vector<ListedEntry> list;
    int rc;
    while ((rc = query.Step()) == SQLITE_ROW) {
      auto entry = ReadEntry(query);
      if (!entry) return tl::unexpected(entry.error());
      list.push_back(ListedEntry{query.Int(0), std::move(*entry)});
    }
    if (rc != SQLITE_DONE) return SqlError(db_, "listing entries");
    return list;
  }

  Result<User> AddUser(const User& user, const Actor& actor) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Transaction transaction(db_);
    if (auto status = transaction.Begin(); !status) return tl::unexpected(status.error());
    Statement exists(db_, "SELECT 1 FROM users WHERE name = ?");
    exists.Bind(1, user.name);
    if (exists.Step() == SQLITE_ROW) {
      return Fail(ErrorCode::kConflict, "a user named \"" + user.name + "\" already exists");
    }
    User stored = user;
    stored.created_at = env_.now();
    Statement insert(db_,
                     "INSERT INTO users (name, role, disabled, password_hash, created_at) VALUES (?,?,?,?,?)");
    insert.Bind(1, stored.name);
    insert.Bind(2, Name(stored.role));
    insert.Bind(3, static_cast<int64_t>(stored.disabled));
    insert.Bind(4, stored.password_hash);
    insert.Bind(5, stored.created_at);
    if (insert.Step() != SQLITE_DONE) return SqlError(db_, "adding a user");
    stored.id = sqlite3_last_insert_rowid(db_);
    if (auto status = WriteDonors(stored); !status) return tl::unexpected(status.error());
    AuditRecord record = audit::RecordFor(actor, "user.add", "user", stored.name);
    record.after = audit::DescribeUser(stored);
    if (auto status = WriteAudit(record); !status) return tl::unexpected(status.error());
    if (auto status = transaction.Commit(); !status) return tl::unexpected(status.error());
    return stored;
  }

  Status UpdateUser(const User& user, const Actor& actor) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Transaction transaction(db_);
    if (auto status = transaction.Begin(); !status) return status;
    auto before = ReadUser("WHERE id = ?", std::to_string(user.id), /*by_id=*/true);
    if (!before) return tl::unexpected(before.error());
    if (!*before) return Fail(ErrorCode::kNotFound, "no user with id " + std::to_string(user.id));
    Statement update(db_, "UPDATE users SET role = ?, disabled = ?, password_hash = ? WHERE id = ?");
    update.Bind(1, Name(user.role));
    update.Bind(2, static_cast<int64_t>(user.disabled));
    update.Bind(3, user.password_hash);
    update.Bind(4, user.id);
    if (update.Step() != SQLITE_DONE) return SqlError(db_, "updating a user");
    if (auto status = WriteDonors(user); !status) return status;
    if (user.disabled) {
      // A disabled account loses its sessions and tokens at once.
      Statement drop(db_, "DELETE FROM sessions WHERE user_id = ?");
      drop.Bind(1, user.id);
      if (drop.Step() != SQLITE_DONE) return SqlError(db_, "ending sessions");
    }
    AuditRecord record = audit::RecordFor(actor, "user.update", "user", (*before)->name);
    record.before = audit::DescribeUser(**before);
    User after = user;
    after.name = (*before)->name;
    after.created_at = (*before)->created_at;
    record.after = audit::DescribeUser(after);
    if (auto status = WriteAudit(record); !status) return status;
    return transaction.Commit();
  }

  Result<std::optional<User>> FindUser(const std::string& name) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return ReadUser("WHERE name = ?", name, false);
  }

  Result<std::optional<User>> FindUserById(int64_t id) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return ReadUser("WHERE id = ?", std::to_string(id), true);
  }

  Result<std::vector<User>> ListUsers() override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    std::vector<User> users;
    Statement q(db_, "SELECT id FROM users ORDER BY id");
    std::vector<int64_t> ids;
    while (q.Step() == SQLITE_ROW) ids.push_back(q.Int(0));
    for (int64_t id : ids) {
      auto user = FindUserById(id);
      if (!user) return tl::unexpected(user.error());
      if (*user) users.push_back(**user);
    }
    return users;
  }

  Status AddSession(const Session& session, const Actor& actor) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Transaction transaction(db_);
    if (auto status = transaction.Begin(); !status) return status;
    Statement insert(db_,
                     "INSERT INTO sessions (token_hash, user_id, csrf_token, api_token, label, created_at,"
                     " expires_at) VALUES (?,?,?,?,?,?,?)");
    insert.Bind(1, session.token_hash);
    insert.Bind(2, session.user_id);
    insert.Bind(3, session.csrf_token);
    insert.Bind(4, static_cast<int64_t>(session.api_token));
    insert.Bind(5, session.label);
    insert.Bind(6, session.created_at);
    insert.Bind(7, session.expires_at);
    if (insert.Step() != SQLITE_DONE) return SqlError(db_, "starting a session");
    AuditRecord record = audit::RecordFor(actor, session.api_token ? "token.create" : "login", "session",
                                   session.token_hash.substr(0, 12));
    record.after = audit::DescribeSession(session);
    if (auto status = WriteAudit(record); !status) return status;
    return transaction.Commit();
  }

  Result<std::optional<Session>> FindSession(const std::string& token_hash) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Statement q(db_,
                "SELECT token_hash, user_id, csrf_token, api_token, label, created_at, expires_at"
                " FROM sessions WHERE token_hash = ?");
    q.Bind(1, token_hash);
    if (q.Step() != SQLITE_ROW) return std::optional<Session>();
    return std::optional<Session>(Session{q.Text(0), q.Int(1), q.Text(2), q.Int(3) != 0, q.Text(4),
                                          q.Int(5), q.Int(6)});
  }

  Status DeleteSession(const std::string& token_hash, const Actor& actor) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Transaction transaction(db_);
    if (auto status = transaction.Begin(); !status) return status;
    Statement drop(db_, "DELETE FROM sessions WHERE token_hash = ?");
    drop.Bind(1, token_hash);
    if (drop.Step() != SQLITE_DONE) return SqlError(db_, "ending a session");
    if (sqlite3_changes(db_) > 0) {
      AuditRecord record = audit::RecordFor(actor, "logout", "session", token_hash.substr(0, 12));
      if (auto status = WriteAudit(record); !status) return status;
    }
    return transaction.Commit();
  }

  Status AppendAudit(const AuditRecord& record) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Transaction transaction(db_);
    if (auto status = transaction.Begin(); !status) return status;
    if (auto status = WriteAudit(record); !status) return status;
    return transaction.Commit();
  }

  Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq, int64_t limit) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    std::string sql =
        "SELECT seq, at, actor, address, request_id, action, entity, entity_id, before, after,"
        " previous_hash, hash FROM audit WHERE seq > ? ORDER BY seq";
    if (limit > 0) sql += " LIMIT ?";
    Statement q(db_, sql.c_str());
    q.Bind(1, after_seq);
    if (limit > 0) q.Bind(2, limit);
    std::vector<AuditRecord> records;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      records.push_back(AuditRecord{q.Int(0), q.Int(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5),
                                    q.Text(6), q.Text(7), q.Text(8), q.Text(9), q.Text(10), q.Text(11)});
    }
    if (rc != SQLITE_DONE) return SqlError(db_, "reading the audit trail");
    return records;
  }

  Result<std::pair<int64_t, std::string>> AuditHead() override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Statement q(db_, "SELECT seq, hash FROM audit_head WHERE one = 1");
    if (q.Step() != SQLITE_ROW) return Fail(ErrorCode::kCorrupt, "the audit trail has no head");
    return std::make_pair(q.Int(0), q.Text(1));
  }

  Result<std::vector<AppliedMigration>> Migrations() override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Statement query(db_, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    std::vector<AppliedMigration> list;
    while (query.Step() == SQLITE_ROW) {
      list.push_back(AppliedMigration{static_cast<int>(query.Int(0)), query.Text(1), query.Int(2)});
    }
    return list;
  }

  // One of SQLite's checks of its own files ("integrity_check",
  // "foreign_key_check"), on a reader connection and a thread of its own
  // (taken over and closed), or, given none, on the store's connection when
  // joined. Its findings are lines for StoreContents::engine_problems.
  class EngineCheck {
   public:
    EngineCheck(sqlite3* reader, const char* pragma) : reader_(reader), pragma_(pragma) {
      if (reader_ != nullptr) thread_ = std::thread([this] { problems_ = Run(reader_, pragma_); });
    }
    EngineCheck(const EngineCheck&) = delete;
    EngineCheck& operator=(const EngineCheck&) = delete;
    ~EngineCheck() { Wait(); }
    std::vector<std::string> Join(sqlite3* db) {
      if (reader_ == nullptr) return Run(db, pragma_);
      Wait();
      return std::move(problems_);
    }

   private:
    void Wait() {
      if (thread_.joinable()) thread_.join();
      if (reader_ != nullptr) sqlite3_close_v2(reader_);
      reader_ = nullptr;
    }
    static std::vector<std::string> Run(sqlite3* db, const std::string& pragma) {
      std::vector<std::string> problems;
      Statement q(db, ("PRAGMA " + pragma).c_str());
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) {
        if (pragma == "integrity_check") {
          if (q.Text(0) != "ok") problems.push_back("integrity_check: " + q.Text(0));
        } else {
          problems.push_back("foreign_key_check: row " + std::to_string(q.Int(1)) + " of " + q.Text(0) +
                             " names a missing row of " + q.Text(2));
        }
      }
      if (rc != SQLITE_DONE) problems.push_back(pragma + ": " + sqlite3_errmsg(db));
      return problems;
    }
    sqlite3* reader_;
    std::string pragma_;
    std::vector<std::string> problems_;
    std::thread thread_;
  };

  // One read transaction (BEGIN DEFERRED takes its snapshot at the first
  // read, and no write lock), so that the ledger, the imports and the audit
  // trail agree with each other.
  Result<StoreContents> StreamContents(ContentsReader& reader) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (auto status = Exec(db_, "BEGIN DEFERRED"); !status) return tl::unexpected(status.error());
    struct EndRead {
      sqlite3* db;
      ~EndRead() { sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr); }
    } end_read{db_};
    // SQLite's own checks each read the whole file (at ten million entries
    // integrity_check took 24 s and foreign_key_check 17 s): each runs on a
    // connection of its own while the entries are read, or, where there can
    // be none (in memory), on this one afterwards.
    EngineCheck engine[] = {EngineCheck(OpenReader(), "integrity_check"),
                            EngineCheck(OpenReader(), "foreign_key_check")};
    StoreContents contents;
    if (auto status = LoadReference(contents.ledger); !status) return tl::unexpected(status.error());
    reader.OnReference(contents.ledger);
    const std::string sql = std::string(kEntryColumns) + " ORDER BY seq";
    if (auto status = ForEachEntry(sql.c_str(),
                                   [&](Entry&& entry, int64_t) {
                                     reader.OnEntry(entry);
                                     ++contents.entries;
                                   });
        !status) {
      return tl::unexpected(status.error());
    }
    {
      Statement q(db_,
                  "WITH counted AS (SELECT import_id, count(*) AS n FROM entries GROUP BY import_id)"
                  " SELECT i.id, i.at, i.source, i.added, i.unchanged, coalesce(c.n, 0)"
                  " FROM imports i LEFT JOIN counted c ON c.import_id = i.id ORDER BY i.id");
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) {
        contents.imports.push_back(ImportRecord{q.Int(0), q.Int(1), q.Text(2), q.Int(3), q.Int(4), q.Int(5)});
      }
      if (rc != SQLITE_DONE) return SqlError(db_, "reading the imports");
      Statement orphans(db_,
                        "SELECT count(*) FROM entries WHERE import_id IS NULL"
                        " OR import_id NOT IN (SELECT id FROM imports)");
      if (orphans.Step() != SQLITE_ROW) return SqlError(db_, "reading the imports");
      contents.entries_without_import = orphans.Int(0);
    }
    auto audit = ListAudit(0, 0);
    if (!audit) return tl::unexpected(audit.error());
    contents.audit = std::move(*audit);
    auto head = AuditHead();
    if (!head) return tl::unexpected(head.error());
    contents.audit_head_seq = head->first;
    contents.audit_head_hash = head->second;
    contents.engine_check = "PRAGMA integrity_check, PRAGMA foreign_key_check";
    for (auto& check : engine) {
      std::vector<std::string> problems = check.Join(db_);
      contents.engine_problems.insert(contents.engine_problems.end(), problems.begin(), problems.end());
    }
    return contents;
  }

 private:
  // One transaction: read the state, check the dataset against it, and
  // append it with its audit record (or, when `options` is null, only check).
  // BEGIN IMMEDIATE holds the write lock from the first read, so no other
  // writer can change the state in between.
  Result<ImportResult> Apply(const ledger::Dataset& dataset, const WriteOptions* options) {
    Transaction transaction(db_);
    if (auto status = transaction.Begin(); !status) return tl::unexpected(status.error());
    if (options && options->idempotency) {
      auto replay = Replay(options->actor.user, *options->idempotency);
      if (!replay) return tl::unexpected(replay.error());
      if (*replay) {
        ImportResult result;
        result.replayed = **replay;
        return result;  // a retry: the first answer, nothing written
      }
    }
    std::vector<Entry> stored;
    if (auto status = LoadForPlan(dataset, stored); !status) return tl::unexpected(status.error());
    ledger::PlanOutcome outcome = ledger::PlanImport(*reference_, stored, dataset, env_.is_country);
    ImportResult result = SummarizePlan(outcome);
    if (!result.problems.empty()) return result;  // the transaction rolls back: nothing written
    const ledger::Ledger& add = outcome.plan.additions;
    if (options == nullptr) return result;  // a check
    if (result.added == 0 && !options->idempotency) return result;  // nothing new: write nothing

    if (result.added > 0) {
      Statement import_row(db_, "INSERT INTO imports (at, source, added, unchanged) VALUES (?,?,?,?)");
      import_row.Bind(1, env_.now());
      import_row.Bind(2, options->source);
      import_row.Bind(3, static_cast<int64_t>(result.added));
      import_row.Bind(4, static_cast<int64_t>(result.unchanged));
      if (import_row.Step() != SQLITE_DONE) return SqlError(db_, "recording the import");
      result.import_id = sqlite3_last_insert_rowid(db_);
      if (auto status = Insert(add, result.import_id); !status) return tl::unexpected(status.error());

      AuditRecord record = audit::RecordForImport(*options, add, result.added, result.unchanged, result.import_id);
      if (auto status = WriteAudit(record); !status) return tl::unexpected(status.error());
    }
    if (options->idempotency && options->respond) {
      result.response = options->respond(result);
      if (auto status = Remember(options->actor.user, *options->idempotency, *result.response); !status) {
        return tl::unexpected(status.error());
      }
    }
    if (auto status = transaction.Commit(); !status) return tl::unexpected(status.error());
    AppendToCache(add);
    return result;
  }

  // The streamed import (Store::ImportStream): one transaction, the chunks
  // planned by RunStreamedImport (store/import_stream.h) against what this
  // transaction has written so far.
  Result<ImportResult> ApplyStream(const ledger::Dataset& reference, const EntrySource& next_chunk,
                                   const WriteOptions& options) {
    Transaction transaction(db_);
    if (auto status = transaction.Begin(); !status) return tl::unexpected(status.error());
    if (options.idempotency) {
      auto replay = Replay(options.actor.user, *options.idempotency);
      if (!replay) return tl::unexpected(replay.error());
      if (*replay) {
        ImportResult result;
        result.replayed = **replay;
        return result;
      }
    }
    if (auto status = LoadReferenceForPlan(); !status) return tl::unexpected(status.error());
    // The import's row comes first, so that every entry can name it; its
    // counts are written at the end.
    Statement import_row(db_, "INSERT INTO imports (at, source, added, unchanged) VALUES (?,?,0,0)");
    import_row.Bind(1, env_.now());
    import_row.Bind(2, options.source);
    if (import_row.Step() != SQLITE_DONE) return SqlError(db_, "recording the import");
    const int64_t import_id = sqlite3_last_insert_rowid(db_);

    // Every id a stored entry reverses, kept for the import (reversals are
    // rare: under 1 % of entries), so that LoadNamed looks for reversals
    // only of entries that have one.
    std::unordered_set<std::string> reversed;
    {
      Statement q(db_, "SELECT reverses FROM entries WHERE reverses IS NOT NULL");
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) reversed.insert(q.Text(0));
      if (rc != SQLITE_DONE) return SqlError(db_, "reading reversals");
    }

    // Append runs on a thread of its own while the next chunk is planned
    // (store/import_stream.h); LoadNamed never runs at the same time.
    class Target : public StreamTarget {
     public:
      Target(SqliteStore& store, int64_t import_id, std::unordered_set<std::string>& reversed)
          : store_(store), import_id_(import_id), reversed_(reversed) {}
      Status LoadNamed(const std::vector<std::string>& ids, std::vector<Entry>& entries,
                       std::vector<int64_t>& seqs) override {
        return store_.LoadNamed(ids, entries, &seqs, &reversed_);
      }
      Result<int64_t> Append(const ledger::Ledger& additions) override {
        // A savepoint, so that a chunk that meets a stored id leaves nothing.
        if (auto s = Exec(store_.db_, "SAVEPOINT chunk"); !s) return tl::unexpected(s.error());
        int64_t first = 0;
        auto status = store_.Insert(additions, import_id_, &first);
        if (!status) {
          sqlite3_exec(store_.db_, "ROLLBACK TO chunk", nullptr, nullptr, nullptr);
          sqlite3_exec(store_.db_, "RELEASE chunk", nullptr, nullptr, nullptr);
          return tl::unexpected(status.error());
        }
        if (auto s = Exec(store_.db_, "RELEASE chunk"); !s) return tl::unexpected(s.error());
        for (const Entry& e : additions.entries) {
          if (!e.reverses.empty()) reversed_.insert(e.reverses);
        }
        return first;
      }

     private:
      SqliteStore& store_;
      int64_t import_id_;
      std::unordered_set<std::string>& reversed_;
    } target(*this, import_id, reversed);

    auto outcome = RunStreamedImport(target, *reference_, reference, next_chunk, env_.is_country, options.source);
    if (!outcome) return tl::unexpected(outcome.error());
    ImportResult result = std::move(outcome->result);
    if (!result.problems.empty()) return result;  // rolled back: nothing written
    if (result.added == 0 && !options.idempotency) return result;  // nothing new: write nothing
    if (result.added > 0) {
      result.import_id = import_id;
      Statement counts(db_, "UPDATE imports SET added = ?, unchanged = ? WHERE id = ?");
      counts.Bind(1, static_cast<int64_t>(result.added));
      counts.Bind(2, static_cast<int64_t>(result.unchanged));
      counts.Bind(3, import_id);
      if (counts.Step() != SQLITE_DONE) return SqlError(db_, "recording the import");
      AuditRecord record = audit::RecordFor(options.actor, options.action, "dataset", std::to_string(import_id));
      record.after = std::move(outcome->audit_after);
      if (auto status = WriteAudit(record); !status) return tl::unexpected(status.error());
    } else {
      Statement drop(db_, "DELETE FROM imports WHERE id = ?");
      drop.Bind(1, import_id);
      if (drop.Step() != SQLITE_DONE) return SqlError(db_, "recording the import");
    }
    if (options.idempotency && options.respond) {
      result.response = options.respond(result);
      if (auto status = Remember(options.actor.user, *options.idempotency, *result.response); !status) {
        return tl::unexpected(status.error());
      }
    }
    if (auto status = transaction.Commit(); !status) return tl::unexpected(status.error());
    return result;
  }

  // After this connection's own commit: the caches take the new records.
  void AppendToCache(const ledger::Ledger& add) {
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    const bool reference_added = !add.donors.empty() || !add.funds.empty() || !add.targets.empty() ||
                                 !add.appeals.empty() || !add.events.empty() || !add.rates.empty();
    if (reference_added) {
      // Callers of LoadReference may hold them: they stay as they were, and
      // the next call reads the records again (reference records are added
      // rarely; entries, the common write, keep them).
      reference_.reset();
      reference_version_ = -1;
    }
    std::unique_lock<std::shared_mutex> write(cache_mutex_);
    if (!cache_) return;
    append(cache_->donors, add.donors);
    append(cache_->funds, add.funds);
    append(cache_->targets, add.targets);
    append(cache_->appeals, add.appeals);
    append(cache_->events, add.events);
    append(cache_->rates, add.rates);
    // Positions of what the new entries settle or reverse: seq - 1, as in
    // LoadColumns (the entries are stored, so SQLite knows them).
    Statement find(db_, "SELECT seq FROM entries WHERE id = ?");
    auto position = [&](const std::string& id) {
      if (id.empty()) return ledger::EntryColumns::kNone;
      find.Bind(1, id);
      int32_t found = find.Step() == SQLITE_ROW ? static_cast<int32_t>(find.Int(0) - 1) : ledger::EntryColumns::kNone;
      find.Reset();
      return found;
    };
    for (const auto& e : add.entries) {
      ledger::EntryView view;
      view.id = e.id;
      view.donor = e.donor;
      view.fund = e.fund;
      view.appeal = e.appeal;
      view.event = e.event;
      view.kind = e.kind;
      view.region = e.region;
      view.channel = e.channel;
      view.value_day = e.value_date.days;
      view.attributed_year = e.attributed_year;
      view.probability_ppm = e.probability_ppm ? *e.probability_ppm : ledger::EntryColumns::kNone;
      view.recorded_at = e.recorded_at;
      view.usd_cents = e.usd_cents;
      view.amount_minor = e.amount.minor_units();
      cache_columns_.AppendResolved(view, position(e.settles), position(e.reverses));
    }
    if (!cache_columns_.indexed()) cache_columns_.Reindex();
  }

  // The answer remembered for (user, key), if any; kConflict when the key was
  // used for another request.
  Result<std::optional<StoredResponse>> Replay(const std::string& user, const Idempotency& idempotency) {
    Statement q(db_, "SELECT fingerprint, status, body FROM idempotency WHERE user_name = ? AND key = ?");
    q.Bind(1, user);
    q.Bind(2, idempotency.key);
    if (q.Step() != SQLITE_ROW) return std::optional<StoredResponse>();
    if (q.Text(0) != idempotency.fingerprint) {
      return Fail(ErrorCode::kConflict, "this Idempotency-Key was already used for a different request");
    }
    return std::optional<StoredResponse>(StoredResponse{static_cast<int>(q.Int(1)), q.Text(2)});
  }

  Status Remember(const std::string& user, const Idempotency& idempotency, const StoredResponse& response) {
    Statement q(db_,
                "INSERT INTO idempotency (user_name, key, fingerprint, status, body, created_at)"
                " VALUES (?,?,?,?,?,?)");
    q.Bind(1, user);
    q.Bind(2, idempotency.key);
    q.Bind(3, idempotency.fingerprint);
    q.Bind(4, static_cast<int64_t>(response.status));
    q.Bind(5, response.body);
    q.Bind(6, env_.now());
    if (q.Step() != SQLITE_DONE) return SqlError(db_, "remembering the answer");
    return {};
  }

  Result<std::optional<User>> ReadUser(const char* where, const std::string& key, bool by_id) {
    std::string sql = std::string("SELECT id, name, role, disabled, password_hash, created_at FROM users ") + where;
    Statement q(db_, sql.c_str());
    if (by_id) {
      q.Bind(1, static_cast<int64_t>(std::stoll(key)));
    } else {
      q.Bind(1, key);
    }
    if (q.Step() != SQLITE_ROW) return std::optional<User>();
    User user;
    user.id = q.Int(0);
    user.name = q.Text(1);
    auto role = ParseRole(q.Text(2));
    if (!role) return Fail(ErrorCode::kCorrupt, "user " + user.name + " has an unknown role");
    user.role = *role;
    user.disabled = q.Int(3) != 0;
    user.password_hash = q.Text(4);
    user.created_at = q.Int(5);
    Statement donors(db_, "SELECT donor FROM user_donors WHERE user_id = ? ORDER BY donor");
    donors.Bind(1, user.id);
    while (donors.Step() == SQLITE_ROW) user.donors.push_back(donors.Text(0));
    return std::optional<User>(std::move(user));
  }

  Status WriteDonors(const User& user) {
    Statement clear(db_, "DELETE FROM user_donors WHERE user_id = ?");
    clear.Bind(1, user.id);
    if (clear.Step() != SQLITE_DONE) return SqlError(db_, "assigning donors");
    Statement insert(db_, "INSERT INTO user_donors (user_id, donor) VALUES (?, ?)");
    for (const auto& donor : user.donors) {
      insert.Bind(1, user.id);
      insert.Bind(2, donor);
      if (insert.Step() != SQLITE_DONE) {
        return Fail(ErrorCode::kInvalidArgument, "cannot assign donor \"" + donor + "\": " + sqlite3_errmsg(db_));
      }
      insert.Reset();
    }
    return {};
  }

  // Appends `record` to the chain; must run inside a write transaction.
  Status WriteAudit(AuditRecord record) {
    Statement head(db_, "SELECT seq, hash FROM audit_head WHERE one = 1");
    if (head.Step() != SQLITE_ROW) return Fail(ErrorCode::kCorrupt, "the audit trail has no head");
    record.seq = head.Int(0) + 1;
    record.previous_hash = head.Text(1);
    record.at = env_.now();
    record.hash = audit::ComputeHash(record);
    Statement insert(db_,
                     "INSERT INTO audit (seq, at, actor, address, request_id, action, entity, entity_id,"
                     " before, after, previous_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    insert.Bind(1, record.seq);
    insert.Bind(2, record.at);
    insert.Bind(3, record.actor);
    insert.Bind(4, record.address);
    insert.Bind(5, record.request_id);
    insert.Bind(6, record.action);
    insert.Bind(7, record.entity);
    insert.Bind(8, record.entity_id);
    insert.Bind(9, record.before);
    insert.Bind(10, record.after);
    insert.Bind(11, record.previous_hash);
    insert.Bind(12, record.hash);
    if (insert.Step() != SQLITE_DONE) return SqlError(db_, "writing the audit trail");
    Statement move(db_, "UPDATE audit_head SET seq = ?, hash = ? WHERE one = 1");
    move.Bind(1, record.seq);
    move.Bind(2, record.hash);
    if (move.Step() != SQLITE_DONE) return SqlError(db_, "writing the audit trail");
    return {};
  }

  static constexpr const char* kEntryColumns =
      "SELECT seq, id, kind, donor, fund, currency, amount_minor, usd_cents, value_date,"
      " recorded_at, attributed_year, region, country, programme, appeal, channel, event,"
      " settles, reverses, probability_ppm, note FROM entries";

  Result<Entry> ReadEntry(const Statement& row) {
    Entry e;
    e.id = row.Text(1);
    auto kind = ledger::ParseEntryKind(row.Text(2));
    auto region = ledger::ParseRegion(row.Text(11));
    auto channel = ledger::ParseChannel(row.Text(15));
    std::string currency = row.Text(5);
    if (!kind || !region || !channel || !money::FindCurrency(currency)) {
      return Fail(ErrorCode::kCorrupt, "entry " + e.id + " holds a value rmis does not know");
    }
    e.kind = *kind;
    e.donor = row.Text(3);
    e.fund = row.Text(4);
    e.amount = money::Money(row.Int(6), money::CurrencyCode(currency));
    e.usd_cents = row.Int(7);
    e.value_date = ledger::Date{static_cast<int32_t>(row.Int(8))};
    e.recorded_at = row.Int(9);
    e.attributed_year = static_cast<int>(row.Int(10));
    e.region = *region;
    e.country = row.Text(12);
    e.programme = row.Text(13);
    e.appeal = row.Text(14);
    e.channel = *channel;
    e.event = row.Text(16);
    e.settles = row.Text(17);
    e.reverses = row.Text(18);
    if (!row.IsNull(19)) e.probability_ppm = static_cast<int32_t>(row.Int(19));
    e.note = row.Text(20);
    return e;
  }

  // Entries per column segment (migration 0003).
  static constexpr int64_t kSegmentRows = ledger::kSegmentEntries;

  // A segment's bytes read from its blob a range at a time, straight into
  // the columns (no copy of the whole blob, no name looked up).
  class BlobSource : public ledger::SegmentSource {
   public:
    explicit BlobSource(sqlite3_blob* blob) : blob_(blob) {}
    size_t size() const override { return static_cast<size_t>(sqlite3_blob_bytes(blob_)); }
    bool Read(size_t offset, void* to, size_t size) const override {
      // sqlite3_blob_read takes int sizes: read in pieces of at most 1 GiB.
      constexpr size_t kPiece = size_t{1} << 30;
      for (size_t done = 0; done < size; done += kPiece) {
        const size_t piece = size - done < kPiece ? size - done : kPiece;
        if (offset + done + piece > size_t{0x7fffffff} ||
            sqlite3_blob_read(blob_, static_cast<char*>(to) + done, static_cast<int>(piece),
                              static_cast<int>(offset + done)) != SQLITE_OK) {
          return false;
        }
      }
      return true;
    }

   private:
    sqlite3_blob* blob_;
  };

  // The entries as columns: the sealed segments, then the rows after them
  // (whose `settles`/`reverses` SQLite resolves to positions), then seals
  // every full run of rows that has no segment yet. Positions are seq - 1:
  // entries are never deleted (a trigger refuses it) and SQLite numbers them
  // 1, 2, 3, ...; a store where the rows after the segments do not follow
  // on densely is read row by row with ids. Donors, funds, appeals and
  // events are numbered in their stored order, the numbers the segments
  // hold (and a report looks donors up by).
  Status LoadColumns(const ledger::Ledger& reference, ledger::EntryColumns& columns) {
    // One snapshot for the count, the segments and the rows.
    const bool own_transaction = sqlite3_get_autocommit(db_) != 0;
    if (own_transaction) {
      if (auto status = Exec(db_, "BEGIN"); !status) return status;
    }
    struct EndRead {
      sqlite3* db;
      bool own;
      ~EndRead() {
        if (own && sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      }
    };
    int64_t sealed = 0;  // entries read from segments
    bool dense = false;
    {
      EndRead end_read{db_, own_transaction};
      if (auto status = ReadColumnsIn(reference, columns, sealed, dense); !status) return status;
    }
    if (dense) SealSegments(columns, sealed);
    return {};
  }

  // After a committed import: seals every full run of entries that has no
  // segment yet, in transactions of its own (the import stands whatever
  // happens here; a process killed meanwhile leaves the rows to be read and
  // sealed by the next report).
  void SealAfterImport() {
    {
      Statement unsealed(db_,
                         "SELECT (SELECT coalesce(max(seq), 0) FROM entries) -"
                         " (SELECT coalesce(max(first_seq + rows - 1), 0) FROM entry_segments)");
      if (unsealed.Step() != SQLITE_ROW || unsealed.Int(0) < kSegmentRows) return;
    }
    // The import's large page cache is not needed to read the rows once,
    // and the memory the import freed goes back to the system before the
    // columns take theirs (on 10M entries the process would otherwise hold
    // both: 1.2 GB).
    sqlite3_exec(db_, "PRAGMA cache_size=-2000", nullptr, nullptr, nullptr);
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    ledger::Ledger reference;
    if (!LoadReference(reference)) return;
    ledger::EntryColumns columns;
    (void)LoadColumns(reference, columns);
  }

  Status ReadColumnsIn(const ledger::Ledger& reference, ledger::EntryColumns& columns, int64_t& sealed,
                       bool& dense) {
    auto last = LastSeq();
    if (!last) return tl::unexpected(last.error());
    const int64_t max_seq = *last;
    columns.Reserve(static_cast<size_t>(max_seq));
    ledger::NumberNames(reference, columns);
    // Segments stand for the rows 1..n only while none of them is gone (a
    // row deleted behind the triggers' back): then the rows are read, by
    // ids. SQLite counts 10 million rows in about 30 ms.
    Statement all(db_, "SELECT count(*) FROM entries");
    if (all.Step() != SQLITE_ROW) return SqlError(db_, "counting entries");
    if (all.Int(0) == max_seq) {
      Statement segments(db_, "SELECT first_seq, rows FROM entry_segments ORDER BY first_seq");
      sqlite3_blob* blob = nullptr;
      while (segments.Step() == SQLITE_ROW) {
        const int64_t first = segments.Int(0), rows = segments.Int(1);
        if (first != sealed + 1 || sealed + rows > max_seq) break;
        const int rc = blob == nullptr
                           ? sqlite3_blob_open(db_, "main", "entry_segments", "data", first, 0, &blob)
                           : sqlite3_blob_reopen(blob, first);
        if (rc != SQLITE_OK) break;
        const size_t before = columns.size();
        if (!ledger::DecodeSegment(BlobSource(blob), columns, static_cast<size_t>(max_seq)) ||
            columns.size() != before + static_cast<size_t>(rows)) {
          break;  // not a segment of this ledger: the rows are read instead (and sealed anew)
        }
        sealed += rows;
      }
      sqlite3_blob_close(blob);
    }
    if (static_cast<int64_t>(columns.size()) != sealed) {
      columns = ledger::EntryColumns();
      columns.Reserve(static_cast<size_t>(max_seq));
      ledger::NumberNames(reference, columns);
      sealed = 0;
    }
    // The rows after the segments: dense when they are seq sealed+1 .. max.
    Statement tail(db_, "SELECT count(*) FROM entries WHERE seq > ?");
    tail.Bind(1, sealed);
    if (tail.Step() != SQLITE_ROW) return SqlError(db_, "counting entries");
    dense = tail.Int(0) == max_seq - sealed;
    if (!dense && sealed > 0) {
      columns = ledger::EntryColumns();
      columns.Reserve(static_cast<size_t>(max_seq));
      ledger::NumberNames(reference, columns);
      sealed = 0;
    }
    // Many rows (after an import, or when segments were rejected), at least
    // an eighth of the ledger: their `settles`/`reverses` are resolved
    // beforehand by walking the indexes in id order, rather than one index
    // search per row in the query (at 10M entries: 17 s instead of 21 s of
    // CPU for the load and seal).
    const int64_t tail_rows = max_seq - sealed;
    const bool merge = dense && tail_rows >= kSegmentRows && tail_rows * 8 >= max_seq;
    if (merge) {
      std::vector<int32_t> settles_at, reverses_at;
      if (auto status = ResolveByMerge(sealed, tail_rows, settles_at, reverses_at); !status) return status;
      if (auto status = FillTail(columns, sealed, max_seq, settles_at, reverses_at); !status) return status;
      if (!columns.indexed()) columns.Reindex();
      return {};
    }
    std::string sql = std::string(kRowColumns);
    sql += dense ? ", s.seq, r.seq FROM entries e LEFT JOIN entries s ON s.id = e.settles"
                   " LEFT JOIN entries r ON r.id = e.reverses WHERE e.seq > ?1 ORDER BY e.seq"
                 : " FROM entries e WHERE e.seq > ?1 ORDER BY e.seq";
    Statement q(db_, sql.c_str());
    if (!q.ok()) return Fail(ErrorCode::kIo, q.error());
    q.Bind(1, sealed);
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      // Straight from the row's buffers into the columns: no Entry is made.
      ledger::EntryView view;
      if (auto status = ViewOfRow(q, view); !status) return status;
      if (dense) {
        auto position = [&](int column) {
          return q.IsNull(column) ? ledger::EntryColumns::kNone : static_cast<int32_t>(q.Int(column) - 1);
        };
        columns.AppendResolved(view, position(17), position(18));
      } else {
        columns.Append(view);
      }
    }
    if (rc != SQLITE_DONE) return SqlError(db_, "reading entries");
    if (!columns.indexed()) columns.Reindex();
    return {};
  }

  // The columns a row is read into (ViewOfRow), as `e`.
  static constexpr const char* kRowColumns =
      "SELECT e.seq, e.id, e.kind, e.donor, e.fund, e.amount_minor, e.usd_cents, e.value_date,"
      " e.recorded_at, e.attributed_year, e.region, e.appeal, e.channel, e.event, e.settles, e.reverses,"
      " e.probability_ppm";

  // The row `q` is on (of kRowColumns) as a view of its buffers.
  static Status ViewOfRow(Statement& q, ledger::EntryView& view) {
    view.id = q.View(1);
    auto kind = ledger::ParseEntryKind(q.View(2));
    auto region = ledger::ParseRegion(q.View(10));
    auto channel = ledger::ParseChannel(q.View(12));
    if (!kind || !region || !channel) {
      return Fail(ErrorCode::kCorrupt, "entry " + std::string(view.id) + " holds a value rmis does not know");
    }
    view.kind = *kind;
    view.region = *region;
    view.channel = *channel;
    view.donor = q.View(3);
    view.fund = q.View(4);
    view.amount_minor = q.Int(5);
    view.usd_cents = q.Int(6);
    view.value_day = static_cast<int32_t>(q.Int(7));
    view.recorded_at = q.Int(8);
    view.attributed_year = static_cast<int32_t>(q.Int(9));
    view.appeal = q.View(11);
    view.event = q.View(13);
    view.settles = q.View(14);
    view.reverses = q.View(15);
    view.probability_ppm = q.IsNull(16) ? -1 : static_cast<int32_t>(q.Int(16));
    return {};
  }

  // Reads the rows seq sealed+1 .. max_seq (dense) into the columns, their
  // links resolved beforehand, in two halves at once: this connection reads
  // the first, a second connection to the same file the second (issue 6:
  // reading ten million rows took 10 of the 15 s an import spends sealing
  // segments, on one core). Each half is filled in place. The second
  // connection's snapshot starts after this one's, so it holds every row up
  // to max_seq (entries are only ever appended). Without a file to open
  // again (in memory) or inside a write transaction (whose rows another
  // connection cannot see), one connection reads it all.
  Status FillTail(ledger::EntryColumns& columns, int64_t sealed, int64_t max_seq,
                  const std::vector<int32_t>& settles_at, const std::vector<int32_t>& reverses_at) {
    const size_t begin = columns.size();
    columns.Extend(static_cast<size_t>(max_seq - sealed));
    sqlite3* other = OpenReader();
    const int64_t mid = other != nullptr ? sealed + (max_seq - sealed) / 2 : max_seq;
    auto fill = [&](sqlite3* db, int64_t after, int64_t upto, bool intern, int64_t& stopped) -> Status {
      const std::string sql = std::string(kRowColumns) + " FROM entries e WHERE e.seq > ?1 AND e.seq <= ?2 ORDER BY e.seq";
      Statement q(db, sql.c_str());
      if (!q.ok()) return Fail(ErrorCode::kIo, q.error());
      q.Bind(1, after);
      q.Bind(2, upto);
      int rc;
      int64_t expected = after + 1;
      while ((rc = q.Step()) == SQLITE_ROW) {
        const int64_t seq = q.Int(0);
        if (seq != expected++) return Fail(ErrorCode::kCorrupt, "the entries' sequence numbers changed while read");
        ledger::EntryView view;
        if (auto status = ViewOfRow(q, view); !status) return status;
        const auto at = static_cast<size_t>(seq - sealed - 1);
        if (!columns.SetResolved(begin + at, view, settles_at[at], reverses_at[at], intern)) {
          stopped = seq;  // a name not numbered yet: read again from here on one thread
          return {};
        }
      }
      if (rc != SQLITE_DONE) return SqlError(db, "reading entries");
      if (expected != upto + 1) return Fail(ErrorCode::kCorrupt, "the entries' sequence numbers changed while read");
      return {};
    };
    int64_t stopped_first = 0, stopped_second = 0;
    Status second_status;
    std::thread second;
    std::exception_ptr thrown;
    if (other != nullptr) {
      second = std::thread([&] {
        try {
          second_status = fill(other, mid, max_seq, false, stopped_second);
        } catch (...) {
          thrown = std::current_exception();
        }
      });
    }
    struct Join {
      std::thread& thread;
      sqlite3* other;
      ~Join() {
        if (thread.joinable()) thread.join();
        if (other != nullptr) {
          sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
          sqlite3_close_v2(other);
        }
      }
    };
    Status first_status;
    {
      Join join{second, other};
      first_status = fill(db_, sealed, mid, other == nullptr, stopped_first);
    }
    if (thrown) std::rethrow_exception(thrown);
    if (!first_status) return first_status;
    if (!second_status) return second_status;
    int64_t unused = 0;
    if (stopped_first > 0) {
      if (auto status = fill(db_, stopped_first - 1, mid, true, unused); !status) return status;
    }
    if (stopped_second > 0) {
      if (auto status = fill(db_, stopped_second - 1, max_seq, true, unused); !status) return status;
    }
    columns.IndexFilled(begin, columns.size());
    return {};
  }

  // A second connection to this store's file in a read transaction, or null
  // when there is none to be had (see FillTail).
  sqlite3* OpenReader() {
    if (sqlite3_txn_state(db_, "main") == SQLITE_TXN_WRITE) return nullptr;
    const char* path = sqlite3_db_filename(db_, "main");
    if (path == nullptr || *path == '\0') return nullptr;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 10000) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db);
      return nullptr;
    }
    return db;
  }

  // The positions (seq - 1) that the rows seq sealed+1 .. sealed+rows
  // settle and reverse, in one pass over the index of ids merged with the
  // indexes of `settles` and of `reverses`, all three in the same (binary)
  // order: sequential reads instead of a search per row.
  Status ResolveByMerge(int64_t sealed, int64_t rows, std::vector<int32_t>& settles_at,
                        std::vector<int32_t>& reverses_at) {
    settles_at.assign(static_cast<size_t>(rows), ledger::EntryColumns::kNone);
    reverses_at.assign(static_cast<size_t>(rows), ledger::EntryColumns::kNone);
    Statement ids(db_, "SELECT id, seq FROM entries ORDER BY id");
    Statement settles(db_,
                      "SELECT settles, seq FROM entries INDEXED BY entries_by_settles"
                      " WHERE settles IS NOT NULL AND seq > ? ORDER BY settles");
    Statement reverses(db_,
                       "SELECT reverses, seq FROM entries INDEXED BY entries_by_reverses"
                       " WHERE reverses IS NOT NULL AND seq > ? ORDER BY reverses");
    if (!ids.ok() || !settles.ok() || !reverses.ok()) {
      return Fail(ErrorCode::kIo, !ids.ok() ? ids.error() : !settles.ok() ? settles.error() : reverses.error());
    }
    settles.Bind(1, sealed);
    reverses.Bind(1, sealed);
    struct Cursor {
      Statement& q;
      std::vector<int32_t>& at;
      int rc;
    };
    Cursor cursors[] = {{settles, settles_at, settles.Step()}, {reverses, reverses_at, reverses.Step()}};
    int rc;
    while ((rc = ids.Step()) == SQLITE_ROW) {
      const std::string_view id = ids.View(0);
      const auto position = static_cast<int32_t>(ids.Int(1) - 1);
      for (Cursor& c : cursors) {
        // A name with no entry (never stored: the import checks) is passed.
        while (c.rc == SQLITE_ROW && c.q.View(0) < id) c.rc = c.q.Step();
        while (c.rc == SQLITE_ROW && c.q.View(0) == id) {
          const int64_t row = c.q.Int(1) - sealed - 1;
          if (row >= 0 && row < rows) c.at[static_cast<size_t>(row)] = position;
          c.rc = c.q.Step();
        }
      }
    }
    if (rc != SQLITE_DONE) return SqlError(db_, "reading entries");
    for (const Cursor& c : cursors) {
      if (c.rc != SQLITE_DONE && c.rc != SQLITE_ROW) return SqlError(db_, "reading entries");
    }
    return {};
  }

  // Writes a segment for every full run of kSegmentRows entries from
  // `sealed` on, in one transaction of its own. Only a cache: when another
  // connection holds the write lock, or the write fails, nothing is sealed
  // now and the rows are read again next time.
  void SealSegments(const ledger::EntryColumns& columns, int64_t sealed) {
    const auto total = static_cast<int64_t>(columns.size());
    if (total - sealed < kSegmentRows) return;
    if (sqlite3_get_autocommit(db_) == 0) return;  // inside a caller's transaction
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return;
    Statement insert(db_, "INSERT OR REPLACE INTO entry_segments (first_seq, rows, data) VALUES (?,?,?)");
    // The entries are append-only: the first `total` rows are still the rows read.
    bool ok = insert.ok();
    for (int64_t first = sealed; ok && first + kSegmentRows <= total; first += kSegmentRows) {
      std::string data = ledger::EncodeSegment(columns, static_cast<size_t>(first),
                                               static_cast<size_t>(first + kSegmentRows));
      insert.Bind(1, first + 1);
      insert.Bind(2, kSegmentRows);
      sqlite3_bind_blob(insert.raw(), 3, data.data(), static_cast<int>(data.size()), SQLITE_STATIC);
      ok = insert.Step() == SQLITE_DONE;
      insert.Reset();
    }
    sqlite3_exec(db_, ok ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  // Loads what PlanImport needs to check `dataset`: the reference records
  // (into reference_), and of the entries only those the dataset can touch: entries with the
  // dataset's ids or named by its `settles`/`reverses`, what settles those,
  // and what reverses any of them. PlanImport gives the same answer on this
  // part as on the whole ledger, without reading millions of rows per write.
  Status LoadForPlan(const ledger::Dataset& dataset, std::vector<Entry>& entries) {
    if (auto status = LoadReferenceForPlan(); !status) return status;
    if (dataset.entries.empty()) return {};
    std::vector<std::string_view> ids;
    ids.reserve(dataset.entries.size());
    for (const auto& item : dataset.entries) {
      for (const std::string* id : {&item.value.id, &item.value.settles, &item.value.reverses}) {
        if (!id->empty()) ids.push_back(*id);
      }
    }
    return LoadNamed(ids, entries, nullptr);
  }

  // The reference records come from memory while no other connection has
  // committed since they were read (PRAGMA data_version); PlanImport reads
  // them in place.
  Status LoadReferenceForPlan() {
    Statement version(db_, "PRAGMA data_version");
    if (version.Step() != SQLITE_ROW) return SqlError(db_, "reading the data version");
    if (!reference_ || version.Int(0) != reference_version_) {
      ledger::Ledger fresh;
      if (auto status = LoadReference(fresh); !status) return status;
      reference_ = std::make_shared<ledger::Ledger>(std::move(fresh));
      reference_version_ = version.Int(0);
    }
    return {};
  }

  // Appends the stored entries with one of `ids`, what settles those, and
  // what reverses any of them (with their seq when `seqs` is given).
  // `reversed`, when given, holds every id a stored entry reverses: only
  // those are looked up for their reversal (issue 6: a streamed import of
  // ten million entries spent a fifth of its time looking for reversals of
  // entries that have none).
  template <typename Id>
  Status LoadNamed(const std::vector<Id>& ids, std::vector<Entry>& entries, std::vector<int64_t>* seqs,
                   const std::unordered_set<std::string>* reversed = nullptr) {
    if (ids.empty()) return {};
    if (auto s = Exec(db_, "CREATE TEMP TABLE IF NOT EXISTS plan_ids (id TEXT PRIMARY KEY)"); !s) return s;
    if (auto s = Exec(db_, "DELETE FROM plan_ids"); !s) return s;
    {
      Statement insert(db_, "INSERT OR IGNORE INTO plan_ids (id) VALUES (?)");
      for (const auto& id : ids) {
        insert.BindStatic(1, id);
        if (insert.Step() != SQLITE_DONE) return SqlError(db_, "planning an import");
        insert.Reset();
      }
    }
    const size_t first = entries.size();
    // Round 1: the entries named, and what settles them. Round 2: what
    // reverses anything loaded in round 1.
    // Two queries, not one with OR: each uses its index (an OR would scan).
    const std::string named = std::string(kEntryColumns) + " WHERE id IN (SELECT id FROM plan_ids) ORDER BY seq";
    const std::string settling = std::string(kEntryColumns) +
                                 " WHERE settles IN (SELECT id FROM plan_ids)"
                                 " AND id NOT IN (SELECT id FROM plan_ids) ORDER BY seq";
    if (auto s = ReadEntries(named.c_str(), entries, seqs); !s) return s;
    if (auto s = ReadEntries(settling.c_str(), entries, seqs); !s) return s;
    if (entries.size() == first) return Exec(db_, "DELETE FROM plan_ids");
    if (auto s = Exec(db_, "DELETE FROM plan_ids"); !s) return s;
    {
      Statement insert(db_, "INSERT OR IGNORE INTO plan_ids (id) VALUES (?)");
      bool any = false;
      for (size_t i = first; i < entries.size(); ++i) {
        if (reversed && !reversed->count(entries[i].id)) continue;
        insert.BindStatic(1, entries[i].id);
        if (insert.Step() != SQLITE_DONE) return SqlError(db_, "planning an import");
        insert.Reset();
        any = true;
      }
      if (!any) return {};
    }
    std::vector<Entry> reversals;
    std::vector<int64_t> reversal_seqs;
    const std::string round2 = std::string(kEntryColumns) +
                               " WHERE reverses IN (SELECT id FROM plan_ids) ORDER BY seq";
    if (auto s = ReadEntries(round2.c_str(), reversals, seqs ? &reversal_seqs : nullptr); !s) return s;
    std::unordered_set<std::string> loaded;
    for (size_t i = first; i < entries.size(); ++i) loaded.insert(entries[i].id);
    for (size_t i = 0; i < reversals.size(); ++i) {
      if (!loaded.insert(reversals[i].id).second) continue;
      entries.push_back(std::move(reversals[i]));
      if (seqs) seqs->push_back(reversal_seqs[i]);
    }
    return Exec(db_, "DELETE FROM plan_ids");
  }

  // Runs `each` on every entry `sql` (kEntryColumns ...) selects, with its seq.
  Status ForEachEntry(const char* sql, const std::function<void(Entry&&, int64_t)>& each) {
    Statement q(db_, sql);
    if (!q.ok()) return Fail(ErrorCode::kIo, q.error());
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      auto entry = ReadEntry(q);
      if (!entry) return tl::unexpected(entry.error());
      each(std::move(*entry), q.Int(0));
    }
    if (rc != SQLITE_DONE) return SqlError(db_, "reading entries");
    return {};
  }

  Status ReadEntries(const char* sql, std::vector<Entry>& out, std::vector<int64_t>* seqs = nullptr) {
    return ForEachEntry(sql, [&](Entry&& entry, int64_t seq) {
      out.push_back(std::move(entry));
      if (seqs) seqs->push_back(seq);
    });
  }

  // The sequence number of the last entry (0: none); entries are numbered
  // 1, 2, 3, ... and never deleted, so at least how many there are.
  Result<int64_t> LastSeq() {
    Statement last(db_, "SELECT coalesce(max(seq), 0) FROM entries");
    if (last.Step() != SQLITE_ROW) return SqlError(db_, "counting entries");
    return last.Int(0);
  }

  Status Load(ledger::Ledger& ledger) {
    if (auto status = LoadReference(ledger); !status) return status;
    // Room for every entry at once: grown by doubling, the vector of ten
    // million entries held its old and new copies together (`rmis check`).
    auto last = LastSeq();
    if (!last) return tl::unexpected(last.error());
    ledger.entries.reserve(ledger.entries.size() + static_cast<size_t>(*last));
    std::string sql = std::string(kEntryColumns) + " ORDER BY seq";
    return ReadEntries(sql.c_str(), ledger.entries);
  }

  Status LoadReference(ledger::Ledger& ledger) {
    {
      Statement q(db_,
                  "SELECT id, name, type, country, name_ar, name_zh, name_fr, name_ru, name_es "
                  "FROM donors ORDER BY rowid");
      while (q.Step() == SQLITE_ROW) {
        ledger::Donor d;
        d.id = q.Text(0);
        d.name = q.Text(1);
        auto type = ledger::ParseDonorType(q.Text(2));
        if (!type) return Fail(ErrorCode::kCorrupt, "donor " + d.id + " has an unknown type");
        d.type = *type;
        d.country = q.Text(3);
        for (int i = 0; i < 5; ++i) d.names[i] = q.Text(4 + i);
        ledger.donors.push_back(std::move(d));
      }
    }
    {
      Statement q(db_, "SELECT id, name, category FROM funds ORDER BY rowid");
      while (q.Step() == SQLITE_ROW) {
        auto category = ledger::ParseFundCategory(q.Text(2));
        if (!category) return Fail(ErrorCode::kCorrupt, "fund " + q.Text(0) + " has an unknown category");
        ledger.funds.push_back(ledger::Fund{q.Text(0), q.Text(1), *category});
      }
    }
    {
      Statement q(db_,
                  "SELECT fund, year_from, year_to, amount_cents, decided_on, note FROM targets "
                  "ORDER BY rowid");
      while (q.Step() == SQLITE_ROW) {
        ledger.targets.push_back(ledger::Target{
            q.Text(0), static_cast<int>(q.Int(1)), static_cast<int>(q.Int(2)), q.Int(3),
            ledger::Date{static_cast<int32_t>(q.Int(4))}, q.Text(5)});
      }
    }
    {
      Statement q(db_,
                  "SELECT id, name, requirement_cents, countries, launched_on FROM appeals "
                  "ORDER BY rowid");
      while (q.Step() == SQLITE_ROW) {
        ledger.appeals.push_back(ledger::Appeal{q.Text(0), q.Text(1), q.Int(2),
                                                static_cast<int>(q.Int(3)),
                                                ledger::Date{static_cast<int32_t>(q.Int(4))}});
      }
    }
    {
      Statement q(db_, "SELECT id, name, held_on FROM events ORDER BY rowid");
      while (q.Step() == SQLITE_ROW) {
        ledger.events.push_back(
            ledger::Event{q.Text(0), q.Text(1), ledger::Date{static_cast<int32_t>(q.Int(2))}});
      }
    }
    {
      Statement q(db_, "SELECT currency, month, units_per_usd FROM rates ORDER BY rowid");
      while (q.Step() == SQLITE_ROW) {
        ledger.rates.push_back(
            ledger::RateRecord{q.Text(0), static_cast<int32_t>(q.Int(1)), q.Text(2)});
      }
    }
    return {};
  }

  // Appends the records. An entry whose id is stored already fails with
  // kConflict (the UNIQUE index finds it). `first_entry_seq`, when given, is
  // set to the seq of the first entry appended.
  Status Insert(const ledger::Ledger& add, int64_t import_id, int64_t* first_entry_seq = nullptr) {
    auto done = [&](Statement& s, const char* what) -> Status {
      if (!s.ok()) return Fail(ErrorCode::kIo, std::string(what) + ": " + s.error());
      if (s.Step() != SQLITE_DONE) {
        int code = sqlite3_extended_errcode(db_);
        auto error = SqlError(db_, what);
        if (code == SQLITE_CONSTRAINT_UNIQUE) error.value().code = ErrorCode::kConflict;
        return error;
      }
      s.Reset();
      return {};
    };
    Statement donor(db_,
                    "INSERT INTO donors (id, name, type, country, name_ar, name_zh, name_fr,"
                    " name_ru, name_es) VALUES (?,?,?,?,?,?,?,?,?)");
    for (const auto& d : add.donors) {
      donor.Bind(1, d.id);
      donor.Bind(2, d.name);
      donor.Bind(3, ledger::Name(d.type));
      donor.Bind(4, d.country);
      for (int i = 0; i < 5; ++i) donor.Bind(5 + i, d.names[i]);
      if (auto s = done(donor, "storing a donor"); !s) return s;
    }
    Statement fund(db_, "INSERT INTO funds (id, name, category) VALUES (?,?,?)");
    for (const auto& f : add.funds) {
      fund.Bind(1, f.id);
      fund.Bind(2, f.name);
      fund.Bind(3, ledger::Name(f.category));
      if (auto s = done(fund, "storing a fund"); !s) return s;
    }
    Statement target(db_,
                     "INSERT INTO targets (fund, year_from, year_to, amount_cents, decided_on,"
                     " note) VALUES (?,?,?,?,?,?)");
    for (const auto& t : add.targets) {
      target.Bind(1, t.fund);
      target.Bind(2, static_cast<int64_t>(t.year_from));
      target.Bind(3, static_cast<int64_t>(t.year_to));
      target.Bind(4, t.amount_cents);
      target.Bind(5, static_cast<int64_t>(t.decided_on.days));
      target.Bind(6, t.note);
      if (auto s = done(target, "storing a target"); !s) return s;
    }
    Statement appeal(db_,
                     "INSERT INTO appeals (id, name, requirement_cents, countries, launched_on)"
                     " VALUES (?,?,?,?,?)");
    for (const auto& a : add.appeals) {
      appeal.Bind(1, a.id);
      appeal.Bind(2, a.name);
      appeal.Bind(3, a.requirement_cents);
      appeal.Bind(4, static_cast<int64_t>(a.countries));
      appeal.Bind(5, static_cast<int64_t>(a.launched_on.days));
      if (auto s = done(appeal, "storing an appeal"); !s) return s;
    }
    Statement event(db_, "INSERT INTO events (id, name, held_on) VALUES (?,?,?)");
    for (const auto& e : add.events) {
      event.Bind(1, e.id);
      event.Bind(2, e.name);
      event.Bind(3, static_cast<int64_t>(e.held_on.days));
      if (auto s = done(event, "storing an event"); !s) return s;
    }
    Statement rate(db_, "INSERT INTO rates (currency, month, units_per_usd) VALUES (?,?,?)");
    for (const auto& r : add.rates) {
      rate.Bind(1, r.currency);
      rate.Bind(2, static_cast<int64_t>(r.month));
      rate.Bind(3, r.units_per_usd);
      if (auto s = done(rate, "storing a rate"); !s) return s;
    }
    // Entries may settle or reverse entries later in the same batch; the
    // foreign keys are checked at commit.
    if (auto s = Exec(db_, "PRAGMA defer_foreign_keys=ON"); !s) return s;
    // Rows go in batches of kEntryBatch per statement (one statement's
    // set-up and its five b-tree cursors serve many rows), then one at a time.
    // Every value is bound without a copy (the entries outlive each Step);
    // NULL for an empty reference, so that the foreign keys apply only when set.
    // OR FAIL: a row that breaks a constraint does not undo the rows its
    // statement stored before it, so SQLite keeps no statement journal (a
    // copy of each page a statement first touches, written to a temporary
    // file: a tenth of a streamed import's time, issue 6); every caller
    // undoes the whole batch instead (the write's transaction, or the
    // streamed chunk's savepoint).
    constexpr size_t kEntryBatch = 32;
    constexpr int kColumns = 21;
    auto make = [&](size_t rows) {
      std::string sql =
          "INSERT OR FAIL INTO entries (id, kind, donor, fund, currency, amount_minor,"
          " usd_cents, value_date, recorded_at, attributed_year, region, country,"
          " programme, appeal, channel, event, settles, reverses, probability_ppm,"
          " note, import_id) VALUES ";
      for (size_t r = 0; r < rows; ++r) sql += r == 0 ? "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
      return std::make_unique<Statement>(db_, sql.c_str());
    };
    auto bind = [&](Statement& entry, int base, const Entry& e) {
      auto bind_ref = [&](int index, const std::string& id) {
        if (id.empty()) {
          entry.BindNull(base + index);
        } else {
          entry.BindStatic(base + index, id);
        }
      };
      entry.BindStatic(base + 1, e.id);
      entry.BindStatic(base + 2, ledger::Name(e.kind));
      entry.BindStatic(base + 3, e.donor);
      entry.BindStatic(base + 4, e.fund);
      entry.Bind(base + 5, e.amount.currency().view());  // a copy: currency() is a temporary
      entry.Bind(base + 6, e.amount.minor_units());
      entry.Bind(base + 7, e.usd_cents);
      entry.Bind(base + 8, static_cast<int64_t>(e.value_date.days));
      entry.Bind(base + 9, e.recorded_at);
      entry.Bind(base + 10, static_cast<int64_t>(e.attributed_year));
      entry.BindStatic(base + 11, ledger::Name(e.region));
      entry.BindStatic(base + 12, e.country);
      entry.BindStatic(base + 13, e.programme);
      bind_ref(14, e.appeal);
      entry.BindStatic(base + 15, ledger::Name(e.channel));
      bind_ref(16, e.event);
      bind_ref(17, e.settles);
      bind_ref(18, e.reverses);
      if (e.probability_ppm) {
        entry.Bind(base + 19, static_cast<int64_t>(*e.probability_ppm));
      } else {
        entry.BindNull(base + 19);
      }
      entry.BindStatic(base + 20, e.note);
      entry.Bind(base + 21, import_id);
    };
    auto run = [&](Statement& entry) -> Status {
      if (!entry.ok()) return Fail(ErrorCode::kIo, "storing an entry: " + entry.error());
      if (entry.Step() != SQLITE_DONE) {
        int code = sqlite3_extended_errcode(db_);
        auto error = SqlError(db_, "storing an entry");
        if (code == SQLITE_CONSTRAINT_UNIQUE) error.value().code = ErrorCode::kConflict;
        return error;
      }
      entry.ResetKeepingBindings();
      return {};
    };
    const size_t count = add.entries.size();
    size_t done_rows = 0;
    if (count >= kEntryBatch) {
      auto batch = make(kEntryBatch);
      for (; done_rows + kEntryBatch <= count; done_rows += kEntryBatch) {
        for (size_t r = 0; r < kEntryBatch; ++r) bind(*batch, static_cast<int>(r) * kColumns, add.entries[done_rows + r]);
        if (auto s = run(*batch); !s) return s;
        // Rows of one statement take consecutive seqs, in order.
        if (first_entry_seq && done_rows == 0) *first_entry_seq = sqlite3_last_insert_rowid(db_) - (kEntryBatch - 1);
      }
    }
    if (done_rows < count) {
      auto single = make(1);
      for (; done_rows < count; ++done_rows) {
        bind(*single, 0, add.entries[done_rows]);
        if (auto s = run(*single); !s) return s;
        if (first_entry_seq && done_rows == 0) *first_entry_seq = sqlite3_last_insert_rowid(db_);
      }
    }
    return {};
  }

  sqlite3* db_;
  StoreEnvironment env_;
  // One connection serves every thread: its transactions must not
  // interleave, so each public call holds this for its whole length.
  std::recursive_mutex mutex_;
  // The reference records and the entries' columns in memory for
  // ReadColumns, and the data_version they match.
  std::shared_mutex cache_mutex_;
  std::optional<ledger::Ledger> cache_;  // reference records only
  ledger::EntryColumns cache_columns_;
  int64_t cache_version_ = -1;
  // The reference records for planning writes (guarded by mutex_).
  // Never changed once made: callers of LoadReference share it.
  std::shared_ptr<const ledger::Ledger> reference_;
  int64_t reference_version_ = -1;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode,
                                               StoreEnvironment environment) {
  std::error_code error;
  bool exists = std::filesystem::exists(path, error);
  if (mode == OpenMode::kCreate && exists) {
    return Fail(ErrorCode::kConflict, "a file already exists at " + path);
  }
  if (mode == OpenMode::kExisting && !exists) {
    return Fail(ErrorCode::kNotFound,
                "no store at " + path + " (create one with: rmis init --db " + path + ")");
  }
  // SQLite's count of its own memory takes a global mutex on every
  // allocation, and rmis never reads it: off, before SQLite starts (a tenth
  // of a bulk import's time went there; issue 6). Refused harmlessly if
  // SQLite was started already.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  sqlite3* db = nullptr;
  // NOMUTEX: SqliteStore serializes every use of the connection itself.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
              (mode == OpenMode::kCreate ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Fail(ErrorCode::kIo, "cannot open " + path + ": " + message);
  }
  auto store = std::make_unique<SqliteStore>(db, std::move(environment));
  if (auto status = store->Configure(); !status) {
    return Fail(ErrorCode::kIo, path + " is not a usable SQLite store: " + status.error().message);
  }
  if (auto status = store->Migrate(); !status) return tl::unexpected(status.error());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace rmis::store
