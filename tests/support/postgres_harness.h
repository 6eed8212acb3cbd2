// A real PostgreSQL 15 server for the tests, started by the tests themselves,
// and the stores under test (SQLite or PostgreSQL) behind one interface, so
// one suite runs against both (issue 3, item 3).
//
// The server is started on first use in a test process: initdb into a fresh
// temporary directory, a free port on 127.0.0.1, fsync on, trust
// authentication on loopback only. As root it runs as the `postgres` system
// user (PostgreSQL refuses to run as root). Each test gets a database of its
// own. The server is stopped (pg_ctl stop -m fast) and its directory removed
// when the tests end, whether they passed or not; a watchdog process does the
// same if the test process dies without ending them (a crash, a kill).
//
// When the PostgreSQL binaries are missing the tests that need them fail with
// a message saying what to install: they are not skipped, since CI installs
// them (scripts/install-deps.sh).
#pragma once

#include <memory>
#include <string>

#include "support/test_support.h"

namespace rmis::testing {

// The PostgreSQL server of this test process.
class PostgresServer {
 public:
  // The running server, started on the first call. Throws std::runtime_error
  // saying what is wrong when it cannot be started (GoogleTest reports that
  // as the test's failure); later calls throw the same error at once.
  static PostgresServer& Get();

  // Stops the server if it was started (the GoogleTest environment calls
  // this after the last test).
  static void StopIfStarted();

  // Another server, apart from the shared one, started with `options`
  // (e.g. "-c fsync=off") for a test that needs a server set up otherwise;
  // stopped when the object goes. Throws std::runtime_error like Get.
  static std::unique_ptr<PostgresServer> StartSeparate(const std::string& options);

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A new, empty UTF-8 database; returns its URL
  // (postgresql://postgres@127.0.0.1:PORT/t_RANDOM).
  std::string CreateDatabase();

  // The URL of a database of this server.
  std::string Url(const std::string& database) const;

  int port() const { return port_; }

 private:
  PostgresServer() = default;
  // `options` go to the server after the harness's own (later ones win).
  void Start(const std::string& options);
  void Stop();

  std::string bin_dir_;
  std::string base_dir_;  // owned by the server's user; holds data/, the socket and the log
  int port_ = 0;
  bool running_ = false;
  unsigned run_uid_ = 0, run_gid_ = 0;
  bool drop_privileges_ = false;
  int watchdog_pipe_ = -1;  // closing it tells the watchdog to clean up
  int watchdog_pid_ = -1;
};

// Runs `sql` on the database at `url` as a tool outside rmis would (several
// statements allowed); returns PostgreSQL's error message, "" on success.
std::string PostgresExec(const std::string& url, const std::string& sql);

// The first column of the first row of `sql` as text; "" when there is none.
std::string PostgresQueryText(const std::string& url, const std::string& sql);

// Every rmis table's columns, triggers and rows, as text, so that two states
// of a PostgreSQL store can be compared exactly (DumpSqlite's counterpart).
std::string DumpPostgres(const std::string& url);

enum class StoreKind { kSqlite, kPostgres };

// "Sqlite" or "Postgres", for parameterized test names.
std::string StoreKindName(StoreKind kind);

// Where a test's store lives: a path in a fresh temporary directory for
// SQLite, a fresh database for PostgreSQL. Nothing is created at the location
// itself: `rmis init` or OpenStore(kCreate) does that.
class TestStoreLocation {
 public:
  explicit TestStoreLocation(StoreKind kind);
  StoreKind kind() const { return kind_; }
  // What --db takes: the file's path or the database's URL.
  const std::string& location() const { return location_; }
  // A location where no store can be opened: a file that is not a database,
  // or a server that does not answer.
  std::string Unusable();
  // Runs `sql` directly, bypassing rmis, as a careless tool might; returns
  // the error, "" on success.
  std::string Exec(const std::string& sql) const;
  // The first column of the first row of `sql`, as text.
  std::string QueryText(const std::string& sql) const;
  // Every row of every table, to compare two states exactly.
  std::string Dump() const;

 private:
  StoreKind kind_;
  TempDir dir_;
  std::string location_;
};

}  // namespace rmis::testing
