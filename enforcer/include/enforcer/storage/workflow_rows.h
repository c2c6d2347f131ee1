// The endpoint's workflow tables (schema/enforcer/0002, 0003) as typed rows,
// and the only SQL that reads or writes them. States are
// policy/workflow.h's; every change of state is a compare-and-set on the
// state that was loaded, so a transition computed from a stale row writes
// nothing and says so.
//
// Used inside one Store::Transact: not thread-safe on its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "enforcer/storage/store.h"
#include "policy/request.h"
#include "policy/workflow.h"

namespace custodian::enforcer {

using policy::workflow::State;
using policy::workflow::Transition;

struct SessionRow {
  std::string id;
  std::string technician_id;
  policy::SessionInfo session;  // session.active: not ended
  policy::Instant opened_at;
  std::optional<policy::Instant> ended_at;
};

struct RequestRow {
  std::string id;
  std::string session_id;
  std::string technician_id;
  std::string technician_name;  // shown to the customer
  // Unset when the command carried none that was valid (it was refused).
  std::optional<policy::AuthMode> credential_mode;
  std::optional<policy::Schedule> schedule;  // as requested
  State state = State::kPending;
  policy::Instant created_at;
  policy::Instant expires_at;
  std::optional<policy::Instant> decided_at;
  std::string grant_id;
};

struct GrantRow {
  std::string id;
  std::string request_id;
  policy::Grant grant;    // mode, technician, effective schedule, state
  std::string user_name;  // at_setup: the Windows user the customer entered
  policy::Instant created_at;
  std::optional<policy::Instant> ended_at;
  std::string ended_by;         // technician, admin, customer or expiry
  std::string technician_name;  // as the request named them (read only)
};

struct ConnectionRow {
  std::string id;
  std::string grant_id;
  std::string technician_id;
  State state = State::kAwaitingCredentials;
  int failed_attempts = 0;
  bool warned = false;
  policy::Instant started_at;
  std::optional<policy::Instant> ended_at;
  std::string end_reason;
};

struct CredentialRequestRow {
  std::string id;
  std::string session_id;
  std::string technician_id;
  std::string technician_name;
  State state = State::kPending;
  policy::Instant created_at;
  policy::Instant updated_at;
};

// A row that does not read back as its type (a damaged database) throws
// StorageError, as the Store does for SQLite's own errors.
class WorkflowRows {
 public:
  explicit WorkflowRows(Store::Tx& tx) : tx_(tx) {}

  std::optional<SessionRow> Session(const std::string& id);
  std::vector<SessionRow> Sessions();
  bool Insert(const SessionRow& row);  // false: it exists (a command delivered twice)
  bool SetScreenViewing(const std::string& id, bool on);  // an active session only
  bool EndSession(const std::string& id, policy::Instant at);

  std::optional<RequestRow> Request(const std::string& id);
  std::vector<RequestRow> Requests(State state);
  bool Insert(const RequestRow& row);
  // The move `t` of request `id` (decided at t.at); `grant_id` on approval.
  bool Move(const std::string& request_id, const Transition& t, const std::string& grant_id = "");

  std::optional<GrantRow> Grant(const std::string& id);
  std::vector<GrantRow> Grants();
  std::vector<GrantRow> Grants(State state);
  // `sealed`: the at_setup credentials under the machine key, or empty.
  bool Insert(const GrantRow& row, const std::string& sealed);
  std::optional<std::string> SealedCredentials(const std::string& grant_id);
  // Ends the grant by `t` and erases its sealed credentials (secure_delete
  // zeroes the freed space).
  bool End(const std::string& grant_id, const Transition& t, const std::string& by);

  std::optional<ConnectionRow> Connection(const std::string& id);
  std::vector<ConnectionRow> Connections();
  // Those of `grant_id` (all grants when empty) that are awaiting
  // credentials or active.
  std::vector<ConnectionRow> OpenConnections(const std::string& grant_id = "");
  bool Insert(const ConnectionRow& row);
  // The move `t`, with the failed attempts counted so far.
  bool Move(const std::string& connection_id, const Transition& t, int failed_attempts);
  bool EndConnection(const std::string& connection_id, const Transition& t,
                     const std::string& reason);
  bool MarkWarned(const std::string& connection_id);

  std::optional<CredentialRequestRow> CredentialRequest(const std::string& id);
  std::vector<CredentialRequestRow> CredentialRequests(State state);
  // Pending ones whose session is still active, oldest first.
  std::vector<CredentialRequestRow> PendingInActiveSessions();
  std::vector<CredentialRequestRow> OpenCredentialRequests(const std::string& session_id);
  bool Insert(const CredentialRequestRow& row);
  bool Move(const CredentialRequestRow& row, const Transition& t);

 private:
  Store::Tx& tx_;
};

}  // namespace custodian::enforcer
