// `rmis serve`: the versioned JSON API under /api/v1/ (docs/api.md,
// src/server/openapi.json), with accounts, roles, sessions, CSRF tokens, API
// tokens, idempotent writes and the audit trail.
//
// Route handlers are a few lines: parse, call the layer, render. Business
// rules live in ledger/ (what may be stored), analysis/ (the figures) and
// access/ (who may do what); HTTP statuses are chosen in one place
// (StatusFor in server.cc).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace rmis::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;               // 0: any free port (see ApiServer::port)
  bool secure_cookies = false;   // set when rmis runs behind TLS
  size_t max_json_body = 1 << 20;     // 1 MiB for JSON requests
  size_t max_upload = 256u << 20;     // 256 MiB for dataset uploads
  std::string static_dir;        // the web dashboard's files, served at /
  int threads = 8;
  int session_hours = 12;
  // Failed logins allowed in 15 minutes before 429, per account and per address.
  int max_failures_per_account = 5;
  int max_failures_per_address = 20;
};

class ApiServer {
 public:
  ApiServer(store::Store& store, ServerOptions options, std::function<ledger::Instant()> now);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket; fails with kIo when the address is taken.
  Status Bind();
  // The port bound (useful with port 0).
  int port() const;
  // Serves until Stop() is called from another thread or a signal handler.
  Status Run();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rmis::server
