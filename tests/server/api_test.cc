// The JSON API against a real server on loopback and a real store, SQLite
// (a file) or PostgreSQL (a server the harness starts): roles, CSRF,
// idempotency, concurrent settlements, refused bodies, uploads and the same
// report as the CLI. Every test runs against both stores (issue 3, item 4).
#include "server/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <zip.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "access/access.h"
#include "exchange/csv/dataset_reader.h"
#include "reference/countries.h"
#include "support/postgres_harness.h"
#include "support/test_support.h"

namespace rmis::server {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using testing::CommandResult;
using testing::RunRmis;
using testing::StoreKind;
using testing::TempDir;
using testing::TestStoreLocation;

ledger::Instant WallClock() { return static_cast<ledger::Instant>(time(nullptr)); }

class ApiTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    // The store is made by the CLI, as a user would: `rmis init --db` takes a
    // file or a postgresql:// URL alike.
    where_ = std::make_unique<TestStoreLocation>(GetParam());
    db_ = where_->location();
    ASSERT_EQ(RunRmis({"init", "--db", db_}).exit_code, 0);
    ASSERT_EQ(RunRmis({"import", "--db", db_, testing::FixtureDir("small").string()}).exit_code, 0);
    auto store = store::OpenStore(db_, store::OpenMode::kExisting,
                                  store::StoreEnvironment{WallClock, reference::IsCountryAlpha3});
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    for (auto [name, role] : {std::pair{"admin", store::Role::kAdmin}, {"officer", store::Role::kOfficer},
                              {"focal", store::Role::kFocalPoint}, {"viewer", store::Role::kViewer}}) {
      store::User user;
      user.name = name;
      user.role = role;
      user.password_hash = *access::HashPassword(std::string(name) + "-password");
      if (role == store::Role::kFocalPoint) user.donors = {"mex"};
      auto added = store_->AddUser(user, store::Actor{"test", "", ""});
      ASSERT_TRUE(added) << added.error().message;
      store::Session token;
      std::string secret = access::NewSecret();
      token.token_hash = access::HashSecret(secret);
      token.user_id = added->id;
      token.api_token = true;
      token.created_at = WallClock();
      ASSERT_TRUE(store_->AddSession(token, store::Actor{"test", "", ""}));
      tokens_[name] = secret;
    }
    ServerOptions options;
    options.port = 0;
    options.threads = 8;
    server_ = std::make_unique<ApiServer>(*store_, options, WallClock);
    ASSERT_TRUE(server_->Bind());
    thread_ = std::thread([this] { (void)server_->Run(); });
  }
  void TearDown() override {
    // SetUp may have failed before the server was made (no PostgreSQL, say).
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(30, 0);
    return client;
  }
  httplib::Headers As(const std::string& user, httplib::Headers extra = {}) {
    extra.emplace("Authorization", "Bearer " + tokens_[user]);
    return extra;
  }
  httplib::Result Post(const std::string& user, const std::string& path, const std::string& body,
                       httplib::Headers extra = {}) {
    return Client().Post(path.c_str(), As(user, extra), body, "application/json");
  }
  int64_t EntryCount() {
    auto list = store_->ListEntries(store::EntryFilter{});
    return static_cast<int64_t>(list->size());
  }

  std::unique_ptr<TestStoreLocation> where_;
  std::string db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  std::map<std::string, std::string> tokens_;
};

INSTANTIATE_TEST_SUITE_P(Stores, ApiTest, ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const auto& info) { return testing::StoreKindName(info.param); });

std::string Receipt(const std::string& donor, const std::string& amount = "10.00", const std::string& extra = "") {
  return R"({"kind":"receipt","donor":")" + donor + R"(","fund":"core","amount":")" + amount +
         R"(","currency":"USD","value_date":"2021-04-01")" + extra + "}";
}

TEST_P(ApiTest, NobodyUnknownGetsIn) {
  auto client = Client();
  EXPECT_EQ(client.Get("/api/v1/report?year=2021")->status, 401);
  EXPECT_EQ(client.Post("/api/v1/entries", Receipt("mex"), "application/json")->status, 401);
  httplib::Headers forged = {{"Authorization", "Bearer 0000"}};
  auto result = client.Get("/api/v1/entries", forged);
  EXPECT_EQ(result->status, 401);
  json error = json::parse(result->body);
  EXPECT_EQ(error["error"]["code"], "unauthenticated");
  EXPECT_TRUE(error["error"]["details"].is_array());
  EXPECT_EQ(client.Get("/api/v1/health")->status, 200);
  EXPECT_EQ(client.Get("/api/v1/openapi.json")->status, 200);
  EXPECT_EQ(json::parse(client.Get("/api/v1/openapi.json")->body)["openapi"], "3.0.3");
}

// Each role against each kind of write (issue 3, item 5).
TEST_P(ApiTest, EachRoleAgainstEachKindOfWrite) {
  struct Case {
    std::string user, path, body;
    int status;
  };
  const std::string donor = R"({"id":"new_donor","name":"New donor","type":"foundation","country":""})";
  const std::string user = R"({"name":"someone","role":"viewer","password":"long-enough-password"})";
  const std::vector<Case> cases = {
      {"admin", "/api/v1/entries", Receipt("mex", "1.00", R"(,"id":"A1")"), 201},
      {"officer", "/api/v1/entries", Receipt("che", "1.00", R"(,"id":"O1")"), 201},
      {"focal", "/api/v1/entries", Receipt("mex", "1.00", R"(,"id":"F1")"), 201},
      {"focal", "/api/v1/entries", Receipt("che", "1.00", R"(,"id":"F2")"), 403},
      {"viewer", "/api/v1/entries", Receipt("mex", "1.00", R"(,"id":"V1")"), 403},
      {"viewer", "/api/v1/donors", donor, 403},
      {"focal", "/api/v1/donors", donor, 403},
      {"officer", "/api/v1/donors", donor, 201},
      {"viewer", "/api/v1/users", user, 403},
      {"officer", "/api/v1/users", user, 403},
      {"focal", "/api/v1/users", user, 403},
      {"admin", "/api/v1/users", user, 201},
      {"viewer", "/api/v1/tokens", "{}", 201},  // anyone may make a token for themselves
  };
  for (const auto& c : cases) {
    auto result = Post(c.user, c.path, c.body);
    ASSERT_TRUE(result) << c.user << " " << c.path;
    EXPECT_EQ(result->status, c.status) << c.user << " " << c.path << ": " << result->body;
  }
  // Reading the audit trail and importing.
  EXPECT_EQ(Client().Get("/api/v1/audit", As("officer"))->status, 403);
  EXPECT_EQ(Client().Get("/api/v1/audit", As("admin"))->status, 200);
  for (const char* name : {"viewer", "focal"}) {
    auto result = Client().Post("/api/v1/imports", As(name), "PK", "application/zip");
    EXPECT_EQ(result->status, 403) << name;
  }
}

TEST_P(ApiTest, SessionCookieWritesNeedTheCsrfToken) {
  auto client = Client();
  auto login = client.Post("/api/v1/login", R"({"user":"officer","password":"officer-password"})", "application/json");
  ASSERT_EQ(login->status, 200) << login->body;
  std::string cookie = login->get_header_value("Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  std::string session = cookie.substr(0, cookie.find(';'));
  std::string csrf = json::parse(login->body)["csrf_token"];
  httplib::Headers with_cookie = {{"Cookie", session}};
  EXPECT_EQ(client.Get("/api/v1/report?year=2021&as_of=2021-06-30", with_cookie)->status, 200);
  auto without = client.Post("/api/v1/entries", with_cookie, Receipt("mex"), "application/json");
  EXPECT_EQ(without->status, 403);
  EXPECT_EQ(json::parse(without->body)["error"]["code"], "csrf");
  httplib::Headers with_token = {{"Cookie", session}, {"X-CSRF-Token", csrf}};
  EXPECT_EQ(client.Post("/api/v1/entries", with_token, Receipt("mex"), "application/json")->status, 201);
  EXPECT_EQ(client.Post("/api/v1/logout", with_token, "", "application/json")->status, 200);
  EXPECT_EQ(client.Get("/api/v1/session", with_cookie)->status, 401);
}

TEST_P(ApiTest, FailedLoginsAreLimited) {
  auto client = Client();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.Post("/api/v1/login", R"({"user":"admin","password":"wrong-password"})", "application/json")->status, 401);
  }
  auto blocked = client.Post("/api/v1/login", R"({"user":"admin","password":"admin-password"})", "application/json");
  EXPECT_EQ(blocked->status, 429);
  EXPECT_EQ(blocked->get_header_value("Retry-After"), "900");
  // Another account from the same address is not yet blocked.
  EXPECT_EQ(client.Post("/api/v1/login", R"({"user":"viewer","password":"viewer-password"})", "application/json")->status, 200);
}

TEST_P(ApiTest, AnIdempotentRequestIsAppliedOnce) {
  const int64_t before = EntryCount();
  std::vector<std::thread> clients;
  std::vector<int> statuses(8);
  std::vector<std::string> bodies(8);
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      auto result = Post("officer", "/api/v1/entries", Receipt("mex", "25.00"), {{"Idempotency-Key", "once-1"}});
      statuses[i] = result ? result->status : -1;
      bodies[i] = result ? result->body : "";
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(EntryCount(), before + 1);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(statuses[i], 201);
    EXPECT_EQ(bodies[i], bodies[0]) << "a retry must get the first answer";
  }
  // The same key for another request is refused.
  auto other = Post("officer", "/api/v1/entries", Receipt("mex", "26.00"), {{"Idempotency-Key", "once-1"}});
  EXPECT_EQ(other->status, 409);
  EXPECT_EQ(EntryCount(), before + 1);
}

TEST_P(ApiTest, ConcurrentReceiptsNeverSettleMoreThanThePledge) {
  // P1 is 100000 CHF with 40000 paid: 60000 open. Twelve clients each try to
  // pay 7000 at once: at most 8 can succeed.
  ASSERT_EQ(Post("admin", "/api/v1/rates", R"({"currency":"CHF","month":"2021-04","units_per_usd":"0.93"})")->status, 201);
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 12; ++i) {
    clients.emplace_back([&, i] {
      std::string body = R"({"id":"C)" + std::to_string(i) +
                         R"(","kind":"receipt","donor":"che","fund":"earmarked","amount":"7000","currency":"CHF","value_date":"2021-04-02","settles":"P1"})";
      auto result = Post("officer", "/api/v1/entries", body);
      if (result && result->status == 201) ++accepted;
      if (result && result->status == 422) ++refused;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(accepted.load(), 8);
  EXPECT_EQ(refused.load(), 4);
  store::EntryFilter paid;
  paid.settles = "P1";
  int64_t settled = 0;
  // Held in a variable: a range-for over *ListEntries(...) would read a
  // destroyed temporary.
  auto payments = store_->ListEntries(paid);
  ASSERT_TRUE(payments);
  for (const auto& item : *payments) settled += item.entry.amount.minor_units();
  EXPECT_EQ(settled, 40000 * 100 + 8 * 7000 * 100);
}

TEST_P(ApiTest, BadBodiesAreRefusedAndChangeNothing) {
  std::string before = where_->Dump();
  struct Case {
    std::string body;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{not json", 400, "not valid JSON"},
      {"[1,2]", 400, "must be a JSON object"},
      {Receipt("mex", "1.00", R"(,"colour":"red")"), 400, "unknown field"},
      {R"({"kind":"receipt","donor":"mex","fund":"core","amount":10,"currency":"USD","value_date":"2021-04-01"})", 400,
       "must be a string"},
      {Receipt("mex", "1.00", R"(,"note":")" + std::string(3000, 'x') + "\""), 400, "longer than 2000 bytes"},
      {Receipt("mex", "1.001"), 422, "3 decimals"},
      {Receipt("atlantis"), 422, "unknown donor"},
      {Receipt("mex", "1.00", R"(,"settles":"P1")"), 422, "settles"},
  };
  for (const auto& c : cases) {
    auto result = Post("officer", "/api/v1/entries", c.body);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, c.status) << c.body.substr(0, 80) << ": " << result->body;
    json error = json::parse(result->body, nullptr, false);
    ASSERT_FALSE(error.is_discarded());
    EXPECT_THAT(error.dump(), HasSubstr(c.message)) << c.body.substr(0, 80);
  }
  auto huge = Post("officer", "/api/v1/entries", std::string(2 << 20, ' '));
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  EXPECT_EQ(where_->Dump(), before);
}

std::string Zip(const std::map<std::string, std::string>& files) {
  TempDir dir;
  std::string path = dir.File("upload.zip");
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  std::vector<std::string> keep;
  keep.reserve(files.size());
  for (const auto& [name, content] : files) {
    keep.push_back(content);
    zip_source_t* source = zip_source_buffer(archive, keep.back().data(), keep.back().size(), 0);
    zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE);
  }
  zip_close(archive);
  return testing::ReadFile(path);
}

TEST_P(ApiTest, UploadsAreAllOrNothingLikeTheCli) {
  std::string donors = "id,name,type,country\nkor,Republic of Korea,member_state,KOR\n";
  std::string entries =
      "id,kind,donor,fund,amount,currency,value_date\n"
      "U1,receipt,kor,tc,5000,USD,2021-05-01\n";
  auto good = Client().Post("/api/v1/imports", As("officer"), Zip({{"data/donors.csv", donors}, {"data/entries.csv", entries}}),
                            "application/zip");
  ASSERT_EQ(good->status, 201) << good->body;
  EXPECT_EQ(json::parse(good->body)["entries_added"], 1);

  std::string before = where_->Dump();
  httplib::MultipartFormDataItems items = {
      {"entries.csv", "id,kind,donor,fund,amount,currency,value_date\nU2,receipt,kor,tc,5000,USD,2021-05-01\n"
                      "U3,receipt,nobody,tc,1,USD,2021-05-01\nU4,receipt,kor,tc,1,USD,2021-02-30\n",
       "entries.csv", "text/csv"}};
  auto bad = Client().Post("/api/v1/imports", As("officer"), items);
  ASSERT_EQ(bad->status, 422) << bad->body;
  json details = json::parse(bad->body)["error"]["details"];
  ASSERT_EQ(details.size(), 2u);
  EXPECT_EQ(details[0]["file"], "entries.csv");
  EXPECT_EQ(details[0]["line"], 4);
  EXPECT_EQ(details[0]["field"], "value_date");
  EXPECT_EQ(details[1]["line"], 3);
  EXPECT_EQ(details[1]["field"], "donor");
  EXPECT_EQ(where_->Dump(), before);
}

TEST_P(ApiTest, TheReportIsTheCliReport) {
  auto api = Client().Get("/api/v1/report?year=2021&as_of=2021-06-30&basis=net", As("viewer"));
  ASSERT_EQ(api->status, 200);
  CommandResult cli = RunRmis({"report", "--db", db_, "--year", "2021", "--as-of", "2021-06-30", "--basis", "net",
                               "--format", "json"});
  ASSERT_EQ(cli.exit_code, 0);
  EXPECT_EQ(json::parse(api->body), json::parse(cli.out));
  auto bad = Client().Get("/api/v1/report?year=20x1&as_of=2021-02-30", As("viewer"));
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["details"].size(), 2u);
}

TEST_P(ApiTest, EntriesPageWithACursor) {
  auto first = Client().Get("/api/v1/entries?limit=3", As("viewer"));
  ASSERT_EQ(first->status, 200);
  json page = json::parse(first->body);
  ASSERT_EQ(page["entries"].size(), 3u);
  std::string cursor = page["next_cursor"];
  json second = json::parse(Client().Get(("/api/v1/entries?limit=10&cursor=" + cursor).c_str(), As("viewer"))->body);
  EXPECT_EQ(second["entries"].size(), 4u);
  EXPECT_TRUE(second["next_cursor"].is_null());
  EXPECT_EQ(second["entries"][0]["id"], "R2");
  auto one = Client().Get("/api/v1/entries/R1", As("viewer"));
  EXPECT_EQ(json::parse(one->body)["settles"], "P1");
  EXPECT_EQ(Client().Get("/api/v1/entries/NOPE", As("viewer"))->status, 404);
}

// Newest first, page by page, and only what had been recorded by a date
// (issue 4: the dashboard's ledger shows the latest entries first).
TEST_P(ApiTest, EntriesNewestFirstAndKnownAt) {
  auto ids = [](const json& page) {
    std::vector<std::string> out;
    for (const auto& entry : page["entries"]) out.push_back(entry["id"]);
    return out;
  };
  auto get = [&](const std::string& query) {
    auto result = Client().Get(("/api/v1/entries?" + query).c_str(), As("viewer"));
    EXPECT_EQ(result->status, 200) << query << ": " << result->body;
    return json::parse(result->body);
  };
  json first = get("order=desc&limit=3");
  EXPECT_THAT(ids(first), ::testing::ElementsAre("X1", "V3", "R3"));
  ASSERT_TRUE(first["next_cursor"].is_string());
  json second = get("order=desc&limit=10&cursor=" + first["next_cursor"].get<std::string>());
  EXPECT_THAT(ids(second), ::testing::ElementsAre("R2", "R0", "R1", "P1"));
  EXPECT_TRUE(second["next_cursor"].is_null());
  // recorded_at defaults to the value date in the fixture: known on 5 March
  // 2021 were P1 (1 Feb), R0 (11 Feb), R2 (3 Mar) and X1 (5 Mar).
  EXPECT_THAT(ids(get("known_at=2021-03-05")), ::testing::ElementsAre("P1", "R0", "R2", "X1"));
  EXPECT_THAT(ids(get("known_at=2021-03-05&order=desc&donor=mex")), ::testing::ElementsAre("R0"));
  EXPECT_THAT(ids(get("known_at=2021-03-04T23:59:59Z&order=desc")), ::testing::ElementsAre("R2", "R0", "P1"));
  // A new entry is the first of the newest.
  ASSERT_EQ(Post("officer", "/api/v1/entries", Receipt("mex", "4.00", R"(,"id":"NEW1")"))->status, 201);
  EXPECT_THAT(ids(get("order=desc&limit=1")), ::testing::ElementsAre("NEW1"));
  auto bad = Client().Get("/api/v1/entries?order=sideways&known_at=2021-02-30", As("viewer"));
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["details"].size(), 2u);
}

// A donor's page figures, computed by the server from the ledger (issue 4).
TEST_P(ApiTest, DonorSummary) {
  auto summary = [&](const std::string& donor, const std::string& query) {
    auto result = Client().Get(("/api/v1/donors/" + donor + "/summary?" + query).c_str(), As("viewer"));
    EXPECT_EQ(result->status, 200) << donor << " " << query << ": " << result->body;
    return json::parse(result->body);
  };
  // Switzerland: pledged 100,000 CHF (P1, 112,359.55 USD at 0.89) and paid
  // 40,000 CHF of it on 10 March (R1, 43,478.26 USD at 0.92).
  json che = summary("che", "as_of=2021-06-30");
  EXPECT_EQ(che["donor"], "che");
  EXPECT_EQ(che["as_of"], "2021-06-30");
  EXPECT_TRUE(che["known_at"].is_null());
  EXPECT_EQ(che["received_usd"], "43478.26");
  ASSERT_EQ(che["giving"].size(), 1u);
  EXPECT_EQ(che["giving"][0]["year"], 2021);
  EXPECT_EQ(che["giving"][0]["received_usd"], "43478.26");
  EXPECT_EQ(che["giving"][0]["funds"], json::parse(R"([{"fund":"earmarked","received_usd":"43478.26"}])"));
  ASSERT_EQ(che["open_pledges"].size(), 1u);
  const json& p1 = che["open_pledges"][0];
  EXPECT_EQ(p1["id"], "P1");
  EXPECT_EQ(p1["amount"], "100000.00");
  EXPECT_EQ(p1["currency"], "CHF");
  EXPECT_EQ(p1["usd"], "112359.55");
  EXPECT_EQ(p1["settled"], "40000.00");
  EXPECT_EQ(p1["open"], "60000.00");
  EXPECT_EQ(p1["open_usd"], "67415.73");  // half-even of 112,359.55 x 60,000 / 100,000
  EXPECT_EQ(che["open_pledged_usd"], "67415.73");
  EXPECT_TRUE(che["focal_points"].empty());
  // Before the payment, and as known before it was recorded: all of P1 is open.
  for (const std::string query : {"as_of=2021-03-01", "as_of=2021-06-30&known_at=2021-03-09"}) {
    json early = summary("che", query);
    EXPECT_EQ(early["received_usd"], "0.00") << query;
    EXPECT_TRUE(early["giving"].empty()) << query;
    EXPECT_EQ(early["open_pledges"][0]["open"], "100000.00") << query;
    EXPECT_EQ(early["open_pledges"][0]["open_usd"], "112359.55") << query;
  }
  // Mexico: R3 was reversed (V3), so only R0 counts; its focal point is "focal".
  json mex = summary("mex", "as_of=2021-12-31");
  EXPECT_EQ(mex["received_usd"], "5000.00");
  EXPECT_EQ(mex["giving"][0]["funds"], json::parse(R"([{"fund":"core","received_usd":"5000.00"}])"));
  EXPECT_EQ(mex["focal_points"], json::parse(R"(["focal"])"));
  // As of 16 March the reversal (20 March) had not happened: R3 counts too.
  EXPECT_EQ(summary("mex", "as_of=2021-03-16")["received_usd"], "5700.00");
  // The Gates Foundation: 200,000 USD expected with probability 0.5.
  json gates = summary("gates", "as_of=2021-12-31");
  ASSERT_EQ(gates["expectations"].size(), 1u);
  EXPECT_EQ(gates["expectations"][0]["id"], "X1");
  EXPECT_EQ(gates["expectations"][0]["open_usd"], "200000.00");
  EXPECT_EQ(gates["expectations"][0]["weighted_usd"], "100000.00");
  EXPECT_EQ(gates["expected_usd"], "100000.00");
  EXPECT_EQ(gates["expected_unweighted_usd"], "200000.00");
  // A partial write-off closes that part of the expectation.
  ASSERT_EQ(Post("officer", "/api/v1/entries",
                 R"({"kind":"write_off","donor":"gates","fund":"core","amount":"50000","currency":"USD","value_date":"2021-05-01","settles":"X1"})")
                ->status,
            201);
  EXPECT_EQ(summary("gates", "as_of=2021-12-31")["expectations"][0]["open"], "150000.00");
  EXPECT_EQ(summary("gates", "as_of=2021-12-31")["expected_usd"], "75000.00");
  EXPECT_EQ(Client().Get("/api/v1/donors/nobody/summary", As("viewer"))->status, 404);
  auto bad = Client().Get("/api/v1/donors/che/summary?as_of=2021-02-30&known_at=soon", As("viewer"));
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["details"].size(), 2u);
  EXPECT_EQ(Client().Get("/api/v1/donors/che/summary")->status, 401);
}

// The open pledges and expectations come a page at a time when asked
// (`open_offset`, `open_limit`): the pages together are the whole list, in
// the same order; the counts and totals are those of the whole list.
TEST_P(ApiTest, DonorSummaryPagesTheOpenPledges) {
  for (int i = 1; i <= 5; ++i) {
    const std::string body = R"({"kind":"pledge","donor":"che","fund":"core","amount":")" + std::to_string(i) +
                             R"(000.00","currency":"USD","value_date":"2021-04-0)" + std::to_string(i) +
                             R"(","id":"PG)" + std::to_string(i) + R"("})";
    ASSERT_EQ(Post("officer", "/api/v1/entries", body)->status, 201) << body;
  }
  auto get = [&](const std::string& query) {
    auto result = Client().Get(("/api/v1/donors/che/summary?as_of=2021-06-30" + query).c_str(), As("viewer"));
    EXPECT_EQ(result->status, 200) << query << ": " << result->body;
    return json::parse(result->body);
  };
  const json whole = get("");
  ASSERT_EQ(whole["open_pledges"].size(), 6u);
  EXPECT_EQ(whole["open_pledges_count"], 6);
  EXPECT_EQ(whole["expectations_count"], 0);
  EXPECT_EQ(whole["open_pledged_usd"], "82415.73");  // 67,415.73 of P1 + 15,000.00
  json joined = json::array();
  for (int offset = 0; offset <= 6; offset += 2) {
    json page = get("&open_limit=2&open_offset=" + std::to_string(offset));
    EXPECT_EQ(page["open_pledges"].size(), offset < 6 ? 2u : 0u) << offset;
    EXPECT_EQ(page["open_pledges_count"], 6);
    EXPECT_EQ(page["open_pledged_usd"], whole["open_pledged_usd"]);
    EXPECT_EQ(page["giving"], whole["giving"]);
    for (const auto& item : page["open_pledges"]) joined.push_back(item);
  }
  EXPECT_EQ(joined, whole["open_pledges"]);
  EXPECT_EQ(get("&open_offset=5")["open_pledges"][0]["id"], "PG5");
  EXPECT_EQ(get("&open_limit=1")["open_pledges"][0]["id"], "P1");
  auto bad = Client().Get("/api/v1/donors/che/summary?open_limit=0&open_offset=-1", As("viewer"));
  EXPECT_EQ(bad->status, 400);
  json details = json::parse(bad->body)["error"]["details"];
  ASSERT_EQ(details.size(), 2u);
  EXPECT_EQ(details[0]["field"], "open_offset");
  EXPECT_EQ(details[1]["field"], "open_limit");
  EXPECT_EQ(Client().Get("/api/v1/donors/che/summary?open_limit=two", As("viewer"))->status, 400);
}

// The donor's page is summed over the columns the store keeps and reads only
// the open entries' records, by sequence number. Where a row was deleted
// behind rmis's back, positions and sequence numbers part (SQLite reads the
// columns again, by ids): the records read do not match the columns, and the
// page is made from the donor's records instead, with the same figures.
// (PostgreSQL's copy of the columns only takes new entries, so there the
// deleted row stays in it and the positions still match.)
TEST_P(ApiTest, DonorSummaryOfAStoreWithAGap) {
  auto gates = [&] {
    auto result = Client().Get("/api/v1/donors/gates/summary?as_of=2021-12-31", As("viewer"));
    EXPECT_EQ(result->status, 200) << result->body;
    return json::parse(result->body);
  };
  const json before = gates();
  ASSERT_EQ(before["expectations"].size(), 1u);
  // R0 (mex, named by no entry) is stored before X1 (gates, the last entry).
  EXPECT_EQ(where_->Exec(GetParam() == StoreKind::kSqlite
                             ? "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE id = 'R0'"
                             : "DROP TRIGGER entries_no_delete ON entries; DELETE FROM entries WHERE id = 'R0'"),
            "");
  const json after = gates();
  ASSERT_EQ(after["expectations"].size(), 1u);
  EXPECT_EQ(after["expectations"][0]["id"], "X1");
  EXPECT_EQ(after["expectations"][0]["open_usd"], "200000.00");
  EXPECT_EQ(after["expected_usd"], before["expected_usd"]);
  EXPECT_EQ(after, before);
  // A page of the list, from the records too.
  auto paged = Client().Get("/api/v1/donors/gates/summary?as_of=2021-12-31&open_offset=1", As("viewer"));
  ASSERT_EQ(paged->status, 200) << paged->body;
  const json page_after = json::parse(paged->body);
  EXPECT_TRUE(page_after["expectations"].empty());
  EXPECT_EQ(page_after["expectations_count"], 1);
  EXPECT_EQ(page_after["expected_usd"], before["expected_usd"]);
  // The entry list, found over the columns too, still lists what is stored.
  auto listed = Client().Get("/api/v1/entries?kind=receipt&limit=2", As("viewer"));
  ASSERT_EQ(listed->status, 200) << listed->body;
  json page = json::parse(listed->body);
  ASSERT_EQ(page["entries"].size(), 2u);
  EXPECT_EQ(page["entries"][0]["id"], "R1");
  EXPECT_EQ(page["entries"][1]["id"], "R2");
  auto rest = Client().Get(("/api/v1/entries?kind=receipt&limit=2&cursor=" + page["next_cursor"].get<std::string>()).c_str(),
                           As("viewer"));
  ASSERT_EQ(rest->status, 200) << rest->body;
  json second = json::parse(rest->body);
  ASSERT_EQ(second["entries"].size(), 1u);
  EXPECT_EQ(second["entries"][0]["id"], "R3");
  EXPECT_TRUE(second["next_cursor"].is_null());
}

TEST_P(ApiTest, EveryWriteIsInTheAuditTrail) {
  ASSERT_EQ(Post("officer", "/api/v1/entries", Receipt("mex", "3.00", R"(,"id":"AUD1")"), {{"X-Request-Id", "req-42"}})->status, 201);
  auto records = *store_->ListAudit(0, 0);
  const auto& last = records.back();
  EXPECT_EQ(last.action, "entry.create");
  EXPECT_EQ(last.actor, "officer");
  EXPECT_EQ(last.entity_id, "AUD1");
  EXPECT_EQ(last.request_id, "req-42");
  EXPECT_EQ(last.address, "127.0.0.1");
  EXPECT_THAT(last.after, HasSubstr("\"amount\":\"3.00\""));
  json verify = json::parse(Client().Get("/api/v1/audit/verify", As("admin"))->body);
  EXPECT_EQ(verify["ok"], true);
}

}  // namespace
}  // namespace rmis::server
