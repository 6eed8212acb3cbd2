// Composition of the report and the bulletin (see compose.h).
#include "documents/compose.h"

#include <algorithm>
#include <functional>
#include <map>

#include "analysis/bulletin.h"

namespace rmis::documents {
namespace {

using analysis::Basis;
using analysis::Report;

constexpr double kCentsPerMillion = 100000000.0;

std::string Year(int year) { return std::to_string(year); }  // never grouped: "2021"
const char* YesNo(bool value) { return value ? "yes" : "no"; }
double Millions(int64_t cents) { return static_cast<double>(cents) / kCentsPerMillion; }

// Builds a document: numbers paragraphs, figures and tables, and merges the
// narrative around each computed section.
class Builder {
 public:
  Builder(const Localization& l10n, Document& document, bool number_paragraphs)
      : l10n_(l10n), document_(document), number_paragraphs_(number_paragraphs) {}

  std::string M(const std::string& key, const MessageArgs& args = MessageArgs()) const {
    return l10n_.catalog.Format(key, args);
  }

  // One computed section: narrative before it, its blocks with the
  // narrative's prepend and append sentences, narrative after it.
  // `make` runs after the narrative before the section is placed, so that
  // the figure and table numbers it predicts (NextFigure) are right.
  void Section(const std::string& name, const std::function<std::vector<Block>()>& make) {
    Narrative(l10n_.narrative.Before(name));
    std::vector<Block> blocks = make();
    if (!blocks.empty()) {
      std::string prepend = l10n_.narrative.Prepend(name);
      std::string append = l10n_.narrative.Append(name);
      auto first = std::find_if(blocks.begin(), blocks.end(),
                                [](const Block& b) { return b.kind == Block::Kind::kParagraph; });
      auto last = std::find_if(blocks.rbegin(), blocks.rend(),
                               [](const Block& b) { return b.kind == Block::Kind::kParagraph; });
      if (!prepend.empty() && first != blocks.end()) {
        std::string text = prepend;
        AppendText(text, first->text);
        first->text = text;
      }
      if (!append.empty() && last != blocks.rend()) AppendText(last->text, append);
      for (Block& block : blocks) Add(std::move(block));
    }
    Narrative(l10n_.narrative.After(name));
  }

  void Narrative(const std::vector<NarrativeParagraph>& paragraphs) {
    for (const NarrativeParagraph& p : paragraphs) {
      Block block;
      if (p.figure) {
        block.kind = Block::Kind::kFigure;
        Figure figure;
        figure.title = p.text;
        figure.items = p.items;
        block.figure = std::move(figure);
      } else {
        block.kind = Block::Kind::kParagraph;
        block.text = p.text;
        block.items = p.items;
      }
      Add(std::move(block));
    }
  }

  // The number the next figure or table will get.
  int NextFigure() const { return figures_ + 1; }
  int NextTable() const { return tables_ + 1; }

  void Add(Block block) {
    switch (block.kind) {
      case Block::Kind::kParagraph:
        if (number_paragraphs_) {
          block.number = M("document.paragraph_number", MessageArgs().Number("n", ++paragraphs_));
        }
        break;
      case Block::Kind::kFigure:
        ++figures_;
        block.figure->number = M("document.figure_number", MessageArgs().Number("n", figures_));
        block.figure->id = "figure-" + std::to_string(figures_);
        break;
      case Block::Kind::kTable:
        ++tables_;
        block.table->number = M("document.table_number", MessageArgs().Number("n", tables_));
        break;
      default:
        break;
    }
    document_.blocks.push_back(std::move(block));
  }

 private:
  const Localization& l10n_;
  Document& document_;
  bool number_paragraphs_ = true;
  int paragraphs_ = 0;
  int figures_ = 0;
  int tables_ = 0;
};

Block Paragraph(std::string text) {
  Block block;
  block.kind = Block::Kind::kParagraph;
  block.text = std::move(text);
  return block;
}

Block Notice(std::string text) {
  Block block;
  block.kind = Block::Kind::kNotice;
  block.text = std::move(text);
  return block;
}

Block FigureBlock(Figure figure) {
  Block block;
  block.kind = Block::Kind::kFigure;
  block.figure = std::move(figure);
  return block;
}

Block TableBlock(Table table) {
  Block block;
  block.kind = Block::Kind::kTable;
  block.table = std::move(table);
  return block;
}

void StartDocument(const Localization& l10n, Document& document) {
  document.language = std::string(l10n.language.code);
  document.direction = l10n.language.direction;
  document.text_font = l10n.catalog.Setting("style.font.text", "Noto Serif");
  document.heading_font = l10n.catalog.Setting("style.font.heading", "Noto Sans");
  document.chart_font = l10n.catalog.Setting("style.font.chart", "Noto Sans");
  document.justify = l10n.catalog.Setting("style.justify", "true") != "false";
}

Chart NewChart(const Localization& l10n, Chart::Kind kind) {
  Chart chart;
  chart.kind = kind;
  chart.right_to_left = l10n.language.direction == Direction::kRightToLeft;
  return chart;
}

// Fixes the value axis of a filled chart, its labels in the language.
void SetTicks(const Localization& l10n, Chart& chart) {
  TickValues ticks = ChooseTicks(chart);
  for (double value : ticks.values) chart.ticks.push_back({value, l10n.format.Decimal(value, ticks.decimals)});
}

// The sentence on one fund's income against its target, for `year`.
std::string FundIncomeSentence(const Builder& b, const Localization& l10n, const analysis::FundIncome& f,
                               int year, Basis basis, bool previous_year) {
  const Formatter& fmt = l10n.format;
  analysis::Share share = basis == Basis::kNet ? f.share_net : f.share_gross;
  return b.M("report.fund_income",
             MessageArgs()
                 .Text("fund", l10n.names.Fund(f.fund))
                 .Text("year", Year(year))
                 .Text("previous_year", YesNo(previous_year))
                 .Text("received", fmt.Money(f.received_cents))
                 .Text("has_prior", YesNo(f.prior_year_cents > 0))
                 .Text("prior", fmt.Money(f.prior_year_cents))
                 .Text("net", fmt.Money(f.net_cents))
                 .Text("has_target", YesNo(f.target_cents.has_value() && share.has_value()))
                 .Text("target", f.target_cents ? fmt.Money(*f.target_cents) : "")
                 .Text("share", fmt.Percent(share))
                 .Text("basis", analysis::Name(basis)));
}

std::vector<Block> TargetRevisions(const Builder& b, const Localization& l10n, const Report& current) {
  std::string text;
  for (const auto& t : current.target_history) {
    if (!t.previous_cents) continue;
    const char* direction = t.amount_cents < *t.previous_cents   ? "down"
                            : t.amount_cents > *t.previous_cents ? "up"
                                                                 : "same";
    AppendText(text, b.M("report.target_revision",
                         MessageArgs()
                             .Text("date", l10n.format.Day(t.decided_on))
                             .Text("month", l10n.format.Month(ledger::MonthIndexOf(t.decided_on)))
                             .Text("fund", l10n.names.Fund(t.fund))
                             .Text("annual", YesNo(t.year_from == t.year_to))
                             .Text("from_year", Year(t.year_from))
                             .Text("to_year", Year(t.year_to))
                             .Text("previous", l10n.format.Money(*t.previous_cents))
                             .Text("amount", l10n.format.Money(t.amount_cents))
                             .Text("direction", direction)));
  }
  if (text.empty()) return {};
  return {Paragraph(text)};
}

std::vector<Block> Income(const Builder& b, const Localization& l10n, const Report& current,
                          const ReportRequest& request) {
  const Formatter& fmt = l10n.format;
  // A year with pledges or expectations but no income yet: one sentence, not
  // a paragraph and a chart of zeros (issue 5, item 5).
  bool any_income = false;
  for (const auto& f : current.income_vs_target) any_income = any_income || f.received_cents != 0;
  if (!any_income) {
    return {Paragraph(b.M("report.income.none",
                          MessageArgs().Text("date", fmt.Day(request.as_of)).Text("year", Year(request.year))))};
  }
  const bool provisional = request.as_of < ledger::EndOfYear(request.year);
  std::string text = b.M("report.income.intro", MessageArgs()
                                                    .Text("figure", b.M("document.figure_reference",
                                                                        MessageArgs().Number("n", b.NextFigure())))
                                                    .Text("date", fmt.Day(request.as_of))
                                                    .Text("year", Year(request.year))
                                                    .Text("provisional", YesNo(provisional)));
  for (const auto& f : current.income_vs_target) {
    AppendText(text, FundIncomeSentence(b, l10n, f, request.year, current.basis, false));
  }
  Figure figure;
  figure.title = b.M("report.figure.income.title", MessageArgs()
                                                      .Text("date", fmt.Day(request.as_of))
                                                      .Text("year", Year(request.year))
                                                      .Text("provisional", YesNo(provisional)));
  figure.unit = b.M("chart.unit.usd_millions");
  Chart chart = NewChart(l10n, Chart::Kind::kGroupedBars);
  chart.value_axis_label = b.M("chart.axis.usd_millions");
  ChartSeries received{b.M("chart.series.received"), {}, {}};
  ChartSeries target{b.M("chart.series.target"), {}, {}};
  std::vector<std::string> description;
  for (const auto& f : current.income_vs_target) {
    analysis::Share share = current.basis == Basis::kNet ? f.share_net : f.share_gross;
    chart.categories.push_back(l10n.names.Fund(f.fund));
    received.values.push_back(Millions(f.received_cents));
    received.labels.push_back(share ? fmt.Percent(share) : "");
    target.values.push_back(f.target_cents ? Millions(*f.target_cents) : 0);
    description.push_back(b.M("chart.describe.income", MessageArgs()
                                                          .Text("fund", l10n.names.Fund(f.fund))
                                                          .Text("received", fmt.Money(f.received_cents))
                                                          .Text("has_target", YesNo(f.target_cents.has_value()))
                                                          .Text("target", f.target_cents ? fmt.Money(*f.target_cents) : "")
                                                          .Text("share", fmt.Percent(share))));
  }
  chart.series = {received, target};
  SetTicks(l10n, chart);
  figure.chart = std::move(chart);
  for (const auto& d : description) AppendText(figure.description, d);
  return {Paragraph(text), FigureBlock(std::move(figure))};
}

std::vector<Block> TopContributors(const Builder& b, const Localization& l10n, const Report& current,
                                   const ReportRequest& request) {
  size_t rows = 0;
  for (const auto& r : current.top_contributors) rows = std::max(rows, r.member_states.size());
  if (rows == 0) return {};
  std::string table_number = b.M("document.table_reference", MessageArgs().Number("n", b.NextTable()));
  std::string text = b.M("report.table1.intro",
                         MessageArgs().Text("table", table_number).Number("n", request.top_n).Text("year", Year(request.year)));
  Table table;
  table.title = b.M("report.table1.title", MessageArgs().Number("n", request.top_n).Text("year", Year(request.year)));
  bool marked = false;
  for (const auto& r : current.top_contributors) {
    table.header.push_back(l10n.names.Fund(r.fund));
    table.numeric.push_back(false);
  }
  for (size_t i = 0; i < rows; ++i) {
    std::vector<std::string> row;
    for (const auto& r : current.top_contributors) {
      if (i < r.member_states.size()) {
        const auto& d = r.member_states[i];
        row.push_back(l10n.names.Donor(d.donor) + (d.includes_prior_year ? "*" : ""));
        marked = marked || d.includes_prior_year;
      } else {
        row.emplace_back();
      }
    }
    table.rows.push_back(std::move(row));
  }
  if (marked) table.notes.push_back(b.M("report.table1.note", MessageArgs().Text("year", Year(request.year))));
  return {Paragraph(text), TableBlock(std::move(table))};
}

std::vector<Block> Regions(const Builder& b, const Localization& l10n, const Report& current,
                           const ReportRequest& request) {
  int64_t total = 0;
  for (const auto& r : current.regions) total += r.received_cents;
  if (current.regions.empty() || total <= 0) return {};
  const Formatter& fmt = l10n.format;
  const auto& top = current.regions.front();
  std::string text = b.M("report.regions.intro",
                         MessageArgs()
                             .Text("figure", b.M("document.figure_reference", MessageArgs().Number("n", b.NextFigure())))
                             .Text("year", Year(request.year))
                             .Text("date", fmt.Day(request.as_of)));
  AppendText(text, b.M("report.regions.top", MessageArgs()
                                                 .Text("region", l10n.names.Region(top.region))
                                                 .Text("amount", fmt.Money(top.received_cents))
                                                 .Text("share", fmt.Percent(static_cast<double>(top.received_cents) /
                                                                            static_cast<double>(total)))));
  Figure figure;
  figure.title = b.M("report.figure.regions.title",
                     MessageArgs().Text("date", fmt.Day(request.as_of)).Text("year", Year(request.year)));
  figure.unit = b.M("chart.unit.usd_millions");
  Chart chart = NewChart(l10n, Chart::Kind::kHorizontalBars);
  chart.value_axis_label = b.M("chart.axis.usd_millions");
  ChartSeries series{"", {}, {}};
  for (const auto& r : current.regions) {
    chart.categories.push_back(l10n.names.Region(r.region));
    series.values.push_back(Millions(r.received_cents));
    series.labels.push_back(fmt.Decimal(Millions(r.received_cents), 1));
    AppendText(figure.description, b.M("chart.describe.region", MessageArgs()
                                                                   .Text("region", l10n.names.Region(r.region))
                                                                   .Text("amount", fmt.Money(r.received_cents))));
  }
  chart.series = {series};
  SetTicks(l10n, chart);
  figure.chart = std::move(chart);
  return {Paragraph(text), FigureBlock(std::move(figure))};
}

std::vector<Block> Forecast(const Builder& b, const Localization& l10n, const Report& forecast, ledger::Date date) {
  std::string text;
  const Formatter& fmt = l10n.format;
  for (const auto& f : forecast.forecast) {
    auto income = std::find_if(forecast.income_vs_target.begin(), forecast.income_vs_target.end(),
                               [&](const auto& i) { return i.fund == f.fund; });
    if (income == forecast.income_vs_target.end() || income->category != ledger::FundCategory::kCore) continue;
    if (f.total_cents == 0 && !f.target_cents) continue;
    AppendText(text, b.M("report.forecast", MessageArgs()
                                                .Text("date", fmt.Day(date))
                                                .Text("year", Year(forecast.year))
                                                .Text("fund", l10n.names.Fund(f.fund))
                                                .Text("total", fmt.Money(f.total_cents))
                                                .Text("received", fmt.Money(f.received_cents))
                                                .Text("pledged", fmt.Money(f.pledged_cents))
                                                .Text("expected", fmt.Money(f.expected_cents))
                                                .Text("has_target", YesNo(f.target_cents.has_value()))
                                                .Text("target", f.target_cents ? fmt.Money(*f.target_cents) : "")
                                                .Text("share", fmt.Percent(f.target_cents && *f.target_cents > 0
                                                                               ? std::optional<double>(
                                                                                     static_cast<double>(f.total_cents) /
                                                                                     static_cast<double>(*f.target_cents))
                                                                               : std::nullopt))));
  }
  if (text.empty()) return {};
  return {Paragraph(text)};
}

std::vector<Block> PreviousYear(const Builder& b, const Localization& l10n, const Report& previous) {
  if (!previous.has_data) return {};
  const bool provisional = previous.snapshot.as_of < ledger::EndOfYear(previous.year);
  std::string text = b.M("report.previous.intro", MessageArgs()
                                                      .Text("year", Year(previous.year))
                                                      .Text("date", l10n.format.Day(previous.snapshot.as_of))
                                                      .Text("provisional", YesNo(provisional)));
  for (const auto& f : previous.income_vs_target) {
    AppendText(text, FundIncomeSentence(b, l10n, f, previous.year, previous.basis, true));
  }
  return {Paragraph(text)};
}

std::vector<Block> Events(const Builder& b, const Localization& l10n, const std::vector<analysis::EventPledges>& events) {
  std::string text;
  const Formatter& fmt = l10n.format;
  for (const auto& e : events) {
    auto category = [&](const char* name) {
      auto it = e.by_category.find(name);
      return it == e.by_category.end() ? int64_t{0} : it->second;
    };
    int64_t core = category("core");
    AppendText(text, b.M("report.event", MessageArgs()
                                             .Text("date", fmt.Day(e.held_on))
                                             .Text("month", fmt.Month(ledger::MonthIndexOf(e.held_on)))
                                             .Text("event", l10n.names.Event(e.event))
                                             .Text("pledged", fmt.Money(e.pledged_cents))
                                             .Text("core", fmt.Money(core))
                                             .Text("earmarked", fmt.Money(e.pledged_cents - core))
                                             .Text("core_share", fmt.Percent(e.pledged_cents > 0
                                                                                 ? std::optional<double>(
                                                                                       static_cast<double>(core) /
                                                                                       static_cast<double>(e.pledged_cents))
                                                                                 : std::nullopt))));
  }
  if (text.empty()) return {};
  return {Paragraph(text)};
}

std::vector<Block> Appeals(const Builder& b, const Localization& l10n, const Report& appeals, ledger::Date date) {
  std::string text;
  const Formatter& fmt = l10n.format;
  for (const auto& a : appeals.appeals) {
    std::vector<std::string> channels;
    for (const char* channel : {"new_contribution", "reprogrammed", "new_pledge", "internal_emergency_fund"}) {
      auto it = a.by_channel.find(channel);
      if (it != a.by_channel.end() && it->second > 0) channels.push_back(b.M(std::string("channel.") + channel));
    }
    AppendText(text, b.M("report.appeal", MessageArgs()
                                              .Text("launched", fmt.Month(ledger::MonthIndexOf(a.launched_on)))
                                              .Text("launched_date", fmt.Day(a.launched_on))
                                              .Text("appeal", l10n.names.Appeal(a.appeal))
                                              .Text("requirement", fmt.Money(a.requirement_cents))
                                              .Text("has_countries", YesNo(a.countries > 0))
                                              .Number("countries", a.countries)
                                              .Text("date", fmt.Day(date))
                                              .Text("has_channels", YesNo(!channels.empty()))
                                              .Text("channels", fmt.List(channels))
                                              .Text("mobilized", fmt.Money(a.mobilized_cents))
                                              .Text("coverage", fmt.Percent(a.coverage))
                                              .Text("gap", fmt.Money(a.gap_cents))));
  }
  if (text.empty()) return {};
  return {Paragraph(text)};
}

std::vector<Block> Concentration(const Builder& b, const Localization& l10n, const Report& report, int top_n) {
  const auto& c = report.concentration;
  if (c.total_cents <= 0) return {};
  std::vector<Block> blocks;
  std::string text = b.M("report.concentration", MessageArgs()
                                                     .Text("year", Year(report.year))
                                                     .Number("n", c.top_n)
                                                     .Number("donors", c.donors)
                                                     .Text("share", l10n.format.Percent(c.top_share)));
  // Table 2: all donors to the funds other than the core fund.
  std::vector<const analysis::FundRanking*> funds;
  for (const auto& r : report.top_contributors) {
    auto income = std::find_if(report.income_vs_target.begin(), report.income_vs_target.end(),
                               [&](const auto& i) { return i.fund == r.fund; });
    if (income != report.income_vs_target.end() && income->category != ledger::FundCategory::kCore &&
        !r.all_donors.empty()) {
      funds.push_back(&r);
    }
  }
  if (funds.empty()) {
    blocks.push_back(Paragraph(text));
    return blocks;
  }
  std::vector<std::string> fund_names;
  for (const auto* r : funds) fund_names.push_back(l10n.names.Fund(r->fund));
  std::string table_number = b.M("document.table_reference", MessageArgs().Number("n", b.NextTable()));
  AppendText(text, b.M("report.table2.intro", MessageArgs()
                                                  .Text("table", table_number)
                                                  .Number("n", top_n)
                                                  .Text("funds", l10n.format.List(fund_names))
                                                  .Text("year", Year(report.year))));
  blocks.push_back(Paragraph(text));
  Table table;
  table.title = b.M("report.table2.title", MessageArgs().Number("n", top_n).Text("year", Year(report.year)));
  size_t rows = 0;
  for (const auto* r : funds) {
    table.header.push_back(l10n.names.Fund(r->fund));
    table.numeric.push_back(false);
    rows = std::max(rows, r->all_donors.size());
  }
  bool marked = false;
  for (size_t i = 0; i < rows; ++i) {
    std::vector<std::string> row;
    for (const auto* r : funds) {
      if (i < r->all_donors.size()) {
        const auto& d = r->all_donors[i];
        row.push_back(l10n.names.Donor(d.donor) + (d.member_state ? "" : " †"));
        marked = marked || !d.member_state;
      } else {
        row.emplace_back();
      }
    }
    table.rows.push_back(std::move(row));
  }
  if (marked) table.notes.push_back(b.M("report.table2.note"));
  blocks.push_back(TableBlock(std::move(table)));
  return blocks;
}

void Masthead(const Localization& l10n, Document& document, const std::string& default_title,
              const std::string& default_subtitle) {
  const auto& n = l10n.narrative;
  for (const char* key : {"body", "session", "date_place", "agenda"}) {
    std::string line = n.Header(key);
    if (!line.empty()) document.masthead.push_back(line);
  }
  document.symbol = n.Header("symbol");
  document.distribution = n.Header("distribution");
  document.agenda_title = n.Header("agenda_title");
  document.title = n.Header("title", default_title);
  document.subtitle = n.Header("subtitle", default_subtitle);
  document.running_title = n.Header("running_title", document.title);
  std::string footnote = n.Header("footnote");
  if (!footnote.empty()) document.footnotes.push_back(footnote);
}

}  // namespace

const std::set<std::string>& ReportSections() {
  static const std::set<std::string> sections = {"target_revisions", "income",  "top_contributors",
                                                 "regions",          "forecast", "previous_year",
                                                 "events",           "appeals", "concentration"};
  return sections;
}

const std::set<std::string>& BulletinSections() {
  static const std::set<std::string> sections = {"summary", "month", "forecast", "chart"};
  return sections;
}

const std::set<std::string>& NarrativeHeaderKeys() {
  static const std::set<std::string> keys = {"body",  "session",  "date_place", "agenda",   "agenda_title",
                                             "title", "subtitle", "symbol",     "distribution", "footnote",
                                             "running_title"};
  return keys;
}

Document ComposeReport(const ledger::Ledger& ledger, const ReportRequest& request, const Localization& l10n) {
  return ComposeReport(ledger, ledger::ToColumns(ledger.entries), request, l10n);
}

Document ComposeReport(const ledger::Ledger& ledger, const ledger::EntryColumns& columns,
                       const ReportRequest& request, const Localization& l10n) {
  Document document;
  StartDocument(l10n, document);
  Builder b(l10n, document, true);
  const Formatter& fmt = l10n.format;
  Masthead(l10n, document, b.M("report.title", MessageArgs().Text("year", Year(request.year))),
           b.M("report.subtitle", MessageArgs().Text("year", Year(request.year)).Text("date", fmt.Day(request.as_of))));

  analysis::ReportOptions options;
  options.year = request.year;
  options.snapshot = {request.as_of, request.known_at};
  options.basis = request.basis;
  options.top_n = request.top_n;
  const Report current = analysis::ComputeReport(ledger, columns, options);
  if (!current.has_data) {
    b.Add(Notice(b.M("report.no_data", MessageArgs().Text("year", Year(request.year)).Text("date", fmt.Day(request.as_of)))));
    return document;
  }
  // The other snapshots, computed once each and shared when they coincide.
  auto compute = [&](int year, ledger::Date as_of, Basis basis) {
    analysis::ReportOptions o = options;
    o.year = year;
    o.snapshot.as_of = as_of;
    o.basis = basis;
    return analysis::ComputeReport(ledger, columns, o);
  };
  const ledger::Date previous_as_of = std::min(request.as_of, ledger::EndOfYear(request.year - 1));
  const Report previous = compute(request.year - 1, previous_as_of, request.previous_basis);
  const ledger::Date forecast_as_of = request.forecast_as_of.value_or(request.as_of);
  const Report forecast =
      forecast_as_of == request.as_of ? current : compute(request.year, forecast_as_of, request.basis);
  const ledger::Date appeals_as_of = request.appeals_as_of.value_or(request.as_of);
  const Report appeals = appeals_as_of == request.as_of ? current : compute(request.year, appeals_as_of, request.basis);
  const int concentration_year = request.concentration_year.value_or(request.year - 1);
  const ledger::Date concentration_as_of = std::min(request.as_of, ledger::EndOfYear(concentration_year));
  const Report concentration =
      concentration_year == previous.year && concentration_as_of == previous.snapshot.as_of ? previous
      : concentration_year == current.year ? current
                                           : compute(concentration_year, concentration_as_of, Basis::kGross);

  b.Section("target_revisions", [&] { return TargetRevisions(b, l10n, current); });
  b.Section("income", [&] { return Income(b, l10n, current, request); });
  b.Section("top_contributors", [&] { return TopContributors(b, l10n, current, request); });
  b.Section("regions", [&] { return Regions(b, l10n, current, request); });
  b.Section("forecast", [&] { return Forecast(b, l10n, forecast, forecast_as_of); });
  b.Section("previous_year", [&] { return PreviousYear(b, l10n, previous); });
  std::vector<analysis::EventPledges> events = previous.events;
  events.insert(events.end(), current.events.begin(), current.events.end());
  b.Section("events", [&] { return Events(b, l10n, events); });
  b.Section("appeals", [&] { return Appeals(b, l10n, appeals, appeals_as_of); });
  b.Section("concentration", [&] {
    return concentration.has_data ? Concentration(b, l10n, concentration, request.top_n) : std::vector<Block>{};
  });
  return document;
}

Document ComposeBulletin(const ledger::Ledger& ledger, const BulletinRequest& request, const Localization& l10n) {
  return ComposeBulletin(ledger, ledger::ToColumns(ledger.entries), request, l10n);
}

Document ComposeBulletin(const ledger::Ledger& ledger, const ledger::EntryColumns& columns,
                         const BulletinRequest& request, const Localization& l10n) {
  Document document;
  StartDocument(l10n, document);
  Builder b(l10n, document, false);
  const Formatter& fmt = l10n.format;
  const int year = request.month / 12;
  const ledger::Date as_of = analysis::LastDayOfMonth(request.month);
  Masthead(l10n, document, b.M("bulletin.title"),
           b.M("bulletin.subtitle", MessageArgs().Text("month", fmt.Month(request.month))));
  if (l10n.narrative.Header("running_title").empty()) {
    document.running_title = document.title + " — " + fmt.Month(request.month);
  }
  analysis::ReportOptions options;
  options.year = year;
  options.snapshot = {as_of, request.known_at};
  const Report report = analysis::ComputeReport(ledger, columns, options);
  if (!report.has_data) {
    b.Add(Notice(b.M("bulletin.no_data", MessageArgs().Text("month", fmt.Month(request.month)).Text("year", Year(year)))));
    return document;
  }
  b.Add(Notice(b.M("bulletin.provisional", MessageArgs().Text("date", fmt.Day(as_of)))));

  // Income to date against target.
  b.Section("summary", [&] {
    std::vector<Block> blocks;
    int64_t total = 0;
    for (const auto& f : report.income_vs_target) total += f.received_cents;
    blocks.push_back(Paragraph(b.M("bulletin.summary", MessageArgs()
                                                           .Text("date", fmt.Day(as_of))
                                                           .Text("year", Year(year))
                                                           .Text("total", fmt.Money(total)))));
    Table table;
    table.title = b.M("bulletin.table.summary.title", MessageArgs().Text("date", fmt.Day(as_of)).Text("year", Year(year)));
    table.header = {b.M("bulletin.column.fund"), b.M("bulletin.column.received"), b.M("bulletin.column.target"),
                    b.M("bulletin.column.share")};
    table.numeric = {false, true, true, true};
    for (const auto& f : report.income_vs_target) {
      table.rows.push_back({l10n.names.Fund(f.fund), fmt.Money(f.received_cents),
                            f.target_cents ? fmt.Money(*f.target_cents) : "–", fmt.Percent(f.share_gross)});
    }
    table.notes.push_back(b.M("bulletin.table.summary.note"));
    blocks.push_back(TableBlock(std::move(table)));
    return blocks;
  });

  // What came in during the month, and thanks.
  b.Section("month", [&] {
    const analysis::MonthReceipts month = analysis::ComputeMonthReceipts(ledger, columns, request.month, request.known_at);
    std::vector<Block> blocks;
    if (month.donors.empty()) {
      blocks.push_back(Paragraph(b.M("bulletin.month.none", MessageArgs().Text("month", fmt.Month(request.month)))));
    } else {
      std::vector<std::string> names;
      for (const auto& d : month.donors) names.push_back(l10n.names.Donor(d.donor));
      std::string text = b.M("bulletin.month.total", MessageArgs()
                                                         .Text("month", fmt.Month(request.month))
                                                         .Text("total", fmt.Money(month.total_cents))
                                                         .Number("partners", static_cast<double>(month.donors.size())));
      AppendText(text, b.M("bulletin.thanks", MessageArgs()
                                                  .Text("month", fmt.Month(request.month))
                                                  .Text("partners", fmt.List(names))
                                                  .Number("count", static_cast<double>(month.donors.size()))));
      blocks.push_back(Paragraph(text));
      Table table;
      table.title = b.M("bulletin.table.month.title", MessageArgs().Text("month", fmt.Month(request.month)));
      table.header = {b.M("bulletin.column.partner"), b.M("bulletin.column.fund"), b.M("bulletin.column.amount")};
      table.numeric = {false, false, true};
      for (const auto& d : month.donors) {
        std::vector<std::string> funds;
        for (const auto& [fund, cents] : d.by_fund) funds.push_back(l10n.names.Fund(fund));
        table.rows.push_back({l10n.names.Donor(d.donor), fmt.List(funds), fmt.Money(d.received_cents)});
      }
      blocks.push_back(TableBlock(std::move(table)));
    }
    return blocks;
  });

  b.Section("forecast", [&] { return Forecast(b, l10n, report, as_of); });

  // The year so far, month by month.
  b.Section("chart", [&] {
    const analysis::MonthlyIncome series = analysis::ComputeMonthlyIncome(ledger, columns, year, options.snapshot);
    std::vector<Block> blocks;
    if (!series.months.empty()) {
      Figure figure;
      figure.title = b.M("bulletin.figure.title", MessageArgs().Text("year", Year(year)).Text("month", fmt.Month(request.month)));
      figure.unit = b.M("chart.unit.usd_millions");
      Chart chart = NewChart(l10n, Chart::Kind::kStackedBars);
      chart.value_axis_label = b.M("chart.axis.usd_millions");
      for (int32_t m : series.months) chart.categories.push_back(fmt.MonthShort(m));
      for (size_t f = 0; f < series.funds.size(); ++f) {
        ChartSeries s{l10n.names.Fund(series.funds[f]), {}, {}};
        for (size_t m = 0; m < series.months.size(); ++m) s.values.push_back(Millions(series.cents[m][f]));
        chart.series.push_back(std::move(s));
      }
      for (size_t m = 0; m < series.months.size(); ++m) {
        int64_t total = 0;
        for (int64_t cents : series.cents[m]) total += cents;
        AppendText(figure.description, b.M("chart.describe.month", MessageArgs()
                                                                       .Text("month", fmt.Month(series.months[m]))
                                                                       .Text("amount", fmt.Money(total))));
      }
      SetTicks(l10n, chart);
      figure.chart = std::move(chart);
      blocks.push_back(FigureBlock(std::move(figure)));
    }
    return blocks;
  });
  b.Add(Paragraph(b.M("bulletin.closing")));
  return document;
}

}  // namespace rmis::documents
