// The bundled sample reproduces the source document (issue 2, item 5): every
// figure of HSP/EB.2021/12 (../shared/SEED-FACTS.md), to the document's own
// rounding, from `rmis report --format json` on a store made from the sample.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

#include "support/test_support.h"

namespace rmis::testing {
namespace {

using nlohmann::json;

// USD decimal string -> millions rounded to one decimal, as the document
// writes them ("1.2 M"). Exact: done on cents as integers.
double Millions(const json& usd) {
  std::string text = usd.get<std::string>();
  size_t dot = text.find('.');
  int64_t cents = std::stoll(text.substr(0, dot)) * 100 + std::stoll(text.substr(dot + 1));
  int64_t tenths = (cents + 5000000) / 10000000;  // tenths of a million, half up
  return static_cast<double>(tenths) / 10.0;
}

int Percent(const json& share) { return static_cast<int>(std::lround(share.get<double>() * 100)); }

class SourceDocument : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->File("sample.db");
    ASSERT_EQ(RunRmis({"init", "--db", db_}).exit_code, 0);
    CommandResult result = RunRmis({"import", "--db", db_, SampleDir().string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static json Report(int year, const std::string& as_of, const std::string& basis = "gross") {
    CommandResult result = RunRmis({"report", "--db", db_, "--year", std::to_string(year), "--as-of",
                                    as_of, "--basis", basis, "--format", "json"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return json::parse(result.out);
  }
  static const json& Fund(const json& list, const std::string& fund) {
    for (const auto& item : list) {
      if (item["fund"] == fund) return item;
    }
    throw std::runtime_error("no fund " + fund);
  }
  static std::vector<std::string> Names(const json& donors) {
    std::vector<std::string> names;
    for (const auto& d : donors) {
      names.push_back(d["name"].get<std::string>() + (d["includes_prior_year"].get<bool>() ? "*" : ""));
    }
    return names;
  }
  static const json& Ranking(const json& report, const std::string& fund) {
    return Fund(report["top_contributors"], fund);
  }

  static TempDir* dir_;
  static std::string db_;
};

TempDir* SourceDocument::dir_ = nullptr;
std::string SourceDocument::db_;

// Paragraph 5 and Figure 2: 2021 as at 30 June 2021, gross basis.
TEST_F(SourceDocument, Paragraph5IncomeAgainstTarget2021) {
  json r = Report(2021, "2021-06-30");
  EXPECT_EQ(r["basis"], "gross");
  const json& core = Fund(r["income_vs_target"], "foundation_core");
  EXPECT_EQ(Millions(core["received_usd"]), 1.2);
  EXPECT_EQ(Millions(core["prior_year_usd"]), 0.5);
  EXPECT_EQ(Millions(core["target_usd"]), 10.0);
  EXPECT_EQ(Percent(core["share"]), 12);
  const json& earmarked = Fund(r["income_vs_target"], "foundation_earmarked");
  EXPECT_EQ(Millions(earmarked["received_usd"]), 12.2);
  EXPECT_EQ(Percent(earmarked["share"]), 28);
  const json& tc = Fund(r["income_vs_target"], "technical_cooperation");
  EXPECT_EQ(Millions(tc["received_usd"]), 42.8);
  EXPECT_EQ(Percent(tc["share"]), 28);
}

// Paragraph 6, Table 1: top Member State contributors per fund, 2021.
TEST_F(SourceDocument, Table1TopMemberStates2021) {
  json r = Report(2021, "2021-06-30");
  EXPECT_THAT(Names(Ranking(r, "foundation_core")["member_states"]),
              ::testing::ElementsAre("Mexico*", "China", "South Africa", "Egypt", "Philippines*", "Japan",
                                     "Barbados", "Mali", "Algeria", "Malawi"));
  EXPECT_THAT(Names(Ranking(r, "foundation_earmarked")["member_states"]),
              ::testing::ElementsAre("Switzerland", "Japan", "China", "Poland", "Kuwait", "Jordan",
                                     "European Union", "Israel", "Italy"));
  EXPECT_THAT(Names(Ranking(r, "technical_cooperation")["member_states"]),
              ::testing::ElementsAre("Japan", "Ethiopia", "Spain", "Denmark", "China", "Republic of Korea",
                                     "India"));
}

// Paragraph 7, Figure 3: Africa received the most in 2021.
TEST_F(SourceDocument, Figure3AfricaFirst) {
  json r = Report(2021, "2021-06-30");
  ASSERT_FALSE(r["regions"].empty());
  EXPECT_EQ(r["regions"][0]["region"], "africa");
}

// Paragraph 8: the core forecast as at 19 August 2021.
TEST_F(SourceDocument, Paragraph8Forecast) {
  json r = Report(2021, "2021-08-19");
  const json& core = Fund(r["forecast"], "foundation_core");
  EXPECT_EQ(Millions(core["received_usd"]), 0.8);
  EXPECT_EQ(Millions(core["pledged_usd"]), 1.6);
  EXPECT_EQ(Millions(core["expected_usd"]), 0.9);
  EXPECT_EQ(Millions(core["total_usd"]), 3.3);
  EXPECT_EQ(Millions(core["target_usd"]), 10.0);
}

// Paragraph 9: 2020 full year; the core share is net of prior-year money.
TEST_F(SourceDocument, Paragraph9IncomeAgainstTarget2020) {
  json r = Report(2020, "2020-12-31", "net");
  EXPECT_EQ(r["basis"], "net");
  const json& core = Fund(r["income_vs_target"], "foundation_core");
  EXPECT_EQ(Millions(core["received_usd"]), 4.3);
  EXPECT_EQ(Millions(core["prior_year_usd"]), 0.3);
  EXPECT_EQ(Millions(core["net_usd"]), 4.0);
  EXPECT_EQ(Millions(core["target_usd"]), 18.9);
  EXPECT_EQ(Percent(core["share"]), 21);
  json gross = Report(2020, "2020-12-31");
  EXPECT_EQ(Millions(Fund(gross["income_vs_target"], "foundation_earmarked")["received_usd"]), 53.2);
  EXPECT_EQ(Percent(Fund(gross["income_vs_target"], "foundation_earmarked")["share"]), 84);
  EXPECT_EQ(Millions(Fund(gross["income_vs_target"], "technical_cooperation")["received_usd"]), 138.3);
  EXPECT_EQ(Percent(Fund(gross["income_vs_target"], "technical_cooperation")["share"]), 94);
}

// Paragraph 10: the December 2020 pledging event.
TEST_F(SourceDocument, Paragraph10PledgingEvent) {
  json r = Report(2020, "2020-12-31");
  ASSERT_EQ(r["events"].size(), 1u);
  EXPECT_EQ(Millions(r["events"][0]["pledged_usd"]), 164.1);
  EXPECT_EQ(Millions(r["events"][0]["by_category"]["core"]), 1.1);
  EXPECT_EQ(r["events"][0]["held_on"].get<std::string>().substr(0, 7), "2020-12");
}

// Paragraph 11: the COVID-19 appeal as at 30 November 2020, four channels.
TEST_F(SourceDocument, Paragraph11Covid19Appeal) {
  json r = Report(2020, "2020-11-30");
  ASSERT_EQ(r["appeals"].size(), 1u);
  const json& appeal = r["appeals"][0];
  EXPECT_EQ(Millions(appeal["requirement_usd"]), 72.0);
  EXPECT_EQ(Millions(appeal["mobilized_usd"]), 22.1);
  EXPECT_EQ(Millions(appeal["gap_usd"]), 49.9);
  EXPECT_EQ(appeal["countries"], 64);
  for (const char* channel : {"new_contribution", "reprogrammed", "internal_emergency_fund", "new_pledge"}) {
    EXPECT_GT(Millions(appeal["by_channel"][channel]), 0.0) << channel;
  }
}

// Paragraph 16: the top 10 donors gave 82 % in 2019; Table 2's order.
TEST_F(SourceDocument, Paragraph16ConcentrationAndTable2) {
  json r = Report(2019, "2019-12-31");
  EXPECT_EQ(Percent(r["concentration"]["top_share"]), 82);
  EXPECT_EQ(r["concentration"]["top_n"], 10);
  EXPECT_THAT(Names(Ranking(r, "foundation_earmarked")["donors"]),
              ::testing::ElementsAre("Sweden", "European Union", "Germany", "United Arab Emirates", "Japan",
                                     "Morocco", "Bill & Melinda Gates Foundation", "Block by Block Foundation",
                                     "UN entities", "United Kingdom"));
  EXPECT_THAT(Names(Ranking(r, "technical_cooperation")["donors"]),
              ::testing::ElementsAre("European Union", "Japan", "Adaptation Fund", "UN entities", "Sweden",
                                     "Norway", "Awash Welday General Contractor", "Government of Alagoas State",
                                     "Alwaleed Philanthropies", "Qatar"));
  // Non-Member-State donors are marked.
  for (const auto& d : Ranking(r, "technical_cooperation")["donors"]) {
    bool member = d["type"] == "member_state" || d["type"] == "regional_organization";
    EXPECT_EQ(d["member_state"].get<bool>(), member) << d["name"];
  }
}

// Paragraph 3 and 9: the target revisions (109 M to 41 M; 18.9 M to 10 M).
TEST_F(SourceDocument, TargetRevisions) {
  json r = Report(2021, "2021-06-30");
  bool saw_multi_year = false, saw_annual = false;
  for (const auto& t : r["target_history"]) {
    if (t["fund"] != "foundation_core" || t["previous_usd"].is_null()) continue;
    if (t["year_from"] == 2020 && t["year_to"] == 2023) {
      EXPECT_EQ(Millions(t["previous_usd"]), 109.0);
      EXPECT_EQ(Millions(t["amount_usd"]), 41.0);
      EXPECT_TRUE(t["in_force"].get<bool>());
      saw_multi_year = true;
    }
    if (t["year_from"] == 2021 && t["year_to"] == 2021) {
      EXPECT_EQ(Millions(t["previous_usd"]), 18.9);
      EXPECT_EQ(Millions(t["amount_usd"]), 10.0);
      saw_annual = true;
    }
  }
  EXPECT_TRUE(saw_multi_year);
  EXPECT_TRUE(saw_annual);
  // Before the October 2020 revision the 2021 target in force was 18.9 M.
  json before = Report(2021, "2020-09-30");
  EXPECT_EQ(Millions(Fund(before["income_vs_target"], "foundation_core")["target_usd"]), 18.9);
}

// tools/sample/build_unhabitat_2021.py computes the same figures with its
// own code (Python, decimal arithmetic) from the CSV files alone; rmis agrees
// with it to the cent.
TEST_F(SourceDocument, AgreesToTheCentWithAnIndependentComputation) {
  json r2021 = Report(2021, "2021-06-30");
  EXPECT_EQ(Fund(r2021["income_vs_target"], "foundation_core")["received_usd"], "1200000.00");
  EXPECT_EQ(Fund(r2021["income_vs_target"], "foundation_core")["prior_year_usd"], "500000.00");
  EXPECT_EQ(Fund(r2021["income_vs_target"], "foundation_earmarked")["received_usd"], "12200000.00");
  EXPECT_EQ(Fund(r2021["income_vs_target"], "technical_cooperation")["received_usd"], "42800000.00");
  EXPECT_EQ(r2021["regions"][0]["received_usd"], "20958627.89");
  json forecast = Fund(Report(2021, "2021-08-19")["forecast"], "foundation_core");
  EXPECT_EQ(forecast["received_usd"], "800311.98");
  EXPECT_EQ(forecast["pledged_usd"], "1600260.73");
  EXPECT_EQ(forecast["expected_usd"], "900146.00");
  EXPECT_EQ(forecast["expected_unweighted_usd"], "1350228.04");
  EXPECT_EQ(forecast["total_usd"], "3300718.71");
  json r2020 = Report(2020, "2020-12-31");
  EXPECT_EQ(Fund(r2020["income_vs_target"], "foundation_core")["received_usd"], "4299999.41");
  EXPECT_EQ(Fund(r2020["income_vs_target"], "foundation_earmarked")["received_usd"], "53200000.00");
  EXPECT_EQ(r2020["events"][0]["pledged_usd"], "164096556.09");
  EXPECT_EQ(r2020["events"][0]["by_category"]["core"], "1099837.84");
  json appeal = Report(2020, "2020-11-30")["appeals"][0];
  EXPECT_EQ(appeal["mobilized_usd"], "22100779.44");
  EXPECT_EQ(appeal["by_channel"]["new_pledge"], "3527763.71");
  EXPECT_EQ(appeal["by_channel"]["reprogrammed"], "4130074.96");
  json r2019 = Report(2019, "2019-12-31");
  EXPECT_EQ(r2019["concentration"]["top_usd"], "133839701.79");
  EXPECT_EQ(r2019["concentration"]["total_usd"], "163219130.50");
  EXPECT_EQ(r2019["concentration"]["donors"], 50);
}

// The sample is what its generator writes: regenerating it gives the same
// bytes, and the generator's own check of every figure passes.
TEST(SampleGenerator, RegeneratesTheCommittedSampleByteForByte) {
  TempDir dir;
  std::string command = "python3 " + (SourceDir() / "tools/sample/build_unhabitat_2021.py").string() +
                        " --out " + dir.File("sample") + " > " + dir.File("log") + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << ReadFile(dir.File("log"));
  EXPECT_THAT(ReadFile(dir.File("log")), ::testing::HasSubstr("all figures match"));
  for (const auto& item : std::filesystem::directory_iterator(SampleDir())) {
    EXPECT_EQ(ReadFile(item.path()), ReadFile(dir.path() / "sample" / item.path().filename()))
        << item.path().filename();
  }
}

// The sample has what the issue asks of it: several currencies, prior-year
// receipts, partly settled pledges, a write-off, a reversal, expectations.
TEST_F(SourceDocument, TheSampleExercisesEveryKindOfEntry) {
  CommandResult result = RunRmis({"entries", "--db", db_, "--format", "json"});
  ASSERT_EQ(result.exit_code, 0);
  json entries = json::parse(result.out);
  std::set<std::string> kinds, currencies;
  std::map<std::string, int> settled_by;
  bool prior_year = false;
  for (const auto& e : entries) {
    kinds.insert(e["kind"].get<std::string>());
    currencies.insert(e["currency"].get<std::string>());
    if (e.contains("settles") && e["kind"] == "receipt") settled_by[e["settles"].get<std::string>()]++;
    if (e["kind"] == "receipt" && std::stoi(e["value_date"].get<std::string>().substr(0, 4)) > e["attributed_year"].get<int>()) {
      prior_year = true;
    }
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"pledge", "receipt", "expected", "write_off", "reversal"}));
  for (const char* c : {"CHF", "JPY", "EUR", "SEK", "NOK", "USD"}) EXPECT_TRUE(currencies.count(c)) << c;
  EXPECT_TRUE(prior_year);
  EXPECT_FALSE(settled_by.empty());
}

}  // namespace
}  // namespace rmis::testing
