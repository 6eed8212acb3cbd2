// Composition: from the ledger's figures (analysis/) and the language's
// messages, names and narrative to a Document (document.h). No rendering and
// no I/O here: the caller loads the catalogue, names and narrative, and a
// renderer lays the Document out.
//
// Every figure comes from analysis::ComputeReport (and, for the bulletin,
// analysis/bulletin.h), each paragraph for its own snapshot:
//
//   section           snapshot
//   target_revisions  year Y as of A (targets decided by A)
//   income, Figure 2  year Y as of A, on --basis (default gross)
//   top_contributors  year Y as of A (Table 1)
//   regions, Fig. 3   year Y as of A
//   forecast          year Y as of --forecast-as-of (default A)
//   previous_year     year Y-1 as of min(A, 31 December Y-1), on
//                     --previous-basis (default net)
//   events            events held in Y-1 (as of min(A, 31 Dec Y-1)) and in
//                     Y up to A
//   appeals           as of --appeals-as-of (default A)
//   concentration     year --concentration-year (default Y-1) as of
//                     min(A, its 31 December) (with Table 2)
//
// See docs/documents.md for why.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "analysis/report.h"
#include "documents/document.h"
#include "documents/format.h"
#include "documents/messages.h"
#include "documents/names.h"
#include "documents/narrative.h"
#include "ledger/dataset.h"

namespace rmis::documents {

struct ReportRequest {
  int year = 0;
  ledger::Date as_of;
  std::optional<ledger::Instant> known_at;
  std::optional<ledger::Date> forecast_as_of;
  std::optional<ledger::Date> appeals_as_of;
  std::optional<int> concentration_year;
  analysis::Basis basis = analysis::Basis::kGross;
  analysis::Basis previous_basis = analysis::Basis::kNet;
  int top_n = 10;
};

struct BulletinRequest {
  int32_t month = 0;  // year * 12 + month - 1
  std::optional<ledger::Instant> known_at;
};

// What the composer needs of a language. Everything must outlive the call.
struct Localization {
  Language language;
  const Catalog& catalog;
  const Formatter& format;
  const Names& names;
  const Narrative& narrative;
};

// The sections a narrative may place text around, and its header keys.
const std::set<std::string>& ReportSections();
const std::set<std::string>& BulletinSections();
const std::set<std::string>& NarrativeHeaderKeys();

Document ComposeReport(const ledger::Ledger& ledger, const ReportRequest& request, const Localization& l10n);
// The same from the reference records and the entries held column by column
// (`ledger.entries` is not read), as a store can give them without loading
// every entry record.
Document ComposeReport(const ledger::Ledger& ledger, const ledger::EntryColumns& entries,
                       const ReportRequest& request, const Localization& l10n);
Document ComposeBulletin(const ledger::Ledger& ledger, const BulletinRequest& request,
                         const Localization& l10n);
Document ComposeBulletin(const ledger::Ledger& ledger, const ledger::EntryColumns& entries,
                         const BulletinRequest& request, const Localization& l10n);

}  // namespace rmis::documents
