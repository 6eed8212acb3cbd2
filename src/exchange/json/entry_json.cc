// Entry to JSON (see entry_json.h).
#include "exchange/json/entry_json.h"

#include "money/money.h"

namespace rmis::exchange {

using nlohmann::ordered_json;

ordered_json EntryToJson(const ledger::Entry& e) {
  ordered_json out = {{"id", e.id},
                      {"kind", ledger::Name(e.kind)},
                      {"donor", e.donor},
                      {"fund", e.fund},
                      {"amount", e.amount.ToDecimalString()},
                      {"currency", e.amount.currency().str()},
                      {"usd", money::FormatUsdCents(e.usd_cents)},
                      {"value_date", ledger::FormatDate(e.value_date)},
                      {"recorded_at", ledger::FormatInstant(e.recorded_at)},
                      {"attributed_year", e.attributed_year}};
  auto optional = [&](const char* key, std::string_view value) {
    if (!value.empty()) out[key] = value;
  };
  optional("region", ledger::Name(e.region));
  optional("country", e.country);
  optional("programme", e.programme);
  optional("appeal", e.appeal);
  optional("channel", ledger::Name(e.channel));
  optional("event", e.event);
  optional("settles", e.settles);
  optional("reverses", e.reverses);
  if (e.probability_ppm) out["probability"] = ledger::FormatProbability(*e.probability_ppm);
  optional("note", e.note);
  return out;
}

}  // namespace rmis::exchange
