// The central audit log (DESIGN.md §7, docs/audit-format.md). Every
// mutation, login and authorization failure is an event, appended in the
// same transaction as the change it records: no change without its record,
// and if the record cannot be written the change is rolled back (fail
// closed).
//
// Events form a hash chain: hash = hex(SHA-256(prev_hash || JCS of the
// event without its hash)), the first prev_hash being 64 zeros. What is
// stored is always valid UTF-8 with finite numbers, so every export is
// valid JSON whatever an event's text came from. Secrets never enter an
// event: callers pass ids and names, never tokens or passwords.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <string_view>
#include <vector>

#include "admincenter/audit_repository.h"
#include "common/audit_chain.h"
#include "policy/commands.h"
#include "policy/decision.h"
#include "policy/model.h"
#include "policy/time.h"

namespace custodian::admincenter {

// What one event may hold of text that came from outside: a refused
// request's target is its method and path, cut to this many bytes, so that
// no request can make one event large (an anonymous flood stays bounded).
inline constexpr std::size_t kMaxAuditTargetBytes = 256;
inline constexpr std::size_t kMaxAuditActorBytes = 256;  // e.g. a name tried at a failed login

struct AuditEvent {
  std::string actor_kind;  // "master_admin", "admin", …, "anonymous", "system"
  std::string actor_id;    // principal id, or the name tried at a failed login
  std::string action;      // e.g. "group.create", "auth.login", "authz.denied"
  std::string target;      // e.g. "group:g-support"
  std::string outcome;     // "success", "failure" or "denied"
  web::json::value reasons = web::json::value::array();
  web::json::value details = web::json::value::object();

  // Details by name, so that the services build an event from their own
  // types and only this codec writes JSON.
  void Detail(const std::string& key, std::string_view text);
  void Flag(const std::string& key, bool on);
  void Number(const std::string& key, int64_t n);
  void Detail(const std::string& key, const policy::Schedule& schedule);
  void Detail(const std::string& key, const std::vector<std::string>& texts);
  void Detail(const std::string& key, const policy::Group& group);
  void Detail(const std::string& key, const policy::GlobalSettings& settings);
  // The command's fields (policy/commands.h), beside what is there.
  void Details(const policy::Command& command);
  // Every reason of `decision`, with its rule.
  void Reasons(const policy::Decision& decision);
};

inline constexpr const char* kGenesisHash = audit::kGenesisHash;

// Appends `event` at `now` to `log`, the audit repository of the caller's
// write, and returns its seq. Text fields are stored as valid UTF-8
// (ill-formed bytes become U+FFFD) and cut to the limits above. Throws
// StorageError on a storage failure and std::invalid_argument when reasons or details hold
// what JSON cannot carry faithfully (text::JsonTextProblems; refused at
// the edge before it gets here); either rolls the transaction back.
int64_t AppendAudit(AuditRepository& log, const AuditEvent& event, policy::Instant now);

}  // namespace custodian::admincenter
