// serve, user, audit (see server_commands.h).
#include "cli/server_commands.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "access/access.h"
#include "cli/common.h"
#include "ledger/types.h"
#include "server/server.h"
#include "store/audit.h"

namespace rmis::cli {
namespace {

// The password: $RMIS_PASSWORD, else a line from standard input (without
// echo when it is a terminal).
std::string ReadPassword(const std::string& prompt) {
  if (const char* env = std::getenv("RMIS_PASSWORD"); env && *env) return env;
  bool terminal = isatty(STDIN_FILENO);
  termios saved{};
  if (terminal) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return password;
}

Result<std::unique_ptr<store::Store>> Open(const std::string& db) {
  return store::OpenStore(db, store::OpenMode::kExisting, Environment());
}

int Serve(const ServerCommands& c, const std::string& db) {
  size_t colon = c.listen.rfind(':');
  server::ServerOptions options;
  try {
    if (colon == std::string::npos) throw std::invalid_argument("");
    options.host = c.listen.substr(0, colon);
    options.port = std::stoi(c.listen.substr(colon + 1));
    if (options.port < 0 || options.port > 65535) throw std::invalid_argument("");
  } catch (...) {
    return Report(Error{ErrorCode::kInvalidArgument, "--listen must be HOST:PORT, e.g. 127.0.0.1:8080"});
  }
  options.static_dir = c.static_dir;
  options.secure_cookies = c.secure_cookies;
  options.threads = c.threads;
  auto store = Open(db);
  if (!store) return Report(store.error());

  // Signals are taken by a thread of their own, which stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::ApiServer api(**store, options, Now);
  if (auto bound = api.Bind(); !bound) return Report(bound.error());
  std::cout << "rmis serving " << ShownLocation(db) << " at http://" << options.host << ":" << api.port() << "/ (API under /api/v1/)"
            << std::endl;
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    api.Stop();
  });
  auto ran = api.Run();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if the server stopped by itself
  waiter.join();
  if (!ran) return Report(ran.error());
  std::cout << "rmis stopped" << std::endl;
  return kExitOk;
}

int UserAdd(const ServerCommands& c, const std::string& db) {
  auto role = store::ParseRole(c.role);
  if (!role) return Report(Error{ErrorCode::kInvalidArgument, "--role must be admin, officer, focal_point or viewer"});
  if (!ledger::IsValidId(c.user_name)) {
    return Report(Error{ErrorCode::kInvalidArgument, "a user name is 1 to 64 letters, digits, _ - . :"});
  }
  auto store = Open(db);
  if (!store) return Report(store.error());
  auto hash = access::HashPassword(ReadPassword("Password for " + c.user_name + ": "));
  if (!hash) return Report(hash.error());
  store::User user;
  user.name = c.user_name;
  user.role = *role;
  user.password_hash = *hash;
  user.donors = c.donors;
  auto added = (*store)->AddUser(user, CliActor());
  if (!added) return Report(added.error());
  std::cout << "Added " << added->name << " (" << store::Name(added->role) << ")\n";
  return kExitOk;
}

Result<store::User> FindUser(store::Store& store, const std::string& name) {
  auto user = store.FindUser(name);
  if (!user) return tl::unexpected(user.error());
  if (!*user) return Fail(ErrorCode::kNotFound, "no user \"" + name + "\"");
  return **user;
}

int UserPasswd(const ServerCommands& c, const std::string& db) {
  auto store = Open(db);
  if (!store) return Report(store.error());
  auto user = FindUser(**store, c.user_name);
  if (!user) return Report(user.error());
  auto hash = access::HashPassword(ReadPassword("New password for " + c.user_name + ": "));
  if (!hash) return Report(hash.error());
  user->password_hash = *hash;
  if (auto status = (*store)->UpdateUser(*user, CliActor()); !status) return Report(status.error());
  std::cout << "Changed the password of " << user->name << "\n";
  return kExitOk;
}

int UserDisable(const ServerCommands& c, const std::string& db) {
  auto store = Open(db);
  if (!store) return Report(store.error());
  auto user = FindUser(**store, c.user_name);
  if (!user) return Report(user.error());
  user->disabled = true;
  if (auto status = (*store)->UpdateUser(*user, CliActor()); !status) return Report(status.error());
  std::cout << "Disabled " << user->name << "; their sessions and tokens are ended\n";
  return kExitOk;
}

int UserList(const std::string& db) {
  auto store = Open(db);
  if (!store) return Report(store.error());
  auto users = (*store)->ListUsers();
  if (!users) return Report(users.error());
  for (const auto& u : *users) {
    std::cout << u.name << "\t" << store::Name(u.role) << (u.disabled ? "\tdisabled" : "");
    if (!u.donors.empty()) {
      std::cout << "\tdonors:";
      for (const auto& d : u.donors) std::cout << " " << d;
    }
    std::cout << "\n";
  }
  return kExitOk;
}

int UserToken(const ServerCommands& c, const std::string& db) {
  auto store = Open(db);
  if (!store) return Report(store.error());
  auto user = FindUser(**store, c.user_name);
  if (!user) return Report(user.error());
  store::Session token;
  std::string secret = access::NewSecret();
  token.token_hash = access::HashSecret(secret);
  token.user_id = user->id;
  token.api_token = true;
  token.label = c.label;
  token.created_at = Now();
  if (auto status = (*store)->AddSession(token, CliActor()); !status) return Report(status.error());
  std::cout << secret << "\n";
  return kExitOk;
}

int AuditVerify(const std::string& db) {
  auto store = Open(db);
  if (!store) return Report(store.error());
  auto records = (*store)->ListAudit(0, 0);
  if (!records) return Report(records.error());
  auto head = (*store)->AuditHead();
  if (!head) return Report(head.error());
  auto verification = store::audit::Verify(*records, head->first, head->second);
  if (!verification.ok()) {
    std::cerr << "rmis: the audit trail is broken at record " << *verification.first_bad_seq << ": "
              << verification.problem << " (" << verification.checked << " records before it are intact)\n";
    return kExitAuditBroken;
  }
  std::cout << "The audit trail is intact: " << verification.checked << " records, each chained to the one before.\n";
  return kExitOk;
}

int AuditList(const ServerCommands& c, const std::string& db) {
  auto store = Open(db);
  if (!store) return Report(store.error());
  auto records = (*store)->ListAudit(c.after, c.limit);
  if (!records) return Report(records.error());
  for (const auto& r : *records) {
    std::cout << r.seq << "\t" << ledger::FormatInstant(r.at) << "\t" << r.actor << "\t" << r.action << "\t"
              << r.entity << " " << r.entity_id << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddServerCommands(CLI::App& app, std::string& db, const std::string& db_help, ServerCommands& c) {
  c.serve = app.add_subcommand("serve", "Serve the JSON API (and the web dashboard, with --static)");
  c.serve->add_option("--db", db, db_help);
  c.serve->add_option("--listen", c.listen, "HOST:PORT to listen on")->capture_default_str();
  c.serve->add_option("--static", c.static_dir, "a folder of web files to serve at /")->check(CLI::ExistingDirectory);
  c.serve->add_flag("--secure-cookies", c.secure_cookies, "mark the session cookie Secure (behind TLS)");
  c.serve->add_option("--threads", c.threads, "worker threads")->check(CLI::Range(1, 256))->capture_default_str();

  c.user = app.add_subcommand("user", "Manage accounts; the password is read from $RMIS_PASSWORD or standard input");
  c.user->require_subcommand(1);
  c.user_add = c.user->add_subcommand("add", "Add an account");
  c.user_add->add_option("name", c.user_name, "the user name")->required();
  c.user_add->add_option("--role", c.role, "admin, officer, focal_point or viewer")->required();
  c.user_add->add_option("--donor", c.donors, "for a focal point: a donor they look after (repeatable)");
  c.user_passwd = c.user->add_subcommand("passwd", "Change an account's password");
  c.user_passwd->add_option("name", c.user_name, "the user name")->required();
  c.user_disable = c.user->add_subcommand("disable", "Disable an account and end its sessions and tokens");
  c.user_disable->add_option("name", c.user_name, "the user name")->required();
  c.user_list = c.user->add_subcommand("list", "List the accounts");
  c.user_token = c.user->add_subcommand("token", "Create an API token for an account; prints the secret once");
  c.user_token->add_option("name", c.user_name, "the user name")->required();
  c.user_token->add_option("--label", c.label, "what the token is for");
  for (CLI::App* sub : {c.user_add, c.user_passwd, c.user_disable, c.user_list, c.user_token}) {
    sub->add_option("--db", db, db_help);
  }

  c.audit = app.add_subcommand("audit", "The audit trail");
  c.audit->require_subcommand(1);
  c.audit_verify = c.audit->add_subcommand(
      "verify", "Check that no audit record was changed, removed or reordered (exit 6 if one was)");
  c.audit_verify->add_option("--db", db, db_help);
  c.audit_list = c.audit->add_subcommand("list", "Print audit records");
  c.audit_list->add_option("--db", db, db_help);
  c.audit_list->add_option("--after", c.after, "records after this sequence number");
  c.audit_list->add_option("--limit", c.limit, "at most this many")->capture_default_str();
}

std::optional<int> RunServerCommands(const ServerCommands& c, const std::string& db) {
  if (c.serve->parsed()) return Serve(c, db);
  if (c.user_add->parsed()) return UserAdd(c, db);
  if (c.user_passwd->parsed()) return UserPasswd(c, db);
  if (c.user_disable->parsed()) return UserDisable(c, db);
  if (c.user_list->parsed()) return UserList(db);
  if (c.user_token->parsed()) return UserToken(c, db);
  if (c.audit_verify->parsed()) return AuditVerify(db);
  if (c.audit_list->parsed()) return AuditList(c, db);
  return std::nullopt;
}

}  // namespace rmis::cli
