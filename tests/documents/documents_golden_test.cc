// The documents as a reader gets them (issue 5, item 5): the Chinese 2021
// report as of 30 June 2021, written from the sample ledger as PDF and DOCX,
// holds every figure of the source document as the source writes it (read
// back with pdftotext and from the DOCX's word/document.xml); the English and
// Arabic ones hold the same figures in their own forms; the Arabic text comes
// out in logical order; a page is rendered to PNG for a person to look at;
// the June 2021 bulletin thanks exactly the donors whose receipts fall in
// June 2021; a date with no data says so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "support/test_support.h"

namespace rmis::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Runs a shell command (only our own temporary paths are interpolated) and
// returns its standard output.
std::string Capture(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  pclose(pipe);
  return output;
}

// No-break spaces read as spaces (pdftotext prints them so; so does a reader).
std::string Plain(std::string text) {
  for (const std::string nbsp : {"\xC2\xA0", "\xE2\x80\xAF"}) {
    for (size_t at = text.find(nbsp); at != std::string::npos; at = text.find(nbsp, at)) text.replace(at, nbsp.size(), " ");
  }
  return text;
}

std::string PdfText(const std::string& pdf) { return Plain(Capture("pdftotext -enc UTF-8 '" + pdf + "' -")); }

// The text of a DOCX: the <w:t> runs of word/document.xml, one paragraph a line.
std::string DocxText(const std::string& docx) {
  std::string xml = Capture("unzip -p '" + docx + "' word/document.xml");
  std::string text;
  for (size_t at = 0; at < xml.size();) {
    if (xml.compare(at, 6, "</w:p>") == 0) text += "\n";
    if (xml[at] == '<') {
      size_t end = xml.find('>', at);
      bool run = xml.compare(at, 4, "<w:t") == 0 && (xml[at + 4] == '>' || xml[at + 4] == ' ');
      at = end == std::string::npos ? xml.size() : end + 1;
      if (run) {
        size_t close = xml.find("</w:t>", at);
        text += xml.substr(at, close - at);
        at = close;
      }
      continue;
    }
    ++at;
  }
  for (auto [entity, character] : {std::pair{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}}) {
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at)) {
      text.replace(at, std::string(entity).size(), character);
    }
  }
  return Plain(text);
}

class Documents : public ::testing::Test {
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
  // The 2021 report as of 30 June 2021, with each paragraph's snapshot at
  // the source document's own date (docs/documents.md, "Snapshots").
  static std::string Report(const std::string& lang, const std::string& format) {
    std::string out = dir_->File("report-" + lang + "." + format);
    CommandResult result = RunRmis({"document", "report", "--db", db_, "--year", "2021", "--as-of", "2021-06-30",
                                    "--forecast-as-of", "2021-08-19", "--appeals-as-of", "2020-11-30",
                                    "--concentration-year", "2019", "--lang", lang, "--format", format, "-o", out});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return out;
  }
  static TempDir* dir_;
  static std::string db_;
};

TempDir* Documents::dir_ = nullptr;
std::string Documents::db_;

// Every figure of HSP/EB.2021/12 as its Chinese text writes it.
const std::vector<std::string> kChineseFigures = {
    "120 万美元", "50 万美元",   "1 000 万美元", "12%",        "1 220 万美元", "28%",        "4 280 万美元",
    "430 万美元", "30 万美元",   "400 万美元",   "1 890 万美元", "21%",        "5 320 万美元", "84%",
    "1.383 亿美元", "94%",       "330 万美元",   "80 万美元",  "160 万美元",  "90 万美元",  "1.641 亿美元",
    "110 万美元", "7 200 万美元", "2 210 万美元", "4 990 万美元", "82%",       "1.09 亿美元", "4 100 万美元"};

const std::vector<std::string> kEnglishFigures = {
    "$1.2 million",   "$0.5 million",  "$10 million",    "12 per cent",   "$12.2 million", "28 per cent",
    "$42.8 million",  "$4.3 million",  "$0.3 million",   "$4 million",    "$18.9 million", "21 per cent",
    "$53.2 million",  "84 per cent",   "$138.3 million", "94 per cent",   "$3.3 million",  "$0.8 million",
    "$1.6 million",   "$0.9 million",  "$164.1 million", "$1.1 million",  "$72 million",   "$22.1 million",
    "$49.9 million",  "82 per cent",   "$109 million",   "$41 million"};

const std::vector<std::string> kArabicFigures = {
    "1,2 مليون دولار",   "0,5 مليون دولار",   "10 ملايين دولار",   "12 في المائة",    "12,2 مليون دولار",
    "28 في المائة",     "42,8 مليون دولار",  "4,3 مليون دولار",   "0,3 مليون دولار",  "4 ملايين دولار",
    "18,9 مليون دولار",  "21 في المائة",     "53,2 مليون دولار",  "84 في المائة",    "138,3 مليون دولار",
    "94 في المائة",     "3,3 مليون دولار",  "0,8 مليون دولار",   "1,6 مليون دولار",  "0,9 مليون دولار",
    "164,1 مليون دولار", "1,1 مليون دولار",   "72 مليون دولار",    "22,1 مليون دولار", "49,9 مليون دولار",
    "82 في المائة",     "109 ملايين دولار",  "41 مليون دولار"};

// Lists the figures `text` lacks (the whole text would drown the message).
void ExpectAll(const std::string& text, const std::vector<std::string>& figures, const std::string& what) {
  std::vector<std::string> missing;
  for (const auto& figure : figures) {
    if (text.find(figure) == std::string::npos) missing.push_back(figure);
  }
  EXPECT_THAT(missing, ::testing::IsEmpty()) << what << " lacks these figures";
}

TEST_F(Documents, ChineseReportPdfHoldsEveryFigureOfTheSource) {
  std::string pdf = Report("zh", "pdf");
  std::string text = PdfText(pdf);
  ExpectAll(text, kChineseFigures, "pdftotext of the Chinese PDF");
  // Table 1 with the prior-year mark and its footnote, Table 2's mark.
  EXPECT_THAT(text, ::testing::HasSubstr("墨西哥*"));
  EXPECT_THAT(text, ::testing::HasSubstr("*包括在 2021 年收到的往年捐款。"));
  EXPECT_THAT(text, ::testing::HasSubstr("比尔及梅琳达·盖茨基金会 †"));
  // Charts with Chinese axis labels and legends.
  EXPECT_THAT(text, ::testing::HasSubstr("百万美元"));
  EXPECT_THAT(text, ::testing::HasSubstr("收入目标"));
  // The fonts are embedded.
  std::string fonts = Capture("pdffonts '" + pdf + "'");
  EXPECT_THAT(fonts, ::testing::HasSubstr("NotoSerifCJKsc"));
  EXPECT_THAT(fonts, ::testing::Not(::testing::HasSubstr(" no ")));

  // A page for a person to look at, kept in the build tree.
  fs::create_directories(RMIS_PREVIEW_DIR);
  std::string stem = std::string(RMIS_PREVIEW_DIR) + "/report-zh";
  Capture("pdftoppm -r 80 -png -f 2 -l 2 -singlefile '" + pdf + "' '" + stem + "'");
  ASSERT_TRUE(fs::exists(stem + ".png"));
  EXPECT_GT(fs::file_size(stem + ".png"), 10000u);
  std::cout << "Page 2 of the Chinese report: " << stem << ".png\n";
}

TEST_F(Documents, ChineseReportDocxHoldsEveryFigureOfTheSource) {
  std::string docx = Report("zh", "docx");
  std::string text = DocxText(docx);
  ExpectAll(text, kChineseFigures, "the Chinese DOCX");
  // Real headings, tables and the charts as images.
  std::string listing = Capture("unzip -l '" + docx + "'");
  EXPECT_THAT(listing, ::testing::HasSubstr("word/media/"));
  std::string xml = Capture("unzip -p '" + docx + "' word/document.xml");
  EXPECT_THAT(xml, ::testing::HasSubstr("<w:tbl>"));
  EXPECT_THAT(xml, ::testing::HasSubstr("w:val=\"Heading1\""));
}

TEST_F(Documents, EnglishReportHoldsTheSameFiguresInEnglish) {
  ExpectAll(PdfText(Report("en", "pdf")), kEnglishFigures, "pdftotext of the English PDF");
  std::string docx = Report("en", "docx");
  std::string text = DocxText(docx);
  ExpectAll(text, kEnglishFigures, "the English DOCX");
  // Both tables and both charts (PNG images), each paragraph number apart
  // from its text, the objectives "(a)" ... "(f)" as they are written and not
  // numbered a second time by Word ("1. (a)").
  std::string xml = Capture("unzip -p '" + docx + "' word/document.xml");
  size_t tables = 0;
  for (size_t at = xml.find("<w:tbl>"); at != std::string::npos; at = xml.find("<w:tbl>", at + 1)) ++tables;
  EXPECT_EQ(tables, 2u);
  std::string listing = Capture("unzip -l '" + docx + "'");
  size_t images = 0;
  for (size_t at = listing.find(".png"); at != std::string::npos; at = listing.find(".png", at + 1)) ++images;
  EXPECT_EQ(images, 2u) << listing;
  EXPECT_THAT(text, ::testing::HasSubstr("1. In October 2020"));
  EXPECT_THAT(text, ::testing::HasSubstr("\n(a) To secure adequate funding;"));
  EXPECT_THAT(xml, ::testing::Not(::testing::HasSubstr("<w:numPr>")));
  // The HTML prints on A4 and keeps figures and tables whole.
  std::string html = rmis::testing::ReadFile(Report("en", "html"));
  EXPECT_THAT(html, ::testing::HasSubstr("@page { size: A4;"));
  EXPECT_THAT(html, ::testing::HasSubstr("figure { margin: 1.2em 0; page-break-inside: avoid; break-inside: avoid; }"));
}

TEST_F(Documents, ArabicReportHoldsTheFiguresAndReadsInLogicalOrder) {
  ExpectAll(DocxText(Report("ar", "docx")), kArabicFigures, "the Arabic DOCX");
  std::string html = rmis::testing::ReadFile(Report("ar", "html"));
  EXPECT_THAT(html, ::testing::HasSubstr("<html lang=\"ar\" dir=\"rtl\">"));
  ExpectAll(Plain(html), kArabicFigures, "the Arabic HTML");
  // pdftotext gives the words in logical order, each letter where the
  // writer put it: lam-alef ligatures ("الأمم", "لا"), "على" (lam and
  // alef maqsura drawn as one glyph), vowel marks after their letter
  // ("كافٍ", "محققًا", "نُقِّحت"). Before issue 5's fix poppler read these as
  // "األمم", "عىل", "كا ٍف", "محقًقا" (src/documents/pdf_text.h).
  std::string text = PdfText(Report("ar", "pdf"));
  for (const char* phrase : {"المجلس التنفيذي لبرنامج الأمم المتحدة للمستوطنات البشرية",
                             "استراتيجية تعبئة الموارد بما يتماشى مع الخطة الاستراتيجية",
                             "كافٍ ويمكن التنبؤ به ومرن يمكّن موئل الأمم المتحدة",
                             "ينفذ برامجه على نحو خاضع للمساءلة وفعال وشفاف",
                             "محققًا نتائج", "وآثارًا تحويلية", "نُقِّحت", "خُفِّض",
                             "اتجاهات الإيرادات في الآونة الأخيرة", "الإيرادات المؤقتة المقبوضة",
                             "(بملايين دولارات الولايات المتحدة)", "الاتحاد الأوروبي",
                             "أمريكا اللاتينية ومنطقة البحر الكاريبي"}) {
    EXPECT_THAT(text, ::testing::HasSubstr(phrase)) << "pdftotext of the Arabic PDF";
  }
  for (const char* reversed : {"األمم", "عىل", "دوالر", "محقًقا"}) {
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr(reversed))) << "pdftotext of the Arabic PDF";
  }
  // Every figure, in logical order. Poppler's own, simplified bidi
  // (TextOutputDev.cc, reorderText) makes a left-to-right run of a number
  // together with the punctuation and the space beside it, wraps it in
  // embedding marks (U+202A..U+202C) and so moves that space or comma to the
  // other side of the number: "مبلغ 1,2 مليون" comes out as
  // "مبلغ ‪ 1,2‬مليون" (docs/documents.md, "Arabic in PDF"). Compare
  // without those marks and spaces.
  auto bare = [](std::string s) {
    std::string out;
    for (size_t at = 0; at < s.size();) {
      if (s.compare(at, 2, "\xE2\x80") == 0 && at + 2 < s.size() &&
          (static_cast<unsigned char>(s[at + 2]) >= 0xAA && static_cast<unsigned char>(s[at + 2]) <= 0xAE)) {
        at += 3;  // U+202A..U+202E
      } else if (s[at] == ' ') {
        ++at;
      } else {
        out += s[at++];
      }
    }
    return out;
  };
  std::vector<std::string> figures;
  for (const auto& figure : kArabicFigures) figures.push_back(bare(figure));
  ExpectAll(bare(text), figures, "pdftotext of the Arabic PDF");
}

TEST_F(Documents, MarkdownAndHtmlCarryTheChartsAndTables) {
  std::string md_path = Report("fr", "md");
  std::string md = Plain(rmis::testing::ReadFile(md_path));
  ExpectAll(md, {"1,2 million de dollars", "| Mexique\\* |", "12 %"}, "the French Markdown");
  fs::path svg = fs::path(md_path).parent_path() / "report-fr.figure-2.svg";
  EXPECT_TRUE(fs::exists(svg));
  EXPECT_THAT(md, ::testing::HasSubstr("(report-fr.figure-2.svg)"));
  std::string html = Plain(rmis::testing::ReadFile(Report("ru", "html")));
  ExpectAll(html, {"<svg", "1,2 млн долл. США", "12 процентов", "21 процент"}, "the Russian HTML");
  std::string es = Plain(rmis::testing::ReadFile(Report("es", "html")));
  ExpectAll(es, {"1,2 millones de dólares", "164,1 millones de dólares", "12 %"}, "the Spanish HTML");
}

// The donors whose receipts (not reversed) have a value date in June 2021,
// read from the ledger with `rmis entries`.
std::set<std::string> JuneDonorNames(const std::string& db) {
  CommandResult entries = RunRmis({"entries", "--db", db, "--format", "json"});
  json all = json::parse(entries.out);
  std::set<std::string> reversed;
  for (const auto& e : all) {
    if (e["kind"] == "reversal") reversed.insert(e["reverses"].get<std::string>());
  }
  std::set<std::string> ids;
  for (const auto& e : all) {
    std::string date = e["value_date"];
    if (e["kind"] == "receipt" && date.rfind("2021-06", 0) == 0 && !reversed.count(e["id"])) ids.insert(e["donor"]);
  }
  std::string donors = rmis::testing::ReadFile(SampleDir() / "donors.csv");
  std::set<std::string> names;
  std::istringstream lines(donors);
  std::string line;
  while (std::getline(lines, line)) {
    std::string id = line.substr(0, line.find(','));
    std::string rest = line.substr(line.find(',') + 1);
    if (ids.count(id)) names.insert(rest.substr(0, rest.find(',')));
  }
  return names;
}

TEST_F(Documents, JuneBulletinThanksExactlyTheDonorsWhoGaveInJune) {
  std::string out = dir_->File("bulletin.md");
  CommandResult result = RunRmis({"document", "bulletin", "--db", db_, "--month", "2021-06", "--lang", "en", "--format",
                                  "md", "-o", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string md = rmis::testing::ReadFile(out);
  size_t thanks = md.find("We thank ");
  ASSERT_NE(thanks, std::string::npos) << md;
  std::string sentence = md.substr(thanks, md.find('\n', thanks) - thanks);
  std::set<std::string> expected = JuneDonorNames(db_);
  ASSERT_FALSE(expected.empty());
  // Every donor of the ledger named in the thanks is one who gave in June,
  // and every one who gave in June is named.
  std::string donors = rmis::testing::ReadFile(SampleDir() / "donors.csv");
  std::istringstream lines(donors);
  std::string line;
  std::getline(lines, line);
  std::set<std::string> thanked;
  while (std::getline(lines, line)) {
    std::string rest = line.substr(line.find(',') + 1);
    std::string name = rest.substr(0, rest.find(','));
    if (sentence.find(name) != std::string::npos) thanked.insert(name);
  }
  EXPECT_EQ(thanked, expected) << sentence;
}

TEST_F(Documents, BulletinComesAsAMimeMessageAndAPdf) {
  std::string out = dir_->File("bulletin.eml");
  CommandResult result = RunRmis({"document", "bulletin", "--db", db_, "--month", "2021-06", "--lang", "zh", "--format",
                                  "eml", "-o", out, "--from", "RMU <rmu@example.org>", "--to", "ms@example.org"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string eml = rmis::testing::ReadFile(out);
  EXPECT_THAT(eml, ::testing::HasSubstr("MIME-Version: 1.0"));
  EXPECT_THAT(eml, ::testing::HasSubstr("Subject: =?UTF-8?"));
  EXPECT_THAT(eml, ::testing::HasSubstr("From: RMU <rmu@example.org>"));
  EXPECT_THAT(eml, ::testing::HasSubstr("multipart/alternative"));
  EXPECT_THAT(eml, ::testing::HasSubstr("Content-Type: text/plain; charset=utf-8"));
  EXPECT_THAT(eml, ::testing::HasSubstr("Content-Type: text/html; charset=utf-8"));
  EXPECT_THAT(eml, ::testing::HasSubstr("Content-Type: image/png"));
  EXPECT_THAT(eml, ::testing::HasSubstr("Content-Id: <figure-1.png@rmis.invalid>"));
  std::string pdf = dir_->File("bulletin.pdf");
  ASSERT_EQ(RunRmis({"document", "bulletin", "--db", db_, "--month", "2021-06", "--lang", "zh", "--format", "pdf", "-o",
                     pdf}).exit_code, 0);
  std::string text = PdfText(pdf);
  EXPECT_THAT(text, ::testing::HasSubstr("衷心感谢"));
  EXPECT_THAT(text, ::testing::HasSubstr("大韩民国"));
}

TEST_F(Documents, ADateWithNoDataSaysSo) {
  std::string out = dir_->File("empty.md");
  CommandResult result = RunRmis({"document", "report", "--db", db_, "--year", "2030", "--as-of", "2030-06-30",
                                  "--lang", "en", "--format", "md", "-o", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string md = rmis::testing::ReadFile(out);
  EXPECT_THAT(md, ::testing::HasSubstr("The ledger holds no income, pledges or expectations for 2030 as at 30 June 2030"));
  EXPECT_THAT(md, ::testing::Not(::testing::HasSubstr("$0")));
  EXPECT_THAT(md, ::testing::Not(::testing::HasSubstr("per cent")));
  std::string bulletin = dir_->File("empty-bulletin.md");
  ASSERT_EQ(RunRmis({"document", "bulletin", "--db", db_, "--month", "2030-06", "--lang", "zh", "--format", "md", "-o",
                     bulletin}).exit_code, 0);
  EXPECT_THAT(rmis::testing::ReadFile(bulletin), ::testing::HasSubstr("没有可报告的结果"));
  // 2022 as of 30 June 2022: the sample expects money for 2022 but none has
  // come in. The report says so once instead of "received $0" for each fund
  // and a chart of empty bars.
  std::string early = dir_->File("early.md");
  ASSERT_EQ(RunRmis({"document", "report", "--db", db_, "--year", "2022", "--as-of", "2022-06-30", "--lang", "en",
                     "--format", "md", "-o", early}).exit_code, 0);
  std::string text = rmis::testing::ReadFile(early);
  EXPECT_THAT(text, ::testing::HasSubstr("As at 30 June 2022, no income had yet been received in 2022"));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("received $0.")));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("Provisional income received against income targets")));
}

TEST_F(Documents, WrongLanguageOrFilesAreClearErrors) {
  std::string out = dir_->File("x.pdf");
  CommandResult language = RunRmis({"document", "report", "--db", db_, "--year", "2021", "--lang", "de", "-o", out});
  EXPECT_EQ(language.exit_code, 2);
  CommandResult format = RunRmis({"document", "bulletin", "--db", db_, "--month", "2021-06", "--format", "docx", "-o", out});
  EXPECT_EQ(format.exit_code, 2);
  CommandResult messages = RunRmis(
      {"document", "report", "--db", db_, "--year", "2021", "--messages", dir_->File("none"), "-o", out});
  EXPECT_EQ(messages.exit_code, 4);
  EXPECT_THAT(messages.err, ::testing::HasSubstr("no message catalogue"));
  CommandResult narrative = RunRmis(
      {"document", "report", "--db", db_, "--year", "2021", "--narrative", dir_->File("none.txt"), "-o", out});
  EXPECT_EQ(narrative.exit_code, 4);
  // The message files are found through the environment too.
  CommandResult env = RunRmis({"document", "report", "--db", db_, "--year", "2021", "--as-of", "2021-06-30", "--format",
                               "md", "-o", dir_->File("env.md")},
                              {{"RMIS_MESSAGES", (SourceDir() / "data" / "messages").string()}});
  EXPECT_EQ(env.exit_code, 0) << env.err;
}

}  // namespace
}  // namespace rmis::testing
