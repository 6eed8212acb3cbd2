// The PostgreSQL test server and the stores under test (see
// postgres_harness.h).
#include "support/postgres_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <stdexcept>
#include <vector>

namespace rmis::testing {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDefaultBinDir = "/usr/lib/postgresql/15/bin";

std::mutex server_mutex;
std::unique_ptr<PostgresServer> server;  // guarded by server_mutex
std::string start_error;                 // set when starting failed

std::string Tail(const std::string& path, size_t bytes = 2000) {
  std::string text = ReadFile(path);
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

// A port on 127.0.0.1 that nothing listens on right now. Another process may
// take it before the server does: the caller retries with another.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("cannot open a socket to find a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(address.sin_port);
}

// In a forked child: become the server's user (PostgreSQL will not run as
// root). Only async-signal-safe calls, as the parent may have threads.
void BecomeUser(bool drop, unsigned uid, unsigned gid) {
  if (!drop) return;
  if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(126);
}

// Runs `argv` as the server's user with its output appended to `log`, and
// waits; returns the exit code (-1 when it did not exit normally).
int RunAs(bool drop, unsigned uid, unsigned gid, const std::vector<std::string>& argv,
          const std::string& log) {
  std::vector<std::string> copies = argv;
  std::vector<char*> pointers;
  for (auto& arg : copies) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    BecomeUser(drop, uid, gid);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0) _exit(125);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execv(pointers[0], pointers.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Random(size_t length) {
  static std::mt19937_64 generator{std::random_device{}()};
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string text;
  for (size_t i = 0; i < length; ++i) text += kDigits[generator() % 36];
  return text;
}

// A libpq connection, closed on destruction.
struct Connection {
  explicit Connection(const std::string& url) : conn(PQconnectdb(url.c_str())) {
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn);
      PQfinish(conn);
      throw std::runtime_error("cannot connect to " + url + ": " + message);
    }
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
  }
  ~Connection() { PQfinish(conn); }
  PGconn* conn;
};

std::string ErrorOf(PGresult* result, PGconn* conn) {
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return "";
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  return primary ? primary : PQerrorMessage(conn);
}

// Stops the server when the tests end, passed or failed.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::StopIfStarted(); }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace

PostgresServer& PostgresServer::Get() {
  std::lock_guard<std::mutex> lock(server_mutex);
  if (!start_error.empty()) throw std::runtime_error(start_error);
  if (!server) {
    std::unique_ptr<PostgresServer> fresh(new PostgresServer());
    try {
      fresh->Start("-c fsync=on");
    } catch (const std::exception& error) {
      start_error = std::string("the PostgreSQL test server did not start: ") + error.what();
      throw std::runtime_error(start_error);
    }
    server = std::move(fresh);
  }
  return *server;
}

void PostgresServer::StopIfStarted() {
  std::lock_guard<std::mutex> lock(server_mutex);
  server.reset();
}

std::unique_ptr<PostgresServer> PostgresServer::StartSeparate(const std::string& options) {
  std::unique_ptr<PostgresServer> separate(new PostgresServer());
  separate->Start(options);
  return separate;
}

PostgresServer::~PostgresServer() { Stop(); }

void PostgresServer::Start(const std::string& server_options) {
  const char* override_dir = std::getenv("RMIS_TEST_POSTGRES_BIN");
  bin_dir_ = override_dir ? override_dir : kDefaultBinDir;
  for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
    std::string path = bin_dir_ + "/" + tool;
    if (access(path.c_str(), X_OK) != 0) {
      throw std::runtime_error(
          "PostgreSQL 15 is not installed: " + path +
          " is missing. The PostgreSQL tests need the server binaries: install the Debian package "
          "postgresql-15 (scripts/install-deps.sh does), or set RMIS_TEST_POSTGRES_BIN to their directory.");
    }
  }
  if (geteuid() == 0) {
    passwd* user = getpwnam("postgres");
    if (user == nullptr) {
      throw std::runtime_error(
          "the tests run as root, and PostgreSQL refuses to: there is no 'postgres' user to run it as "
          "(the postgresql-15 package creates one)");
    }
    drop_privileges_ = true;
    run_uid_ = user->pw_uid;
    run_gid_ = user->pw_gid;
  }

  // A short path (the server's Unix socket lives here too, and its path may
  // have 107 bytes at most) that the server's user can reach: /tmp when the
  // tests run as root, whose $TMPDIR the postgres user may not enter.
  fs::path temp = fs::temp_directory_path();
  if (drop_privileges_ || temp.string().size() > 60) temp = "/tmp";
  std::string pattern = (temp / "rmis-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("cannot create a directory for PostgreSQL");
  base_dir_ = pattern;
  if (drop_privileges_ && chown(base_dir_.c_str(), run_uid_, run_gid_) != 0) {
    throw std::runtime_error("cannot give " + base_dir_ + " to the postgres user");
  }
  chmod(base_dir_.c_str(), 0700);
  const std::string data = base_dir_ + "/data", log = base_dir_ + "/server.log";

  // The watchdog: a process of its own session that waits for the end of
  // this one (its pipe's write end closes when this process exits, however
  // it exits), then stops the server and removes the directory.
  int pipe_ends[2];
  if (pipe2(pipe_ends, O_CLOEXEC) != 0) throw std::runtime_error("cannot make the watchdog's pipe");
  std::string pg_ctl = bin_dir_ + "/pg_ctl";
  std::string script = "cat >/dev/null; \"$0\" stop -D \"$1\" -m immediate >/dev/null 2>&1; rm -rf \"$2\"";
  std::vector<std::string> watchdog_args = {"/bin/sh", "-c", script, pg_ctl, data, base_dir_};
  std::vector<char*> watchdog_argv;
  for (auto& arg : watchdog_args) watchdog_argv.push_back(arg.data());
  watchdog_argv.push_back(nullptr);
  pid_t watchdog = fork();
  if (watchdog < 0) throw std::runtime_error("cannot start the watchdog");
  if (watchdog == 0) {
    setsid();  // not killed with the test's process group
    BecomeUser(drop_privileges_, run_uid_, run_gid_);
    dup2(pipe_ends[0], 0);  // dup2 clears close-on-exec on the copy
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    execv("/bin/sh", watchdog_argv.data());
    _exit(127);
  }
  close(pipe_ends[0]);
  watchdog_pipe_ = pipe_ends[1];
  watchdog_pid_ = watchdog;

  // The data directory is thrown away after the tests, so initdb need not
  // sync it (-N); the server itself runs with fsync on, as rmis requires.
  int code = RunAs(
      drop_privileges_, run_uid_, run_gid_,
      {bin_dir_ + "/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N"},
      base_dir_ + "/initdb.log");
  if (code != 0) throw std::runtime_error("initdb failed:\n" + Tail(base_dir_ + "/initdb.log"));

  for (int attempt = 0; attempt < 10 && !running_; ++attempt) {
    port_ = FreePort();
    std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " + base_dir_ +
                          " -c max_connections=100 " + server_options;
    code = RunAs(drop_privileges_, run_uid_, run_gid_,
                 {pg_ctl, "start", "-w", "-t", "60", "-D", data, "-l", log, "-o", options},
                 base_dir_ + "/pg_ctl.log");
    running_ = code == 0;
  }
  if (!running_) throw std::runtime_error("pg_ctl start failed:\n" + Tail(log));
}

void PostgresServer::Stop() {
  if (running_) {
    RunAs(drop_privileges_, run_uid_, run_gid_,
          {bin_dir_ + "/pg_ctl", "stop", "-D", base_dir_ + "/data", "-m", "fast", "-w", "-t", "60"},
          base_dir_ + "/pg_ctl.log");
    running_ = false;
  }
  if (!base_dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(base_dir_, ignored);
    base_dir_.clear();
  }
  if (watchdog_pipe_ >= 0) {
    close(watchdog_pipe_);  // the watchdog finds nothing left to do, and ends
    watchdog_pipe_ = -1;
    int status = 0;
    waitpid(watchdog_pid_, &status, 0);
  }
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::CreateDatabase() {
  std::string name = "t_" + Random(16);
  // A database name cannot be a parameter; this one is made of [a-z0-9_].
  std::string error = PostgresExec(Url("postgres"), "CREATE DATABASE " + name + " ENCODING 'UTF8'");
  if (!error.empty()) throw std::runtime_error("CREATE DATABASE failed: " + error);
  return Url(name);
}

std::string PostgresExec(const std::string& url, const std::string& sql) {
  Connection connection(url);
  PGresult* result = PQexec(connection.conn, sql.c_str());
  std::string error = ErrorOf(result, connection.conn);
  PQclear(result);
  return error;
}

std::string PostgresQueryText(const std::string& url, const std::string& sql) {
  Connection connection(url);
  PGresult* result = PQexec(connection.conn, sql.c_str());
  std::string error = ErrorOf(result, connection.conn);
  std::string text;
  if (error.empty() && PQntuples(result) > 0 && PQnfields(result) > 0) text = PQgetvalue(result, 0, 0);
  PQclear(result);
  if (!error.empty()) throw std::runtime_error(sql + ": " + error);
  return text;
}

std::string DumpPostgres(const std::string& url) {
  Connection connection(url);
  auto query = [&](const std::string& sql) {
    PGresult* result = PQexec(connection.conn, sql.c_str());
    std::string error = ErrorOf(result, connection.conn);
    if (!error.empty()) {
      PQclear(result);
      throw std::runtime_error(sql + ": " + error);
    }
    std::vector<std::vector<std::string>> rows;
    for (int r = 0; r < PQntuples(result); ++r) {
      std::vector<std::string> row;
      for (int c = 0; c < PQnfields(result); ++c) {
        row.push_back(PQgetisnull(result, r, c) ? "NULL" : PQgetvalue(result, r, c));
      }
      rows.push_back(std::move(row));
    }
    PQclear(result);
    return rows;
  };
  std::string dump;
  for (const auto& row : query("SELECT table_name, column_name, data_type, is_nullable, column_default"
                               " FROM information_schema.columns WHERE table_schema = 'public'"
                               " ORDER BY table_name, ordinal_position")) {
    dump += "column " + row[0] + "." + row[1] + " " + row[2] + " " + row[3] + " " + row[4] + "\n";
  }
  for (const auto& row : query("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
                               " ORDER BY tgname")) {
    dump += "trigger " + row[0] + ": " + row[1] + "\n";
  }
  for (const auto& table : query("SELECT table_name FROM information_schema.tables"
                                 " WHERE table_schema = 'public' ORDER BY table_name")) {
    // The table names come from the catalog, not from a test's input.
    for (const auto& row : query("SELECT t::text FROM public.\"" + table[0] + "\" AS t ORDER BY 1")) {
      dump += table[0] + ":" + row[0] + "\n";
    }
  }
  return dump;
}

std::string StoreKindName(StoreKind kind) { return kind == StoreKind::kSqlite ? "Sqlite" : "Postgres"; }

TestStoreLocation::TestStoreLocation(StoreKind kind) : kind_(kind) {
  location_ = kind == StoreKind::kSqlite ? dir_.File("store.db") : PostgresServer::Get().CreateDatabase();
}

std::string TestStoreLocation::Unusable() {
  if (kind_ == StoreKind::kSqlite) {
    std::string path = dir_.File("junk.db");
    WriteFile(path, "this is not a database, but long enough to look like one......");
    return path;
  }
  return "postgresql://postgres@127.0.0.1:" + std::to_string(FreePort()) + "/nothing?connect_timeout=5";
}

std::string TestStoreLocation::Exec(const std::string& sql) const {
  if (kind_ == StoreKind::kPostgres) return PostgresExec(location_, sql);
  sqlite3* db = nullptr;
  sqlite3_open(location_.c_str(), &db);
  char* message = nullptr;
  sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  return error;
}

std::string TestStoreLocation::QueryText(const std::string& sql) const {
  if (kind_ == StoreKind::kPostgres) return PostgresQueryText(location_, sql);
  sqlite3* db = nullptr;
  sqlite3_open(location_.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  std::string text;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* value = sqlite3_column_text(stmt, 0);
    text = value ? reinterpret_cast<const char*>(value) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return text;
}

std::string TestStoreLocation::Dump() const {
  return kind_ == StoreKind::kSqlite ? DumpSqlite(location_) : DumpPostgres(location_);
}

}  // namespace rmis::testing
