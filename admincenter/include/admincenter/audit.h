// The central audit log (DESIGN.md §7). Every mutation, login and
// authorization failure is an event, appended in the same transaction as
// the change it records: no change without its record, and if the record
// cannot be written the change is rolled back (fail closed).
//
// Events form a hash chain: hash = hex(SHA-256(prev_hash || canonical JSON
// of the event without its hash)), the first prev_hash being 64 zeros.
// Secrets never enter an event: callers pass ids and names, never tokens or
// passwords.
#pragma once

#include <SQLiteCpp/Database.h>
#include <cpprest/json.h>

#include <string>

#include "common/audit_chain.h"
#include "policy/time.h"

namespace custodian::admincenter {

struct AuditEvent {
  std::string actor_kind;  // "master_admin", "admin", …, "anonymous", "system"
  std::string actor_id;    // principal id, or the name tried at a failed login
  std::string action;      // e.g. "group.create", "auth.login", "authz.denied"
  std::string target;      // e.g. "group:g-support"
  std::string outcome;     // "success", "failure" or "denied"
  web::json::value reasons = web::json::value::array();
  web::json::value details = web::json::value::object();
};

inline constexpr const char* kGenesisHash = audit::kGenesisHash;

// Appends `event` at `now` inside the caller's write transaction and
// returns the stored record (with seq, id, ts, prev_hash and hash).
// Throws SQLite::Exception on failure, which rolls the transaction back.
web::json::value AppendAudit(SQLite::Database& db, const AuditEvent& event, policy::Instant now);

// The record as exported and hashed: {seq, id, ts, actor{kind,id}, action,
// target, outcome, reasons, details, prev_hash[, hash]}.
web::json::value AuditRecord(int64_t seq, const std::string& id, const std::string& ts,
                             const AuditEvent& event, const std::string& prev_hash);
// hex SHA-256 over prev_hash and the canonical record without "hash".
std::string AuditHash(const web::json::value& record_without_hash);

}  // namespace custodian::admincenter
