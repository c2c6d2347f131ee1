// The admin center's workflow records (schema/admincenter/0004) and the
// repository that stores them: the interface the workflows use; each
// engine's implementation (src/storage/) is the only code with the workflow
// tables' queries and passes the conformance suite
// (tests/admincenter/repository_conformance_test.cc).
//
// States are policy/workflow.h's. A repository lives inside one read or
// write of the storage (Storage::Read/Write): not thread-safe, and every
// change it makes commits or rolls back with that write's audit event.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/commands.h"
#include "policy/request.h"
#include "policy/workflow.h"

namespace custodian::admincenter {

using policy::workflow::Entity;
using policy::workflow::State;
using policy::workflow::Transition;

struct SessionRecord {
  std::string id;
  std::string technician_id;
  std::string endpoint_id;
  policy::SessionInfo session;  // session.active: state is active
  State state = State::kActive;
  policy::Instant started_at;
  std::optional<policy::Instant> ended_at;
};

struct RequestRecord {
  std::string id;
  std::string session_id;
  std::string technician_id;
  std::string endpoint_id;
  policy::AuthMode credential_mode = policy::AuthMode::kAtConnection;
  policy::Schedule schedule;  // as requested
  State state = State::kPending;
  std::string reasons = "[]";  // the endpoint's, when it refused (JSON text)
  policy::Instant created_at;
  policy::Instant expires_at;
  std::optional<policy::Instant> decided_at;
  std::string grant_id;
};

struct GrantRecord {
  std::string id;
  std::string request_id;
  std::string endpoint_id;
  policy::Grant grant;  // mode, technician, effective schedule, state
  policy::Instant created_at;
  std::optional<policy::Instant> ended_at;
  std::string ended_by;  // technician, admin, customer or expiry
};

struct ConnectionRecord {
  std::string id;
  std::string grant_id;
  std::string technician_id;
  std::string endpoint_id;
  State state = State::kRequested;
  std::string reasons = "[]";
  policy::Instant requested_at;
  policy::Instant updated_at;
  std::string end_reason;
};

struct CredentialRequestRecord {
  std::string id;
  std::string session_id;
  std::string technician_id;
  std::string endpoint_id;
  State state = State::kPending;
  std::string reasons = "[]";
  policy::Instant created_at;
  policy::Instant updated_at;
};

struct OperationRecord {
  std::string id;
  std::string session_id;
  std::string technician_id;
  std::string endpoint_id;
  policy::Operation operation = policy::Operation::kRestart;
  State state = State::kRequested;
  std::string reasons = "[]";
  policy::Instant requested_at;
  policy::Instant updated_at;
};

// What a move writes beside the state and its time; unset leaves a column
// as it is.
struct MoveDetails {
  std::optional<std::string> reasons;     // JSON text
  std::optional<std::string> grant_id;    // a request's, on approval
  std::optional<std::string> ended_by;    // a grant's
  std::optional<std::string> end_reason;  // a connection's
  std::optional<bool> screen_viewing;     // a session's
};

class WorkflowRepository {
 public:
  virtual ~WorkflowRepository() = default;

  // The facts an endpoint reported at enrollment, or nothing if unknown.
  virtual std::optional<policy::EndpointInfo> Endpoint(const std::string& endpoint_id) = 0;

  virtual std::optional<SessionRecord> Session(const std::string& id) = 0;
  virtual std::optional<RequestRecord> Request(const std::string& id) = 0;
  virtual std::optional<GrantRecord> Grant(const std::string& id) = 0;
  virtual std::optional<ConnectionRecord> Connection(const std::string& id) = 0;
  virtual std::optional<CredentialRequestRecord> CredentialRequest(const std::string& id) = 0;
  virtual std::optional<OperationRecord> Operation(const std::string& id) = 0;
  // Whether the endpoint reported credentials stored for `session_id`.
  virtual bool CredentialsStored(const std::string& session_id) = 0;

  // Inserts a new record; a grant whose id exists is left as it is (false).
  virtual void Insert(const SessionRecord& r) = 0;
  virtual void Insert(const RequestRecord& r) = 0;
  virtual bool Insert(const GrantRecord& r) = 0;
  virtual void Insert(const ConnectionRecord& r) = 0;
  virtual void Insert(const CredentialRequestRecord& r) = 0;
  virtual void Insert(const OperationRecord& r) = 0;

  // The state of record `id` of `entity` that belongs to `endpoint_id`
  // (any endpoint when empty), or nothing.
  virtual std::optional<State> StateOf(Entity entity, const std::string& id,
                                       const std::string& endpoint_id) = 0;
  // Compare-and-set: moves record `id` by `t` (its state and time, and
  // `details`) if it still belongs to `endpoint_id` (any when empty) and is
  // in t.from. False when it is not: someone moved it first.
  virtual bool Move(Entity entity, const std::string& id, const std::string& endpoint_id,
                    const Transition& t, const MoveDetails& details) = 0;

  // Oldest first; those of `technician_id`, or all when it is empty.
  virtual std::vector<SessionRecord> Sessions(const std::string& technician_id) = 0;
  virtual std::vector<RequestRecord> Requests(const std::string& technician_id) = 0;
  virtual std::vector<GrantRecord> Grants(const std::string& technician_id) = 0;
  virtual std::vector<ConnectionRecord> Connections(const std::string& technician_id) = 0;
  virtual std::vector<CredentialRequestRecord> CredentialRequests(
      const std::string& technician_id) = 0;

  // Queues `command` for `endpoint_id`, in the same write.
  virtual void Queue(const std::string& endpoint_id, const policy::Command& command,
                     policy::Instant now) = 0;
};

}  // namespace custodian::admincenter
