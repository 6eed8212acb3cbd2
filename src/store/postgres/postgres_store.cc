// The PostgreSQL store, through libpq's C API with a few RAII helpers (Rows,
// Connection, Pool, Transaction), like the SQLite store's.
//
// It mirrors store/sqlite/sqlite_store.cc method for method: the same one
// write path through ledger::PlanImport inside one transaction, the same
// partial load for a plan, the same audit records and chain, the same
// idempotency rows and the same errors. What differs is how the transactions
// are isolated (see Transaction::BeginWrite) and that reads are served by a
// pool of connections instead of one connection behind a mutex.
//
// Every statement that carries a value goes through PQexecParams with the
// value as a parameter ($1, $2, ...); only constant SQL (BEGIN, COMMIT, SET,
// the migration scripts compiled into the binary) goes through PQexec.
#include "store/postgres/postgres_store.h"

#include <libpq-fe.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <charconv>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/audit.h"
#include "store/import_stream.h"
#include "store/migrations/migrations.h"

namespace rmis::store {
namespace {

using ledger::Entry;

// The advisory lock every write holds until it commits or rolls back (see
// Transaction::BeginWrite). Any 64-bit number would do: this one spells
// "rmis-wrt" in ASCII, so it is easy to find in pg_locks.
constexpr int64_t kWriteLockKey = 0x726d69732d777274;

// How long a write waits for the write lock (or any other lock) before it
// fails; the SQLite store's busy_timeout is the same 10 s. No JIT compiling:
// rmis's queries are index lookups and ranges whose cost estimates pass
// PostgreSQL's threshold, where compiling took 20 ms of a 70 ms query.
constexpr const char* kSessionSettings = "SET lock_timeout = '10s'; SET jit = off";

// Every table the migrations make. kCreate refuses a database holding any of
// them; kExisting needs schema_migrations and entries.
const std::vector<std::string> kRmisTables = {
    "schema_migrations", "donors",           "funds", "targets",     "appeals",  "events", "rates",
    "imports",           "entries",          "users", "user_donors", "sessions", "audit",  "audit_head",
    "idempotency",       "reference_version", "entry_segments", "entries_unchecked"};

// Parameters per statement: PostgreSQL's wire protocol allows 65535.
constexpr size_t kMaxParameters = 65535;
constexpr size_t kMaxRowsPerInsert = 1000;
// Entries written at once beyond which the store writes them with COPY.
constexpr size_t kCopyFromEntries = 16;

// ---------------------------------------------------------------------------
// URLs and secrets.

// The secrets a URL can carry (the password in user:password@ and a
// password= parameter), so that no message shows them.
std::vector<std::string> SecretsOf(const std::string& url) {
  std::vector<std::string> secrets;
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = url.find_first_of("/?", start);
    std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t at = authority.rfind('@');
    if (at != std::string::npos) {
      size_t colon = authority.find(':');
      if (colon != std::string::npos && colon < at)
        secrets.push_back(authority.substr(colon + 1, at - colon - 1));
    }
  }
  for (size_t pos = url.find("password="); pos != std::string::npos; pos = url.find("password=", pos + 1)) {
    size_t start = pos + 9;
    size_t end = url.find('&', start);
    secrets.push_back(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
  }
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });
  return secrets;
}

// `text` with every secret of `url` replaced by "***".
std::string Scrub(std::string text, const std::string& url) {
  for (const std::string& secret : SecretsOf(url)) {
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

// libpq's messages on one line: its line breaks and tabs become spaces.
std::string TrimEnd(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string line;
  for (char c : text) {
    if (c == '\n' || c == '\t') {
      if (!line.empty() && line.back() != ' ') line += ' ';
    } else {
      line += c;
    }
  }
  return line;
}

// "postgresql://user@host:port/database", without the password, for messages.
Result<std::string> Describe(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error ? TrimEnd(error) : "out of memory";
    PQfreemem(error);
    return Fail(ErrorCode::kInvalidArgument, Scrub("not a usable PostgreSQL URL: " + message, url));
  }
  std::string user, host, port, database;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    std::string_view keyword = option->keyword;
    if (keyword == "user") user = option->val;
    if (keyword == "host") host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") database = option->val;
  }
  PQconninfoFree(options);
  std::string text = "postgresql://";
  if (!user.empty()) text += user + "@";
  text += host;
  if (!port.empty()) text += ":" + port;
  text += "/" + database;
  return text;
}

// ---------------------------------------------------------------------------
// Statements.

// The values of one statement, sent as text parameters: the SQL text never
// holds a value. std::nullopt is SQL NULL.
class Params {
 public:
  Params& Text(std::string_view text) {
    values_.emplace_back(std::string(text));
    return *this;
  }
  Params& Int(int64_t value) {
    values_.emplace_back(std::to_string(value));
    return *this;
  }
  Params& Bool(bool value) {
    values_.emplace_back(value ? "true" : "false");
    return *this;
  }
  Params& Null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  // NULL for an empty reference, so that foreign keys apply only when set.
  Params& Ref(const std::string& id) { return id.empty() ? Null() : Text(id); }
  // A text[] in PostgreSQL's array syntax: {"a","b"}, with quotes and
  // backslashes escaped.
  Params& TextArray(const std::vector<std::string>& items) {
    std::string literal = "{";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) literal += ',';
      literal += '"';
      for (char c : items[i]) {
        if (c == '"' || c == '\\') literal += '\\';
        literal += c;
      }
      literal += '"';
    }
    literal += '}';
    values_.emplace_back(std::move(literal));
    return *this;
  }
  Params& Append(Params&& other) {
    for (auto& value : other.values_) values_.push_back(std::move(value));
    other.values_.clear();
    return *this;
  }

  size_t size() const { return values_.size(); }
  // The placeholder the next value will fill: "$n".
  std::string Next() const { return "$" + std::to_string(values_.size() + 1); }
  void Clear() { values_.clear(); }

  // Pointers for PQexecParams; valid while this object is unchanged.
  std::vector<const char*> Pointers() const {
    std::vector<const char*> pointers;
    pointers.reserve(values_.size());
    for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
    return pointers;
  }
  // Appends the values as one line of COPY's text format: tab-separated,
  // NULL as \N, and a backslash, tab, newline or carriage return in a value
  // escaped with a backslash.
  void AppendCopyLine(std::string& out) const {
    for (size_t i = 0; i < values_.size(); ++i) {
      if (i > 0) out += '\t';
      if (!values_[i]) {
        out += "\\N";
        continue;
      }
      for (char c : *values_[i]) {
        switch (c) {
          case '\\': out += "\\\\"; break;
          case '\t': out += "\\t"; break;
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          default: out += c;
        }
      }
    }
    out += '\n';
  }

  // PostgreSQL's text cannot hold a NUL byte, and libpq would cut the value
  // there without a word: such a value is refused instead.
  bool HasNul() const {
    for (const auto& value : values_) {
      if (value && value->find('\0') != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

// The rows of a statement's result; the result is freed on destruction.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result) {}
  Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Rows& operator=(Rows&& other) noexcept {
    std::swap(result_, other.result_);
    return *this;
  }
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows() { PQclear(result_); }

  int size() const { return PQntuples(result_); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
  std::string Text(int row, int column) const { return std::string(View(row, column)); }
  // Valid while the rows are.
  std::string_view View(int row, int column) const {
    return std::string_view(PQgetvalue(result_, row, column), static_cast<size_t>(PQgetlength(result_, row, column)));
  }
  int64_t Int(int row, int column) const {
    const char* text = PQgetvalue(result_, row, column);
    int64_t value = 0;
    std::from_chars(text, text + PQgetlength(result_, row, column), value);
    return value;
  }
  bool Bool(int row, int column) const { return PQgetvalue(result_, row, column)[0] == 't'; }
  PGresult* raw() const { return result_; }
  // Rows an INSERT, UPDATE or DELETE changed.
  int64_t Changed() const {
    const char* text = PQcmdTuples(result_);
    int64_t value = 0;
    std::from_chars(text, text + std::char_traits<char>::length(text), value);
    return value;
  }

 private:
  PGresult* result_;
};

// One connection to the server. Used by one thread at a time (libpq's rule):
// the pool lends it out whole.
class Connection {
 public:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* get() { return conn_; }

  // Runs one parameterized statement; `what` says what it was for in the
  // error. Fails with kInvalidArgument for a value with a NUL byte and kIo
  // when PostgreSQL refuses the statement (sql_state() says why).
  Result<Rows> Run(const std::string& what, const std::string& sql, const Params& params = Params()) {
    if (params.HasNul()) {
      return Fail(ErrorCode::kInvalidArgument, what + ": text with a NUL byte cannot be stored");
    }
    std::vector<const char*> values = params.Pointers();
    Rows rows(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                           nullptr, nullptr, 0));
    return Check(what, std::move(rows));
  }

  // Runs one statement whose values are all bytes (a bytea's), sent as they
  // are rather than as text; `bytes_back`: the result's columns come as
  // their bytes too (a bytea's own bytes, not its hex text: half the size,
  // and nothing to decode).
  Result<Rows> RunBytes(const std::string& what, const std::string& sql, const std::vector<std::string_view>& values,
                        bool bytes_back) {
    std::vector<const char*> pointers;
    std::vector<int> lengths, formats;
    for (std::string_view value : values) {
      pointers.push_back(value.data());
      lengths.push_back(static_cast<int>(value.size()));
      formats.push_back(1);
    }
    Rows rows(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, pointers.data(),
                           lengths.data(), formats.data(), bytes_back ? 1 : 0));
    return Check(what, std::move(rows));
  }

  // Runs SQL that holds no value (BEGIN, COMMIT, SET, a migration's script,
  // which may hold several statements: PQexecParams takes only one).
  Status Script(const std::string& what, const std::string& sql) {
    auto rows = Check(what, Rows(PQexec(conn_, sql.c_str())));
    if (!rows) return tl::unexpected(rows.error());
    return {};
  }

  // COPY ... FROM STDIN: starts it. Then CopyData sends rows in COPY's text
  // format, and CopyEnd finishes it (or, given a reason, abandons it) and
  // says whether the server took the rows.
  Status CopyBegin(const std::string& what, const std::string& sql) {
    Rows rows(PQexec(conn_, sql.c_str()));
    if (rows.raw() && PQresultStatus(rows.raw()) == PGRES_COPY_IN) return {};
    auto checked = Check(what, std::move(rows));
    if (!checked) return tl::unexpected(checked.error());
    return Fail(ErrorCode::kIo, what + ": the server did not start the COPY");
  }
  Status CopyData(const std::string& what, std::string_view data) {
    if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) == 1) return {};
    return Fail(ErrorCode::kIo, what + ": " + TrimEnd(PQerrorMessage(conn_)));
  }
  Status CopyEnd(const std::string& what, const char* abandon_reason = nullptr) {
    if (PQputCopyEnd(conn_, abandon_reason) != 1) {
      return Fail(ErrorCode::kIo, what + ": " + TrimEnd(PQerrorMessage(conn_)));
    }
    Status status;
    while (PGresult* result = PQgetResult(conn_)) {
      auto checked = Check(what, Rows(result));
      if (!checked && status) status = tl::unexpected(checked.error());
    }
    return status;
  }

  // The SQLSTATE of the last statement that failed ("" after a success).
  const std::string& sql_state() const { return sql_state_; }

  // Whether the connection can be lent out again: still connected, and not
  // left inside a transaction.
  bool Reusable() const {
    return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

 private:
  Result<Rows> Check(const std::string& what, Rows rows) {
    PGresult* result = rows.raw();
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      sql_state_.clear();
      return rows;
    }
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    sql_state_ = state ? state : "";
    std::string message = primary ? primary : TrimEnd(PQerrorMessage(conn_));
    return Fail(ErrorCode::kIo, what + ": " + message);
  }

  PGconn* conn_;
  std::string sql_state_;
};

// ---------------------------------------------------------------------------
// The pool.

// At most `size` connections, opened when first needed and kept. A caller
// takes one for the length of a call (a Lease) and gives it back; a
// connection that broke, or was left inside a transaction, is closed instead.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (connection_) pool_->Release(std::move(connection_));
    }
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  Pool(std::string url, std::string display, size_t size)
      : url_(std::move(url)), display_(std::move(display)), size_(size) {}

  // An idle connection, or a new one while fewer than `size` are open, or
  // the next one given back. Fails with kIo when a new connection fails.
  Result<Lease> Acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    freed_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;
    lock.unlock();
    auto connection = Connect();
    if (!connection) {
      lock.lock();
      --open_;
      freed_.notify_one();
      return tl::unexpected(connection.error());
    }
    return Lease(this, std::move(*connection));
  }

 private:
  Result<std::unique_ptr<Connection>> Connect() {
    // Entries before "dbname" are defaults the URL may override; entries
    // after it are forced: rmis speaks UTF-8.
    const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding",
                              nullptr};
    const char* values[] = {"10", "rmis", url_.c_str(), "UTF8", nullptr};
    auto connection = std::make_unique<Connection>(PQconnectdbParams(keywords, values, 1));
    PGconn* conn = connection->get();
    if (conn == nullptr) return Fail(ErrorCode::kIo, "cannot connect to " + display_ + ": out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
      return Fail(ErrorCode::kIo,
                  Scrub("cannot connect to " + display_ + ": " + TrimEnd(PQerrorMessage(conn)), url_));
    }
    // NOTICEs ("relation already exists, skipping") are not for the user.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    if (auto status = connection->Script("configuring the connection", kSessionSettings); !status) {
      return tl::unexpected(status.error());
    }
    // A commit must be on disk when it returns, as with SQLite's
    // synchronous=FULL: a server or role that turned synchronous_commit off
    // is overridden for rmis's sessions (any stronger setting is kept).
    auto sync = connection->Run("configuring the connection", "SELECT current_setting('synchronous_commit')");
    if (!sync) return tl::unexpected(sync.error());
    if (sync->Text(0, 0) == "off") {
      if (auto status = connection->Script("configuring the connection", "SET synchronous_commit = on");
          !status) {
        return tl::unexpected(status.error());
      }
    }
    return connection;
  }

  void Release(std::unique_ptr<Connection> connection) {
    bool reusable = connection->Reusable();
    if (!reusable) connection.reset();  // closed outside the lock
    std::lock_guard<std::mutex> lock(mutex_);
    if (reusable) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
    freed_.notify_one();
  }

  const std::string url_;
  const std::string display_;
  const size_t size_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;  // idle and lent out
};

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) {}
  ~Transaction() {
    if (open_) (void)connection_.Script("rolling back", "ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // A write. Every write of every rmis process takes the same advisory lock
  // first, and holds it to its commit or rollback, so writes run one at a
  // time, as SQLite's BEGIN IMMEDIATE makes them run:
  // - The rule "two clients cannot settle more than a pledge's open balance"
  //   needs the plan to be made on exactly the state the write lands on.
  //   Under the lock, READ COMMITTED gives that: each statement after the
  //   lock sees every write committed before the lock was granted, and no
  //   other write can commit until this one ends.
  // - The audit trail is one chain with one head: every write moves the head,
  //   so writes conflict anyway, and the chain needs them in one order.
  // - Unlike LOCK TABLE, the advisory lock blocks no reader (reports and
  //   lists run on their own snapshots meanwhile) and covers the accounts
  //   tables and the audit trail as well as the ledger, with one lock and no
  //   lock-order to get wrong. Unlike SERIALIZABLE, nothing is retried, so
  //   WriteOptions::respond runs once and a write never fails merely
  //   because another one ran at the same time.
  // - It is taken inside the transaction (pg_advisory_xact_lock), so it is
  //   released by COMMIT or ROLLBACK, or by the server if the client dies.
  // The isolation is READ COMMITTED on purpose: REPEATABLE READ would take
  // its snapshot at the lock statement, before the wait, and miss the writes
  // committed during the wait.
  Status BeginWrite() {
    if (auto status = connection_.Script("starting a write", "BEGIN ISOLATION LEVEL READ COMMITTED");
        !status) {
      return status;
    }
    open_ = true;
    auto locked = connection_.Run("waiting for the write lock", "SELECT pg_advisory_xact_lock($1::bigint)",
                                  Params().Int(kWriteLockKey));
    if (!locked) return tl::unexpected(locked.error());
    return {};
  }

  // A read of several statements that must agree (the reference records and
  // the entries of one ledger): one snapshot, no lock, no waiting for writes.
  Status BeginRead() {
    auto status = connection_.Script("starting a read", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    open_ = status.has_value();
    return status;
  }

  Status Commit() {
    auto status = connection_.Script("committing", "COMMIT");
    // A failed COMMIT (a deferred foreign key) has ended the transaction too.
    open_ = false;
    return status;
  }

 private:
  Connection& connection_;
  bool open_ = false;
};

// Appends rows to a table in as few INSERT statements as the parameter limit
// allows: one round trip per batch instead of per row.
class BatchInsert {
 public:
  BatchInsert(Connection& connection, std::string what, std::string table, std::vector<std::string> columns)
      : connection_(connection), what_(std::move(what)), columns_(std::move(columns)) {
    head_ = "INSERT INTO " + table + " (";
    for (size_t i = 0; i < columns_.size(); ++i) head_ += (i ? ", " : "") + columns_[i];
    head_ += ") VALUES ";
    rows_per_statement_ = std::min(kMaxRowsPerInsert, kMaxParameters / columns_.size());
  }

  // Adds one row: `row` holds a value for each column, in order.
  Status Add(Params row) {
    pending_.Append(std::move(row));
    if (++rows_ == rows_per_statement_) return Flush();
    return {};
  }

  Status Flush() {
    if (rows_ == 0) return {};
    std::string sql = head_;
    size_t n = 1;
    for (size_t row = 0; row < rows_; ++row) {
      sql += row ? ",(" : "(";
      for (size_t column = 0; column < columns_.size(); ++column) {
        sql += (column ? ",$" : "$") + std::to_string(n++);
      }
      sql += ')';
    }
    auto done = connection_.Run(what_, sql, pending_);
    pending_.Clear();
    rows_ = 0;
    if (!done) return tl::unexpected(done.error());
    return {};
  }

 private:
  Connection& connection_;
  std::string what_;
  std::vector<std::string> columns_;
  std::string head_;
  size_t rows_per_statement_ = 1;
  Params pending_;
  size_t rows_ = 0;
};

// Appends rows to a table with one COPY, sent as the rows come in pieces of
// about a megabyte: no statement to parse per batch of rows, and one
// statement (so one set-wise check of the entries' links, migration 0006)
// for all of them.
class CopyRows {
 public:
  CopyRows(Connection& connection, std::string what, const std::string& table,
           const std::vector<std::string>& columns)
      : connection_(connection), what_(std::move(what)) {
    sql_ = "COPY " + table + " (";
    for (size_t i = 0; i < columns.size(); ++i) sql_ += (i ? ", " : "") + columns[i];
    sql_ += ") FROM STDIN";
  }
  ~CopyRows() {
    if (started_) (void)connection_.CopyEnd(what_, "abandoned");
  }
  CopyRows(const CopyRows&) = delete;
  CopyRows& operator=(const CopyRows&) = delete;

  // Adds one row: `row` holds a value for each column, in order.
  Status Add(const Params& row) {
    if (row.HasNul()) {
      return Fail(ErrorCode::kInvalidArgument, what_ + ": text with a NUL byte cannot be stored");
    }
    if (!started_) {
      if (auto s = connection_.CopyBegin(what_, sql_); !s) return s;
      started_ = true;
    }
    row.AppendCopyLine(buffer_);
    if (buffer_.size() >= kPiece) return Send();
    return {};
  }

  // Sends what is left and ends the COPY; fails as the server does.
  Status Flush() {
    if (!started_) return {};
    if (auto s = Send(); !s) return s;
    started_ = false;
    return connection_.CopyEnd(what_);
  }

 private:
  static constexpr size_t kPiece = 1 << 20;

  Status Send() {
    auto status = connection_.CopyData(what_, buffer_);
    buffer_.clear();
    return status;
  }

  Connection& connection_;
  std::string what_;
  std::string sql_;
  std::string buffer_;
  bool started_ = false;
};

template <typename T>
tl::unexpected<Error> Failed(const Result<T>& result) {
  return tl::unexpected(result.error());
}

// ---------------------------------------------------------------------------
// The store.

class PostgresStore : public Store {
 public:
  PostgresStore(const std::string& url, std::string display, StoreEnvironment environment)
      : display_(std::move(display)), pool_(url, display_, kPostgresPoolSize), env_(std::move(environment)) {}

  // Checks the server, the database and `mode`, and applies the migrations.
  Status Open(OpenMode mode) {
    if (PQisthreadsafe() == 0) return Fail(ErrorCode::kInternal, "this libpq is not thread-safe");
    auto lease = pool_.Acquire();
    if (!lease) return tl::unexpected(lease.error());
    Connection& c = **lease;
    auto settings = c.Run("reading the server's settings",
                          "SELECT current_setting('fsync'), current_setting('server_version_num'),"
                          " current_setting('server_encoding')");
    if (!settings) return Failed(settings);
    if (settings->Text(0, 0) != "on") {
      return Fail(ErrorCode::kIo, "the PostgreSQL server of " + display_ +
                                      " runs with fsync off, so a commit it reports could be lost in a "
                                      "crash; rmis will not store a ledger there (set fsync = on)");
    }
    if (settings->Int(0, 1) < 110000) {
      return Fail(ErrorCode::kIo,
                  "rmis needs PostgreSQL 11 or later; " + display_ + " runs version " + settings->Text(0, 1));
    }
    if (settings->Text(0, 2) != "UTF8") {
      return Fail(ErrorCode::kInvalidArgument,
                  "the database of " + display_ + " is encoded in " + settings->Text(0, 2) +
                      "; rmis needs UTF8 (createdb --encoding=UTF8 --template=template0)");
    }
    if (auto status = CheckMode(c, mode); !status) return status;
    return Migrate(c);
  }

  Result<ledger::Ledger> LoadLedger() override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Transaction transaction(**lease);
    if (auto status = transaction.BeginRead(); !status) return tl::unexpected(status.error());
    ledger::Ledger ledger;
    if (auto status = LoadReference(**lease, ledger); !status) return tl::unexpected(status.error());
    if (auto status =
            ReadEntries(**lease, std::string(kEntryColumns) + " ORDER BY seq", Params(), ledger.entries);
        !status) {
      return tl::unexpected(status.error());
    }
    return ledger;
  }

  // Reports read the reference records and the entries' columns from
  // memory. Each call asks the database, in one snapshot, for
  // reference_version and the last entry's sequence number; when the copy is
  // behind, it reads the reference records again (if they changed) and only
  // the entries stored after the last one it holds, and appends them to the
  // columns. Entries are append-only and their sequence numbers are given in
  // commit order under the write lock, so what a snapshot sees of them is a
  // prefix. The copy only moves forward (a call with an older snapshot leaves
  // it as it is), so it is always the state of one snapshot. Writes by other
  // processes are seen as soon as they commit. `use` runs under a shared
  // lock, without holding a connection: reports run side by side.
  Status ReadColumns(
      const std::function<void(const ledger::Ledger&, const ledger::EntryColumns&)>& use) override {
    if (auto status = RefreshCache(); !status) return status;
    std::shared_lock<std::shared_mutex> read(cache_mutex_);
    use(cache_reference_, cache_columns_);
    return {};
  }

  // One snapshot, so that the version and the records read agree.
  Result<std::shared_ptr<const ledger::Ledger>> LoadReference() override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Transaction transaction(**lease);
    if (auto status = transaction.BeginRead(); !status) return tl::unexpected(status.error());
    return CachedReference(**lease);
  }

  Result<ImportResult> Import(const ledger::Dataset& dataset, const WriteOptions& options) override {
    return Apply(dataset, &options);
  }

  Result<ImportResult> Check(const ledger::Dataset& dataset) override { return Apply(dataset, nullptr); }

  // The streamed import (issue 6): one write transaction, the chunks planned
  // by RunStreamedImport (store/import_stream.h) against what it has written
  // so far, each chunk's entries appended with one COPY under a savepoint.
  // Their links are checked set-wise at the end of each chunk's statement,
  // and what is missing then again at commit (migration 0006).
  //
  // Once it is committed, a process with no copy of the columns yet (`rmis
  // import`) makes one, which seals every full run of entries without a
  // segment, as the SQLite store does: the first report after the import
  // loads segments instead of paging every row (at ten million entries, 3 s
  // instead of 47 s). A process that has a copy (a server) takes the new
  // entries into it by pages when next asked.
  Result<ImportResult> ImportStream(const ledger::Dataset& reference, const EntrySource& next_chunk,
                                    const WriteOptions& options) override {
    auto result = ApplyStream(reference, next_chunk, options);
    if (result && result->problems.empty() && !result->replayed &&
        result->entries_added >= static_cast<size_t>(kSegmentRows)) {
      // The planner's statistics of entries are refreshed now rather than
      // whenever autovacuum comes round: until then they describe the table
      // before the import (after a first import, an empty one), and plans
      // over the new rows are made on that (ANALYZE samples 30,000 rows:
      // about a second at ten million entries).
      if (auto lease = pool_.Acquire()) (void)(*lease)->Script("analyzing the entries", "ANALYZE entries");
      bool copy = false;
      {
        std::shared_lock<std::shared_mutex> read(cache_mutex_);
        copy = cache_seq_ > 0 || cache_by_ids_;
      }
      if (!copy) {
#if defined(__GLIBC__)
        // What the import freed goes back to the system before the copy
        // takes its own (at ten million entries the process would otherwise
        // hold both).
        malloc_trim(0);
#endif
        (void)RefreshCache();  // the import stands whatever happens here
      }
    }
    return result;
  }

 private:
  Result<ImportResult> ApplyStream(const ledger::Dataset& reference, const EntrySource& next_chunk,
                                   const WriteOptions& options) {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = transaction.BeginWrite(); !status) return tl::unexpected(status.error());
    if (options.idempotency) {
      auto replay = Replay(c, options.actor.user, *options.idempotency);
      if (!replay) return Failed(replay);
      if (*replay) {
        ImportResult result;
        result.replayed = **replay;
        return result;
      }
    }
    auto stored_reference = CachedReference(c);
    if (!stored_reference) return Failed(stored_reference);
    // The import's row comes first, so that every entry can name it; its
    // counts are written at the end.
    auto next = c.Run("recording the import", "SELECT COALESCE(MAX(id), 0) + 1 FROM imports");
    if (!next) return Failed(next);
    const int64_t import_id = next->Int(0, 0);
    auto import_row = c.Run("recording the import",
                            "INSERT INTO imports (id, at, source, added, unchanged) VALUES ($1, $2, $3, 0, 0)",
                            Params().Int(import_id).Int(env_.now()).Text(options.source));
    if (!import_row) return Failed(import_row);

    class Target : public StreamTarget {
     public:
      Target(PostgresStore& store, Connection& c, int64_t import_id)
          : store_(store), c_(c), import_id_(import_id) {}
      Status LoadNamed(const std::vector<std::string>& ids, std::vector<Entry>& entries,
                       std::vector<int64_t>& seqs) override {
        return store_.LoadNamed(c_, ids, entries, seqs);
      }
      Result<int64_t> Append(const ledger::Ledger& additions) override {
        // A savepoint, so that a chunk that meets a stored id leaves nothing.
        if (auto s = c_.Script("storing a chunk", "SAVEPOINT chunk"); !s) return tl::unexpected(s.error());
        auto next_seq = c_.Run("storing a chunk", "SELECT COALESCE(MAX(seq), 0) + 1 FROM entries");
        if (!next_seq) return Failed(next_seq);
        if (auto status = store_.Insert(c_, additions, import_id_); !status) {
          const bool repeated = c_.sql_state() == "23505";  // unique_violation
          (void)c_.Script("storing a chunk", "ROLLBACK TO SAVEPOINT chunk");
          if (repeated) return Fail(ErrorCode::kConflict, status.error().message);
          return tl::unexpected(status.error());
        }
        if (auto s = c_.Script("storing a chunk", "RELEASE SAVEPOINT chunk"); !s) return tl::unexpected(s.error());
        // The planner's statistics of entries are brought up to date inside
        // the transaction (ANALYZE counts its own uncommitted rows) each time
        // the import has doubled what it wrote: the next chunks look up what
        // they settle and reverse by `settles = ANY(...)`, and on the
        // statistics of the table before the import (after a first import,
        // none) PostgreSQL scanned every entry for each of those lookups. At
        // ten million entries that made the import quadratic.
        // It only speeds the import up: under a savepoint, so that if it
        // cannot run (it waited its lock_timeout for a vacuum of entries that
        // would not yield) the import goes on without it.
        written_ += static_cast<int64_t>(additions.entries.size());
        if (written_ >= analyze_at_) {
          while (analyze_at_ <= written_) analyze_at_ *= 2;
          const std::string what = "analyzing the entries";
          if (!c_.Script(what, "SAVEPOINT statistics; ANALYZE entries; RELEASE SAVEPOINT statistics")) {
            auto back = c_.Script(what, "ROLLBACK TO SAVEPOINT statistics; RELEASE SAVEPOINT statistics");
            if (!back) return tl::unexpected(back.error());
          }
        }
        return additions.entries.empty() ? int64_t{0} : next_seq->Int(0, 0);
      }

     private:
      PostgresStore& store_;
      Connection& c_;
      int64_t import_id_;
      int64_t written_ = 0;
      int64_t analyze_at_ = kSegmentRows;
    } target(*this, c, import_id);

    auto outcome =
        RunStreamedImport(target, **stored_reference, reference, next_chunk, env_.is_country, options.source);
    if (!outcome) return tl::unexpected(outcome.error());
    ImportResult result = std::move(outcome->result);
    if (!result.problems.empty()) return result;  // rolled back: nothing written
    if (result.added == 0 && !options.idempotency) return result;  // nothing new: write nothing
    if (result.added > 0) {
      result.import_id = import_id;
      auto counts = c.Run("recording the import", "UPDATE imports SET added = $1, unchanged = $2 WHERE id = $3",
                          Params()
                              .Int(static_cast<int64_t>(result.added))
                              .Int(static_cast<int64_t>(result.unchanged))
                              .Int(import_id));
      if (!counts) return Failed(counts);
      AuditRecord record = audit::RecordFor(options.actor, options.action, "dataset", std::to_string(import_id));
      record.after = std::move(outcome->audit_after);
      if (auto status = WriteAudit(c, record); !status) return tl::unexpected(status.error());
    } else {
      auto drop = c.Run("recording the import", "DELETE FROM imports WHERE id = $1", Params().Int(import_id));
      if (!drop) return Failed(drop);
    }
    if (options.idempotency && options.respond) {
      result.response = options.respond(result);
      if (auto status = Remember(c, options.actor.user, *options.idempotency, *result.response); !status) {
        return tl::unexpected(status.error());
      }
    }
    if (auto status = transaction.Commit(); !status) return tl::unexpected(status.error());
    return result;
  }

 public:
  Result<std::vector<ListedEntry>> ListEntries(const EntryFilter& filter) override {
    Params params;
    std::string sql = std::string(kEntryColumns) + " WHERE seq > " + params.Next();
    params.Int(filter.after_seq);
    auto text = [&](const char* column, std::string_view value) {
      sql += std::string(" AND ") + column + params.Next();
      params.Text(value);
    };
    auto number = [&](const char* column, int64_t value) {
      sql += std::string(" AND ") + column + params.Next();
      params.Int(value);
    };
    if (!filter.id.empty()) text("id = ", filter.id);
    if (!filter.donor.empty()) text("donor = ", filter.donor);
    if (!filter.fund.empty()) text("fund = ", filter.fund);
    if (filter.kind) text("kind = ", ledger::Name(*filter.kind));
    if (filter.from) number("value_date >= ", filter.from->days);
    if (filter.to) number("value_date <= ", filter.to->days);
    if (filter.attributed_year) number("attributed_year = ", *filter.attributed_year);
    if (filter.region) text("region = ", ledger::Name(*filter.region));
    if (!filter.appeal.empty()) text("appeal = ", filter.appeal);
    if (!filter.event.empty()) text("event = ", filter.event);
    if (!filter.settles.empty()) text("settles = ", filter.settles);
    if (filter.before_seq > 0) number("seq < ", filter.before_seq);
    if (filter.known_at) number("recorded_at <= ", *filter.known_at);
    if (!filter.seqs.empty()) {
      sql += " AND seq = ANY(" + params.Next() + "::bigint[])";
      std::string list = "{";
      for (size_t i = 0; i < filter.seqs.size(); ++i) list += (i ? "," : "") + std::to_string(filter.seqs[i]);
      params.Text(list + "}");
    }
    sql += filter.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq";
    if (filter.limit > 0) {
      sql += " LIMIT " + params.Next();
      params.Int(filter.limit);
    }
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    auto rows = (*lease)->Run("listing entries", sql, params);
    if (!rows) return Failed(rows);
    std::vector<ListedEntry> list;
    list.reserve(static_cast<size_t>(rows->size()));
    for (int row = 0; row < rows->size(); ++row) {
      auto entry = ReadEntry(*rows, row);
      if (!entry) return Failed(entry);
      list.push_back(ListedEntry{rows->Int(row, 0), std::move(*entry)});
    }
    return list;
  }

  Result<User> AddUser(const User& user, const Actor& actor) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = transaction.BeginWrite(); !status) return tl::unexpected(status.error());
    auto exists = c.Run("adding a user", "SELECT 1 FROM users WHERE name = $1", Params().Text(user.name));
    if (!exists) return Failed(exists);
    if (exists->size() > 0) {
      return Fail(ErrorCode::kConflict, "a user named \"" + user.name + "\" already exists");
    }
    auto next = c.Run("adding a user", "SELECT COALESCE(MAX(id), 0) + 1 FROM users");
    if (!next) return Failed(next);
    User stored = user;
    stored.id = next->Int(0, 0);
    stored.created_at = env_.now();
    auto insert = c.Run("adding a user",
                        "INSERT INTO users (id, name, role, disabled, password_hash, created_at)"
                        " VALUES ($1, $2, $3, $4, $5, $6)",
                        Params()
                            .Int(stored.id)
                            .Text(stored.name)
                            .Text(Name(stored.role))
                            .Bool(stored.disabled)
                            .Text(stored.password_hash)
                            .Int(stored.created_at));
    if (!insert) return Failed(insert);
    if (auto status = WriteDonors(c, stored); !status) return tl::unexpected(status.error());
    AuditRecord record = audit::RecordFor(actor, "user.add", "user", stored.name);
    record.after = audit::DescribeUser(stored);
    if (auto status = WriteAudit(c, record); !status) return tl::unexpected(status.error());
    if (auto status = transaction.Commit(); !status) return tl::unexpected(status.error());
    return stored;
  }

  Status UpdateUser(const User& user, const Actor& actor) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = transaction.BeginWrite(); !status) return status;
    auto before = ReadUser(c, "WHERE id = $1", Params().Int(user.id));
    if (!before) return Failed(before);
    if (!*before) return Fail(ErrorCode::kNotFound, "no user with id " + std::to_string(user.id));
    auto update = c.Run(
        "updating a user", "UPDATE users SET role = $1, disabled = $2, password_hash = $3 WHERE id = $4",
        Params().Text(Name(user.role)).Bool(user.disabled).Text(user.password_hash).Int(user.id));
    if (!update) return Failed(update);
    if (auto status = WriteDonors(c, user); !status) return status;
    if (user.disabled) {
      // A disabled account loses its sessions and tokens at once.
      auto drop = c.Run("ending sessions", "DELETE FROM sessions WHERE user_id = $1", Params().Int(user.id));
      if (!drop) return Failed(drop);
    }
    AuditRecord record = audit::RecordFor(actor, "user.update", "user", (*before)->name);
    record.before = audit::DescribeUser(**before);
    User after = user;
    after.name = (*before)->name;
    after.created_at = (*before)->created_at;
    record.after = audit::DescribeUser(after);
    if (auto status = WriteAudit(c, record); !status) return status;
    return transaction.Commit();
  }

  Result<std::optional<User>> FindUser(const std::string& name) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Transaction transaction(**lease);
    if (auto status = transaction.BeginRead(); !status) return tl::unexpected(status.error());
    return ReadUser(**lease, "WHERE name = $1", Params().Text(name));
  }

  Result<std::optional<User>> FindUserById(int64_t id) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Transaction transaction(**lease);
    if (auto status = transaction.BeginRead(); !status) return tl::unexpected(status.error());
    return ReadUser(**lease, "WHERE id = $1", Params().Int(id));
  }

  Result<std::vector<User>> ListUsers() override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = transaction.BeginRead(); !status) return tl::unexpected(status.error());
    auto ids = c.Run("listing users", "SELECT id FROM users ORDER BY id");
    if (!ids) return Failed(ids);
    std::vector<User> users;
    for (int row = 0; row < ids->size(); ++row) {
      auto user = ReadUser(c, "WHERE id = $1", Params().Int(ids->Int(row, 0)));
      if (!user) return Failed(user);
      if (*user) users.push_back(std::move(**user));
    }
    return users;
  }

  Status AddSession(const Session& session, const Actor& actor) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = transaction.BeginWrite(); !status) return status;
    auto insert = c.Run("starting a session",
                        "INSERT INTO sessions (token_hash, user_id, csrf_token, api_token, label, created_at,"
                        " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        Params()
                            .Text(session.token_hash)
                            .Int(session.user_id)
                            .Text(session.csrf_token)
                            .Bool(session.api_token)
                            .Text(session.label)
                            .Int(session.created_at)
                            .Int(session.expires_at));
    if (!insert) return Failed(insert);
    AuditRecord record = audit::RecordFor(actor, session.api_token ? "token.create" : "login", "session",
                                   session.token_hash.substr(0, 12));
    record.after = audit::DescribeSession(session);
    if (auto status = WriteAudit(c, record); !status) return status;
    return transaction.Commit();
  }

  Result<std::optional<Session>> FindSession(const std::string& token_hash) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    auto rows =
        (*lease)->Run("finding a session",
                      "SELECT token_hash, user_id, csrf_token, api_token, label, created_at, expires_at"
                      " FROM sessions WHERE token_hash = $1",
                      Params().Text(token_hash));
    if (!rows) return Failed(rows);
    if (rows->size() == 0) return std::optional<Session>();
    return std::optional<Session>(Session{rows->Text(0, 0), rows->Int(0, 1), rows->Text(0, 2),
                                          rows->Bool(0, 3), rows->Text(0, 4), rows->Int(0, 5),
                                          rows->Int(0, 6)});
  }

  Status DeleteSession(const std::string& token_hash, const Actor& actor) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = transaction.BeginWrite(); !status) return status;
    auto drop =
        c.Run("ending a session", "DELETE FROM sessions WHERE token_hash = $1", Params().Text(token_hash));
    if (!drop) return Failed(drop);
    if (drop->Changed() > 0) {
      AuditRecord record = audit::RecordFor(actor, "logout", "session", token_hash.substr(0, 12));
      if (auto status = WriteAudit(c, record); !status) return status;
    }
    return transaction.Commit();
  }

  Status AppendAudit(const AuditRecord& record) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Transaction transaction(**lease);
    if (auto status = transaction.BeginWrite(); !status) return status;
    if (auto status = WriteAudit(**lease, record); !status) return status;
    return transaction.Commit();
  }

  Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq, int64_t limit) override {
    std::string sql =
        "SELECT seq, at, actor, address, request_id, action, entity, entity_id, before, after,"
        " previous_hash, hash FROM audit WHERE seq > $1 ORDER BY seq";
    Params params;
    params.Int(after_seq);
    if (limit > 0) {
      sql += " LIMIT $2";
      params.Int(limit);
    }
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    auto rows = (*lease)->Run("reading the audit trail", sql, params);
    if (!rows) return Failed(rows);
    std::vector<AuditRecord> records;
    records.reserve(static_cast<size_t>(rows->size()));
    for (int r = 0; r < rows->size(); ++r) {
      records.push_back(AuditRecord{rows->Int(r, 0), rows->Int(r, 1), rows->Text(r, 2), rows->Text(r, 3),
                                    rows->Text(r, 4), rows->Text(r, 5), rows->Text(r, 6), rows->Text(r, 7),
                                    rows->Text(r, 8), rows->Text(r, 9), rows->Text(r, 10),
                                    rows->Text(r, 11)});
    }
    return records;
  }

  Result<std::pair<int64_t, std::string>> AuditHead() override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    auto rows = (*lease)->Run("reading the audit trail", "SELECT seq, hash FROM audit_head WHERE one = 1");
    if (!rows) return Failed(rows);
    if (rows->size() == 0) return Fail(ErrorCode::kCorrupt, "the audit trail has no head");
    return std::make_pair(rows->Int(0, 0), rows->Text(0, 1));
  }

  Result<std::vector<AppliedMigration>> Migrations() override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    auto rows = (*lease)->Run("reading the migrations",
                              "SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    if (!rows) return Failed(rows);
    std::vector<AppliedMigration> list;
    for (int r = 0; r < rows->size(); ++r) {
      list.push_back(AppliedMigration{static_cast<int>(rows->Int(r, 0)), rows->Text(r, 1), rows->Int(r, 2)});
    }
    return list;
  }

  // One REPEATABLE READ READ ONLY transaction, so that the ledger, the
  // imports and the audit trail agree with each other. PostgreSQL has no
  // whole-database check a client can run (its files are checked by WAL
  // replay and, if enabled, page checksums), so engine_check stays empty.
  // The entries are read a page at a time (by seq, within the snapshot), so
  // that neither the client nor libpq holds them all.
  Result<StoreContents> StreamContents(ContentsReader& reader) override {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = transaction.BeginRead(); !status) return tl::unexpected(status.error());
    StoreContents contents;
    if (auto status = LoadReference(c, contents.ledger); !status) return tl::unexpected(status.error());
    reader.OnReference(contents.ledger);
    constexpr int64_t kPage = 10000;
    for (int64_t after = 0;;) {
      auto rows = c.Run("reading entries", std::string(kEntryColumns) + " WHERE seq > $1 ORDER BY seq LIMIT $2",
                        Params().Int(after).Int(kPage));
      if (!rows) return Failed(rows);
      for (int r = 0; r < rows->size(); ++r) {
        auto entry = ReadEntry(*rows, r);
        if (!entry) return Failed(entry);
        reader.OnEntry(*entry);
        ++contents.entries;
        after = rows->Int(r, 0);
      }
      if (rows->size() < kPage) break;
    }
    auto imports = c.Run("reading the imports",
                         "WITH counted AS (SELECT import_id, count(*) AS n FROM entries GROUP BY import_id)"
                         " SELECT i.id, i.at, i.source, i.added, i.unchanged, coalesce(c.n, 0)"
                         " FROM imports i LEFT JOIN counted c ON c.import_id = i.id ORDER BY i.id");
    if (!imports) return Failed(imports);
    for (int r = 0; r < imports->size(); ++r) {
      contents.imports.push_back(ImportRecord{imports->Int(r, 0), imports->Int(r, 1), imports->Text(r, 2),
                                              imports->Int(r, 3), imports->Int(r, 4), imports->Int(r, 5)});
    }
    auto orphans = c.Run("reading the imports",
                         "SELECT count(*) FROM entries e WHERE e.import_id IS NULL"
                         " OR NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = e.import_id)");
    if (!orphans) return Failed(orphans);
    contents.entries_without_import = orphans->Int(0, 0);
    auto audit = c.Run("reading the audit trail",
                       "SELECT seq, at, actor, address, request_id, action, entity, entity_id, before, after,"
                       " previous_hash, hash FROM audit ORDER BY seq");
    if (!audit) return Failed(audit);
    for (int r = 0; r < audit->size(); ++r) {
      contents.audit.push_back(AuditRecord{audit->Int(r, 0), audit->Int(r, 1), audit->Text(r, 2), audit->Text(r, 3),
                                           audit->Text(r, 4), audit->Text(r, 5), audit->Text(r, 6),
                                           audit->Text(r, 7), audit->Text(r, 8), audit->Text(r, 9),
                                           audit->Text(r, 10), audit->Text(r, 11)});
    }
    auto head = c.Run("reading the audit trail", "SELECT seq, hash FROM audit_head WHERE one = 1");
    if (!head) return Failed(head);
    if (head->size() == 0) return Fail(ErrorCode::kCorrupt, "the audit trail has no head");
    contents.audit_head_seq = head->Int(0, 0);
    contents.audit_head_hash = head->Text(0, 1);
    return contents;
  }

 private:
  // kCreate: no rmis table may exist yet, and schema_migrations is made in
  // the same transaction, so of two `rmis init` at once one gets kConflict.
  // kExisting: schema_migrations and entries must be there.
  Status CheckMode(Connection& c, OpenMode mode) {
    Transaction transaction(c);
    // Opening an existing store waits for no write.
    if (auto status = mode == OpenMode::kCreate ? transaction.BeginWrite() : transaction.BeginRead();
        !status) {
      return status;
    }
    auto present = c.Run("looking for the rmis tables",
                         "SELECT c.relname FROM pg_catalog.pg_class c"
                         " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                         " WHERE n.nspname = current_schema() AND c.relname = ANY($1::text[])"
                         " ORDER BY c.relname",
                         Params().TextArray(kRmisTables));
    if (!present) return Failed(present);
    std::set<std::string> found;
    for (int r = 0; r < present->size(); ++r) found.insert(present->Text(r, 0));
    if (mode == OpenMode::kCreate) {
      if (!found.empty()) {
        std::string names;
        for (const auto& name : found) names += (names.empty() ? "" : ", ") + name;
        return Fail(ErrorCode::kConflict, "the database " + display_ + " already holds rmis tables (" +
                                              names + "); rmis init needs a database without them");
      }
      if (auto status = c.Script("creating schema_migrations",
                                 "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                                 " name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
          !status) {
        return status;
      }
      return transaction.Commit();
    }
    if (!found.count("schema_migrations") || !found.count("entries")) {
      return Fail(ErrorCode::kNotFound,
                  "no store in " + display_ + " (create one with: rmis init --db " + display_ + ")");
    }
    return {};  // nothing written: rolled back
  }

  // Applies each migration not yet recorded, each in its own transaction
  // under the write lock (so two processes opening one store at once do not
  // both apply it). PostgreSQL's DDL is transactional: a failed migration
  // leaves nothing behind.
  Status Migrate(Connection& c) {
    // Most opens find every migration applied, and need not wait for the
    // write lock to learn it.
    auto applied =
        c.Run("reading the migrations",
              "SELECT count(*) FROM schema_migrations WHERE version = ANY($1::int[])", Params().TextArray([] {
                std::vector<std::string> versions;
                for (const Migration& m : PostgresMigrations()) versions.push_back(std::to_string(m.version));
                return versions;
              }()));
    if (!applied) return Failed(applied);
    if (applied->Int(0, 0) == static_cast<int64_t>(PostgresMigrations().size())) return {};
    for (const Migration& migration : PostgresMigrations()) {
      Transaction transaction(c);
      if (auto status = transaction.BeginWrite(); !status) return status;
      auto applied = c.Run("reading the migrations", "SELECT 1 FROM schema_migrations WHERE version = $1",
                           Params().Int(migration.version));
      if (!applied) return Failed(applied);
      if (applied->size() > 0) continue;  // applied already
      std::string name(migration.name);
      if (auto status = c.Script("migration " + name + " failed", std::string(migration.sql)); !status) {
        return status;
      }
      auto record = c.Run("recording a migration",
                          "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                          Params().Int(migration.version).Text(name).Int(env_.now()));
      if (!record) return Failed(record);
      if (auto status = transaction.Commit(); !status) return status;
    }
    return {};
  }

  // One transaction: read the state, check the dataset against it, and
  // append it with its audit record (or, when `options` is null, only
  // check). A write holds the write lock from before its first read (see
  // Transaction::BeginWrite); a check reads one snapshot and waits for nobody.
  Result<ImportResult> Apply(const ledger::Dataset& dataset, const WriteOptions* options) {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = options ? transaction.BeginWrite() : transaction.BeginRead(); !status) {
      return tl::unexpected(status.error());
    }
    if (options && options->idempotency) {
      auto replay = Replay(c, options->actor.user, *options->idempotency);
      if (!replay) return Failed(replay);
      if (*replay) {
        ImportResult result;
        result.replayed = **replay;
        return result;  // a retry: the first answer, nothing written
      }
    }
    std::shared_ptr<const ledger::Ledger> reference;
    std::vector<Entry> stored;
    if (auto status = LoadForPlan(c, dataset, reference, stored); !status)
      return tl::unexpected(status.error());
    ledger::PlanOutcome outcome = ledger::PlanImport(*reference, stored, dataset, env_.is_country);
    ImportResult result = SummarizePlan(outcome);
    if (!result.problems.empty()) return result;  // the transaction rolls back: nothing written
    const ledger::Ledger& add = outcome.plan.additions;
    if (options == nullptr) return result;                          // a check
    if (result.added == 0 && !options->idempotency) return result;  // nothing new: write nothing

    if (result.added > 0) {
      auto next = c.Run("recording the import", "SELECT COALESCE(MAX(id), 0) + 1 FROM imports");
      if (!next) return Failed(next);
      result.import_id = next->Int(0, 0);
      auto import_row =
          c.Run("recording the import",
                "INSERT INTO imports (id, at, source, added, unchanged) VALUES ($1, $2, $3, $4, $5)",
                Params()
                    .Int(result.import_id)
                    .Int(env_.now())
                    .Text(options->source)
                    .Int(static_cast<int64_t>(result.added))
                    .Int(static_cast<int64_t>(result.unchanged)));
      if (!import_row) return Failed(import_row);
      if (auto status = Insert(c, add, result.import_id); !status) return tl::unexpected(status.error());

      AuditRecord record = audit::RecordForImport(*options, add, result.added, result.unchanged, result.import_id);
      if (auto status = WriteAudit(c, record); !status) return tl::unexpected(status.error());
    }
    if (options->idempotency && options->respond) {
      result.response = options->respond(result);
      if (auto status = Remember(c, options->actor.user, *options->idempotency, *result.response); !status) {
        return tl::unexpected(status.error());
      }
    }
    if (auto status = transaction.Commit(); !status) return tl::unexpected(status.error());
    return result;
  }

  // The answer remembered for (user, key), if any; kConflict when the key was
  // used for another request.
  Result<std::optional<StoredResponse>> Replay(Connection& c, const std::string& user,
                                               const Idempotency& idempotency) {
    auto rows = c.Run("looking up the Idempotency-Key",
                      "SELECT fingerprint, status, body FROM idempotency WHERE user_name = $1 AND key = $2",
                      Params().Text(user).Text(idempotency.key));
    if (!rows) return Failed(rows);
    if (rows->size() == 0) return std::optional<StoredResponse>();
    if (rows->Text(0, 0) != idempotency.fingerprint) {
      return Fail(ErrorCode::kConflict, "this Idempotency-Key was already used for a different request");
    }
    return std::optional<StoredResponse>(StoredResponse{static_cast<int>(rows->Int(0, 1)), rows->Text(0, 2)});
  }

  Status Remember(Connection& c, const std::string& user, const Idempotency& idempotency,
                  const StoredResponse& response) {
    auto rows = c.Run("remembering the answer",
                      "INSERT INTO idempotency (user_name, key, fingerprint, status, body, created_at)"
                      " VALUES ($1, $2, $3, $4, $5, $6)",
                      Params()
                          .Text(user)
                          .Text(idempotency.key)
                          .Text(idempotency.fingerprint)
                          .Int(response.status)
                          .Text(response.body)
                          .Int(env_.now()));
    if (!rows) return Failed(rows);
    return {};
  }

  // The user matching `where` ("WHERE id = $1" or "WHERE name = $1"), with
  // the donors assigned, in byte order as SQLite gives them.
  Result<std::optional<User>> ReadUser(Connection& c, const char* where, const Params& key) {
    auto rows = c.Run(
        "reading a user",
        std::string("SELECT id, name, role, disabled, password_hash, created_at FROM users ") + where, key);
    if (!rows) return Failed(rows);
    if (rows->size() == 0) return std::optional<User>();
    User user;
    user.id = rows->Int(0, 0);
    user.name = rows->Text(0, 1);
    auto role = ParseRole(rows->Text(0, 2));
    if (!role) return Fail(ErrorCode::kCorrupt, "user " + user.name + " has an unknown role");
    user.role = *role;
    user.disabled = rows->Bool(0, 3);
    user.password_hash = rows->Text(0, 4);
    user.created_at = rows->Int(0, 5);
    auto donors = c.Run("reading a user",
                        "SELECT donor FROM user_donors WHERE user_id = $1 ORDER BY donor COLLATE \"C\"",
                        Params().Int(user.id));
    if (!donors) return Failed(donors);
    for (int r = 0; r < donors->size(); ++r) user.donors.push_back(donors->Text(r, 0));
    return std::optional<User>(std::move(user));
  }

  Status WriteDonors(Connection& c, const User& user) {
    auto clear =
        c.Run("assigning donors", "DELETE FROM user_donors WHERE user_id = $1", Params().Int(user.id));
    if (!clear) return Failed(clear);
    for (const auto& donor : user.donors) {
      auto insert = c.Run("cannot assign donor \"" + donor + "\"",
                          "INSERT INTO user_donors (user_id, donor) VALUES ($1, $2)",
                          Params().Int(user.id).Text(donor));
      if (!insert) {
        // As in SQLite: an unknown or repeated donor is the caller's mistake.
        const std::string& state = c.sql_state();
        bool callers = state == "23503" || state == "23505";  // foreign_key / unique_violation
        return Fail(callers ? ErrorCode::kInvalidArgument : ErrorCode::kIo, insert.error().message);
      }
    }
    return {};
  }

  // Appends `record` to the chain; runs inside a write, under the write lock.
  // FOR UPDATE also locks the head row, so even a writer that skipped the
  // advisory lock could not fork the chain.
  Status WriteAudit(Connection& c, AuditRecord record) {
    auto head = c.Run("writing the audit trail", "SELECT seq, hash FROM audit_head WHERE one = 1 FOR UPDATE");
    if (!head) return Failed(head);
    if (head->size() == 0) return Fail(ErrorCode::kCorrupt, "the audit trail has no head");
    record.seq = head->Int(0, 0) + 1;
    record.previous_hash = head->Text(0, 1);
    record.at = env_.now();
    record.hash = audit::ComputeHash(record);
    auto insert = c.Run("writing the audit trail",
                        "INSERT INTO audit (seq, at, actor, address, request_id, action, entity, entity_id,"
                        " before, after, previous_hash, hash)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        Params()
                            .Int(record.seq)
                            .Int(record.at)
                            .Text(record.actor)
                            .Text(record.address)
                            .Text(record.request_id)
                            .Text(record.action)
                            .Text(record.entity)
                            .Text(record.entity_id)
                            .Text(record.before)
                            .Text(record.after)
                            .Text(record.previous_hash)
                            .Text(record.hash));
    if (!insert) return Failed(insert);
    auto move = c.Run("writing the audit trail", "UPDATE audit_head SET seq = $1, hash = $2 WHERE one = 1",
                      Params().Int(record.seq).Text(record.hash));
    if (!move) return Failed(move);
    return {};
  }

  static constexpr const char* kEntryColumns =
      "SELECT seq, id, kind, donor, fund, currency, amount_minor, usd_cents, value_date,"
      " recorded_at, attributed_year, region, country, programme, appeal, channel, event,"
      " settles, reverses, probability_ppm, note FROM entries";

  Result<Entry> ReadEntry(const Rows& rows, int r) {
    Entry e;
    e.id = rows.Text(r, 1);
    auto kind = ledger::ParseEntryKind(rows.Text(r, 2));
    auto region = ledger::ParseRegion(rows.Text(r, 11));
    auto channel = ledger::ParseChannel(rows.Text(r, 15));
    std::string currency = rows.Text(r, 5);
    if (!kind || !region || !channel || !money::FindCurrency(currency)) {
      return Fail(ErrorCode::kCorrupt, "entry " + e.id + " holds a value rmis does not know");
    }
    e.kind = *kind;
    e.donor = rows.Text(r, 3);
    e.fund = rows.Text(r, 4);
    e.amount = money::Money(rows.Int(r, 6), money::CurrencyCode(currency));
    e.usd_cents = rows.Int(r, 7);
    e.value_date = ledger::Date{static_cast<int32_t>(rows.Int(r, 8))};
    e.recorded_at = rows.Int(r, 9);
    e.attributed_year = static_cast<int>(rows.Int(r, 10));
    e.region = *region;
    e.country = rows.Text(r, 12);
    e.programme = rows.Text(r, 13);
    e.appeal = rows.Text(r, 14);
    e.channel = *channel;
    e.event = rows.Text(r, 16);
    e.settles = rows.Text(r, 17);
    e.reverses = rows.Text(r, 18);
    if (!rows.IsNull(r, 19)) e.probability_ppm = static_cast<int32_t>(rows.Int(r, 19));
    e.note = rows.Text(r, 20);
    return e;
  }

  Status ReadEntries(Connection& c, const std::string& sql, const Params& params, std::vector<Entry>& out) {
    auto rows = c.Run("reading entries", sql, params);
    if (!rows) return Failed(rows);
    out.reserve(out.size() + static_cast<size_t>(rows->size()));
    for (int r = 0; r < rows->size(); ++r) {
      auto entry = ReadEntry(*rows, r);
      if (!entry) return Failed(entry);
      out.push_back(std::move(*entry));
    }
    return {};
  }

  // Loads what PlanImport needs to check `dataset`, as the SQLite store does:
  // the reference records (from memory while they have not changed), and of
  // the entries only those the dataset can touch: entries with the dataset's
  // ids or named by its `settles` or `reverses`, what settles those, and what
  // reverses any of them. PlanImport gives the same answer on this part as on
  // the whole ledger, without reading millions of rows per write.
  Status LoadForPlan(Connection& c, const ledger::Dataset& dataset,
                     std::shared_ptr<const ledger::Ledger>& reference, std::vector<Entry>& entries) {
    auto cached = CachedReference(c);
    if (!cached) return Failed(cached);
    reference = std::move(*cached);
    if (dataset.entries.empty()) return {};
    std::vector<std::string> named;
    std::unordered_set<std::string> seen;
    for (const auto& item : dataset.entries) {
      for (const std::string* id : {&item.value.id, &item.value.settles, &item.value.reverses}) {
        if (!id->empty() && seen.insert(*id).second) named.push_back(*id);
      }
    }
    // Round 1: the entries named, then what settles them (in that order, as
    // in SQLite). Round 2: what reverses anything loaded in round 1.
    if (auto status = ReadEntries(c, std::string(kEntryColumns) + " WHERE id = ANY($1::text[]) ORDER BY seq",
                                  Params().TextArray(named), entries);
        !status) {
      return status;
    }
    if (auto status =
            ReadEntries(c,
                        std::string(kEntryColumns) +
                            " WHERE settles = ANY($1::text[]) AND NOT id = ANY($1::text[]) ORDER BY seq",
                        Params().TextArray(named), entries);
        !status) {
      return status;
    }
    std::vector<std::string> loaded_ids;
    std::unordered_set<std::string> loaded;
    for (const auto& e : entries) {
      loaded_ids.push_back(e.id);
      loaded.insert(e.id);
    }
    std::vector<Entry> reversals;
    if (auto status =
            ReadEntries(c, std::string(kEntryColumns) + " WHERE reverses = ANY($1::text[]) ORDER BY seq",
                        Params().TextArray(loaded_ids), reversals);
        !status) {
      return status;
    }
    for (auto& e : reversals) {
      if (loaded.insert(e.id).second) entries.push_back(std::move(e));
    }
    return {};
  }

  // The stored entries with one of `ids`, what settles them, and what
  // reverses any of those, with their seq (for the streamed import).
  Status LoadNamed(Connection& c, const std::vector<std::string>& ids, std::vector<Entry>& entries,
                   std::vector<int64_t>& seqs) {
    if (ids.empty()) return {};
    const size_t first = entries.size();
    auto read = [&](const std::string& sql, const std::vector<std::string>& names, std::vector<Entry>& out,
                    std::vector<int64_t>& out_seqs) -> Status {
      auto rows = c.Run("reading entries", sql, Params().TextArray(names));
      if (!rows) return Failed(rows);
      for (int r = 0; r < rows->size(); ++r) {
        auto entry = ReadEntry(*rows, r);
        if (!entry) return Failed(entry);
        out.push_back(std::move(*entry));
        out_seqs.push_back(rows->Int(r, 0));
      }
      return {};
    };
    if (auto s = read(std::string(kEntryColumns) + " WHERE id = ANY($1::text[]) ORDER BY seq", ids, entries, seqs);
        !s) {
      return s;
    }
    if (auto s = read(std::string(kEntryColumns) +
                          " WHERE settles = ANY($1::text[]) AND NOT id = ANY($1::text[]) ORDER BY seq",
                      ids, entries, seqs);
        !s) {
      return s;
    }
    if (entries.size() == first) return {};
    std::vector<std::string> loaded_ids;
    std::unordered_set<std::string> loaded;
    for (size_t i = first; i < entries.size(); ++i) {
      loaded_ids.push_back(entries[i].id);
      loaded.insert(entries[i].id);
    }
    std::vector<Entry> reversals;
    std::vector<int64_t> reversal_seqs;
    if (auto s = read(std::string(kEntryColumns) + " WHERE reverses = ANY($1::text[]) ORDER BY seq", loaded_ids,
                      reversals, reversal_seqs);
        !s) {
      return s;
    }
    for (size_t i = 0; i < reversals.size(); ++i) {
      if (!loaded.insert(reversals[i].id).second) continue;
      entries.push_back(std::move(reversals[i]));
      seqs.push_back(reversal_seqs[i]);
    }
    return {};
  }

  // Brings the copy held for ReadColumns up to the database's state.
  Status RefreshCache() {
    auto lease = pool_.Acquire();
    if (!lease) return Failed(lease);
    Connection& c = **lease;
    Transaction transaction(c);
    if (auto status = transaction.BeginRead(); !status) return status;
    auto state = c.Run("reading the ledger",
                       "SELECT (SELECT version FROM reference_version WHERE one = 1),"
                       " (SELECT COALESCE(MAX(seq), 0) FROM entries)");
    if (!state) return Failed(state);
    const int64_t version = state->Int(0, 0), last = state->Int(0, 1);
    {
      std::shared_lock<std::shared_mutex> read(cache_mutex_);
      if (cache_reference_version_ >= version && cache_seq_ >= last) return {};
    }
    std::unique_lock<std::shared_mutex> write(cache_mutex_);
    ledger::Ledger reference;
    const bool new_reference = version > cache_reference_version_;
    if (new_reference) {
      if (auto status = LoadReference(c, reference); !status) return status;
    }
    if (new_reference) {
      cache_reference_ = std::move(reference);
      cache_reference_version_ = version;
      // New names take the next numbers in their stored order, as a new copy
      // would number them (what segments sealed from this copy hold).
      if (cache_seq_ > 0 && !cache_by_ids_) ledger::NumberNames(cache_reference_, cache_columns_);
    }
    if (last <= cache_seq_) return {};
    // Entries are numbered 1, 2, 3, ...: read page by page into the columns,
    // their links resolved to positions by the database, with no entry
    // record or index of ids held (at ten million entries, reading them as
    // records first took 9 GB). A store with a gap in the numbers (rows
    // deleted behind rmis's back) is read as records, by ids.
    //
    // A new copy starts from the column segments (migration 0005), which
    // number donors, funds, appeals and events in their stored order: so
    // does the copy, and it numbers new ones as they are stored. Once it is
    // read, every full run of entries without a segment is sealed.
    if (!cache_by_ids_ && cache_columns_.size() == static_cast<size_t>(cache_seq_)) {
      const bool cold = cache_seq_ == 0;
      int64_t sealed = 0;  // entries read from segments
      if (cold) {
        cache_columns_.Reserve(static_cast<size_t>(last));
        ledger::NumberNames(cache_reference_, cache_columns_);
        // Segments stand for the rows 1..n only while none of them is gone
        // (deleted behind rmis's back: then the pages below find the gap).
        auto count = c.Run("counting the entries", "SELECT count(*) FROM entries");
        if (!count) return Failed(count);
        if (count->Int(0, 0) == last) {
          if (auto status = LoadSegments(c, last); !status) return status;
        }
        sealed = cache_seq_;
      }
      bool gap = false;
      if (auto status = AppendPages(c, last, gap); !status || gap) {
        // The copy is dropped whole: the next call reads it all again.
        cache_columns_ = ledger::EntryColumns();
        cache_seq_ = 0;
        cache_by_ids_ = gap;
        if (!status) return status;
      } else {
        // An entry that names one stored after it is listed by every report
        // until the year index is made again.
        if (!cache_columns_.indexed()) cache_columns_.Reindex();
        if (cold && cache_seq_ - sealed >= kSegmentRows) {
          if (auto status = transaction.Commit(); !status) return {};  // the copy stands; sealing waits
          // Readers need not wait for the sealing: it only reads the copy,
          // and nothing else calls the interners' Fingerprint.
          write.unlock();
          std::shared_lock<std::shared_mutex> read(cache_mutex_);
          SealSegments(c, sealed);
        }
        return {};
      }
    }
    std::vector<Entry> added;
    if (auto status = ReadEntries(c, std::string(kEntryColumns) + " WHERE seq > $1 AND seq <= $2 ORDER BY seq",
                                  Params().Int(cache_seq_).Int(last), added);
        !status) {
      return status;
    }
    if (cache_columns_.size() == 0) cache_columns_.Reserve(added.size());
    for (const Entry& e : added) cache_columns_.Append(e);
    if (!cache_columns_.indexed()) cache_columns_.Reindex();
    cache_seq_ = last;
    return {};
  }

  // Entries per column segment, as on SQLite (migration 0005).
  static constexpr int64_t kSegmentRows = ledger::kSegmentEntries;

  // Appends to the empty copy the segments that follow on from entry 1, up
  // to `last`, one query each (their bytes as they are). A segment that does
  // not decode (cut from another ledger, or names numbered otherwise) ends
  // it: the rows after are read instead, and sealed anew. The caller has
  // made sure no row is missing (count = last seq); segments are then
  // trusted as the entries are: both are only ever appended.
  Status LoadSegments(Connection& c, int64_t last) {
    auto list = c.Run("reading the column segments",
                      "SELECT first_seq, rows FROM entry_segments WHERE first_seq + rows - 1 <= $1 ORDER BY first_seq",
                      Params().Int(last));
    if (!list) return Failed(list);
    for (int r = 0; r < list->size(); ++r) {
      const int64_t first = list->Int(r, 0), rows = list->Int(r, 1);
      if (first != cache_seq_ + 1) break;
      auto data = c.RunBytes("reading a column segment",
                             "SELECT data FROM entry_segments WHERE first_seq = " + std::to_string(first), {}, true);
      if (!data) return Failed(data);
      if (data->size() != 1) break;
      // A segment of another size than its row says leaves the copy longer
      // than cache_seq_: it is started again below.
      if (!ledger::DecodeSegment(data->View(0, 0), cache_columns_, static_cast<size_t>(last)) ||
          cache_columns_.size() != static_cast<size_t>(cache_seq_ + rows)) {
        break;
      }
      cache_seq_ += rows;
    }
    if (static_cast<int64_t>(cache_columns_.size()) != cache_seq_) {
      cache_columns_ = ledger::EntryColumns();
      cache_columns_.Reserve(static_cast<size_t>(last));
      ledger::NumberNames(cache_reference_, cache_columns_);
      cache_seq_ = 0;
    }
    return {};
  }

  // Writes a segment for every full run of kSegmentRows entries of the copy
  // from entry `sealed` + 1 on, each in a statement of its own (outside any
  // transaction: a segment is derived data, and one left unwritten is
  // written by the next process that loads the copy). Another process may
  // seal the same run at the same time: the last one written stays, and
  // both are the same entries.
  void SealSegments(Connection& c, int64_t sealed) {
    if (cache_by_ids_) return;  // positions are not seq - 1: nothing to seal
    const auto total = static_cast<int64_t>(cache_columns_.size());
    for (int64_t first = sealed; first + kSegmentRows <= total; first += kSegmentRows) {
      const std::string data = ledger::EncodeSegment(cache_columns_, static_cast<size_t>(first),
                                                     static_cast<size_t>(first + kSegmentRows));
      auto written = c.RunBytes("sealing a column segment",
                                "INSERT INTO entry_segments (first_seq, rows, data) VALUES (" +
                                    std::to_string(first + 1) + ", " + std::to_string(kSegmentRows) +
                                    ", $1) ON CONFLICT (first_seq) DO UPDATE SET rows = EXCLUDED.rows,"
                                    " data = EXCLUDED.data",
                                {data}, false);
      if (!written) return;  // the copy stands; the next load tries again
    }
  }

  // Appends the entries after cache_seq_ up to `last` to the columns, a page
  // at a time; `gap`: a number is missing, nothing more is appended. What an
  // entry settles or reverses is found by a subquery per row (an index probe,
  // none for the three entries in four that name none): as joins, PostgreSQL
  // chose on fresh statistics to hash every entry of the table for each page.
  Status AppendPages(Connection& c, int64_t last, bool& gap) {
    constexpr int64_t kPage = 20000;
    const std::string sql =
        "SELECT e.seq, e.kind, e.donor, e.fund, e.amount_minor, e.usd_cents, e.value_date, e.recorded_at,"
        " e.attributed_year, e.region, e.appeal, e.channel, e.event,"
        " (SELECT s.seq FROM entries s WHERE s.id = e.settles),"
        " (SELECT r.seq FROM entries r WHERE r.id = e.reverses), e.probability_ppm, e.id"
        " FROM entries e WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq LIMIT $3";
    // Room for all at once only when the copy is empty: reserving size + n on
    // every refresh would move every column (600 MB at ten million entries)
    // for each entry a write adds; appending grows them by doubling.
    if (cache_columns_.size() == 0) cache_columns_.Reserve(static_cast<size_t>(last));
    while (cache_seq_ < last) {
      // The page's own range, not all up to `last`: on statistics that do
      // not know of a large import yet (an empty table's), PostgreSQL
      // estimated a few hundred rows for the whole range, joined and sorted
      // every one of them for each page (1 s a page at a million entries).
      const int64_t upper = std::min(last, cache_seq_ + kPage);
      auto rows = c.Run("reading the ledger", sql, Params().Int(cache_seq_).Int(upper).Int(kPage));
      if (!rows) return Failed(rows);
      if (rows->size() == 0) {
        gap = true;
        return {};
      }
      for (int r = 0; r < rows->size(); ++r) {
        const int64_t seq = rows->Int(r, 0);
        if (seq != cache_seq_ + 1) {
          gap = true;
          return {};
        }
        ledger::EntryView view;
        view.id = rows->View(r, 16);
        auto kind = ledger::ParseEntryKind(rows->View(r, 1));
        auto region = ledger::ParseRegion(rows->View(r, 9));
        auto channel = ledger::ParseChannel(rows->View(r, 11));
        if (!kind || !region || !channel) {
          return Fail(ErrorCode::kCorrupt, "entry " + std::string(view.id) + " holds a value rmis does not know");
        }
        view.kind = *kind;
        view.region = *region;
        view.channel = *channel;
        view.donor = rows->View(r, 2);
        view.fund = rows->View(r, 3);
        view.amount_minor = rows->Int(r, 4);
        view.usd_cents = rows->Int(r, 5);
        view.value_day = static_cast<int32_t>(rows->Int(r, 6));
        view.recorded_at = rows->Int(r, 7);
        view.attributed_year = static_cast<int32_t>(rows->Int(r, 8));
        view.appeal = rows->View(r, 10);
        view.event = rows->View(r, 12);
        view.probability_ppm = rows->IsNull(r, 15) ? -1 : static_cast<int32_t>(rows->Int(r, 15));
        auto position = [&](int column) {
          return rows->IsNull(r, column) ? ledger::EntryColumns::kNone : static_cast<int32_t>(rows->Int(r, column) - 1);
        };
        cache_columns_.AppendResolved(view, position(13), position(14));
        cache_seq_ = seq;
      }
    }
    return {};
  }

  Result<int64_t> ReferenceVersion(Connection& c) {
    auto rows = c.Run("reading the reference version", "SELECT version FROM reference_version WHERE one = 1");
    if (!rows) return Failed(rows);
    if (rows->size() == 0) return Fail(ErrorCode::kCorrupt, "reference_version has no row");
    return rows->Int(0, 0);
  }

  // The reference records for a plan: from memory while reference_version
  // is the one they were read at, else from the database. The version is
  // read before the records, so a change committed in between can only make
  // the next call read them again, never keep a stale copy.
  Result<std::shared_ptr<const ledger::Ledger>> CachedReference(Connection& c) {
    auto version = ReferenceVersion(c);
    if (!version) return Failed(version);
    {
      std::lock_guard<std::mutex> lock(reference_mutex_);
      if (reference_ && reference_version_ == *version) return reference_;
    }
    auto fresh = std::make_shared<ledger::Ledger>();
    if (auto status = LoadReference(c, *fresh); !status) return tl::unexpected(status.error());
    std::lock_guard<std::mutex> lock(reference_mutex_);
    // A caller on an older snapshot does not put back older records.
    if (!reference_ || *version > reference_version_) {
      reference_ = fresh;
      reference_version_ = *version;
    }
    return std::shared_ptr<const ledger::Ledger>(std::move(fresh));
  }

  Status LoadReference(Connection& c, ledger::Ledger& ledger) {
    {
      auto q = c.Run("reading donors",
                     "SELECT id, name, type, country, name_ar, name_zh, name_fr, name_ru, name_es"
                     " FROM donors ORDER BY seq");
      if (!q) return Failed(q);
      for (int r = 0; r < q->size(); ++r) {
        ledger::Donor d;
        d.id = q->Text(r, 0);
        d.name = q->Text(r, 1);
        auto type = ledger::ParseDonorType(q->Text(r, 2));
        if (!type) return Fail(ErrorCode::kCorrupt, "donor " + d.id + " has an unknown type");
        d.type = *type;
        d.country = q->Text(r, 3);
        for (int i = 0; i < 5; ++i) d.names[i] = q->Text(r, 4 + i);
        ledger.donors.push_back(std::move(d));
      }
    }
    {
      auto q = c.Run("reading funds", "SELECT id, name, category FROM funds ORDER BY seq");
      if (!q) return Failed(q);
      for (int r = 0; r < q->size(); ++r) {
        auto category = ledger::ParseFundCategory(q->Text(r, 2));
        if (!category) return Fail(ErrorCode::kCorrupt, "fund " + q->Text(r, 0) + " has an unknown category");
        ledger.funds.push_back(ledger::Fund{q->Text(r, 0), q->Text(r, 1), *category});
      }
    }
    {
      auto q =
          c.Run("reading targets",
                "SELECT fund, year_from, year_to, amount_cents, decided_on, note FROM targets ORDER BY seq");
      if (!q) return Failed(q);
      for (int r = 0; r < q->size(); ++r) {
        ledger.targets.push_back(
            ledger::Target{q->Text(r, 0), static_cast<int>(q->Int(r, 1)), static_cast<int>(q->Int(r, 2)),
                           q->Int(r, 3), ledger::Date{static_cast<int32_t>(q->Int(r, 4))}, q->Text(r, 5)});
      }
    }
    {
      auto q = c.Run("reading appeals",
                     "SELECT id, name, requirement_cents, countries, launched_on FROM appeals ORDER BY seq");
      if (!q) return Failed(q);
      for (int r = 0; r < q->size(); ++r) {
        ledger.appeals.push_back(ledger::Appeal{q->Text(r, 0), q->Text(r, 1), q->Int(r, 2),
                                                static_cast<int>(q->Int(r, 3)),
                                                ledger::Date{static_cast<int32_t>(q->Int(r, 4))}});
      }
    }
    {
      auto q = c.Run("reading events", "SELECT id, name, held_on FROM events ORDER BY seq");
      if (!q) return Failed(q);
      for (int r = 0; r < q->size(); ++r) {
        ledger.events.push_back(
            ledger::Event{q->Text(r, 0), q->Text(r, 1), ledger::Date{static_cast<int32_t>(q->Int(r, 2))}});
      }
    }
    {
      auto q = c.Run("reading rates", "SELECT currency, month, units_per_usd FROM rates ORDER BY seq");
      if (!q) return Failed(q);
      for (int r = 0; r < q->size(); ++r) {
        ledger.rates.push_back(
            ledger::RateRecord{q->Text(r, 0), static_cast<int32_t>(q->Int(r, 1)), q->Text(r, 2)});
      }
    }
    return {};
  }

  Status Insert(Connection& c, const ledger::Ledger& add, int64_t import_id) {
    {
      BatchInsert donors(
          c, "storing a donor", "donors",
          {"id", "name", "type", "country", "name_ar", "name_zh", "name_fr", "name_ru", "name_es"});
      for (const auto& d : add.donors) {
        Params row;
        row.Text(d.id).Text(d.name).Text(ledger::Name(d.type)).Text(d.country);
        for (int i = 0; i < 5; ++i) row.Text(d.names[i]);
        if (auto s = donors.Add(std::move(row)); !s) return s;
      }
      if (auto s = donors.Flush(); !s) return s;
    }
    {
      BatchInsert funds(c, "storing a fund", "funds", {"id", "name", "category"});
      for (const auto& f : add.funds) {
        if (auto s = funds.Add(std::move(Params().Text(f.id).Text(f.name).Text(ledger::Name(f.category))));
            !s) {
          return s;
        }
      }
      if (auto s = funds.Flush(); !s) return s;
    }
    {
      BatchInsert targets(c, "storing a target", "targets",
                          {"fund", "year_from", "year_to", "amount_cents", "decided_on", "note"});
      for (const auto& t : add.targets) {
        Params row;
        row.Text(t.fund)
            .Int(t.year_from)
            .Int(t.year_to)
            .Int(t.amount_cents)
            .Int(t.decided_on.days)
            .Text(t.note);
        if (auto s = targets.Add(std::move(row)); !s) return s;
      }
      if (auto s = targets.Flush(); !s) return s;
    }
    {
      BatchInsert appeals(c, "storing an appeal", "appeals",
                          {"id", "name", "requirement_cents", "countries", "launched_on"});
      for (const auto& a : add.appeals) {
        Params row;
        row.Text(a.id).Text(a.name).Int(a.requirement_cents).Int(a.countries).Int(a.launched_on.days);
        if (auto s = appeals.Add(std::move(row)); !s) return s;
      }
      if (auto s = appeals.Flush(); !s) return s;
    }
    {
      BatchInsert events(c, "storing an event", "events", {"id", "name", "held_on"});
      for (const auto& e : add.events) {
        if (auto s = events.Add(std::move(Params().Text(e.id).Text(e.name).Int(e.held_on.days))); !s)
          return s;
      }
      if (auto s = events.Flush(); !s) return s;
    }
    {
      BatchInsert rates(c, "storing a rate", "rates", {"currency", "month", "units_per_usd"});
      for (const auto& r : add.rates) {
        if (auto s = rates.Add(std::move(Params().Text(r.currency).Int(r.month).Text(r.units_per_usd))); !s) {
          return s;
        }
      }
      if (auto s = rates.Flush(); !s) return s;
    }
    if (add.entries.empty()) return {};
    // Entries may settle or reverse entries later in the same batch: what a
    // statement's entries name that is not stored yet is checked again at
    // commit (migration 0006), not at the statement's end.
    if (auto s = c.Script("storing an entry", "SET CONSTRAINTS ALL DEFERRED"); !s) return s;
    auto next = c.Run("storing an entry", "SELECT COALESCE(MAX(seq), 0) FROM entries");
    if (!next) return Failed(next);
    int64_t seq = next->Int(0, 0);
    const std::vector<std::string> columns = {"seq",         "id",          "kind",     "donor",
                                              "fund",        "currency",    "amount_minor", "usd_cents",
                                              "value_date",  "recorded_at", "attributed_year", "region",
                                              "country",     "programme",   "appeal",   "channel",
                                              "event",       "settles",     "reverses", "probability_ppm",
                                              "note",        "import_id"};
    auto write = [&](auto& rows) -> Status {
      for (const auto& e : add.entries) {
        Params row;
        row.Int(++seq)
            .Text(e.id)
            .Text(ledger::Name(e.kind))
            .Text(e.donor)
            .Text(e.fund)
            .Text(e.amount.currency().view())
            .Int(e.amount.minor_units())
            .Int(e.usd_cents)
            .Int(e.value_date.days)
            .Int(e.recorded_at)
            .Int(e.attributed_year)
            .Text(ledger::Name(e.region))
            .Text(e.country)
            .Text(e.programme)
            .Ref(e.appeal)
            .Text(ledger::Name(e.channel))
            .Ref(e.event)
            .Ref(e.settles)
            .Ref(e.reverses);
        if (e.probability_ppm) {
          row.Int(*e.probability_ppm);
        } else {
          row.Null();
        }
        row.Text(e.note).Int(import_id);
        if (auto s = rows.Add(std::move(row)); !s) return s;
      }
      return rows.Flush();
    };
    // A few entries (a receipt posted through the API) in one INSERT: one
    // round trip; COPY takes three. More in one COPY: nothing to parse per
    // row, and one statement, so one check of their links.
    if (add.entries.size() <= kCopyFromEntries) {
      BatchInsert rows(c, "storing an entry", "entries", columns);
      return write(rows);
    }
    CopyRows rows(c, "storing an entry", "entries", columns);
    return write(rows);
  }

  std::string display_;
  Pool pool_;
  StoreEnvironment env_;
  // What ReadColumns reads: the reference records and the reference_version
  // they were read at, and the entries' columns with the sequence number of
  // the last entry they hold.
  std::shared_mutex cache_mutex_;
  ledger::Ledger cache_reference_;
  int64_t cache_reference_version_ = -1;
  ledger::EntryColumns cache_columns_;
  int64_t cache_seq_ = 0;
  bool cache_by_ids_ = false;  // the numbers have a gap: the columns are read as records, by ids
  // The reference records for planning writes, and their reference_version.
  std::mutex reference_mutex_;
  std::shared_ptr<const ledger::Ledger> reference_;
  int64_t reference_version_ = -1;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, OpenMode mode,
                                                 StoreEnvironment environment) {
  auto display = Describe(url);
  if (!display) return tl::unexpected(display.error());
  auto store = std::make_unique<PostgresStore>(url, *display, std::move(environment));
  if (auto status = store->Open(mode); !status) return tl::unexpected(status.error());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace rmis::store
