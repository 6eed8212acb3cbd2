// `rmis document report|bulletin` (see document_commands.h).
#include "cli/document_commands.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>

#include "cli/common.h"
#include "documents/documents.h"
#include "store/store.h"

namespace rmis::cli {
namespace {

const auto kDate = CLI::Validator(
    [](std::string& text) {
      auto date = ledger::ParseDate(text);
      return date ? std::string() : date.error().message;
    },
    "YYYY-MM-DD");

const auto kMonth = CLI::Validator(
    [](std::string& text) {
      auto month = ledger::ParseMonth(text);
      return month ? std::string() : month.error().message;
    },
    "YYYY-MM");

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The running program's path, to find an installed rmis's files.
std::string ProgramPath(const std::string& argv0) {
  char buffer[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n > 0) return std::string(buffer, static_cast<size_t>(n));
  return argv0;
}

void AddCommon(CLI::App* command, std::string& db, const std::string& db_help, DocumentCommands& c) {
  command->add_option("--db", db, db_help);
  command->add_option("--lang", c.language, "the language: ar, zh, en, fr, ru or es")
      ->check(CLI::IsMember({"ar", "zh", "en", "fr", "ru", "es"}))
      ->capture_default_str();
  command->add_option("-o,--output", c.output, "the file to write")->required();
  command->add_option("--known-at", c.known_at,
                      "count only what had been recorded by this date or UTC time (YYYY-MM-DDTHH:MM:SSZ)");
  command->add_option("--messages", c.messages,
                      "the folder of message catalogues (default: $RMIS_MESSAGES, else the installed or source data/messages)");
  command->add_option("--narrative-dir", c.narrative_dir,
                      "the folder of narrative files (default: $RMIS_NARRATIVE, else the installed or source data/narrative)");
  command->add_option("--narrative", c.narrative_file, "the narrative file to merge in (default: LANG/report-YEAR.txt or LANG/bulletin-YYYY-MM.txt in the narrative folder)");
}

Result<std::optional<ledger::Instant>> KnownAt(const std::string& text) {
  if (text.empty()) return std::optional<ledger::Instant>();
  auto instant = ledger::ParseInstant(text);
  if (!instant) return Fail(ErrorCode::kInvalidArgument, "--known-at: " + instant.error().message);
  // A date alone means "by the end of that day".
  return std::optional<ledger::Instant>(text.size() == 10 ? *instant + 86399 : *instant);
}

void PrintWritten(const documents::Written& written) {
  for (const auto& note : written.notes) std::cerr << "rmis: note: " << note << "\n";
  for (const auto& file : written.files) std::cout << "Wrote " << file << "\n";
}

}  // namespace

void AddDocumentCommands(CLI::App& app, std::string& db, const std::string& db_help, DocumentCommands& c) {
  c.document = app.add_subcommand("document", "Write the report on the strategy or the monthly income bulletin");
  c.document->require_subcommand(1);

  c.report = c.document->add_subcommand(
      "report", "The Executive Director's report on the implementation of the resource mobilization strategy");
  AddCommon(c.report, db, db_help, c);
  c.report->add_option("--year", c.year, "the year to report on")->required()->check(CLI::Range(1900, 2200));
  c.report->add_option("--as-of", c.as_of, "count what happened up to this date (default: today)")->check(kDate);
  c.report->add_option("--format", c.format, "pdf, docx, html or md")
      ->check(CLI::IsMember({"pdf", "docx", "html", "md"}))
      ->capture_default_str();
  c.report->add_option("--forecast-as-of", c.forecast_as_of, "the date of the forecast paragraph (default: --as-of)")
      ->check(kDate);
  c.report->add_option("--appeals-as-of", c.appeals_as_of, "the date of the appeals paragraph (default: --as-of)")
      ->check(kDate);
  c.report->add_option("--concentration-year", c.concentration_year,
                       "the year of the donor concentration paragraph and Table 2 (default: the year before)")
      ->check(CLI::Range(1900, 2200));
  c.report->add_option("--basis", c.basis, "the year's shares of target: gross, or net of prior-year money")
      ->check(CLI::IsMember({"gross", "net"}))
      ->capture_default_str();
  c.report->add_option("--previous-basis", c.previous_basis, "the previous year's shares of target: gross or net")
      ->check(CLI::IsMember({"gross", "net"}))
      ->capture_default_str();
  c.report->add_option("--top", c.top, "how many donors the tables rank")->check(CLI::Range(1, 100))->capture_default_str();
  c.report->add_option("--pandoc", c.pandoc, "the pandoc program, for docx")->capture_default_str();

  c.bulletin = c.document->add_subcommand("bulletin", "The monthly income bulletin to Member States");
  AddCommon(c.bulletin, db, db_help, c);
  c.bulletin->add_option("--month", c.month, "the month (YYYY-MM)")->required()->check(kMonth);
  c.bulletin->add_option("--format", c.format, "pdf, html, md or eml")
      ->check(CLI::IsMember({"pdf", "html", "md", "eml"}))
      ->capture_default_str();
  c.bulletin->add_option("--from", c.from, "eml: the From address (default: a placeholder to replace)");
  c.bulletin->add_option("--to", c.to, "eml: the To address (default: undisclosed recipients)");
}

std::optional<int> RunDocumentCommands(const DocumentCommands& c, const std::string& db, const std::string& program) {
  if (c.document == nullptr || !*c.document) return std::nullopt;
  documents::ResourceHints hints{c.messages, c.narrative_dir, Env("RMIS_MESSAGES"), Env("RMIS_NARRATIVE"),
                                 ProgramPath(program)};
  documents::Resources resources = documents::FindResources(hints);
  auto format = documents::ParseOutputFormat(c.format);
  if (!format) return Report(format.error());
  auto known_at = KnownAt(c.known_at);
  if (!known_at) return Report(known_at.error());
  documents::RenderOptions render;
  render.pandoc = c.pandoc;
  if (!c.from.empty()) render.email.from = c.from;
  if (!c.to.empty()) render.email.to = c.to;
  render.email.date = Now();

  auto store = store::OpenStore(db, store::OpenMode::kExisting, Environment());
  if (!store) return Report(store.error());
  if (*c.report) {
    documents::ReportJob job;
    job.request.year = c.year;
    job.request.as_of = c.as_of.empty() ? ledger::Date{static_cast<int32_t>(Now() / 86400)} : *ledger::ParseDate(c.as_of);
    job.request.known_at = *known_at;
    if (!c.forecast_as_of.empty()) job.request.forecast_as_of = *ledger::ParseDate(c.forecast_as_of);
    if (!c.appeals_as_of.empty()) job.request.appeals_as_of = *ledger::ParseDate(c.appeals_as_of);
    if (c.concentration_year != 0) job.request.concentration_year = c.concentration_year;
    job.request.basis = c.basis == "net" ? analysis::Basis::kNet : analysis::Basis::kGross;
    job.request.previous_basis = c.previous_basis == "net" ? analysis::Basis::kNet : analysis::Basis::kGross;
    job.request.top_n = c.top;
    job.language = c.language;
    job.format = *format;
    job.output = c.output;
    job.narrative_file = c.narrative_file;
    job.resources = resources;
    job.render = render;
    // The report needs the entries only as columns: no entry records are loaded.
    Result<documents::Written> written = Fail(ErrorCode::kInternal, "the report was not written");
    auto read = (*store)->ReadColumns([&](const ledger::Ledger& reference, const ledger::EntryColumns& entries) {
      written = documents::WriteReport(reference, entries, job);
    });
    if (!read) return Report(read.error());
    if (!written) return Report(written.error());
    PrintWritten(*written);
    return kExitOk;
  }
  documents::BulletinJob job;
  job.request.month = *ledger::ParseMonth(c.month);
  job.request.known_at = *known_at;
  job.language = c.language;
  job.format = *format;
  job.output = c.output;
  job.narrative_file = c.narrative_file;
  job.resources = resources;
  job.render = render;
  // Like the report, the bulletin reads the entries as columns.
  Result<documents::Written> written = Fail(ErrorCode::kInternal, "the bulletin was not written");
  auto read = (*store)->ReadColumns([&](const ledger::Ledger& reference, const ledger::EntryColumns& entries) {
    written = documents::WriteBulletin(reference, entries, job);
  });
  if (!read) return Report(read.error());
  if (!written) return Report(written.error());
  PrintWritten(*written);
  return kExitOk;
}

}  // namespace rmis::cli
