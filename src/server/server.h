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

namespace rmis::exchange {
struct DatasetRead;
}  // namespace rmis::exchange

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

// What a route answers to a record sent as JSON when it refuses it.
struct RecordBodyAnswer {
  int status = 200;  // 200: read; 400: not a JSON object of the record's fields; 422: problems
  std::string error_body;  // the JSON error body when status is not 200
};

// Reads a JSON request body as one record of `file_name` ("entries.csv",
// "donors.csv", ...) exactly as POST /api/v1/entries and the reference routes
// do: the body must be a JSON object with only that record's fields, of the
// right types and lengths, and the record is then read by
// exchange::ReadDatasetRecord with the rules of a CSV row. `id_if_missing`,
// when not empty, is the id given to a record sent without one. The record is
// added to `out` (with its problems, if any). Pure: no store, no I/O; the fuzz
// target fuzz/json_record_fuzz.cc calls it (issue 6).
RecordBodyAnswer ReadRecordBody(const std::string& body, const std::string& file_name,
                                const std::string& id_if_missing, exchange::DatasetRead& out);

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
