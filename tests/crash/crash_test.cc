// Nothing acknowledged is lost (issue 6, item 4): the real `rmis serve` and
// the real `rmis import` are killed with SIGKILL at random moments, on
// SQLite and on PostgreSQL (whose server is also stopped once with
// `pg_ctl stop -m immediate` under load), and what is stored afterwards is
// checked:
// - every entry the API acknowledged (201) is there exactly once;
// - an import is wholly there or wholly absent;
// - `rmis check` passes (SQLite's integrity_check and foreign keys, every
//   stored USD value, balance, reversal, import count, the audit chain, and
//   the report's totals against a recomputation from the entries).
//
// The random seed is printed; RMIS_CRASH_SEED=N repeats a run's choices (the
// moments of the kills still depend on the machine's speed).
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/postgres_harness.h"
#include "support/test_support.h"

namespace rmis::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kServeKills = 100;
constexpr int kGeneratedEntries = 200000;

uint64_t Seed() {
  static const uint64_t seed = [] {
    const char* given = std::getenv("RMIS_CRASH_SEED");
    uint64_t value = given ? std::strtoull(given, nullptr, 10) : std::random_device{}();
    std::cout << "crash test seed: RMIS_CRASH_SEED=" << value << std::endl;
    return value;
  }();
  return seed;
}

// --- Processes -------------------------------------------------------------

// Starts the rmis binary with `args`, its output appended to `log`.
pid_t StartRmis(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv = {RMIS_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> pointers;
  for (auto& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0) _exit(125);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execv(pointers[0], pointers.data());
    _exit(127);
  }
  return pid;
}

// Whether `pid` has exited (reaping it).
bool Exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

void KillHard(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

std::string Tail(const std::string& path) {
  std::string text = ReadFile(path);
  return text.size() > 3000 ? "..." + text.substr(text.size() - 3000) : text;
}

// A port on 127.0.0.1 that nothing listens on now (bound to port 0, read,
// closed: a socket left open would share the port with the server).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("cannot open a socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

// Waits until the server answers /api/v1/health; false if it exits first
// (or is killed after two minutes without answering).
// (A bound on a wait, not a timed assertion: the server may take its time.)
bool WaitHealthy(int port, pid_t pid) {
  const auto give_up = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < give_up) {
    if (Exited(pid)) return false;
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1);
    auto result = client.Get("/api/v1/health");
    if (result && result->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  KillHard(pid);
  return false;
}

// --- PostgreSQL's server, stopped and started again under load -------------

// The data directory of the server that holds `url`.
std::string DataDirectory(const std::string& url) { return PostgresQueryText(url, "SHOW data_directory"); }

// pg_ctl on the test server's data directory, as the user that owns it.
int PgCtl(const std::string& data, const std::vector<std::string>& args) {
  struct stat owner {};
  if (data.empty() || stat(data.c_str(), &owner) != 0) throw std::runtime_error("no data directory " + data);
  const char* bin_override = std::getenv("RMIS_TEST_POSTGRES_BIN");
  std::vector<std::string> argv = {std::string(bin_override ? bin_override : "/usr/lib/postgresql/15/bin") + "/pg_ctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"-D", data, "-w", "-t", "120", "-l", (fs::path(data).parent_path() / "server.log").string()});
  std::vector<char*> pointers;
  for (auto& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (geteuid() == 0 && owner.st_uid != 0) {
      if (setgroups(0, nullptr) != 0 || setgid(owner.st_gid) != 0 || setuid(owner.st_uid) != 0) _exit(126);
    }
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    execv(pointers[0], pointers.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// --- The client ------------------------------------------------------------

// Posts entries as fast as the server takes them and notes every id the
// server acknowledged with 201. A mix of writes: plain receipts, receipts
// that settle a pledge until its balance runs out (then 422: not
// acknowledged), and reversals of its own acknowledged receipts.
class Client {
 public:
  Client(int port, std::string token, std::string prefix, uint64_t seed)
      : port_(port), token_(std::move(token)), prefix_(std::move(prefix)), random_(seed) {}

  void Run(const std::atomic<bool>& stop) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2);
    client.set_read_timeout(30);
    httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
    while (!stop) {
      std::string id = prefix_ + std::to_string(++sent_);
      std::string body = NextBody(id);
      auto result = client.Post("/api/v1/entries", headers, body, "application/json");
      if (!result) {
        cut_off_.push_back(id);  // sent, and no answer: stored or not, either is right
        if (stop) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the server is going or gone
        continue;
      }
      if (result->status == 201) {
        acknowledged_.push_back(id);
        ++acknowledged_count_;
        if (body.find("\"reversal\"") == std::string::npos && body.find("\"settles\"") == std::string::npos) {
          reversible_.push_back(id);
        }
      } else if (result->status != 422 && result->status != 500) {
        unexpected_.push_back(std::to_string(result->status) + " " + result->body);
      }
    }
  }

  const std::vector<std::string>& acknowledged() const { return acknowledged_; }
  const std::vector<std::string>& unexpected() const { return unexpected_; }
  const std::vector<std::string>& cut_off() const { return cut_off_; }
  // How many were acknowledged so far; may be read while Run runs.
  int acknowledged_count() const { return acknowledged_count_; }

 private:
  std::string NextBody(const std::string& id) {
    const int pick = static_cast<int>(random_() % 10);
    if (pick == 0 && !reversible_.empty()) {
      // Reverse an earlier acknowledged receipt of ours (once: it leaves the list).
      std::string target = reversible_.back();
      reversible_.pop_back();
      return R"({"id":")" + id + R"(","kind":"reversal","donor":"mexico","fund":"foundation_core",)"
             R"("amount":"12.34","currency":"USD","value_date":"2021-06-02","reverses":")" + target + R"("})";
    }
    if (pick <= 3) {
      // Spain's 2021 pledge of 300,000 EUR, 250,000 open: 10,000 at a time runs it out.
      return R"({"id":")" + id + R"(","kind":"receipt","donor":"spain","fund":"foundation_core",)"
             R"("amount":"10000.00","currency":"EUR","value_date":"2021-03-20","settles":"E2021-0021","region":"global"})";
    }
    return R"({"id":")" + id + R"(","kind":"receipt","donor":"mexico","fund":"foundation_core",)"
           R"("amount":"12.34","currency":"USD","value_date":"2021-06-01","region":"latin_america_caribbean"})";
  }

  int port_;
  std::string token_;
  std::string prefix_;
  std::mt19937_64 random_;
  int64_t sent_ = 0;
  std::vector<std::string> acknowledged_;
  std::vector<std::string> reversible_;
  std::vector<std::string> unexpected_;
  std::vector<std::string> cut_off_;
  std::atomic<int> acknowledged_count_{0};
};

// --- The store -------------------------------------------------------------

// The ids of every stored entry, with how often each is stored.
std::map<std::string, int> StoredIds(const std::string& db) {
  CommandResult listed = RunRmis({"entries", "--db", db, "--format", "csv"});
  if (listed.exit_code != 0) throw std::runtime_error("rmis entries failed: " + listed.err);
  std::map<std::string, int> ids;
  std::istringstream lines(listed.out);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    size_t comma = line.find(',');
    // The CSV's first column is `seq` or `id`; take the field that looks like an id we made.
    std::string first = line.substr(0, comma);
    std::string second = comma == std::string::npos ? "" : line.substr(comma + 1, line.find(',', comma + 1) - comma - 1);
    ++ids[std::all_of(first.begin(), first.end(), ::isdigit) ? second : first];
  }
  return ids;
}

void ExpectChecks(const std::string& db, const std::string& when) {
  CommandResult check = RunRmis({"check", "--db", db});
  EXPECT_EQ(check.exit_code, 0) << when << ":\n" << check.out << check.err;
}

int64_t Count(const TestStoreLocation& where, const std::string& table) {
  return std::stoll(where.QueryText("SELECT count(*) FROM " + table));
}

class CrashTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    where_ = std::make_unique<TestStoreLocation>(GetParam());
    db_ = where_->location();
    MakeSampleStore(db_);
  }

  static void MakeSampleStore(const std::string& db) {
    CommandResult init = RunRmis({"init", "--db", db});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    CommandResult imported = RunRmis({"import", "--db", db, SampleDir().string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  std::unique_ptr<TestStoreLocation> where_;
  std::string db_;
  TempDir logs_;
};

// `rmis serve` killed with SIGKILL at random moments while clients record
// entries; restarted each time.
TEST_P(CrashTest, ServerKilledAtRandomLosesNothingAcknowledged) {
  CommandResult user = RunRmis({"user", "add", "clerk", "--role", "officer", "--db", db_},
                               {{"RMIS_PASSWORD", "a-long-password"}});
  ASSERT_EQ(user.exit_code, 0) << user.err;
  CommandResult token = RunRmis({"user", "token", "clerk", "--db", db_});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string secret = token.out.substr(0, token.out.find('\n'));

  std::mt19937_64 random(Seed());
  std::vector<std::string> acknowledged;
  std::vector<std::string> unexpected;
  const std::string log = logs_.File("serve.log");
  const int postgres_stop_round = GetParam() == StoreKind::kPostgres ? kServeKills / 2 : -1;
  const std::string data_directory = GetParam() == StoreKind::kPostgres ? DataDirectory(db_) : "";
  std::vector<std::string> cut_off;
  for (int round = 0; round < kServeKills; ++round) {
    // Another process may take the free port before the server binds it:
    // then the server exits, and starts again on another.
    int port = 0;
    pid_t server = -1;
    bool healthy = false;
    for (int attempt = 0; attempt < 5 && !healthy; ++attempt) {
      port = FreePort();
      server = StartRmis({"serve", "--db", db_, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "4"}, log);
      healthy = WaitHealthy(port, server);
    }
    ASSERT_TRUE(healthy) << "round " << round << ": the server did not start:\n" << Tail(log);
    std::atomic<bool> stop{false};
    std::vector<std::unique_ptr<Client>> clients;
    std::vector<std::thread> threads;
    for (int c = 0; c < 3; ++c) {
      clients.push_back(std::make_unique<Client>(port, secret, "K" + std::to_string(round) + "-" + std::to_string(c) + "-",
                                                 random()));
      threads.emplace_back([&stop, client = clients.back().get()] { client->Run(stop); });
    }
    // Kill at a random moment once writes flow (the first acknowledgement;
    // a bound on the wait, not a timed assertion).
    auto total = [&] {
      int sum = 0;
      for (const auto& client : clients) sum += client->acknowledged_count();
      return sum;
    };
    const auto give_up = Clock::now() + std::chrono::seconds(60);
    while (total() == 0 && Clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::string failure = total() == 0 ? "round " + std::to_string(round) + ": no write was acknowledged\n" : "";
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 150));
    if (round == postgres_stop_round) {
      // PostgreSQL dies under load, without a checkpoint, and comes back;
      // the same rmis server goes on (its broken connections are dropped).
      if (int code = PgCtl(data_directory, {"stop", "-m", "immediate"}); code != 0) {
        failure += "pg_ctl stop -m immediate exited with " + std::to_string(code);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (int restarted = PgCtl(data_directory, {"restart"}); restarted != 0) {
          failure += "pg_ctl restart exited with " + std::to_string(restarted);
        }
        // The same server takes writes again: wait for one more
        // acknowledgement (a bound on the wait, not a timed assertion).
        const int after_restart = total();
        const auto restarted_by = Clock::now() + std::chrono::seconds(60);
        while (total() <= after_restart && Clock::now() < restarted_by) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (total() <= after_restart) failure += "no write was acknowledged after PostgreSQL restarted";
        std::cout << "PostgreSQL stopped (immediate) and restarted under load in round " << round
                  << "; the server acknowledged writes again" << std::endl;
      }
    }
    if (Exited(server)) {
      failure += "round " + std::to_string(round) + ": the server ended by itself:\n" + Tail(log);
    } else {
      KillHard(server);
    }
    stop = true;
    for (auto& thread : threads) thread.join();
    ASSERT_EQ(failure, "");
    for (const auto& client : clients) {
      cut_off.insert(cut_off.end(), client->cut_off().begin(), client->cut_off().end());
      acknowledged.insert(acknowledged.end(), client->acknowledged().begin(), client->acknowledged().end());
      unexpected.insert(unexpected.end(), client->unexpected().begin(), client->unexpected().end());
    }
    if (round % 20 == 19) ExpectChecks(db_, "after kill " + std::to_string(round + 1));
  }
  EXPECT_TRUE(unexpected.empty()) << unexpected.size() << " unexpected answers, the first: " << unexpected.front();
  EXPECT_GE(acknowledged.size(), static_cast<size_t>(kServeKills));  // at least one a round

  if (GetParam() == StoreKind::kSqlite) {
    EXPECT_EQ(where_->QueryText("PRAGMA integrity_check"), "ok");
  }
  std::map<std::string, int> stored = StoredIds(db_);
  size_t missing = 0, doubled = 0;
  for (const auto& id : acknowledged) {
    auto it = stored.find(id);
    if (it == stored.end()) {
      if (++missing <= 5) ADD_FAILURE() << "acknowledged entry " << id << " is not stored";
    } else if (it->second != 1) {
      if (++doubled <= 5) ADD_FAILURE() << "acknowledged entry " << id << " is stored " << it->second << " times";
    }
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(doubled, 0u);
  size_t cut_off_stored = 0;
  for (const auto& id : cut_off) cut_off_stored += stored.count(id);
  std::cout << kServeKills << " kills; " << acknowledged.size() << " entries acknowledged, all stored once; "
            << cut_off.size() << " requests cut off without an answer, of which " << cut_off_stored
            << " were stored (committed before the kill)" << std::endl;
  ExpectChecks(db_, "at the end");
}

// A generated dataset of `entries` entries over 2000-2009 (the sample's
// rates are for 2019-2021), without the donors the sample already holds with
// other names; made once per test process.
fs::path GeneratedDataset(int entries) {
  static TempDir* dir = new TempDir();
  static std::map<int, fs::path> made;
  if (auto it = made.find(entries); it != made.end()) return it->second;
  fs::path out = dir->path() / ("generated-" + std::to_string(entries));
  CommandResult generated = RunRmis({"generate", "--entries", std::to_string(entries), "--donors", "1000", "--seed",
                                     "7", "--first-year", "2000", "-o", out.string()});
  if (generated.exit_code != 0) throw std::runtime_error("rmis generate failed: " + generated.err);
  std::set<std::string> sample_donors;
  std::istringstream sample(ReadFile(SampleDir() / "donors.csv"));
  std::string line;
  while (std::getline(sample, line)) sample_donors.insert(line.substr(0, line.find(',')));
  std::istringstream rows(ReadFile(out / "donors.csv"));
  std::string kept;
  while (std::getline(rows, line)) {
    if (kept.empty() || !sample_donors.count(line.substr(0, line.find(',')))) kept += line + "\n";
  }
  WriteFile(out / "donors.csv", kept);
  made.emplace(entries, out);
  return out;
}

// `rmis import` of 200,000 entries into a store that holds the sample,
// killed at random moments (5 kills on SQLite, 3 on PostgreSQL; an import
// that ends before its kill is checked too, and the next one runs on a fresh
// store): afterwards the import is wholly there or wholly absent, and the
// store checks.
TEST_P(CrashTest, ImportKilledAtRandomIsAllOrNothing) {
  const fs::path dataset = GeneratedDataset(kGeneratedEntries);
  const int64_t entries = Count(*where_, "entries");
  const int64_t donors = Count(*where_, "donors");
  const int64_t imports = Count(*where_, "imports");

  // How long the whole import takes here, timed on a store of its own, so
  // that the kills fall across the whole of it.
  TestStoreLocation scratch(GetParam());
  MakeSampleStore(scratch.location());
  const auto started = Clock::now();
  CommandResult whole = RunRmis({"import", "--db", scratch.location(), dataset.string()});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  std::mt19937_64 random(Seed() + 1);
  const int kills = GetParam() == StoreKind::kSqlite ? 5 : 3;
  const std::string log = logs_.File("import.log");
  double estimate = seconds;
  int killed = 0;
  bool there = false;
  for (int attempt = 1; killed < kills && attempt <= 3 * kills; ++attempt) {
    if (there) {
      // The import is wholly there: kill the next one on a fresh store.
      where_ = std::make_unique<TestStoreLocation>(GetParam());
      db_ = where_->location();
      MakeSampleStore(db_);
      there = false;
    }
    const double at = estimate * (0.05 + 0.95 * static_cast<double>(random() % 1000) / 1000.0);
    pid_t import = StartRmis({"import", "--db", db_, dataset.string()}, log);
    std::this_thread::sleep_for(std::chrono::duration<double>(at));
    const bool finished = Exited(import);
    if (finished) {
      estimate = std::min(estimate, at);  // it takes less than that here
    } else {
      KillHard(import);
      ++killed;
    }
    const int64_t now_entries = Count(*where_, "entries");
    there = now_entries == entries + kGeneratedEntries;
    std::cout << "import " << attempt << (finished ? " had finished by " : " killed at ") << at << " s (a whole one took "
              << seconds << " s): " << (there ? "wholly there" : "wholly absent") << std::endl;
    if (there) {
      EXPECT_GT(Count(*where_, "donors"), donors);
      EXPECT_EQ(Count(*where_, "imports"), imports + 1);
    } else {
      EXPECT_EQ(now_entries, entries) << "half an import is stored";
      EXPECT_EQ(Count(*where_, "donors"), donors);
      EXPECT_EQ(Count(*where_, "imports"), imports);
    }
    if (GetParam() == StoreKind::kSqlite) {
      EXPECT_EQ(where_->QueryText("PRAGMA integrity_check"), "ok");
    }
    ExpectChecks(db_, "after import " + std::to_string(attempt));
  }
  EXPECT_EQ(killed, kills) << "the imports ended before they could be killed";
  if (!there) {
    CommandResult finished = RunRmis({"import", "--db", db_, dataset.string()});
    ASSERT_EQ(finished.exit_code, 0) << finished.err;
    EXPECT_EQ(Count(*where_, "entries"), entries + kGeneratedEntries);
    EXPECT_EQ(Count(*where_, "imports"), imports + 1);
    ExpectChecks(db_, "after the import ran to its end");
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, CrashTest, ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const auto& info) { return StoreKindName(info.param); });

}  // namespace
}  // namespace rmis::testing
