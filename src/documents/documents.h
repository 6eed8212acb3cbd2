// The documents layer's front door: writes the Executive Board report and the
// monthly income bulletin for a ledger, in one of the six languages and one
// of the formats (issue 5). The CLI and, later, the server call only this.
//
// It finds the language's files (message catalogue, names, narrative), loads
// them, composes the document (compose.h), renders it (render.h) and writes
// the file and any companion files beside it.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "documents/compose.h"
#include "documents/render.h"
#include "ledger/dataset.h"

namespace rmis::documents {

// Where the editable files are:
//   <messages>/<lang>.properties               wording (messages.h)
//   <narrative>/<lang>/names.properties         names of funds, events, appeals
//   <narrative>/<lang>/report-<year>.txt        the report's narrative
//   <narrative>/<lang>/bulletin-<YYYY-MM>.txt   a bulletin's narrative
struct Resources {
  std::string messages;
  std::string narrative;
};

// What the caller knows of the outside world, to find the files: the
// options given, the environment (RMIS_MESSAGES, RMIS_NARRATIVE) and the
// running program's path. The first of these that is set wins: the option,
// the environment variable, `<program dir>/../share/rmis/{messages,narrative}`
// when that folder exists (an installed rmis), and the source tree's
// data/messages and data/narrative (a build tree).
struct ResourceHints {
  std::string messages_option;
  std::string narrative_option;  // a folder
  std::string messages_env;
  std::string narrative_env;
  std::string program_path;
};
Resources FindResources(const ResourceHints& hints);

struct ReportJob {
  ReportRequest request;
  std::string language;
  OutputFormat format = OutputFormat::kPdf;
  std::string output;          // the file to write
  std::string narrative_file;  // overrides the default narrative file
  Resources resources;
  RenderOptions render;
};

struct BulletinJob {
  BulletinRequest request;
  std::string language;
  OutputFormat format = OutputFormat::kPdf;
  std::string output;
  std::string narrative_file;
  Resources resources;
  RenderOptions render;
};

// What a run wrote, and what a person should know (a missing narrative file,
// messages that fell back to English).
struct Written {
  std::vector<std::string> files;
  std::vector<std::string> notes;
};

// Fails with kInvalidArgument (unknown language, or a format the document
// does not come in), kNotFound (a catalogue or an explicitly named narrative
// file is missing), kCorrupt (a catalogue, names or narrative file is
// malformed: the message names file and line) or kIo (writing failed, or
// pandoc could not be run).
Result<Written> WriteReport(const ledger::Ledger& ledger, const ReportJob& job);
// The same from the reference records and the entries' columns
// (Store::ReadColumns), without entry records.
Result<Written> WriteReport(const ledger::Ledger& reference, const ledger::EntryColumns& entries,
                            const ReportJob& job);
Result<Written> WriteBulletin(const ledger::Ledger& ledger, const BulletinJob& job);
Result<Written> WriteBulletin(const ledger::Ledger& reference, const ledger::EntryColumns& entries,
                              const BulletinJob& job);

// The same, returning the composed document (for tests and the server).
Result<Document> BuildReport(const ledger::Ledger& ledger, const ReportJob& job, std::vector<std::string>* notes);
Result<Document> BuildReport(const ledger::Ledger& reference, const ledger::EntryColumns& entries,
                             const ReportJob& job, std::vector<std::string>* notes);
Result<Document> BuildBulletin(const ledger::Ledger& ledger, const BulletinJob& job,
                               std::vector<std::string>* notes);
Result<Document> BuildBulletin(const ledger::Ledger& reference, const ledger::EntryColumns& entries,
                               const BulletinJob& job, std::vector<std::string>* notes);

}  // namespace rmis::documents
