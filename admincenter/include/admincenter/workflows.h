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

#include <cpprest/json.h>

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "admincenter/audit.h"
#include "admincenter/distribution.h"
#include "admincenter/service.h"
#include "admincenter/workflow_repository.h"

namespace custodian::admincenter {

class Workflows {
 public:
  Workflows(Service& service, Distribution& distribution);

  // Technicians: {endpoint_id, type, mode?, screen_viewing?}.
  Result<value> OpenSession(const Principal& who, const value& body);
  // {screen_viewing}.
  Result<value> UpdateSession(const Principal& who, const std::string& id, const value& body);
  Result<value> EndSession(const Principal& who, const std::string& id);

  // {credential_mode, schedule}: 201 pending, or 403 with every reason.
  Result<value> RequestUnattended(const Principal& who, const std::string& session_id,
                                  const value& body);
  Result<value> RevokeGrant(const Principal& who, const std::string& grant_id);
  Result<value> Connect(const Principal& who, const std::string& grant_id);

  Result<value> RequestCredentials(const Principal& who, const std::string& session_id);
  // {operation: restart|unlock}.
  Result<value> ApplyCredentials(const Principal& who, const std::string& session_id,
                                 const value& body);

  // Technicians see their own; admins those of technicians in their scope;
  // master admins and auditors all.
  Result<value> ListSessions(const Principal& who);
  Result<value> ListRequests(const Principal& who);
  Result<value> ListGrants(const Principal& who);
  Result<value> ListConnections(const Principal& who);
  Result<value> ListCredentialRequests(const Principal& who);

  // A new event reported by `endpoint_id` (Distribution's observer).
  void Observe(Repositories& tx, const std::string& endpoint_id, const value& record,
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
  struct DecidedStep {
    policy::workflow::Event event;  // the audit action and the command's type
    std::string refusal;            // the 403's detail
    std::function<std::optional<Problem>(WorkflowRepository&, Facts&)> facts;
    std::function<value(WorkflowRepository&, const policy::CompiledPolicy&, AuditEvent&,
                        policy::Instant)>
        allow;
  };
  Result<value> Decided(const Principal& who, const DecidedStep& step);
  static std::optional<Problem> SessionFacts(WorkflowRepository& repo, const Principal& who,
                                             const std::string& session_id, policy::Action action,
                                             Facts& facts);
  // A session step of the technician's own (update, end): load, apply,
  // compare-and-set, queue the command, record.
  Result<value> SessionStep(const Principal& who, const std::string& id,
                            policy::workflow::Event event, std::optional<bool> screen_viewing);

  // Whether `who` may see or act on the workflows of `technician_id`.
  bool CanSee(const Principal& who, const std::string& technician_id);
  // The technicians whose records `who` lists: all (nullopt), or a set.
  std::optional<std::set<std::string>> Visible(const Principal& who);

  Service& service_;
  Distribution& distribution_;
};

}  // namespace custodian::admincenter
