// Test helpers (see test_support.h).
#include "support/test_support.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace rmis::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path candidate = fs::temp_directory_path() / ("rmis-test-" + std::to_string(random()));
    if (fs::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void CopyDirectory(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& item : fs::directory_iterator(from)) {
    fs::copy_file(item.path(), to / item.path().filename(), fs::copy_options::overwrite_existing);
  }
}

CommandResult RunRmis(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env) {
  // Output goes to files so that a large report cannot fill a pipe.
  TempDir scratch;
  std::string out_path = scratch.File("out"), err_path = scratch.File("err");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    std::string binary = RMIS_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (auto& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

std::string DumpSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  std::string dump;
  std::vector<std::string> tables;
  sqlite3_stmt* list = nullptr;
  sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master ORDER BY name", -1, &list, nullptr);
  while (sqlite3_step(list) == SQLITE_ROW) {
    std::string name = reinterpret_cast<const char*>(sqlite3_column_text(list, 0));
    const unsigned char* sql = sqlite3_column_text(list, 1);
    dump += "schema " + name + ": " + (sql ? reinterpret_cast<const char*>(sql) : "") + "\n";
    if (sql && std::string(reinterpret_cast<const char*>(sql)).rfind("CREATE TABLE", 0) == 0) {
      tables.push_back(name);
    }
  }
  sqlite3_finalize(list);
  for (const auto& table : tables) {
    sqlite3_stmt* rows = nullptr;
    std::string sql = "SELECT * FROM \"" + table + "\" ORDER BY rowid";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &rows, nullptr) != SQLITE_OK) {
      sql = "SELECT * FROM \"" + table + "\"";
      sqlite3_prepare_v2(db, sql.c_str(), -1, &rows, nullptr);
    }
    while (sqlite3_step(rows) == SQLITE_ROW) {
      dump += table + ":";
      for (int i = 0; i < sqlite3_column_count(rows); ++i) {
        const unsigned char* text = sqlite3_column_text(rows, i);
        dump += "|" + std::string(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      dump += "\n";
    }
    sqlite3_finalize(rows);
  }
  sqlite3_close(db);
  return dump;
}

fs::path SourceDir() { return RMIS_SOURCE_DIR; }
fs::path SampleDir() { return SourceDir() / "data" / "samples" / "unhabitat-2021"; }
fs::path FixtureDir(const std::string& name) { return SourceDir() / "tests" / "fixtures" / name; }

}  // namespace rmis::testing
