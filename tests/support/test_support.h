// Helpers shared by the tests: temporary directories, files, running the
// real rmis binary, and dumping an SQLite store to compare it byte for byte.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rmis::testing {

// A fresh directory under the system's temporary directory, removed when the
// object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::filesystem::path& path, const std::string& content);
std::string ReadFile(const std::filesystem::path& path);

// Copies every file of `from` into `to` (created if needed).
void CopyDirectory(const std::filesystem::path& from, const std::filesystem::path& to);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the rmis binary with `args` (no shell), capturing its output.
CommandResult RunRmis(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {});

// Every row of every table of the SQLite store at `path`, as text, so that two
// states can be compared exactly.
std::string DumpSqlite(const std::string& path);

// Paths from the build.
std::filesystem::path SourceDir();
std::filesystem::path SampleDir();  // data/samples/unhabitat-2021
std::filesystem::path FixtureDir(const std::string& name);  // tests/fixtures/NAME

}  // namespace rmis::testing
