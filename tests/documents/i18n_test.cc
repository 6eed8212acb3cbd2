// The documents layer's language machinery (issue 5, item 3): the message
// catalogues of the six languages, numbers as UN editors write them through
// ICU, names from the ledger or CLDR, and narrative files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "documents/format.h"
#include "documents/language.h"
#include "documents/messages.h"
#include "documents/names.h"
#include "documents/narrative.h"
#include "support/test_support.h"

namespace rmis::documents {
namespace {

using rmis::testing::SourceDir;

std::string MessagesDir() { return (SourceDir() / "data" / "messages").string(); }

// No-break spaces (U+00A0, U+202F) read as spaces, as they do on the page
// and in pdftotext's output.
std::string Plain(std::string text) {
  for (const std::string nbsp : {"\xC2\xA0", "\xE2\x80\xAF"}) {
    for (size_t at = text.find(nbsp); at != std::string::npos; at = text.find(nbsp, at)) text.replace(at, nbsp.size(), " ");
  }
  return text;
}

struct Loaded {
  Catalog catalog;
  std::optional<Formatter> format;
};

Loaded Load(const std::string& language) {
  auto catalog = Catalog::Load(MessagesDir(), language);
  EXPECT_TRUE(catalog.has_value()) << (catalog ? "" : catalog.error().message);
  Loaded loaded{std::move(*catalog), std::nullopt};
  auto format = Formatter::Create(loaded.catalog);
  EXPECT_TRUE(format.has_value()) << (format ? "" : format.error().message);
  loaded.format.emplace(std::move(*format));
  return loaded;
}

constexpr int64_t kMillion = 100000000;  // cents

// Counts of partners in the bulletin, by each language's plural rules (CLDR
// through ICU) and UN editorial habit: English spells out one to nine;
// Arabic uses the dual without a number, then the plural for 3-10, the
// accusative singular for 11-99 and the genitive singular for 100; Russian
// has one/few/many forms.
TEST(Catalogues, PartnerCountsFollowEachLanguagesPluralRules) {
  struct Case {
    const char* language;
    int partners;
    const char* expected;  // a part of the sentence
  };
  const Case cases[] = {
      {"en", 1, "from one partner."},  {"en", 5, "from five partners."}, {"en", 11, "from 11 partners."},
      {"ar", 1, "من شريك واحد."},      {"ar", 2, "من شريكين."},         {"ar", 5, "من 5 شركاء."},
      {"ar", 11, "من 11 شريكًا."},     {"ar", 100, "من 100 شريك."},     {"ru", 1, "от 1 партнера."},
      {"ru", 3, "от 3 партнеров."},    {"ru", 21, "от 21 партнера."},   {"fr", 1, "de 1 partenaire."},
      {"fr", 11, "de 11 partenaires."}, {"es", 11, "de 11 asociados."},
  };
  for (const Case& c : cases) {
    Loaded loaded = Load(c.language);
    std::string text = Plain(loaded.catalog.Format(
        "bulletin.month.total",
        MessageArgs().Text("month", "M").Text("total", "T").Number("partners", c.partners)));
    EXPECT_THAT(text, ::testing::HasSubstr(c.expected)) << c.language << " " << c.partners;
  }
  // The thanks name the partners after a colon, so that no language has to
  // inflect a donor's name or give it an article.
  Loaded english = Load("en");
  EXPECT_EQ(english.catalog.Format("bulletin.thanks", MessageArgs().Text("partners", "Japan").Number("count", 1)),
            "We thank the following partner for its contribution: Japan.");
  Loaded russian = Load("ru");
  EXPECT_EQ(russian.catalog.Format("bulletin.thanks", MessageArgs().Text("partners", "Индия и Япония").Number("count", 2)),
            "Мы благодарим следующих партнеров за взносы: Индия и Япония.");
}

TEST(Catalogues, EveryLanguageHasEveryMessageOfTheEnglishOne) {
  auto english = Catalog::Load(MessagesDir(), "en");
  ASSERT_TRUE(english.has_value()) << english.error().message;
  std::set<std::string> keys;
  for (const auto& key : english->Keys()) {
    if (key.rfind("style.", 0) != 0 && key.rfind("money.", 0) != 0 && key != "number.percent") keys.insert(key);
  }
  for (const Language& language : Languages()) {
    auto catalog = Catalog::Load(MessagesDir(), std::string(language.code));
    ASSERT_TRUE(catalog.has_value()) << catalog.error().message;
    for (const auto& key : keys) EXPECT_TRUE(catalog->Has(key)) << language.code << " lacks " << key;
    EXPECT_TRUE(catalog->Has("money.scale.1")) << language.code;
  }
}

// The source document's figures, as its Chinese text writes them.
TEST(Numbers, ChineseAsTheSourceDocumentWritesThem) {
  Loaded zh = Load("zh");
  const Formatter& f = *zh.format;
  EXPECT_EQ(Plain(f.Money(120 * kMillion / 100)), "120 万美元");
  EXPECT_EQ(Plain(f.Money(50 * kMillion / 100)), "50 万美元");
  EXPECT_EQ(Plain(f.Money(10 * kMillion)), "1 000 万美元");
  EXPECT_EQ(Plain(f.Money(41 * kMillion)), "4 100 万美元");
  EXPECT_EQ(Plain(f.Money(42'812'345'67)), "4 280 万美元");
  EXPECT_EQ(Plain(f.Money(109 * kMillion)), "1.09 亿美元");
  EXPECT_EQ(Plain(f.Money(138'300'000'00)), "1.383 亿美元");
  EXPECT_EQ(Plain(f.Money(164'100'000'00)), "1.641 亿美元");
  EXPECT_EQ(Plain(f.Money(3'999'999'41)), "400 万美元");  // 2020 net core: 3,999,999.41
  EXPECT_EQ(Plain(f.Money(12'345'00)), "12 345 美元");
  EXPECT_EQ(f.Percent(0.12), "12%");
  EXPECT_EQ(f.Percent(0.2116), "21%");
  EXPECT_EQ(Plain(f.Day(*ledger::ParseDate("2021-06-30"))), "2021 年 6 月 30 日");
  EXPECT_EQ(f.List({"新捐款", "重新规划的资金", "新认捐", "内部应急资金"}), "新捐款、重新规划的资金、新认捐和内部应急资金");
}

TEST(Numbers, EnglishFrenchSpanishRussianArabic) {
  Loaded en = Load("en");
  EXPECT_EQ(Plain(en.format->Money(120 * kMillion / 100)), "$1.2 million");
  EXPECT_EQ(Plain(en.format->Money(50 * kMillion / 100)), "$0.5 million");
  EXPECT_EQ(Plain(en.format->Money(164'100'000'00)), "$164.1 million");
  EXPECT_EQ(Plain(en.format->Money(3'999'999'41)), "$4 million");
  EXPECT_EQ(Plain(en.format->Money(12'345'00)), "$12,345");
  EXPECT_EQ(Plain(en.format->Percent(0.12)), "12 per cent");
  EXPECT_EQ(en.format->Day(*ledger::ParseDate("2021-06-30")), "30 June 2021");
  EXPECT_EQ(en.format->List({"A", "B", "C"}), "A, B and C");

  Loaded fr = Load("fr");
  EXPECT_EQ(Plain(fr.format->Money(120 * kMillion / 100)), "1,2 million de dollars");
  EXPECT_EQ(Plain(fr.format->Money(50 * kMillion / 100)), "0,5 million de dollars");
  EXPECT_EQ(Plain(fr.format->Money(41 * kMillion)), "41 millions de dollars");
  EXPECT_EQ(Plain(fr.format->Percent(0.12)), "12 %");

  Loaded es = Load("es");
  EXPECT_EQ(Plain(es.format->Money(120 * kMillion / 100)), "1,2 millones de dólares");
  EXPECT_EQ(Plain(es.format->Money(kMillion)), "1 millón de dólares");
  EXPECT_EQ(es.format->Day(*ledger::ParseDate("2021-06-30")), "30 de junio de 2021");

  Loaded ru = Load("ru");
  EXPECT_EQ(Plain(ru.format->Money(120 * kMillion / 100)), "1,2 млн долл. США");
  EXPECT_EQ(Plain(ru.format->Percent(0.12)), "12 процентов");
  EXPECT_EQ(Plain(ru.format->Percent(0.21)), "21 процент");
  EXPECT_EQ(Plain(ru.format->Percent(0.94)), "94 процента");
  EXPECT_EQ(ru.format->Day(*ledger::ParseDate("2021-06-30")), "30 июня 2021 года");

  Loaded ar = Load("ar");
  EXPECT_EQ(Plain(ar.format->Money(120 * kMillion / 100)), "1,2 مليون دولار");
  EXPECT_EQ(Plain(ar.format->Money(10 * kMillion)), "10 ملايين دولار");
  EXPECT_EQ(Plain(ar.format->Money(72 * kMillion)), "72 مليون دولار");
  EXPECT_EQ(Plain(ar.format->Percent(0.82)), "82 في المائة");
}

TEST(Names, CountryNamesComeFromCldrWhenTheLedgerHasNone) {
  EXPECT_EQ(CountryName("MEX", "zh"), "墨西哥");
  EXPECT_EQ(CountryName("MEX", "fr"), "Mexique");
  EXPECT_EQ(CountryName("XXX", "fr"), "");
  ledger::Ledger ledger;
  ledger.donors.push_back({"mex", "Mexico", ledger::DonorType::kMemberState, "MEX", {}});
  ledger.donors.push_back({"f", "A Foundation", ledger::DonorType::kFoundation, "MEX", {}});
  ledger::Donor named{"jpn", "Japan", ledger::DonorType::kMemberState, "JPN", {}};
  named.names[1] = "日本国";  // the ledger's own name wins over CLDR's
  ledger.donors.push_back(named);
  Loaded zh = Load("zh");
  Names names(ledger, zh.catalog, {});
  EXPECT_EQ(names.Donor("mex"), "墨西哥");
  EXPECT_EQ(names.Donor("f"), "A Foundation");  // not a country: the English name
  EXPECT_EQ(names.Donor("jpn"), "日本国");
  EXPECT_EQ(names.Region(ledger::Region::kAfrica), "非洲");
}

TEST(Properties, ContinuationEscapesAndErrors) {
  auto read = ReadProperties("# comment\na = one \\\n    two\nb=\\u4e07\\n\nc : x\n", "t.properties");
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->at("a").first, "one two");
  EXPECT_EQ(read->at("b").first, "万\n");
  EXPECT_EQ(read->at("c").first, "x");
  auto twice = ReadProperties("a = 1\na = 2\n", "t.properties");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().message, "t.properties:2: key a is defined twice (first on line 1)");
  auto bad = Catalog::Parse("x = {n, plural, one {#}\n", "zz.properties", "en");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, ::testing::StartsWith("zz.properties:1: x: not a valid ICU MessageFormat pattern"));
}

TEST(Catalog, MissingKeysFallBackToEnglishAndAreListed) {
  auto english = Catalog::Parse("greeting = Hello {name}\n", "en.properties", "en");
  auto french = Catalog::Parse("other = Autre\n", "fr.properties", "fr");
  ASSERT_TRUE(english && french);
  french->SetFallback(&*english);
  EXPECT_EQ(french->Format("greeting", MessageArgs().Text("name", "Ana")), "Hello Ana");
  EXPECT_EQ(french->Format("nowhere"), "[nowhere]");
  EXPECT_THAT(french->Missing(), ::testing::ElementsAre("greeting", "nowhere"));
}

TEST(Narrative, BlocksParagraphsListsAndFigures) {
  const std::set<std::string> sections = {"income", "regions"};
  const std::set<std::string> keys = {"title"};
  auto n = ParseNarrative(
      "# c\n[header]\ntitle = T\n\n[before:income]\nFirst line\ncontinues.\n- (a) item\n\nSecond.\n\n"
      "!figure Objectives\n- one\n- two\n[append:regions]\nMore.\n",
      "n.txt", sections, keys);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->Header("title"), "T");
  ASSERT_EQ(n->Before("income").size(), 3u);
  EXPECT_EQ(n->Before("income")[0].text, "First line continues.");
  EXPECT_THAT(n->Before("income")[0].items, ::testing::ElementsAre("(a) item"));
  EXPECT_TRUE(n->Before("income")[2].figure);
  EXPECT_THAT(n->Before("income")[2].items, ::testing::ElementsAre("one", "two"));
  EXPECT_EQ(n->Append("regions"), "More.");

  auto unknown = ParseNarrative("[after:incme]\nx\n", "n.txt", sections, keys);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message, ::testing::StartsWith("n.txt:1: unknown section \"incme\""));
  auto orphan = ParseNarrative("[after:income]\n- item\n", "n.txt", sections, keys);
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error().message, "n.txt:2: a list item needs a paragraph above it");
}

TEST(Narrative, TheBundledFilesParse) {
  for (const Language& language : Languages()) {
    std::string path = (SourceDir() / "data" / "narrative" / std::string(language.code) / "report-2021.txt").string();
    std::string text = rmis::testing::ReadFile(path);
    ASSERT_FALSE(text.empty()) << path;
    auto n = ParseNarrative(text, path, {"target_revisions", "income", "top_contributors", "regions", "forecast",
                                         "previous_year", "events", "appeals", "concentration"},
                            {"body", "session", "date_place", "agenda", "agenda_title", "title", "subtitle", "symbol",
                             "distribution", "footnote", "running_title"});
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(n->Before("target_revisions")[0].items.size(), 6u) << language.code;  // the six objectives
    EXPECT_EQ(n->Header("symbol"), "HSP/EB.2021/12");
  }
}

}  // namespace
}  // namespace rmis::documents
