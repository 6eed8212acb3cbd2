// The audit chain (see audit.h).
#include "store/audit.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "exchange/json/entry_json.h"
#include "money/money.h"

namespace rmis::store::audit {
namespace {

using nlohmann::ordered_json;

void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

constexpr size_t kFullRecordsUpTo = 100;

}  // namespace

std::string Sha256Hex(std::string_view text) {
  static const int initialized = sodium_init();  // thread-safe, once; >= 0 is success
  (void)initialized;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

AuditRecord RecordFor(const Actor& actor, std::string action, std::string entity, std::string id) {
  AuditRecord record;
  record.actor = actor.user;
  record.address = actor.address;
  record.request_id = actor.request_id;
  record.action = std::move(action);
  record.entity = std::move(entity);
  record.entity_id = std::move(id);
  return record;
}

AuditRecord RecordForImport(const WriteOptions& options, const ledger::Ledger& additions, size_t added,
                            size_t unchanged, int64_t import_id) {
  const bool one_entry = additions.entries.size() == 1 && added == 1;
  AuditRecord record = RecordFor(options.actor, options.action, one_entry ? "entry" : "dataset",
                                 one_entry ? additions.entries[0].id : std::to_string(import_id));
  record.after = DescribeAdditions(additions, unchanged, options.source);
  return record;
}

std::string ComputeHash(const AuditRecord& r) {
  std::string text;
  AppendField(text, r.previous_hash);
  AppendField(text, std::to_string(r.seq));
  AppendField(text, std::to_string(r.at));
  AppendField(text, r.actor);
  AppendField(text, r.address);
  AppendField(text, r.request_id);
  AppendField(text, r.action);
  AppendField(text, r.entity);
  AppendField(text, r.entity_id);
  AppendField(text, r.before);
  AppendField(text, r.after);
  return Sha256Hex(text);
}

Verification Verify(const std::vector<AuditRecord>& records, int64_t head_seq,
                    const std::string& head_hash) {
  Verification v;
  std::string previous;
  int64_t expected_seq = 1;
  for (const AuditRecord& r : records) {
    auto fail = [&](std::string problem) {
      v.first_bad_seq = r.seq;
      v.problem = std::move(problem);
      return v;
    };
    if (r.seq != expected_seq) {
      return fail("record " + std::to_string(expected_seq) + " is missing or out of order (found " +
                  std::to_string(r.seq) + ")");
    }
    if (r.previous_hash != previous) {
      return fail("record " + std::to_string(r.seq) +
                  " does not follow the record before it (a record was removed, inserted or "
                  "reordered)");
    }
    if (ComputeHash(r) != r.hash) {
      return fail("record " + std::to_string(r.seq) + " was changed after it was written");
    }
    previous = r.hash;
    ++expected_seq;
    ++v.checked;
  }
  int64_t last = records.empty() ? 0 : records.back().seq;
  if (last != head_seq || previous != head_hash) {
    v.first_bad_seq = last + 1;
    v.problem = "the trail ends at record " + std::to_string(last) + " but " +
                std::to_string(head_seq) + " were written (records were removed from the end)";
  }
  return v;
}

std::string DescribeAdditions(const ledger::Ledger& a, size_t unchanged, const std::string& source) {
  ordered_json out;
  out["source"] = source;
  out["unchanged"] = unchanged;
  size_t total = a.donors.size() + a.funds.size() + a.targets.size() + a.appeals.size() +
                 a.events.size() + a.rates.size() + a.entries.size();
  out["added"] = {{"donors", a.donors.size()},   {"funds", a.funds.size()},
                  {"targets", a.targets.size()}, {"appeals", a.appeals.size()},
                  {"events", a.events.size()},   {"rates", a.rates.size()},
                  {"entries", a.entries.size()}};
  if (total <= kFullRecordsUpTo) {
    ordered_json records = ordered_json::array();
    for (const auto& d : a.donors) {
      records.push_back({{"donor", d.id}, {"name", d.name}, {"type", ledger::Name(d.type)}, {"country", d.country}});
    }
    for (const auto& f : a.funds) {
      records.push_back({{"fund", f.id}, {"name", f.name}, {"category", ledger::Name(f.category)}});
    }
    for (const auto& t : a.targets) {
      records.push_back({{"target", t.fund},
                         {"years", std::to_string(t.year_from) + "-" + std::to_string(t.year_to)},
                         {"amount_usd", money::FormatUsdCents(t.amount_cents)},
                         {"decided_on", ledger::FormatDate(t.decided_on)},
                         {"note", t.note}});
    }
    for (const auto& p : a.appeals) {
      records.push_back({{"appeal", p.id}, {"name", p.name}, {"requirement_usd", money::FormatUsdCents(p.requirement_cents)}});
    }
    for (const auto& e : a.events) {
      records.push_back({{"event", e.id}, {"name", e.name}, {"held_on", ledger::FormatDate(e.held_on)}});
    }
    for (const auto& r : a.rates) {
      records.push_back({{"rate", r.currency}, {"month", ledger::FormatMonth(r.month)}, {"units_per_usd", r.units_per_usd}});
    }
    for (const auto& e : a.entries) records.push_back({{"entry", exchange::EntryToJson(e)}});
    out["records"] = records;
  } else {
    std::string ids;
    for (const auto& e : a.entries) {
      ids += e.id;
      ids += '\n';
    }
    out["entry_ids_sha256"] = Sha256Hex(ids);
    if (!a.entries.empty()) {
      out["first_entry"] = a.entries.front().id;
      out["last_entry"] = a.entries.back().id;
    }
  }
  return out.dump();
}

std::string DescribeUser(const User& user) {
  ordered_json out = {{"id", user.id},       {"name", user.name},
                      {"role", Name(user.role)}, {"disabled", user.disabled},
                      {"donors", user.donors},
                      {"password_sha256_prefix", Sha256Hex(user.password_hash).substr(0, 12)}};
  return out.dump();
}

std::string DescribeSession(const Session& session) {
  ordered_json out = {{"user_id", session.user_id},
                      {"api_token", session.api_token},
                      {"label", session.label},
                      {"expires_at", session.expires_at ? ordered_json(ledger::FormatInstant(session.expires_at))
                                                        : ordered_json(nullptr)},
                      {"token_sha256_prefix", session.token_hash.substr(0, 12)}};
  return out.dump();
}

}  // namespace rmis::store::audit
