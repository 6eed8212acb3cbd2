// Loading the language's files, composing, rendering, writing (documents.h).
#include "documents/documents.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "documents/format.h"
#include "documents/language.h"
#include "documents/messages.h"
#include "documents/names.h"
#include "documents/narrative.h"

#ifndef RMIS_SOURCE_DATA_DIR
#define RMIS_SOURCE_DATA_DIR "data"
#endif

namespace rmis::documents {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Everything a language needs, loaded and owned together.
struct Loaded {
  Language language;
  Catalog english;
  Catalog catalog;
  std::optional<Formatter> format;
  std::optional<Names> names;
  Narrative narrative;
};

Result<std::unique_ptr<Loaded>> Load(const ledger::Ledger& ledger, const std::string& language_code,
                                     const Resources& resources, const std::string& narrative_file,
                                     const std::string& default_narrative, const std::set<std::string>& sections,
                                     std::vector<std::string>* notes) {
  auto language = FindLanguage(language_code);
  if (!language) {
    return Fail(ErrorCode::kInvalidArgument,
                "unknown language \"" + language_code + "\" (the languages are ar, zh, en, fr, ru, es)");
  }
  auto loaded = std::make_unique<Loaded>();
  loaded->language = *language;
  auto english = Catalog::Load(resources.messages, "en");
  if (!english) return tl::unexpected(english.error());
  loaded->english = std::move(*english);
  auto catalog = Catalog::Load(resources.messages, language_code);
  if (!catalog) return tl::unexpected(catalog.error());
  loaded->catalog = std::move(*catalog);
  if (language_code != "en") loaded->catalog.SetFallback(&loaded->english);
  auto format = Formatter::Create(loaded->catalog);
  if (!format) return tl::unexpected(format.error());
  loaded->format.emplace(std::move(*format));

  std::map<std::string, std::string> names;
  std::string names_path = resources.narrative + "/" + language_code + "/names.properties";
  if (auto text = ReadText(names_path)) {
    auto entries = ReadProperties(*text, names_path);
    if (!entries) return Fail(ErrorCode::kCorrupt, entries.error().message);
    for (const auto& [key, value] : *entries) names[key] = value.first;
  }
  loaded->names.emplace(ledger, loaded->catalog, std::move(names));

  std::string path = narrative_file.empty() ? default_narrative : narrative_file;
  auto text = ReadText(path);
  if (!text) {
    if (!narrative_file.empty()) return Fail(ErrorCode::kNotFound, "no narrative file " + narrative_file);
    if (notes) notes->push_back("no narrative file " + path + ": the document has the computed paragraphs only");
  } else {
    auto narrative = ParseNarrative(*text, path, sections, NarrativeHeaderKeys());
    if (!narrative) return Fail(ErrorCode::kCorrupt, narrative.error().message);
    loaded->narrative = std::move(*narrative);
  }
  return loaded;
}

void NoteMissing(const Loaded& loaded, std::vector<std::string>* notes) {
  if (!notes || loaded.catalog.Missing().empty()) return;
  std::set<std::string> unique(loaded.catalog.Missing().begin(), loaded.catalog.Missing().end());
  std::string keys;
  for (const auto& key : unique) keys += (keys.empty() ? "" : ", ") + key;
  notes->push_back(loaded.catalog.file() + " lacks " + keys + " (English used)");
}

Status WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) return Fail(ErrorCode::kIo, "cannot write " + path.string());
  return {};
}

Result<Written> Emit(const Document& document, const std::string& output, OutputFormat format,
                     RenderOptions options, std::vector<std::string> notes) {
  fs::path path(output);
  options.stem = path.stem().string();
  auto rendered = Render(document, format, options);
  if (!rendered) return tl::unexpected(rendered.error());
  Written written;
  written.notes = std::move(notes);
  if (auto status = WriteFile(path, rendered->main); !status) return tl::unexpected(status.error());
  written.files.push_back(path.string());
  for (const auto& [name, bytes] : rendered->companions) {
    fs::path companion = path.parent_path() / name;
    if (auto status = WriteFile(companion, bytes); !status) return tl::unexpected(status.error());
    written.files.push_back(companion.string());
  }
  return written;
}

}  // namespace

Resources FindResources(const ResourceHints& hints) {
  Resources resources;
  auto pick = [&](const std::string& option, const std::string& env, const char* name) {
    if (!option.empty()) return option;
    if (!env.empty()) return env;
    if (!hints.program_path.empty()) {
      std::error_code error;
      fs::path installed = fs::path(hints.program_path).parent_path() / ".." / "share" / "rmis" / name;
      if (fs::is_directory(installed, error)) return installed.lexically_normal().string();
    }
    return (fs::path(RMIS_SOURCE_DATA_DIR) / name).string();
  };
  resources.messages = pick(hints.messages_option, hints.messages_env, "messages");
  resources.narrative = pick(hints.narrative_option, hints.narrative_env, "narrative");
  return resources;
}

Result<Document> BuildReport(const ledger::Ledger& ledger, const ReportJob& job, std::vector<std::string>* notes) {
  return BuildReport(ledger, ledger::ToColumns(ledger.entries), job, notes);
}

Result<Document> BuildReport(const ledger::Ledger& ledger, const ledger::EntryColumns& entries,
                             const ReportJob& job, std::vector<std::string>* notes) {
  std::string default_narrative =
      job.resources.narrative + "/" + job.language + "/report-" + std::to_string(job.request.year) + ".txt";
  auto loaded = Load(ledger, job.language, job.resources, job.narrative_file, default_narrative, ReportSections(), notes);
  if (!loaded) return tl::unexpected(loaded.error());
  const Loaded& l = **loaded;
  Localization l10n{l.language, l.catalog, *l.format, *l.names, l.narrative};
  Document document = ComposeReport(ledger, entries, job.request, l10n);
  NoteMissing(l, notes);
  return document;
}

Result<Document> BuildBulletin(const ledger::Ledger& ledger, const BulletinJob& job,
                               std::vector<std::string>* notes) {
  return BuildBulletin(ledger, ledger::ToColumns(ledger.entries), job, notes);
}

Result<Document> BuildBulletin(const ledger::Ledger& ledger, const ledger::EntryColumns& entries,
                               const BulletinJob& job, std::vector<std::string>* notes) {
  std::string default_narrative = job.resources.narrative + "/" + job.language + "/bulletin-" +
                                  ledger::FormatMonth(job.request.month) + ".txt";
  auto loaded =
      Load(ledger, job.language, job.resources, job.narrative_file, default_narrative, BulletinSections(), nullptr);
  if (!loaded) return tl::unexpected(loaded.error());
  const Loaded& l = **loaded;
  Localization l10n{l.language, l.catalog, *l.format, *l.names, l.narrative};
  Document document = ComposeBulletin(ledger, entries, job.request, l10n);
  NoteMissing(l, notes);
  return document;
}

Result<Written> WriteReport(const ledger::Ledger& ledger, const ReportJob& job) {
  return WriteReport(ledger, ledger::ToColumns(ledger.entries), job);
}

Result<Written> WriteReport(const ledger::Ledger& ledger, const ledger::EntryColumns& entries,
                            const ReportJob& job) {
  if (job.format == OutputFormat::kEmail) {
    return Fail(ErrorCode::kInvalidArgument, "the report comes as pdf, docx, html or md, not eml");
  }
  std::vector<std::string> notes;
  auto document = BuildReport(ledger, entries, job, &notes);
  if (!document) return tl::unexpected(document.error());
  return Emit(*document, job.output, job.format, job.render, std::move(notes));
}

Result<Written> WriteBulletin(const ledger::Ledger& ledger, const BulletinJob& job) {
  return WriteBulletin(ledger, ledger::ToColumns(ledger.entries), job);
}

Result<Written> WriteBulletin(const ledger::Ledger& ledger, const ledger::EntryColumns& entries,
                              const BulletinJob& job) {
  if (job.format == OutputFormat::kDocx) {
    return Fail(ErrorCode::kInvalidArgument, "the bulletin comes as pdf, html, md or eml, not docx");
  }
  std::vector<std::string> notes;
  auto document = BuildBulletin(ledger, entries, job, &notes);
  if (!document) return tl::unexpected(document.error());
  return Emit(*document, job.output, job.format, job.render, std::move(notes));
}

}  // namespace rmis::documents
