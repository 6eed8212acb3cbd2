// The rmis command: thin subcommands that wire the outside world (files,
// clock, store) to the layers. Exit codes are listed in cli/common.h.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include <malloc.h>

#include "analysis/report.h"
#include "cli/check_command.h"
#include "cli/common.h"
#include "cli/render.h"
#include "cli/server_commands.h"
#include "cli/document_commands.h"
#include "exchange/csv/dataset_reader.h"
#include "exchange/generate/generator.h"
#include "exchange/json/report_json.h"
#include "store/store.h"

namespace rmis::cli {
namespace {

// Validators for CLI11 options.
const auto kDateCheck = CLI::Validator(
    [](std::string& text) {
      auto date = ledger::ParseDate(text);
      return date ? std::string() : date.error().message;
    },
    "YYYY-MM-DD");

struct ReportArgs {
  std::string db;
  int year = 0;
  std::string as_of;
  std::string known_at;
  std::string basis = "gross";
  std::string format = "text";
  int top = 10;
};

struct EntriesArgs {
  std::string db;
  std::string donor, fund, kind, from, to, region, appeal, event, settles;
  int year = 0;
  int64_t limit = 0;
  int64_t after = 0;
  std::string format = "text";
};

int RunInit(const std::string& db) {
  auto store = store::OpenStore(db, store::OpenMode::kCreate, Environment());
  if (!store) return Report(store.error());
  auto migrations = (*store)->Migrations();
  if (!migrations) return Report(migrations.error());
  std::cout << "Created the store " << ShownLocation(db) << " (schema version "
            << (migrations->empty() ? 0 : migrations->back().version) << ", "
            << migrations->size() << " migrations applied).\n";
  return kExitOk;
}

// Orders problems as the files are read, then by line.
void SortProblems(std::vector<ledger::Problem>& problems) {
  const auto& files = exchange::DatasetFileNames();
  auto rank = [&](const std::string& file) {
    return static_cast<size_t>(std::find(files.begin(), files.end(), file) - files.begin());
  };
  std::stable_sort(problems.begin(), problems.end(), [&](const auto& a, const auto& b) {
    return std::make_pair(rank(a.file), a.line) < std::make_pair(rank(b.file), b.line);
  });
}

// Entries are read and written in chunks of this many rows (issue 6), so
// that memory does not grow with entries.csv. RMIS_IMPORT_CHUNK_ROWS changes
// it (the tests make chunks of a few rows to cross their boundaries).
size_t ImportChunkRows() {
  constexpr size_t kDefault = 50000;
  const char* text = std::getenv("RMIS_IMPORT_CHUNK_ROWS");
  if (text == nullptr || *text == '\0') return kDefault;
  char* end = nullptr;
  unsigned long long rows = std::strtoull(text, &end, 10);
  return *end == '\0' && rows > 0 ? static_cast<size_t>(rows) : kDefault;
}

int RunImport(const std::string& db, const std::string& directory) {
  auto store = store::OpenStore(db, store::OpenMode::kExisting, Environment());
  if (!store) return Report(store.error());
  // The small files are read whole; entries.csv is streamed, a chunk ahead
  // on a thread of its own. Rows that cannot be read are left out and their
  // problems reported with the rest: the others are still checked against
  // the ledger, so that one run reports every problem, and nothing is written.
  exchange::DatasetRead read = exchange::ReadDatasetDirectory(directory, /*read_entries=*/false);
  std::optional<exchange::EntryChunkReader> chunks;
  if (read.has_entries) chunks.emplace((std::filesystem::path(directory) / "entries.csv").string(), ImportChunkRows());
  std::vector<ledger::Problem> read_problems = std::move(read.problems);
  store::EntrySource next_chunk = [&](store::EntryChunk& chunk) {
    if (!read_problems.empty()) {  // those of the small files, with the first chunk
      chunk.problems = std::move(read_problems);
      read_problems.clear();
      return true;
    }
    return chunks.has_value() && chunks->Next(chunk.entries, chunk.problems);
  };
  auto applied = (*store)->ImportStream(read.dataset, next_chunk, CliWrite(directory));
  if (!applied) return Report(applied.error());
  store::ImportResult result = std::move(*applied);
  std::vector<ledger::Problem> problems = std::move(result.problems);
  bool truncated = result.truncated || problems.size() > ledger::kMaxProblems;
  SortProblems(problems);
  if (problems.size() > ledger::kMaxProblems) problems.resize(ledger::kMaxProblems);
  if (!problems.empty()) {
    for (const auto& problem : problems) {
      std::cerr << ledger::FormatProblem(problem) << "\n";
    }
    std::cerr << "rmis: " << problems.size() << (truncated ? "+" : "")
              << (problems.size() == 1 ? " problem" : " problems")
              << "; nothing was imported, the store is unchanged.\n";
    return kExitRejected;
  }
  std::cout << "Imported " << directory << ": " << result.added << " records added ("
            << result.entries_added << " entries), " << result.unchanged
            << " already stored.\n";
  return kExitOk;
}

int RunReport(const ReportArgs& args) {
  analysis::ReportOptions options;
  options.year = args.year;
  if (args.as_of.empty()) {
    options.snapshot.as_of = ledger::Date{static_cast<int32_t>(Now() / 86400)};
  } else {
    options.snapshot.as_of = *ledger::ParseDate(args.as_of);
  }
  if (!args.known_at.empty()) {
    auto instant = ledger::ParseInstant(args.known_at);
    if (!instant) return Report(Error{ErrorCode::kInvalidArgument, "--known-at: " + instant.error().message});
    // A date alone means "by the end of that day".
    options.snapshot.known_at = args.known_at.size() == 10 ? *instant + 86399 : *instant;
  }
  options.basis = args.basis == "net" ? analysis::Basis::kNet : analysis::Basis::kGross;
  options.top_n = args.top;
  auto store = store::OpenStore(args.db, store::OpenMode::kExisting, Environment());
  if (!store) return Report(store.error());
  analysis::Report report;
  auto read = (*store)->ReadColumns([&](const ledger::Ledger& reference, const ledger::EntryColumns& entries) {
    report = analysis::ComputeReport(reference, entries, options);
  });
  if (!read) return Report(read.error());
  if (args.format == "json") {
    std::cout << exchange::ReportToJson(report).dump(2) << "\n";
  } else if (args.format == "csv") {
    std::cout << ReportToCsv(report);
  } else {
    std::cout << ReportToText(report);
  }
  return kExitOk;
}

int RunEntries(const EntriesArgs& args) {
  store::EntryFilter filter;
  filter.donor = args.donor;
  filter.fund = args.fund;
  if (!args.kind.empty()) filter.kind = ledger::ParseEntryKind(args.kind);
  if (!args.from.empty()) filter.from = *ledger::ParseDate(args.from);
  if (!args.to.empty()) filter.to = *ledger::ParseDate(args.to);
  if (args.year) filter.attributed_year = args.year;
  if (!args.region.empty()) filter.region = ledger::ParseRegion(args.region);
  filter.appeal = args.appeal;
  filter.event = args.event;
  filter.settles = args.settles;
  filter.limit = args.limit;
  filter.after_seq = args.after;
  auto store = store::OpenStore(args.db, store::OpenMode::kExisting, Environment());
  if (!store) return Report(store.error());
  auto entries = (*store)->ListEntries(filter);
  if (!entries) return Report(entries.error());
  if (args.format == "json") {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& item : *entries) {
      nlohmann::ordered_json entry = {{"seq", item.seq}};
      entry.update(exchange::EntryToJson(item.entry));
      list.push_back(std::move(entry));
    }
    std::cout << list.dump(2) << "\n";
  } else if (args.format == "csv") {
    std::cout << EntriesToCsv(*entries);
  } else {
    std::cout << EntriesToText(*entries);
  }
  return kExitOk;
}

int Main(int argc, char** argv) {
  // Vectors of a few MiB are made and freed again and again (an import's
  // chunks, about 20 MiB at 50,000 rows; a report's sums and sorted
  // settlements, about 20 MiB on 10 million entries): from the heap, not
  // fresh pages from the kernel each time, which it must clear (a third of a
  // report's time on 10 million entries was the kernel clearing pages).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{"rmis: the resource mobilization information system.\n"
               "An append-only ledger of pledges, receipts and expectations, and the\n"
               "report on income against target, donors, regions, forecast, appeals and\n"
               "pledging events; the JSON API server, accounts and the audit trail.\n"
               "Exit codes: 0 ok, 1 store or system failure, 2 bad command line,\n"
               "3 input rejected (nothing stored), 4 not found, 5 conflict,\n"
               "6 audit trail broken, 7 the store does not check."};
  app.require_subcommand(1);
  std::string db = DefaultDb();
  const std::string db_help = "the store: an SQLite file path or a postgresql:// URL (default: $RMIS_DB or ./rmis.db)";

  auto* init = app.add_subcommand("init", "Create an empty store, with its schema migrations applied");
  init->add_option("--db", db, db_help);

  std::string directory;
  auto* import = app.add_subcommand(
      "import", "Load a dataset directory (docs/data-format.md): all of it, or nothing");
  import->add_option("--db", db, db_help);
  import->add_option("directory", directory, "the dataset directory")->required()->check(CLI::ExistingDirectory);

  ReportArgs report_args;
  auto* report = app.add_subcommand("report", "Print the resource mobilization report for a year");
  report->add_option("--db", db, db_help);
  report->add_option("--year", report_args.year, "the year to report on")->required()->check(CLI::Range(1900, 2200));
  report->add_option("--as-of", report_args.as_of, "count what happened up to this date (default: today)")
      ->check(kDateCheck);
  report->add_option("--known-at", report_args.known_at,
                     "count only what had been recorded by this date or UTC time (YYYY-MM-DDTHH:MM:SSZ)");
  report->add_option("--basis", report_args.basis, "share of target on gross income or net of prior-year money")
      ->check(CLI::IsMember({"gross", "net"}))
      ->capture_default_str();
  report->add_option("--format", report_args.format, "text, json or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->capture_default_str();
  report->add_option("--top", report_args.top, "how many contributors to rank per fund")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

  EntriesArgs entries_args;
  auto* entries = app.add_subcommand("entries", "List ledger entries, to check a figure");
  entries->add_option("--db", db, db_help);
  entries->add_option("--donor", entries_args.donor, "donor id");
  entries->add_option("--fund", entries_args.fund, "fund id");
  entries->add_option("--kind", entries_args.kind, "entry kind")
      ->check(CLI::IsMember({"pledge", "receipt", "expected", "write_off", "reversal"}));
  entries->add_option("--from", entries_args.from, "value date on or after")->check(kDateCheck);
  entries->add_option("--to", entries_args.to, "value date on or before")->check(kDateCheck);
  entries->add_option("--year", entries_args.year, "attributed year");
  entries->add_option("--region", entries_args.region, "region")
      ->check(CLI::IsMember({"africa", "arab_states", "asia_pacific", "europe",
                             "latin_america_caribbean", "global"}));
  entries->add_option("--appeal", entries_args.appeal, "appeal id");
  entries->add_option("--event", entries_args.event, "event id");
  entries->add_option("--settles", entries_args.settles, "entries that settle this pledge");
  entries->add_option("--limit", entries_args.limit, "at most this many");
  entries->add_option("--after", entries_args.after, "only entries stored after this sequence number");
  entries->add_option("--format", entries_args.format, "text, json or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->capture_default_str();

  exchange::GenerateOptions generate_options;
  std::string generate_out;
  auto* generate = app.add_subcommand("generate", "Write a synthetic dataset for benchmarks (same seed, same bytes)");
  generate->add_option("--entries", generate_options.entries, "how many entries")->capture_default_str();
  generate->add_option("--donors", generate_options.donors, "how many donors (at least 100)")->capture_default_str();
  generate->add_option("--seed", generate_options.seed, "the random seed")->capture_default_str();
  generate->add_option("--first-year", generate_options.first_year, "the first of the ten years")->capture_default_str();
  generate->add_option("-o,--out", generate_out, "the directory to write")->required();

  ServerCommands server_commands;
  AddServerCommands(app, db, db_help, server_commands);
  DocumentCommands document_commands;
  AddDocumentCommands(app, db, db_help, document_commands);
  CheckCommand check_command;  // issue 6
  AddCheckCommand(app, db, db_help, check_command);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (*init) return RunInit(db);
  if (*import) return RunImport(db, directory);
  if (*report) {
    report_args.db = db;
    return RunReport(report_args);
  }
  if (*entries) {
    entries_args.db = db;
    return RunEntries(entries_args);
  }
  if (*generate) {
    auto summary = exchange::GenerateDataset(generate_options, generate_out);
    if (!summary) return Report(summary.error());
    std::cout << "Wrote " << generate_out << ": " << summary->entries << " entries (" << summary->pledges
              << " pledges, " << summary->receipts << " receipts, " << summary->expected << " expected, "
              << summary->write_offs << " write-offs, " << summary->reversals << " reversals), "
              << summary->donors << " donors.\n";
    return kExitOk;
  }
  if (*check_command.check) return RunCheck(db);
  if (auto code = RunServerCommands(server_commands, db)) return *code;
  if (auto code = RunDocumentCommands(document_commands, db, argv[0])) return *code;
  return kExitUsage;
}

}  // namespace
}  // namespace rmis::cli

int main(int argc, char** argv) { return rmis::cli::Main(argc, argv); }
