// Access workflows as the admin center runs them (DESIGN.md §5, R1–R15):
// support sessions, unattended-access requests, grants and connections,
// and the use of a customer's Windows credentials.
//
// The admin center decides first, on the current policy, so that a
// technician hears at once why something is refused; what it allows goes
// to the endpoint as a command. The enforcer decides again with its own
// bundle and its answer wins. What only the endpoint can settle — the
// customer's approval, the grant's schedule, connections, stored
// credentials, revocation by the customer, expiry — comes back as the
// endpoint's events, which Observe applies here in the transaction that
// stores them.
//
// States and events are policy/workflow.h's, shared with the endpoint:
// each step loads a record, asks policy::workflow::Apply for the
// transition and stores it as a compare-and-set (WorkflowRepository).
//
// No method takes, returns or stores a password: the customer's
// credentials never leave the endpoint (R11), and the administrator
// credentials of an `at_connection` connect are presented on the endpoint
// itself (docs/decisions.md).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "admincenter/audit.h"
#include "admincenter/endpoint_event.h"
#include "admincenter/service.h"
#include "admincenter/waiters.h"
#include "admincenter/workflow_repository.h"

namespace custodian::admincenter {

// What a technician's step asks for, decoded from its body at the HTTP
// edge (workflow_codec.h).
struct SessionInput {
  std::string endpoint_id;
  policy::SessionInfo session;  // type (not unattended), chat_only, screen_viewing
};
struct UnattendedInput {
  policy::AuthMode credential_mode = policy::AuthMode::kAtConnection;
  policy::Schedule schedule;
};

// A step the policy allowed: the record it made and the decision.
template <typename Record>
struct Allowed {
  Record record;
  policy::Decision decision;
};

class Workflows {
 public:
  // Decided on what `policies` holds; endpoints with a new command are
  // woken through `waiters`. Distribution hands on the endpoint's events
  // (Observe), as the daemon wires it.
  Workflows(Storage& storage, Clock clock, PolicySource policies, Waiters& waiters);

  // Technicians' own sessions.
  Result<SessionRecord> OpenSession(const Principal& who, const SessionInput& input);
  Result<SessionRecord> UpdateSession(const Principal& who, const std::string& id,
                                      bool screen_viewing);
  Result<SessionRecord> EndSession(const Principal& who, const std::string& id);

  // 201 pending, or 403 with every reason.
  Result<Allowed<RequestRecord>> RequestUnattended(const Principal& who,
                                                   const std::string& session_id,
                                                   const UnattendedInput& input);
  // What RequestUnattended would decide now, every reason with its rule;
  // nothing is stored, queued or audited (the technician's what-if).
  Result<policy::Decision> PreviewUnattended(const Principal& who, const std::string& session_id,
                                             const UnattendedInput& input);
  Result<GrantRecord> RevokeGrant(const Principal& who, const std::string& grant_id);
  Result<Allowed<ConnectionRecord>> Connect(const Principal& who, const std::string& grant_id);

  Result<Allowed<CredentialRequestRecord>> RequestCredentials(const Principal& who,
                                                              const std::string& session_id);
  Result<Allowed<OperationRecord>> ApplyCredentials(const Principal& who,
                                                    const std::string& session_id,
                                                    policy::Operation operation);

  // Technicians see their own; admins those of technicians in their scope;
  // master admins and auditors all. Oldest first.
  std::vector<SessionRecord> ListSessions(const Principal& who);
  std::vector<RequestRecord> ListRequests(const Principal& who);
  std::vector<GrantRecord> ListGrants(const Principal& who);
  std::vector<ConnectionRecord> ListConnections(const Principal& who);
  std::vector<CredentialRequestRecord> ListCredentialRequests(const Principal& who);

  // A new workflow event reported by `endpoint_id` (through Distribution's
  // observer, decoded by workflow_codec.h).
  void Observe(Repositories& tx, const std::string& endpoint_id, const EndpointEvent& event,
               policy::Instant now);

 private:
  // A technician's step that the policy decides first (DESIGN.md §5): the
  // facts make the decision request from what is stored; a deny is
  // recorded and answered 403 with every reason; an allow writes its
  // records and the endpoint's command through `allow`, all with the audit
  // event in one transaction.
  struct Facts {
    policy::Request request;
    std::string endpoint_id;
    std::string target;  // of the audit event
  };
  template <typename Record>
  struct DecidedStep {
    policy::workflow::Event event;  // the audit action and the command's type
    std::string refusal;            // the 403's detail
    std::function<std::optional<Problem>(WorkflowRepository&, Facts&)> facts;
    // Writes what the step makes and returns it.
    std::function<Record(WorkflowRepository&, const policy::CompiledPolicy&, const Facts&,
                         AuditEvent&, policy::Instant)>
        allow;
  };
  template <typename Record>
  Result<Allowed<Record>> Decided(const Principal& who, const DecidedStep<Record>& step);
  static std::optional<Problem> SessionFacts(WorkflowRepository& repo, const Principal& who,
                                             const std::string& session_id, policy::Action action,
                                             Facts& facts);
  // SessionFacts for an unattended-access request of `input`.
  static std::optional<Problem> UnattendedFacts(WorkflowRepository& repo, const Principal& who,
                                                const std::string& session_id,
                                                const UnattendedInput& input, Facts& facts);
  // A session step of the technician's own (update, end): load, apply,
  // compare-and-set, queue the command, record.
  Result<SessionRecord> SessionStep(const Principal& who, const std::string& id,
                                    policy::workflow::Event event,
                                    std::optional<bool> screen_viewing);

  // Whether `who` may see or act on the workflows of `technician_id`.
  bool CanSee(const Principal& who, const std::string& technician_id);
  // The technicians whose records `who` lists: all (nullopt), or a set.
  std::optional<std::set<std::string>> Visible(const Principal& who);

  Storage& storage_;
  Clock clock_;
  PolicySource policies_;
  Waiters& waiters_;
};

}  // namespace custodian::admincenter
