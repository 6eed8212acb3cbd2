// The HTTP JSON API (see server.h). cpp-httplib serves; each route parses
// its input strictly, calls the store, analysis or access layer, and renders
// JSON. Errors have one shape: {"error": {"code", "message", "details"}}.
#include "server/server.h"

#include <httplib.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "access/access.h"
#include "analysis/donor.h"
#include "analysis/report.h"
#include "exchange/csv/dataset_reader.h"
#include "exchange/json/report_json.h"
#include "money/money.h"
#include "store/audit.h"

namespace rmis::server {

// The OpenAPI description, compiled in from src/server/openapi.json.
extern const char* const kOpenApiJson;

namespace {

using json = nlohmann::ordered_json;
using httplib::Request;
using httplib::Response;

constexpr char kSessionCookie[] = "rmis_session";

// --- Errors, in one place ----------------------------------------------------

struct HttpError {
  int status = 500;
  std::string code;
  std::string message;
  json details = json::array();
};

int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kOverflow: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kTooMany: return 429;
    case ErrorCode::kIo:
    case ErrorCode::kCorrupt:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

HttpError FromError(const Error& error) {
  return HttpError{StatusFor(error.code), ErrorCodeName(error.code), error.message, json::array()};
}

HttpError BadRequest(std::string message, json details = json::array()) {
  return HttpError{400, "invalid_argument", std::move(message), std::move(details)};
}

json ProblemsJson(const std::vector<ledger::Problem>& problems) {
  json details = json::array();
  for (const auto& p : problems) {
    json item = {{"message", p.message}};
    if (!p.file.empty()) item["file"] = p.file;
    if (p.line > 0) item["line"] = p.line;
    if (!p.field.empty()) item["field"] = p.field;
    details.push_back(std::move(item));
  }
  return details;
}

HttpError Rejected(const std::vector<ledger::Problem>& problems, bool truncated) {
  std::string count = std::to_string(problems.size()) + (truncated ? "+" : "");
  return HttpError{422, "invalid_data",
                   count + (problems.size() == 1 ? " problem" : " problems") + "; nothing was stored",
                   ProblemsJson(problems)};
}

std::string ErrorBody(const HttpError& error) {
  return json{{"error", {{"code", error.code}, {"message", error.message}, {"details", error.details}}}}.dump();
}

void Send(Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json; charset=utf-8");
}

void Send(Response& res, const HttpError& error) {
  Send(res, error.status, ErrorBody(error));
  if (error.status == 429) res.set_header("Retry-After", "900");
}

// --- Strict JSON input -----------------------------------------------------

enum class Kind { kString, kInteger, kBoolean, kStringArray };

struct Field {
  const char* name;
  Kind kind = Kind::kString;
  size_t max_length = 200;  // for strings
};

// Parses `body` as a JSON object with only the given fields, of the given
// kinds and lengths.
Result<json> ParseObject(const std::string& body, const std::vector<Field>& fields, HttpError& error) {
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    error = BadRequest("the body is not valid JSON");
    return Fail(ErrorCode::kInvalidArgument, "");
  }
  if (!value.is_object()) {
    error = BadRequest("the body must be a JSON object");
    return Fail(ErrorCode::kInvalidArgument, "");
  }
  json details = json::array();
  for (auto it = value.begin(); it != value.end(); ++it) {
    const Field* field = nullptr;
    for (const Field& f : fields) {
      if (it.key() == f.name) field = &f;
    }
    if (field == nullptr) {
      details.push_back({{"field", it.key()}, {"message", "unknown field"}});
      continue;
    }
    const json& v = it.value();
    bool ok = true;
    std::string expected;
    switch (field->kind) {
      case Kind::kString:
        ok = v.is_string();
        expected = "a string";
        if (ok && v.get_ref<const std::string&>().size() > field->max_length) {
          details.push_back({{"field", it.key()},
                             {"message", "longer than " + std::to_string(field->max_length) + " bytes"}});
        }
        break;
      case Kind::kInteger:
        ok = v.is_number_integer();
        expected = "an integer";
        break;
      case Kind::kBoolean:
        ok = v.is_boolean();
        expected = "true or false";
        break;
      case Kind::kStringArray:
        ok = v.is_array();
        for (const auto& item : v) {
          ok = ok && item.is_string() && item.get_ref<const std::string&>().size() <= field->max_length;
        }
        ok = ok && v.size() <= 10000;
        expected = "an array of strings";
        break;
    }
    if (!ok) details.push_back({{"field", it.key()}, {"message", "must be " + expected}});
  }
  if (!details.empty()) {
    error = BadRequest("the body has fields that are unknown, of the wrong type or too long", details);
    return Fail(ErrorCode::kInvalidArgument, "");
  }
  return value;
}

// The fields of each kind of record as they may be sent (the dataset's
// columns; values are strings, numbers of years and countries integers).
std::vector<Field> RecordFields(const std::string& file) {
  if (file == "entries.csv") {
    return {{"id", Kind::kString, 64},         {"kind", Kind::kString, 20},
            {"donor", Kind::kString, 64},      {"fund", Kind::kString, 64},
            {"amount", Kind::kString, 40},     {"currency", Kind::kString, 3},
            {"value_date", Kind::kString, 10}, {"attributed_year", Kind::kInteger},
            {"region", Kind::kString, 40},     {"country", Kind::kString, 3},
            {"programme", Kind::kString, 64},  {"appeal", Kind::kString, 64},
            {"channel", Kind::kString, 40},    {"event", Kind::kString, 64},
            {"settles", Kind::kString, 64},    {"reverses", Kind::kString, 64},
            {"probability", Kind::kString, 10}, {"note", Kind::kString, 2000}};
  }
  if (file == "donors.csv") {
    return {{"id", Kind::kString, 64},       {"name", Kind::kString, 300},    {"type", Kind::kString, 40},
            {"country", Kind::kString, 3},   {"name_ar", Kind::kString, 300}, {"name_zh", Kind::kString, 300},
            {"name_fr", Kind::kString, 300}, {"name_ru", Kind::kString, 300}, {"name_es", Kind::kString, 300}};
  }
  if (file == "funds.csv") return {{"id", Kind::kString, 64}, {"name", Kind::kString, 300}, {"category", Kind::kString, 40}};
  if (file == "targets.csv") {
    return {{"fund", Kind::kString, 64},        {"year_from", Kind::kInteger}, {"year_to", Kind::kInteger},
            {"amount_usd", Kind::kString, 40}, {"decided_on", Kind::kString, 10}, {"note", Kind::kString, 2000}};
  }
  if (file == "appeals.csv") {
    return {{"id", Kind::kString, 64}, {"name", Kind::kString, 300}, {"requirement_usd", Kind::kString, 40},
            {"countries", Kind::kInteger}, {"launched_on", Kind::kString, 10}};
  }
  if (file == "events.csv") return {{"id", Kind::kString, 64}, {"name", Kind::kString, 300}, {"held_on", Kind::kString, 10}};
  if (file == "rates.csv") {
    return {{"currency", Kind::kString, 3}, {"month", Kind::kString, 7}, {"units_per_usd", Kind::kString, 40}};
  }
  return {};
}

Result<json> ParseRecord(const std::string& body, const std::string& file, HttpError& error) {
  return ParseObject(body, RecordFields(file), error);
}

std::vector<std::pair<std::string, std::string>> AsColumns(const json& record) {
  std::vector<std::pair<std::string, std::string>> columns;
  for (auto it = record.begin(); it != record.end(); ++it) {
    columns.emplace_back(it.key(), it.value().is_string() ? it.value().get<std::string>()
                                                          : std::to_string(it.value().get<int64_t>()));
  }
  return columns;
}

// Reads a record sent as JSON: the strict parse, then the rules of one row of
// `file` (exchange::ReadDatasetRecord) into `read`. `make_id`, when set, gives
// the id of a record sent without one. Returns the parsed body, or fails with
// the answer in `error` (400 for the body, 422 for the record's problems).
Result<json> ReadRecord(const std::string& body, const std::string& file,
                        const std::function<std::string()>& make_id, exchange::DatasetRead& read,
                        HttpError& error) {
  auto record = ParseRecord(body, file, error);
  if (!record) return record;
  if (make_id && !record->contains("id")) (*record)["id"] = make_id();
  exchange::ReadDatasetRecord(file, AsColumns(*record), read);
  if (!read.problems.empty()) {
    error = Rejected(read.problems, false);
    return Fail(ErrorCode::kInvalidArgument, "");
  }
  return record;
}

// --- Failed logins ------------------------------------------------------------

// Counts failed logins per account and per address over a 15-minute window,
// in this process. (Several processes behind one PostgreSQL each keep their
// own counts; see docs/operations.md.)
class LoginLimiter {
 public:
  LoginLimiter(int per_account, int per_address) : per_account_(per_account), per_address_(per_address) {}

  bool Blocked(const std::string& account, const std::string& address, ledger::Instant now) {
    std::lock_guard<std::mutex> lock(mutex_);
    return Count(accounts_[account], now) >= per_account_ || Count(addresses_[address], now) >= per_address_;
  }
  void Failed(const std::string& account, const std::string& address, ledger::Instant now) {
    std::lock_guard<std::mutex> lock(mutex_);
    accounts_[account].push_back(now);
    addresses_[address].push_back(now);
  }
  void Succeeded(const std::string& account) {
    std::lock_guard<std::mutex> lock(mutex_);
    accounts_.erase(account);
  }

 private:
  static constexpr ledger::Instant kWindow = 15 * 60;
  static int Count(std::deque<ledger::Instant>& times, ledger::Instant now) {
    while (!times.empty() && times.front() <= now - kWindow) times.pop_front();
    return static_cast<int>(times.size());
  }
  std::mutex mutex_;
  std::map<std::string, std::deque<ledger::Instant>> accounts_, addresses_;
  int per_account_, per_address_;
};

std::string CookieValue(const Request& req, const std::string& name) {
  std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos) part = part.substr(start);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

bool IsWrite(const Request& req) {
  return req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE";
}

json UserJson(const store::User& user) {
  return {{"name", user.name}, {"role", store::Name(user.role)}, {"disabled", user.disabled}, {"donors", user.donors}};
}

json AuditJson(const store::AuditRecord& r) {
  auto parse = [](const std::string& text) {
    return text.empty() ? json(nullptr) : json::parse(text, nullptr, false);
  };
  return {{"seq", r.seq},
          {"at", ledger::FormatInstant(r.at)},
          {"actor", r.actor},
          {"address", r.address},
          {"request_id", r.request_id},
          {"action", r.action},
          {"entity", r.entity},
          {"entity_id", r.entity_id},
          {"before", parse(r.before)},
          {"after", parse(r.after)},
          {"hash", r.hash}};
}

// A donor's page figures (GET /api/v1/donors/{id}/summary).
// `summary`'s lists may hold one page of each (DonorSummary pages them);
// `open_pledges` and `expectations` are how many each has in all.
json DonorSummaryJson(const analysis::DonorSummary& summary, size_t open_pledges, size_t expectations,
                      const std::vector<std::string>& focal_points) {
  auto open_item = [](const analysis::OpenEntry& item, bool expectation) {
    json out = exchange::EntryToJson(item.entry);
    const money::CurrencyCode currency = item.entry.amount.currency();
    out["settled"] = money::Money(item.settled_minor, currency).ToDecimalString();
    out["open"] = money::Money(item.open_minor, currency).ToDecimalString();
    out["open_usd"] = money::FormatUsdCents(item.open_cents);
    if (expectation) out["weighted_usd"] = money::FormatUsdCents(item.weighted_cents);
    return out;
  };
  json giving = json::array();
  for (const auto& year : summary.giving) {
    json funds = json::array();
    for (const auto& fund : year.funds) {
      funds.push_back({{"fund", fund.fund}, {"received_usd", money::FormatUsdCents(fund.received_cents)}});
    }
    giving.push_back({{"year", year.year}, {"received_usd", money::FormatUsdCents(year.received_cents)}, {"funds", funds}});
  }
  json pledges = json::array(), expected = json::array();
  for (const auto& item : summary.open_pledges) pledges.push_back(open_item(item, false));
  for (const auto& item : summary.expectations) expected.push_back(open_item(item, true));
  return {{"donor", summary.donor},
          {"as_of", ledger::FormatDate(summary.snapshot.as_of)},
          {"known_at", summary.snapshot.known_at ? json(ledger::FormatInstant(*summary.snapshot.known_at)) : json(nullptr)},
          {"currency", "USD"},
          {"received_usd", money::FormatUsdCents(summary.received_cents)},
          {"giving", giving},
          {"open_pledged_usd", money::FormatUsdCents(summary.open_pledged_cents)},
          {"open_pledges_count", open_pledges},
          {"open_pledges", pledges},
          {"expected_usd", money::FormatUsdCents(summary.expected_cents)},
          {"expected_unweighted_usd", money::FormatUsdCents(summary.expected_unweighted_cents)},
          {"expectations_count", expectations},
          {"expectations", expected},
          {"focal_points", focal_points}};
}

}  // namespace

RecordBodyAnswer ReadRecordBody(const std::string& body, const std::string& file_name,
                                const std::string& id_if_missing, exchange::DatasetRead& out) {
  HttpError error;
  std::function<std::string()> make_id;
  if (!id_if_missing.empty()) make_id = [&id_if_missing] { return id_if_missing; };
  if (!ReadRecord(body, file_name, make_id, out, error)) return {error.status, ErrorBody(error)};
  return {200, ""};
}

class ApiServer::Impl {
 public:
  Impl(store::Store& store, ServerOptions options, std::function<ledger::Instant()> now)
      : store_(store), options_(std::move(options)), now_(std::move(now)),
        limiter_(options_.max_failures_per_account, options_.max_failures_per_address) {
    int threads = options_.threads;
    http_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    http_.set_payload_max_length(options_.max_upload);
    // Without this, Nagle's algorithm and delayed ACKs add 40 ms to each answer
    // written in two parts (headers, body).
    http_.set_tcp_nodelay(true);
    http_.set_pre_routing_handler([this](const Request& req, Response& res) {
      res.set_header("X-Request-Id", RequestId(req));
      // API answers are never cached; the dashboard's assets carry a content
      // hash in their names and are cached for good; index.html is revalidated.
      if (req.path.rfind("/api/", 0) == 0) {
        res.set_header("Cache-Control", "no-store");
      } else if (req.path.rfind("/assets/", 0) == 0) {
        res.set_header("Cache-Control", "public, max-age=31536000, immutable");
      } else {
        res.set_header("Cache-Control", "no-cache");
      }
      res.set_header("X-Content-Type-Options", "nosniff");
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http_.set_error_handler([](const Request&, Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 413) {
        Send(res, HttpError{413, "payload_too_large", "the body is too large"});
      } else if (res.status == 404) {
        Send(res, HttpError{404, "not_found", "no such resource"});
      } else {
        Send(res, HttpError{res.status, "error", "the request failed"});
      }
    });
    http_.set_exception_handler([](const Request&, Response& res, std::exception_ptr error) {
      std::string what = "unexpected error";
      try {
        if (error) std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      Send(res, HttpError{500, "internal", what});
    });
    Routes();
    if (!options_.static_dir.empty()) {
      // cpp-httplib compresses "application/javascript" with Brotli at its
      // slowest setting on every request (over a second for the dashboard's
      // script); with a charset the type is left as it is.
      http_.set_file_extension_and_mimetype_mapping("js", "application/javascript; charset=utf-8");
      http_.set_file_extension_and_mimetype_mapping("mjs", "application/javascript; charset=utf-8");
      http_.set_mount_point("/", options_.static_dir);
    }
  }

  Status Bind() {
    if (options_.port == 0) {
      port_ = http_.bind_to_any_port(options_.host);
      if (port_ < 0) return Fail(ErrorCode::kIo, "cannot listen on " + options_.host);
    } else {
      if (!http_.bind_to_port(options_.host, options_.port)) {
        return Fail(ErrorCode::kIo, "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                                        " (in use?)");
      }
      port_ = options_.port;
    }
    return {};
  }
  int port() const { return port_; }
  Status Run() {
    if (!http_.listen_after_bind()) return Fail(ErrorCode::kIo, "the server stopped with an error");
    return {};
  }
  void Stop() { http_.stop(); }

 private:
  // The caller of a request, once authenticated.
  struct Caller {
    store::User user;
    store::Session session;
    bool by_cookie = false;
  };

  using Handler = std::function<void(const Request&, Response&, const Caller&)>;

  std::string RequestId(const Request& req) {
    std::string given = req.get_header_value("X-Request-Id");
    if (!given.empty() && given.size() <= 64 && ledger::IsValidId(given)) return given;
    return access::NewSecret().substr(0, 16);
  }

  store::Actor ActorOf(const Request& req, const Response& res, const std::string& user) {
    return store::Actor{user, req.remote_addr, res.get_header_value("X-Request-Id")};
  }

  // Who is asking: an API token (Authorization: Bearer) or a session cookie.
  Result<Caller> Authenticate(const Request& req) {
    std::string secret;
    bool by_cookie = false;
    std::string authorization = req.get_header_value("Authorization");
    if (authorization.rfind("Bearer ", 0) == 0) {
      secret = authorization.substr(7);
    } else {
      secret = CookieValue(req, kSessionCookie);
      by_cookie = true;
    }
    if (secret.empty()) return Fail(ErrorCode::kUnauthenticated, "log in first (POST /api/v1/login) or send an API token");
    auto session = store_.FindSession(access::HashSecret(secret));
    if (!session) return tl::unexpected(session.error());
    if (!*session || (**session).api_token == by_cookie) {
      return Fail(ErrorCode::kUnauthenticated, "the session or token is not valid; log in again");
    }
    if ((**session).expires_at != 0 && (**session).expires_at < now_()) {
      return Fail(ErrorCode::kUnauthenticated, "the session has expired; log in again");
    }
    auto user = store_.FindUserById((**session).user_id);
    if (!user) return tl::unexpected(user.error());
    if (!*user || (**user).disabled) return Fail(ErrorCode::kUnauthenticated, "the account is disabled");
    return Caller{**user, **session, by_cookie};
  }

  // Wraps a handler: authentication, and the CSRF token on every write made
  // with a session cookie.
  httplib::Server::Handler Authed(Handler handler) {
    return [this, handler](const Request& req, Response& res) {
      // httplib has read the body (up to max_upload, else it answered 413).
      if (req.path != "/api/v1/imports" && req.body.size() > options_.max_json_body) {
        return Send(res, HttpError{413, "payload_too_large", "the body is too large"});
      }
      auto caller = Authenticate(req);
      if (!caller) return Send(res, FromError(caller.error()));
      if (caller->by_cookie && IsWrite(req)) {
        std::string token = req.get_header_value("X-CSRF-Token");
        if (token.empty() || token != caller->session.csrf_token) {
          return Send(res, HttpError{403, "csrf", "a state-changing request needs the X-CSRF-Token header of the session"});
        }
      }
      handler(req, res, *caller);
    };
  }

  static std::optional<store::Idempotency> IdempotencyOf(const Request& req, HttpError& error) {
    std::string key = req.get_header_value("Idempotency-Key");
    if (key.empty()) return std::nullopt;
    if (key.size() > 200) {
      error = BadRequest("the Idempotency-Key is longer than 200 characters");
      return std::nullopt;
    }
    return store::Idempotency{key, store::audit::Sha256Hex(req.method + " " + req.path + "\n" + req.body)};
  }

  // Writes `dataset` for `caller`; sends 201 with `render(result)`, or the
  // remembered answer of an idempotent retry, or the problems.
  void Write(const Request& req, Response& res, const Caller& caller, const ledger::Dataset& dataset,
             const std::string& action, const std::string& source,
             const std::function<json(const store::ImportResult&)>& render) {
    HttpError error;
    store::WriteOptions options;
    options.actor = ActorOf(req, res, caller.user.name);
    options.source = source;
    options.action = action;
    options.idempotency = IdempotencyOf(req, error);
    if (!error.code.empty()) return Send(res, error);
    options.respond = [&](const store::ImportResult& result) {
      return store::StoredResponse{201, render(result).dump()};
    };
    auto result = store_.Import(dataset, options);
    if (!result) return Send(res, FromError(result.error()));
    if (result->replayed) {
      res.set_header("Idempotent-Replayed", "true");
      return Send(res, result->replayed->status, result->replayed->body);
    }
    if (!result->problems.empty()) return Send(res, Rejected(result->problems, result->truncated));
    if (result->response) return Send(res, result->response->status, result->response->body);
    Send(res, 201, render(*result).dump());
  }

  void Routes() {
    http_.Get("/api/v1/health", [](const Request&, Response& res) { Send(res, 200, json{{"status", "ok"}}.dump()); });
    http_.Get("/api/v1/openapi.json", [](const Request&, Response& res) { Send(res, 200, kOpenApiJson); });

    http_.Post("/api/v1/login", [this](const Request& req, Response& res) { Login(req, res); });
    http_.Post("/api/v1/logout", Authed([this](const Request& req, Response& res, const Caller& caller) {
      if (!caller.by_cookie) return Send(res, BadRequest("API tokens are revoked, not logged out"));
      auto status = store_.DeleteSession(caller.session.token_hash, ActorOf(req, res, caller.user.name));
      if (!status) return Send(res, FromError(status.error()));
      res.set_header("Set-Cookie", CookieHeader("", 0));
      Send(res, 200, json{{"logged_out", true}}.dump());
    }));
    http_.Get("/api/v1/session", Authed([](const Request&, Response& res, const Caller& caller) {
      json out = UserJson(caller.user);
      if (caller.by_cookie) out["csrf_token"] = caller.session.csrf_token;
      Send(res, 200, out.dump());
    }));
    http_.Post("/api/v1/tokens", Authed([this](const Request& req, Response& res, const Caller& caller) {
      HttpError error;
      auto body = ParseObject(req.body, {{"label", Kind::kString, 200}, {"expires_in_days", Kind::kInteger}}, error);
      if (!body) return Send(res, error);
      store::Session token;
      std::string secret = access::NewSecret();
      token.token_hash = access::HashSecret(secret);
      token.user_id = caller.user.id;
      token.api_token = true;
      token.label = body->value("label", "");
      token.created_at = now_();
      int64_t days = body->value("expires_in_days", int64_t{0});
      if (days < 0 || days > 3650) return Send(res, BadRequest("expires_in_days must be from 0 to 3650"));
      token.expires_at = days ? token.created_at + days * 86400 : 0;
      auto status = store_.AddSession(token, ActorOf(req, res, caller.user.name));
      if (!status) return Send(res, FromError(status.error()));
      Send(res, 201, json{{"token", secret}, {"label", token.label}}.dump());
    }));

    http_.Get("/api/v1/report", Authed([this](const Request& req, Response& res, const Caller&) { Report(req, res); }));

    http_.Get(R"(/api/v1/donors/([A-Za-z0-9_.:-]{1,64})/summary)",
              Authed([this](const Request& req, Response& res, const Caller&) { DonorSummary(req, res); }));

    http_.Get("/api/v1/entries", Authed([this](const Request& req, Response& res, const Caller&) { ListEntries(req, res); }));
    http_.Get(R"(/api/v1/entries/([A-Za-z0-9_.:-]{1,64}))",
              Authed([this](const Request& req, Response& res, const Caller&) {
                store::EntryFilter filter;
                filter.id = req.matches[1];
                auto list = store_.ListEntries(filter);
                if (!list) return Send(res, FromError(list.error()));
                if (list->empty()) return Send(res, HttpError{404, "not_found", "no entry " + filter.id});
                Send(res, 200, EntryJson((*list)[0]).dump());
              }));
    http_.Post("/api/v1/entries", Authed([this](const Request& req, Response& res, const Caller& caller) {
      CreateEntry(req, res, caller);
    }));

    for (const char* kind : {"donors", "funds", "targets", "appeals", "events", "rates"}) {
      std::string name = kind;
      http_.Get("/api/v1/" + name, Authed([this, name](const Request&, Response& res, const Caller&) {
        ListReference(name, res);
      }));
      http_.Post("/api/v1/" + name, Authed([this, name](const Request& req, Response& res, const Caller& caller) {
        CreateReference(name, req, res, caller);
      }));
    }

    http_.Post("/api/v1/imports", Authed([this](const Request& req, Response& res, const Caller& caller) {
      Import(req, res, caller);
    }));

    http_.Get("/api/v1/audit", Authed([this](const Request& req, Response& res, const Caller& caller) {
      if (auto allowed = access::Allow(caller.user, access::Action::kReadAudit); !allowed) {
        return Send(res, FromError(allowed.error()));
      }
      int64_t after = ParamInt(req, "after", 0), limit = std::min<int64_t>(ParamInt(req, "limit", 100), 1000);
      auto records = store_.ListAudit(after, limit);
      if (!records) return Send(res, FromError(records.error()));
      json list = json::array();
      for (const auto& r : *records) list.push_back(AuditJson(r));
      Send(res, 200, json{{"records", list}}.dump());
    }));
    http_.Get("/api/v1/audit/verify", Authed([this](const Request&, Response& res, const Caller& caller) {
      if (auto allowed = access::Allow(caller.user, access::Action::kReadAudit); !allowed) {
        return Send(res, FromError(allowed.error()));
      }
      auto records = store_.ListAudit(0, 0);
      auto head = store_.AuditHead();
      if (!records || !head) return Send(res, HttpError{500, "io", "cannot read the audit trail"});
      auto verification = store::audit::Verify(*records, head->first, head->second);
      json out = {{"ok", verification.ok()}, {"checked", verification.checked}};
      if (!verification.ok()) {
        out["first_bad_seq"] = *verification.first_bad_seq;
        out["problem"] = verification.problem;
      }
      Send(res, 200, out.dump());
    }));

    http_.Get("/api/v1/users", Authed([this](const Request&, Response& res, const Caller& caller) {
      if (auto allowed = access::Allow(caller.user, access::Action::kManageUsers); !allowed) {
        return Send(res, FromError(allowed.error()));
      }
      auto users = store_.ListUsers();
      if (!users) return Send(res, FromError(users.error()));
      json list = json::array();
      for (const auto& u : *users) list.push_back(UserJson(u));
      Send(res, 200, json{{"users", list}}.dump());
    }));
    http_.Post("/api/v1/users", Authed([this](const Request& req, Response& res, const Caller& caller) {
      AddUser(req, res, caller);
    }));
    http_.Patch(R"(/api/v1/users/([A-Za-z0-9_.@-]{1,64}))",
                Authed([this](const Request& req, Response& res, const Caller& caller) { UpdateUser(req, res, caller); }));
  }

  std::string CookieHeader(const std::string& value, int max_age) {
    std::string cookie = std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                         std::to_string(max_age);
    if (options_.secure_cookies) cookie += "; Secure";
    return cookie;
  }

  void Login(const Request& req, Response& res) {
    if (req.body.size() > options_.max_json_body) return Send(res, HttpError{413, "payload_too_large", "the body is too large"});
    HttpError error;
    auto body = ParseObject(req.body, {{"user", Kind::kString, 64}, {"password", Kind::kString, 1024}}, error);
    if (!body) return Send(res, error);
    std::string name = body->value("user", ""), password = body->value("password", "");
    ledger::Instant now = now_();
    store::Actor actor = ActorOf(req, res, name);
    if (limiter_.Blocked(name, req.remote_addr, now)) {
      return Send(res, HttpError{429, "too_many_requests", "too many failed logins; wait 15 minutes"});
    }
    auto user = store_.FindUser(name);
    if (!user) return Send(res, FromError(user.error()));
    bool good = *user && !(**user).disabled && access::VerifyPassword((**user).password_hash, password);
    if (!good) {
      limiter_.Failed(name, req.remote_addr, now);
      store::AuditRecord record;
      record.actor = name;
      record.address = req.remote_addr;
      record.request_id = actor.request_id;
      record.action = "login.failed";
      record.entity = "user";
      record.entity_id = name;
      (void)store_.AppendAudit(record);
      return Send(res, HttpError{401, "unauthenticated", "wrong user name or password, or the account is disabled"});
    }
    limiter_.Succeeded(name);
    store::Session session;
    std::string secret = access::NewSecret();
    session.token_hash = access::HashSecret(secret);
    session.user_id = (**user).id;
    session.csrf_token = access::NewSecret();
    session.created_at = now;
    session.expires_at = now + static_cast<ledger::Instant>(options_.session_hours) * 3600;
    auto status = store_.AddSession(session, actor);
    if (!status) return Send(res, FromError(status.error()));
    res.set_header("Set-Cookie", CookieHeader(secret, options_.session_hours * 3600));
    json out = UserJson(**user);
    out["csrf_token"] = session.csrf_token;
    Send(res, 200, out.dump());
  }

  static int64_t ParamInt(const Request& req, const char* name, int64_t fallback) {
    if (!req.has_param(name)) return fallback;
    try {
      return std::stoll(req.get_param_value(name));
    } catch (...) {
      return fallback;
    }
  }

  // `as_of` (a date; default today) and `known_at` (an instant, or a date:
  // the end of that day) of a figure's snapshot; problems go to `details`.
  analysis::Snapshot ParseSnapshot(const Request& req, json& details) {
    analysis::Snapshot snapshot;
    std::string as_of = req.get_param_value("as_of");
    if (as_of.empty()) {
      snapshot.as_of = ledger::Date{static_cast<int32_t>(now_() / 86400)};
    } else if (auto date = ledger::ParseDate(as_of)) {
      snapshot.as_of = *date;
    } else {
      details.push_back({{"field", "as_of"}, {"message", date.error().message}});
    }
    snapshot.known_at = ParseKnownAt(req, details);
    return snapshot;
  }

  static std::optional<ledger::Instant> ParseKnownAt(const Request& req, json& details) {
    std::string known_at = req.get_param_value("known_at");
    if (known_at.empty()) return std::nullopt;
    auto instant = ledger::ParseInstant(known_at);
    if (!instant) {
      details.push_back({{"field", "known_at"}, {"message", instant.error().message}});
      return std::nullopt;
    }
    return known_at.size() == 10 ? *instant + 86399 : *instant;
  }

  // The donor's giving by year and fund, open pledges, expectations and focal
  // points, from its entries in the snapshot (analysis/donor.h): summed over
  // the columns the store keeps for reports, then only the open pledges' and
  // expectations' records read, by sequence number (at ten million entries a
  // donor with over a million of them took seconds listed as records).
  //
  // `open_offset` and `open_limit` page the open pledges and expectations
  // (each list from its item `open_offset`, at most `open_limit` items; by
  // default all): the largest donor of ten million entries has 173,000 open,
  // and writing them all took seconds. The totals always cover all of them,
  // and only the page's records are read.
  void DonorSummary(const Request& req, Response& res) {
    const std::string donor = req.matches[1];
    json details = json::array();
    analysis::Snapshot snapshot = ParseSnapshot(req, details);
    auto count_param = [&](const char* name, size_t fallback, size_t least) {
      if (!req.has_param(name)) return fallback;
      const std::string text = req.get_param_value(name);
      size_t value = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < least) {
        details.push_back({{"field", name}, {"message", "a whole number from " + std::to_string(least)}});
      }
      return value;
    };
    const size_t offset = count_param("open_offset", 0, 0);
    const size_t limit = count_param("open_limit", SIZE_MAX, 1);
    if (!details.empty()) return Send(res, BadRequest("the summary's parameters are not right", details));
    size_t open_pledges = 0, expectations = 0;  // in all, before paging
    auto page = [&](analysis::DonorSummary& s) {
      open_pledges = s.open_pledges.size();
      expectations = s.expectations.size();
      for (auto* list : {&s.open_pledges, &s.expectations}) {
        list->erase(list->begin(), list->begin() + static_cast<ptrdiff_t>(std::min(offset, list->size())));
        if (list->size() > limit) list->resize(limit);
      }
    };
    bool known = false;
    analysis::DonorSummary summary;
    size_t held = 0;
    auto read = store_.ReadColumns([&](const ledger::Ledger& reference, const ledger::EntryColumns& columns) {
      held = columns.size();
      for (const auto& d : reference.donors) known = known || d.id == donor;
      if (known) summary = analysis::SummarizeDonor(donor, columns, snapshot);
    });
    if (!read) return Send(res, FromError(read.error()));
    if (!known) return Send(res, HttpError{404, "not_found", "no donor " + donor});
    page(summary);
    // The open entries' records, by sequence number (position p is the entry
    // numbered p + 1, unless rows were deleted behind the store's back: then
    // the summary is made from the donor's records instead).
    std::map<int64_t, analysis::OpenEntry*> open;  // by sequence number
    for (auto* list : {&summary.open_pledges, &summary.expectations}) {
      for (auto& item : *list) open.emplace(int64_t{item.position} + 1, &item);
    }
    store::EntryFilter of_donor;
    of_donor.donor = donor;
    std::vector<int64_t> seqs;
    for (const auto& [seq, item] : open) seqs.push_back(seq);
    if (auto records = store::ListHeld(store_, held, of_donor, std::move(seqs))) {
      for (auto& listed : *records) open.at(listed.seq)->entry = std::move(listed.entry);
    } else {
      // A settlement or reversal always has the donor of the entry it names,
      // so the donor's entries up to the as-of date are all the summary needs.
      store::EntryFilter filter;
      filter.donor = donor;
      filter.to = snapshot.as_of;
      filter.known_at = snapshot.known_at;
      auto list = store_.ListEntries(filter);
      if (!list) return Send(res, FromError(list.error()));
      std::vector<ledger::Entry> entries;
      entries.reserve(list->size());
      for (auto& item : *list) entries.push_back(std::move(item.entry));
      summary = analysis::SummarizeDonor(donor, entries, snapshot);
      page(summary);
    }
    auto users = store_.ListUsers();
    if (!users) return Send(res, FromError(users.error()));
    std::vector<std::string> focal_points;
    for (const auto& user : *users) {
      if (user.role == store::Role::kFocalPoint && !user.disabled &&
          std::find(user.donors.begin(), user.donors.end(), donor) != user.donors.end()) {
        focal_points.push_back(user.name);
      }
    }
    Send(res, 200, DonorSummaryJson(summary, open_pledges, expectations, focal_points).dump());
  }

  void Report(const Request& req, Response& res) {
    json details = json::array();
    analysis::ReportOptions options;
    std::string year = req.get_param_value("year");
    try {
      size_t used = 0;
      options.year = std::stoi(year, &used);
      if (used != year.size() || options.year < 1900 || options.year > 2200) throw std::invalid_argument("");
    } catch (...) {
      details.push_back({{"field", "year"}, {"message", "a year from 1900 to 2200 is required"}});
    }
    options.snapshot = ParseSnapshot(req, details);
    std::string basis = req.has_param("basis") ? req.get_param_value("basis") : "gross";
    if (basis != "gross" && basis != "net") details.push_back({{"field", "basis"}, {"message", "gross or net"}});
    options.basis = basis == "net" ? analysis::Basis::kNet : analysis::Basis::kGross;
    options.top_n = static_cast<int>(ParamInt(req, "top", 10));
    if (options.top_n < 1 || options.top_n > 1000) details.push_back({{"field", "top"}, {"message", "from 1 to 1000"}});
    if (!details.empty()) return Send(res, BadRequest("the report's parameters are not right", details));
    analysis::Report report;
    auto read = store_.ReadColumns([&](const ledger::Ledger& reference, const ledger::EntryColumns& entries) {
      report = analysis::ComputeReport(reference, entries, options);
    });
    if (!read) return Send(res, FromError(read.error()));
    Send(res, 200, exchange::ReportToJson(report).dump());
  }

  static json EntryJson(const store::ListedEntry& item) {
    json out = {{"seq", item.seq}};
    out.update(exchange::EntryToJson(item.entry));
    return out;
  }

  // The page of entries `filter` lists, found over the columns the store
  // keeps for reports (store::MatchingSeqs) and then read by sequence number
  // with the same filter: at ten million entries a filter that matches few
  // scanned the table for most of a second. Empty when the columns cannot
  // answer (an id or `settles` asked; numbers with a gap, from rows deleted
  // behind rmis's back; a write in between): the caller lists from the table.
  std::optional<std::vector<store::ListedEntry>> ListFromColumns(const store::EntryFilter& filter) {
    std::optional<std::vector<int64_t>> seqs;
    size_t held = 0;
    auto read = store_.ReadColumns([&](const ledger::Ledger&, const ledger::EntryColumns& columns) {
      held = columns.size();
      seqs = store::MatchingSeqs(columns, filter);
    });
    if (!read || !seqs) return std::nullopt;
    return store::ListHeld(store_, held, filter, std::move(*seqs));
  }

  void ListEntries(const Request& req, Response& res) {
    json details = json::array();
    store::EntryFilter filter;
    filter.donor = req.get_param_value("donor");
    filter.fund = req.get_param_value("fund");
    filter.appeal = req.get_param_value("appeal");
    filter.event = req.get_param_value("event");
    filter.settles = req.get_param_value("settles");
    if (req.has_param("kind")) {
      filter.kind = ledger::ParseEntryKind(req.get_param_value("kind"));
      if (!filter.kind) details.push_back({{"field", "kind"}, {"message", "not a kind of entry"}});
    }
    if (req.has_param("region")) {
      filter.region = ledger::ParseRegion(req.get_param_value("region"));
      if (!filter.region) details.push_back({{"field", "region"}, {"message", "not a region"}});
    }
    for (const char* name : {"from", "to"}) {
      if (!req.has_param(name)) continue;
      auto date = ledger::ParseDate(req.get_param_value(name));
      if (!date) {
        details.push_back({{"field", name}, {"message", date.error().message}});
      } else {
        (std::string(name) == "from" ? filter.from : filter.to) = *date;
      }
    }
    if (req.has_param("year")) filter.attributed_year = static_cast<int>(ParamInt(req, "year", 0));
    filter.known_at = ParseKnownAt(req, details);
    std::string order = req.has_param("order") ? req.get_param_value("order") : "asc";
    if (order != "asc" && order != "desc") details.push_back({{"field", "order"}, {"message", "asc or desc"}});
    filter.newest_first = order == "desc";
    // The cursor is the last sequence number of the page before, in either order.
    (filter.newest_first ? filter.before_seq : filter.after_seq) = ParamInt(req, "cursor", 0);
    int64_t limit = ParamInt(req, "limit", 100);
    if (limit < 1 || limit > 1000) details.push_back({{"field", "limit"}, {"message", "from 1 to 1000"}});
    if (!details.empty()) return Send(res, BadRequest("the filters are not right", details));
    filter.limit = limit + 1;  // one more, to know whether there is a next page
    Result<std::vector<store::ListedEntry>> list = [&]() -> Result<std::vector<store::ListedEntry>> {
      if (auto from_columns = ListFromColumns(filter)) return std::move(*from_columns);
      return store_.ListEntries(filter);
    }();
    if (!list) return Send(res, FromError(list.error()));
    json entries = json::array();
    bool more = static_cast<int64_t>(list->size()) > limit;
    if (more) list->pop_back();
    for (const auto& item : *list) entries.push_back(EntryJson(item));
    json out = {{"entries", entries}};
    out["next_cursor"] = more ? json(std::to_string(list->back().seq)) : json(nullptr);
    Send(res, 200, out.dump());
  }

  void CreateEntry(const Request& req, Response& res, const Caller& caller) {
    HttpError error;
    exchange::DatasetRead read;
    // A server-made id when none is sent; the Idempotency-Key guards against recording twice.
    auto make_id = [this] {
      return "E" + ledger::FormatDate(ledger::Date{static_cast<int32_t>(now_() / 86400)}).substr(0, 4) + "-" +
             access::NewSecret().substr(0, 16);
    };
    if (auto body = ReadRecord(req.body, "entries.csv", make_id, read, error); !body) return Send(res, error);
    ledger::Entry& entry = read.dataset.entries.at(0).value;
    entry.recorded_at = now_();  // when rmis learned of it: now
    if (auto allowed = access::AllowEntry(caller.user, entry); !allowed) return Send(res, FromError(allowed.error()));
    Write(req, res, caller, read.dataset, "entry.create", "api", [](const store::ImportResult& result) {
      if (result.entries.empty()) return json{{"unchanged", true}};
      return exchange::EntryToJson(result.entries[0]);
    });
  }

  void ListReference(const std::string& kind, Response& res) {
    auto loaded = store_.LoadReference();
    if (!loaded) return Send(res, FromError(loaded.error()));
    const ledger::Ledger* ledger = loaded->get();
    json list = json::array();
    if (kind == "donors") {
      for (const auto& d : ledger->donors) {
        json item = {{"id", d.id}, {"name", d.name}, {"type", ledger::Name(d.type)}, {"country", d.country}};
        for (size_t i = 0; i < std::size(ledger::kNameLanguages); ++i) {
          if (!d.names[i].empty()) item["name_" + std::string(ledger::kNameLanguages[i])] = d.names[i];
        }
        list.push_back(item);
      }
    } else if (kind == "funds") {
      for (const auto& f : ledger->funds) list.push_back({{"id", f.id}, {"name", f.name}, {"category", ledger::Name(f.category)}});
    } else if (kind == "targets") {
      for (const auto& t : ledger->targets) {
        list.push_back({{"fund", t.fund}, {"year_from", t.year_from}, {"year_to", t.year_to},
                        {"amount_usd", money::FormatUsdCents(t.amount_cents)},
                        {"decided_on", ledger::FormatDate(t.decided_on)}, {"note", t.note}});
      }
    } else if (kind == "appeals") {
      for (const auto& a : ledger->appeals) {
        list.push_back({{"id", a.id}, {"name", a.name}, {"requirement_usd", money::FormatUsdCents(a.requirement_cents)},
                        {"countries", a.countries}, {"launched_on", ledger::FormatDate(a.launched_on)}});
      }
    } else if (kind == "events") {
      for (const auto& e : ledger->events) {
        list.push_back({{"id", e.id}, {"name", e.name}, {"held_on", ledger::FormatDate(e.held_on)}});
      }
    } else if (kind == "rates") {
      for (const auto& r : ledger->rates) {
        list.push_back({{"currency", r.currency}, {"month", ledger::FormatMonth(r.month)}, {"units_per_usd", r.units_per_usd}});
      }
    }
    Send(res, 200, json{{kind, list}}.dump());
  }

  void CreateReference(const std::string& kind, const Request& req, Response& res, const Caller& caller) {
    if (auto allowed = access::Allow(caller.user, access::Action::kManageReference); !allowed) {
      return Send(res, FromError(allowed.error()));
    }
    std::string file = kind + ".csv";
    HttpError error;
    exchange::DatasetRead read;
    auto body = ReadRecord(req.body, file, nullptr, read, error);
    if (!body) return Send(res, error);
    json echo = *body;
    Write(req, res, caller, read.dataset, kind.substr(0, kind.size() - 1) + ".create", "api",
          [echo](const store::ImportResult& result) {
            json out = echo;
            out["added"] = result.added > 0;
            return out;
          });
  }

  // A dataset as a zip (Content-Type application/zip) or as CSV files in a
  // multipart form, each part named by its file name.
  void Import(const Request& req, Response& res, const Caller& caller) {
    if (auto allowed = access::Allow(caller.user, access::Action::kImport); !allowed) {
      return Send(res, FromError(allowed.error()));
    }
    exchange::DatasetRead read;
    std::string content_type = req.get_header_value("Content-Type");
    if (req.is_multipart_form_data()) {
      std::set<std::string> seen;
      for (const auto& [name, file] : req.files) {
        std::string file_name = file.filename.empty() ? name : file.filename;
        if (!seen.insert(file_name).second) {
          read.problems.push_back({file_name, 0, "", "sent twice"});
          continue;
        }
        exchange::ReadDatasetFileText(file_name, file.content, read);
      }
    } else if (content_type.rfind("application/zip", 0) == 0) {
      if (auto status = ReadZip(req.body, read); !status) {
        return Send(res, BadRequest(status.error().message));
      }
    } else {
      return Send(res, BadRequest("send the dataset as application/zip or as CSV files in multipart/form-data"));
    }
    if (read.files == 0 && read.problems.empty()) return Send(res, BadRequest("the upload holds none of the dataset's files"));
    if (!read.problems.empty()) {
      auto checked = store_.Check(read.dataset);
      if (!checked) return Send(res, FromError(checked.error()));
      read.problems.insert(read.problems.end(), checked->problems.begin(), checked->problems.end());
      return Send(res, Rejected(read.problems, checked->truncated));
    }
    Write(req, res, caller, read.dataset, "import", "upload", [](const store::ImportResult& result) {
      return json{{"added", result.added}, {"entries_added", result.entries_added}, {"unchanged", result.unchanged},
                  {"import_id", result.import_id}};
    });
  }

  static Status ReadZip(const std::string& body, exchange::DatasetRead& read) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(body.data(), body.size(), 0, &error);
    if (source == nullptr) return Fail(ErrorCode::kInvalidArgument, "the zip cannot be read");
    zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (archive == nullptr) {
      zip_source_free(source);
      return Fail(ErrorCode::kInvalidArgument, "the body is not a zip archive");
    }
    zip_int64_t count = zip_get_num_entries(archive, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
      zip_stat_t stat;
      if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) != 0) continue;
      std::string name = stat.name;
      if (!name.empty() && name.back() == '/') continue;  // a folder
      std::string base = name.substr(name.find_last_of('/') == std::string::npos ? 0 : name.find_last_of('/') + 1);
      if (stat.size > (512u << 20)) {
        read.problems.push_back({base, 0, "", "larger than 512 MiB once unpacked"});
        continue;
      }
      zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
      if (file == nullptr) {
        read.problems.push_back({base, 0, "", "cannot be unpacked"});
        continue;
      }
      std::string content(stat.size, '\0');
      zip_int64_t got = zip_fread(file, content.data(), stat.size);
      zip_fclose(file);
      if (got != static_cast<zip_int64_t>(stat.size)) {
        read.problems.push_back({base, 0, "", "cannot be unpacked"});
        continue;
      }
      exchange::ReadDatasetFileText(base, content, read);
    }
    zip_discard(archive);
    return {};
  }

  void AddUser(const Request& req, Response& res, const Caller& caller) {
    if (auto allowed = access::Allow(caller.user, access::Action::kManageUsers); !allowed) {
      return Send(res, FromError(allowed.error()));
    }
    HttpError error;
    auto body = ParseObject(req.body,
                            {{"name", Kind::kString, 64}, {"role", Kind::kString, 20}, {"password", Kind::kString, 1024},
                             {"donors", Kind::kStringArray, 64}},
                            error);
    if (!body) return Send(res, error);
    store::User user;
    user.name = body->value("name", "");
    auto role = store::ParseRole(body->value("role", ""));
    json details = json::array();
    if (user.name.empty() || !ledger::IsValidId(user.name)) details.push_back({{"field", "name"}, {"message", "1 to 64 letters, digits, _ - . :"}});
    if (!role) details.push_back({{"field", "role"}, {"message", "admin, officer, focal_point or viewer"}});
    auto hash = access::HashPassword(body->value("password", ""));
    if (!hash) details.push_back({{"field", "password"}, {"message", hash.error().message}});
    if (!details.empty()) return Send(res, BadRequest("the account is not right", details));
    user.role = *role;
    user.password_hash = *hash;
    if (body->contains("donors")) user.donors = (*body)["donors"].get<std::vector<std::string>>();
    auto added = store_.AddUser(user, ActorOf(req, res, caller.user.name));
    if (!added) return Send(res, FromError(added.error()));
    Send(res, 201, UserJson(*added).dump());
  }

  void UpdateUser(const Request& req, Response& res, const Caller& caller) {
    if (auto allowed = access::Allow(caller.user, access::Action::kManageUsers); !allowed) {
      return Send(res, FromError(allowed.error()));
    }
    HttpError error;
    auto body = ParseObject(req.body,
                            {{"role", Kind::kString, 20}, {"password", Kind::kString, 1024},
                             {"disabled", Kind::kBoolean}, {"donors", Kind::kStringArray, 64}},
                            error);
    if (!body) return Send(res, error);
    auto found = store_.FindUser(req.matches[1]);
    if (!found) return Send(res, FromError(found.error()));
    if (!*found) return Send(res, HttpError{404, "not_found", "no user " + std::string(req.matches[1])});
    store::User user = **found;
    if (body->contains("role")) {
      auto role = store::ParseRole((*body)["role"].get<std::string>());
      if (!role) return Send(res, BadRequest("role must be admin, officer, focal_point or viewer"));
      user.role = *role;
    }
    if (body->contains("password")) {
      auto hash = access::HashPassword((*body)["password"].get<std::string>());
      if (!hash) return Send(res, BadRequest(hash.error().message));
      user.password_hash = *hash;
    }
    if (body->contains("disabled")) user.disabled = (*body)["disabled"].get<bool>();
    if (body->contains("donors")) user.donors = (*body)["donors"].get<std::vector<std::string>>();
    auto status = store_.UpdateUser(user, ActorOf(req, res, caller.user.name));
    if (!status) return Send(res, FromError(status.error()));
    Send(res, 200, UserJson(user).dump());
  }

  store::Store& store_;
  ServerOptions options_;
  std::function<ledger::Instant()> now_;
  LoginLimiter limiter_;
  httplib::Server http_;
  int port_ = 0;
};

ApiServer::ApiServer(store::Store& store, ServerOptions options, std::function<ledger::Instant()> now)
    : impl_(std::make_unique<Impl>(store, std::move(options), std::move(now))) {}
ApiServer::~ApiServer() = default;
Status ApiServer::Bind() { return impl_->Bind(); }
int ApiServer::port() const { return impl_->port(); }
Status ApiServer::Run() { return impl_->Run(); }
void ApiServer::Stop() { impl_->Stop(); }

}  // namespace rmis::server
