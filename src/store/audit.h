// The audit trail's chain and the JSON it records: what a write changed,
// said the same way by every store.
//
// Each record carries the hash of the one before. The hash is SHA-256
// (libsodium) over the previous hash and every field of the record in a
// length-prefixed form, so no two different records serialize alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/dataset.h"
#include "store/store.h"

namespace rmis::store::audit {

// Hex SHA-256 of `text`.
std::string Sha256Hex(std::string_view text);

// A record of `action` on `entity` `id` by `actor`; the store fills in the
// time, the sequence number and the hashes.
AuditRecord RecordFor(const Actor& actor, std::string action, std::string entity, std::string id);

// The record of a write that appended `additions` as import `import_id`:
// "entry" and its id when it was one entry alone, else "dataset" and the
// import's number; what was added is described as DescribeAdditions does.
AuditRecord RecordForImport(const WriteOptions& options, const ledger::Ledger& additions, size_t added,
                            size_t unchanged, int64_t import_id);

// The hash a record must carry, given its fields and previous_hash.
std::string ComputeHash(const AuditRecord& record);

struct Verification {
  int64_t checked = 0;
  std::optional<int64_t> first_bad_seq;  // set when the chain is broken
  std::string problem;                   // what is wrong there
  bool ok() const { return !first_bad_seq; }
};

// Checks that sequence numbers run 1, 2, 3, ..., that each record names the
// hash of the one before and that each hash matches its record; `head_seq`
// and `head_hash` (kept by the store apart from the records) catch the
// removal of the last records.
Verification Verify(const std::vector<AuditRecord>& records, int64_t head_seq,
                    const std::string& head_hash);

// JSON of what an import added: every record when there are few, counts and
// the entry ids' hash when there are many.
std::string DescribeAdditions(const ledger::Ledger& additions, size_t unchanged,
                              const std::string& source);

// JSON of a user as the audit trail shows it: never the password hash.
std::string DescribeUser(const User& user);

// JSON of a session or token: never the secret or its hash.
std::string DescribeSession(const Session& session);

}  // namespace rmis::store::audit
