// Report to JSON (see report_json.h).
#include "exchange/json/report_json.h"

#include "money/money.h"

namespace rmis::exchange {
namespace {

using nlohmann::ordered_json;

std::string Usd(int64_t cents) { return money::FormatUsdCents(cents); }

ordered_json OptionalUsd(const std::optional<int64_t>& cents) {
  return cents ? ordered_json(Usd(*cents)) : ordered_json(nullptr);
}

ordered_json OptionalShare(const analysis::Share& share) {
  return share ? ordered_json(*share) : ordered_json(nullptr);
}

ordered_json Ranking(const std::vector<analysis::RankedDonor>& donors) {
  ordered_json list = ordered_json::array();
  for (const auto& d : donors) {
    list.push_back({{"rank", d.rank},
                    {"donor", d.donor},
                    {"name", d.donor_name},
                    {"type", ledger::Name(d.type)},
                    {"member_state", d.member_state},
                    {"received_usd", Usd(d.received_cents)},
                    {"includes_prior_year", d.includes_prior_year}});
  }
  return list;
}

ordered_json MoneyMap(const std::map<std::string, int64_t>& values) {
  ordered_json object = ordered_json::object();
  for (const auto& [key, cents] : values) object[key] = Usd(cents);
  return object;
}

}  // namespace

ordered_json ReportToJson(const analysis::Report& report) {
  ordered_json out;
  out["year"] = report.year;
  out["as_of"] = ledger::FormatDate(report.snapshot.as_of);
  out["known_at"] = report.snapshot.known_at
                        ? ordered_json(ledger::FormatInstant(*report.snapshot.known_at))
                        : ordered_json(nullptr);
  out["basis"] = analysis::Name(report.basis);
  out["currency"] = "USD";
  out["has_data"] = report.has_data;

  ordered_json income = ordered_json::array();
  for (const auto& f : report.income_vs_target) {
    income.push_back({{"fund", f.fund},
                      {"name", f.fund_name},
                      {"category", ledger::Name(f.category)},
                      {"received_usd", Usd(f.received_cents)},
                      {"prior_year_usd", Usd(f.prior_year_cents)},
                      {"net_usd", Usd(f.net_cents)},
                      {"target_usd", OptionalUsd(f.target_cents)},
                      {"share", OptionalShare(f.share)},
                      {"share_gross", OptionalShare(f.share_gross)},
                      {"share_net", OptionalShare(f.share_net)}});
  }
  out["income_vs_target"] = income;

  ordered_json top = ordered_json::array();
  for (const auto& f : report.top_contributors) {
    top.push_back({{"fund", f.fund},
                   {"name", f.fund_name},
                   {"donors", Ranking(f.all_donors)},
                   {"member_states", Ranking(f.member_states)}});
  }
  out["top_contributors"] = top;

  ordered_json regions = ordered_json::array();
  for (const auto& r : report.regions) {
    std::string name(ledger::Name(r.region));
    regions.push_back({{"region", name.empty() ? "unallocated" : name},
                       {"received_usd", Usd(r.received_cents)}});
  }
  out["regions"] = regions;

  ordered_json forecast = ordered_json::array();
  for (const auto& f : report.forecast) {
    forecast.push_back({{"fund", f.fund},
                        {"name", f.fund_name},
                        {"received_usd", Usd(f.received_cents)},
                        {"pledged_usd", Usd(f.pledged_cents)},
                        {"expected_usd", Usd(f.expected_cents)},
                        {"expected_unweighted_usd", Usd(f.expected_unweighted_cents)},
                        {"total_usd", Usd(f.total_cents)},
                        {"target_usd", OptionalUsd(f.target_cents)}});
  }
  out["forecast"] = forecast;

  ordered_json appeals = ordered_json::array();
  for (const auto& a : report.appeals) {
    appeals.push_back({{"appeal", a.appeal},
                       {"name", a.name},
                       {"countries", a.countries},
                       {"launched_on", ledger::FormatDate(a.launched_on)},
                       {"requirement_usd", Usd(a.requirement_cents)},
                       {"mobilized_usd", Usd(a.mobilized_cents)},
                       {"gap_usd", Usd(a.gap_cents)},
                       {"coverage", OptionalShare(a.coverage)},
                       {"by_channel", MoneyMap(a.by_channel)}});
  }
  out["appeals"] = appeals;

  ordered_json events = ordered_json::array();
  for (const auto& e : report.events) {
    events.push_back({{"event", e.event},
                      {"name", e.name},
                      {"held_on", ledger::FormatDate(e.held_on)},
                      {"pledged_usd", Usd(e.pledged_cents)},
                      {"by_category", MoneyMap(e.by_category)}});
  }
  out["events"] = events;

  const auto& c = report.concentration;
  out["concentration"] = {{"top_n", c.top_n},
                          {"donors", c.donors},
                          {"total_usd", Usd(c.total_cents)},
                          {"top_usd", Usd(c.top_cents)},
                          {"top_share", OptionalShare(c.top_share)},
                          {"hhi", OptionalShare(c.hhi)}};

  ordered_json history = ordered_json::array();
  for (const auto& t : report.target_history) {
    history.push_back({{"fund", t.fund},
                       {"year_from", t.year_from},
                       {"year_to", t.year_to},
                       {"amount_usd", Usd(t.amount_cents)},
                       {"previous_usd", OptionalUsd(t.previous_cents)},
                       {"decided_on", ledger::FormatDate(t.decided_on)},
                       {"note", t.note},
                       {"in_force", t.in_force}});
  }
  out["target_history"] = history;
  return out;
}

}  // namespace rmis::exchange
