// Terminal and CSV rendering of reports and entries (see render.h).
#include "cli/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

#include "cli/common.h"
#include "exchange/csv/csv_reader.h"
#include "money/money.h"

namespace rmis::cli {
namespace {

// Display width of UTF-8 text, counting code points (enough for the names
// we print; wide CJK glyphs count as one).
size_t Width(std::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

// A table with a header row; columns after the first are right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render(const std::string& indent = "  ") const {
    std::vector<size_t> widths;
    for (const auto& row : rows_) {
      widths.resize(std::max(widths.size(), row.size()));
      for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
    }
    std::string out;
    for (size_t r = 0; r < rows_.size(); ++r) {
      std::string line = indent;
      for (size_t i = 0; i < rows_[r].size(); ++i) {
        const std::string& cell = rows_[r][i];
        std::string pad(widths[i] - Width(cell), ' ');
        if (i > 0) line += "  ";
        line += (i == 0 || left_.count(i)) ? cell + pad : pad + cell;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
      if (r == 0) {
        std::string rule = indent;
        for (size_t i = 0; i < widths.size(); ++i) {
          if (i > 0) rule += "  ";
          rule += std::string(widths[i], '-');
        }
        out += rule + "\n";
      }
    }
    return out;
  }
  void LeftAlign(size_t column) { left_.insert(column); }

 private:
  std::vector<std::vector<std::string>> rows_;
  std::set<size_t> left_;
};

std::string Percent(const analysis::Share& share) {
  return share ? fmt::format("{:.1f}%", *share * 100) : "-";
}

std::string OptionalUsd(const std::optional<int64_t>& cents) {
  return cents ? GroupedUsd(*cents) : "-";
}

std::string RegionName(ledger::Region region) {
  std::string name(ledger::Name(region));
  return name.empty() ? "unallocated" : name;
}

}  // namespace

std::string GroupedUsd(int64_t cents) {
  std::string plain = money::FormatUsdCents(cents);
  bool negative = plain[0] == '-';
  if (negative) plain.erase(0, 1);
  size_t dot = plain.find('.');
  std::string whole = plain.substr(0, dot);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return (negative ? "-" : "") + grouped + plain.substr(dot);
}

std::string ReportToText(const analysis::Report& report) {
  std::string out;
  out += fmt::format("Resource mobilization report {} as of {}", report.year,
                     ledger::FormatDate(report.snapshot.as_of));
  if (report.snapshot.known_at) {
    out += ", as known at " + ledger::FormatInstant(*report.snapshot.known_at);
  }
  out += "\nAmounts in US dollars.\n";
  if (!report.has_data) {
    out += fmt::format("\nThe ledger holds no entries for {} up to this date.\n", report.year);
  }

  out += fmt::format("\nIncome against target (share on the {} basis{})\n", analysis::Name(report.basis),
                     report.basis == analysis::Basis::kNet ? ": net of prior-year money" : ": prior-year money included");
  Table income({"Fund", "Received", "Prior-year", "Net", "Target", "Share"});
  for (const auto& f : report.income_vs_target) {
    income.Add({f.fund_name, GroupedUsd(f.received_cents), GroupedUsd(f.prior_year_cents),
                GroupedUsd(f.net_cents), OptionalUsd(f.target_cents), Percent(f.share)});
  }
  out += income.Render();

  for (const auto& f : report.top_contributors) {
    for (bool member_states : {true, false}) {
      const auto& donors = member_states ? f.member_states : f.all_donors;
      out += fmt::format("\nTop {}: {}\n",
                         member_states ? "Member State contributors" : "donors of all types", f.fund_name);
      if (donors.empty()) {
        out += "  (none)\n";
        continue;
      }
      Table table({"#", "Donor", "Type", "Received"});
      table.LeftAlign(1);
      table.LeftAlign(2);
      bool any_prior = false, any_other = false;
      for (const auto& d : donors) {
        std::string name = d.donor_name;
        if (d.includes_prior_year) name += " *";
        if (!member_states && !d.member_state) name += " +";
        any_prior = any_prior || d.includes_prior_year;
        any_other = any_other || (!member_states && !d.member_state);
        table.Add({std::to_string(d.rank), name, std::string(ledger::Name(d.type)),
                   GroupedUsd(d.received_cents)});
      }
      out += table.Render();
      if (any_prior) out += fmt::format("  * includes prior-year contributions received in {}\n", report.year);
      if (any_other) out += "  + not a Member State\n";
    }
  }

  out += fmt::format("\nIncome received in {} by region\n", report.year);
  Table regions({"Region", "Received"});
  for (const auto& r : report.regions) regions.Add({RegionName(r.region), GroupedUsd(r.received_cents)});
  out += regions.Render();

  out += fmt::format("\nForecast for {} (received + pledged and open + expected)\n", report.year);
  Table forecast({"Fund", "Received", "Pledged", "Expected", "Unweighted", "Total", "Target"});
  for (const auto& f : report.forecast) {
    forecast.Add({f.fund_name, GroupedUsd(f.received_cents), GroupedUsd(f.pledged_cents),
                  GroupedUsd(f.expected_cents), GroupedUsd(f.expected_unweighted_cents),
                  GroupedUsd(f.total_cents), OptionalUsd(f.target_cents)});
  }
  out += forecast.Render();

  if (!report.appeals.empty()) {
    out += "\nAppeals\n";
    Table appeals({"Appeal", "Requirement", "Mobilized", "Gap", "Coverage"});
    for (const auto& a : report.appeals) {
      appeals.Add({a.name, GroupedUsd(a.requirement_cents), GroupedUsd(a.mobilized_cents),
                   GroupedUsd(a.gap_cents), Percent(a.coverage)});
      for (const auto& [channel, cents] : a.by_channel) {
        if (cents != 0) appeals.Add({"  " + channel, "", GroupedUsd(cents), "", ""});
      }
    }
    out += appeals.Render();
  }

  if (!report.events.empty()) {
    out += fmt::format("\nPledging events in {}\n", report.year);
    Table events({"Event", "Held on", "Pledged", "Core", "Earmarked", "Technical coop."});
    for (const auto& e : report.events) {
      events.Add({e.name, ledger::FormatDate(e.held_on), GroupedUsd(e.pledged_cents),
                  GroupedUsd(e.by_category.at("core")), GroupedUsd(e.by_category.at("earmarked")),
                  GroupedUsd(e.by_category.at("technical_cooperation"))});
    }
    out += events.Render();
  }

  const auto& c = report.concentration;
  out += fmt::format("\nDonor concentration in {}\n", report.year);
  out += fmt::format("  {} donors gave {}; the top {} gave {} ({}); Herfindahl-Hirschman index {}\n",
                     c.donors, GroupedUsd(c.total_cents), c.top_n, GroupedUsd(c.top_cents),
                     Percent(c.top_share), c.hhi ? fmt::format("{:.4f}", *c.hhi) : "-");

  if (!report.target_history.empty()) {
    out += fmt::format("\nTargets covering {} and their revisions\n", report.year);
    Table history({"Fund", "Years", "Target", "Replaced", "Decided on", "In force", "Note"});
    history.LeftAlign(6);
    for (const auto& t : report.target_history) {
      std::string years = t.year_from == t.year_to ? std::to_string(t.year_from)
                                                   : fmt::format("{}-{}", t.year_from, t.year_to);
      history.Add({t.fund, years, GroupedUsd(t.amount_cents), OptionalUsd(t.previous_cents),
                   ledger::FormatDate(t.decided_on), t.in_force ? "yes" : "no", t.note});
    }
    out += history.Render();
  }
  return out;
}

std::string ReportToCsv(const analysis::Report& report) {
  std::string out = "section,fund,item,measure,value\n";
  auto row = [&](std::string_view section, std::string_view fund, std::string_view item,
                 std::string_view measure, const std::string& value) {
    out += fmt::format("{},{},{},{},{}\n", section, exchange::CsvEscape(fund),
                       exchange::CsvEscape(item), measure, exchange::CsvEscape(value));
  };
  auto share = [](const analysis::Share& s) { return s ? fmt::format("{:.6f}", *s) : ""; };
  auto usd = [](int64_t cents) { return money::FormatUsdCents(cents); };
  for (const auto& f : report.income_vs_target) {
    row("income_vs_target", f.fund, "", "received_usd", usd(f.received_cents));
    row("income_vs_target", f.fund, "", "prior_year_usd", usd(f.prior_year_cents));
    row("income_vs_target", f.fund, "", "net_usd", usd(f.net_cents));
    row("income_vs_target", f.fund, "", "target_usd", f.target_cents ? usd(*f.target_cents) : "");
    row("income_vs_target", f.fund, "", std::string("share_") + analysis::Name(report.basis), share(f.share));
  }
  for (const auto& f : report.top_contributors) {
    for (const auto& d : f.all_donors) {
      row("top_contributors", f.fund, d.donor, "received_usd", usd(d.received_cents));
    }
  }
  for (const auto& r : report.regions) row("regions", "", RegionName(r.region), "received_usd", usd(r.received_cents));
  for (const auto& f : report.forecast) {
    row("forecast", f.fund, "", "received_usd", usd(f.received_cents));
    row("forecast", f.fund, "", "pledged_usd", usd(f.pledged_cents));
    row("forecast", f.fund, "", "expected_usd", usd(f.expected_cents));
    row("forecast", f.fund, "", "total_usd", usd(f.total_cents));
  }
  for (const auto& a : report.appeals) {
    row("appeals", "", a.appeal, "requirement_usd", usd(a.requirement_cents));
    row("appeals", "", a.appeal, "mobilized_usd", usd(a.mobilized_cents));
    row("appeals", "", a.appeal, "gap_usd", usd(a.gap_cents));
    row("appeals", "", a.appeal, "coverage", share(a.coverage));
    for (const auto& [channel, cents] : a.by_channel) row("appeals", "", a.appeal, channel + "_usd", usd(cents));
  }
  for (const auto& e : report.events) {
    row("events", "", e.event, "pledged_usd", usd(e.pledged_cents));
    for (const auto& [category, cents] : e.by_category) row("events", "", e.event, category + "_usd", usd(cents));
  }
  row("concentration", "", "", "top_share", share(report.concentration.top_share));
  row("concentration", "", "", "hhi", share(report.concentration.hhi));
  return out;
}

std::string EntriesToText(const std::vector<store::ListedEntry>& entries) {
  Table table({"Seq", "Id", "Kind", "Donor", "Fund", "Amount", "Cur", "USD", "Value date", "Year",
               "Settles/reverses"});
  for (size_t i = 1; i <= 4; ++i) table.LeftAlign(i);
  table.LeftAlign(6);
  table.LeftAlign(10);
  for (const auto& item : entries) {
    const auto& e = item.entry;
    table.Add({std::to_string(item.seq), e.id, std::string(ledger::Name(e.kind)), e.donor, e.fund, e.amount.ToDecimalString(),
               e.amount.currency().str(), GroupedUsd(e.usd_cents), ledger::FormatDate(e.value_date),
               std::to_string(e.attributed_year), e.settles.empty() ? e.reverses : e.settles});
  }
  return table.Render("") + fmt::format("{} entries\n", entries.size());
}

std::string EntriesToCsv(const std::vector<store::ListedEntry>& entries) {
  std::string out =
      "seq,id,kind,donor,fund,amount,currency,usd,value_date,recorded_at,attributed_year,region,"
      "country,programme,appeal,channel,event,settles,reverses,probability,note\n";
  for (const auto& item : entries) {
    const auto& e = item.entry;
    std::vector<std::string> fields = {
        std::to_string(item.seq), e.id, std::string(ledger::Name(e.kind)), e.donor, e.fund, e.amount.ToDecimalString(),
        e.amount.currency().str(), money::FormatUsdCents(e.usd_cents),
        ledger::FormatDate(e.value_date), ledger::FormatInstant(e.recorded_at),
        std::to_string(e.attributed_year), std::string(ledger::Name(e.region)), e.country,
        e.programme, e.appeal, std::string(ledger::Name(e.channel)), e.event, e.settles,
        e.reverses, e.probability_ppm ? ledger::FormatProbability(*e.probability_ppm) : "", e.note};
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      out += exchange::CsvEscape(fields[i]);
    }
    out += "\n";
  }
  return out;
}

namespace {

// "1 entry", "2 entries".
std::string Counted(int64_t count, const std::string& unit) {
  static const std::map<std::string, std::string> kOne = {
      {"checks", "check"},   {"entries", "entry"}, {"reversals", "reversal"},
      {"imports", "import"}, {"records", "record"}, {"years", "year"},
      {"pledges and expectations", "pledge or expectation"}};
  auto one = kOne.find(unit);
  return fmt::format("{} {}", count, count == 1 && one != kOne.end() ? one->second : unit);
}

}  // namespace

int PrintCheck(const analysis::CheckResult& result, const std::string& shown, std::ostream& out,
               std::ostream& err) {
  out << "Checked " << shown << ":\n";
  for (const auto& check : result.checks) {
    std::string counted = Counted(check.checked, check.unit);
    std::string outcome = check.failed == 0 ? "ok" : fmt::format("{} FAILED", check.failed);
    out << fmt::format("  {:<12} {:<34} {:<10} {}\n", check.name, counted, outcome, check.what);
  }
  if (!result.report_checked) {
    out << "report: not checked: the store changed each time it was read (three times)\n";
  }
  for (const auto& finding : result.findings) {
    out << finding.check << ": " << finding.subject << ": " << finding.message << "\n";
  }
  if (!result.ok()) {
    err << "rmis: " << result.findings.size() << (result.findings.size() == 1 ? " difference" : " differences")
        << " found; the store does not check.\n";
    return kExitCheckFailed;
  }
  if (!result.report_checked) {
    err << "rmis: the report's totals could not be checked while the store was being written; run "
           "rmis check again when it is quiet.\n";
    return kExitFailure;
  }
  out << "Every check passed.\n";
  return kExitOk;
}

}  // namespace rmis::cli
