// The technicians' workflow steps at the admin center; the endpoint's
// events are applied in workflow_observe.cc.
#include "admincenter/workflows.h"

#include "admincenter/policy_repository.h"
#include "admincenter/workflow_codec.h"
#include "common/crypto.h"
#include "policy/engine.h"

namespace custodian::admincenter {

using policy::workflow::Event;

namespace {

// The creation `event` makes: the state a new record starts in.
State Created(Entity entity, Event event, policy::Instant now) {
  return policy::workflow::Apply({entity, std::nullopt}, event, now).transition->to;
}

policy::Command CommandOf(Event type, const std::string& technician_id) {
  policy::Command c;
  c.type = type;
  c.technician_id = technician_id;
  return c;
}

}  // namespace

Workflows::Workflows(Storage& storage, Clock clock, PolicySource policies, Waiters& waiters)
    : storage_(storage),
      clock_(std::move(clock)),
      policies_(std::move(policies)),
      waiters_(waiters) {}

bool Workflows::CanSee(const Principal& who, const std::string& technician_id) {
  const auto visible = Visible(who);
  return !visible || visible->contains(technician_id);
}

std::optional<std::set<std::string>> Workflows::Visible(const Principal& who) {
  switch (who.role) {
    case Role::kMasterAdmin:
    case Role::kAuditor:
      return std::nullopt;
    case Role::kTechnician:
      return std::set<std::string>{who.id};
    case Role::kAdmin: {
      std::set<std::string> in_scope;
      if (auto snapshot = policies_()) {
        for (const policy::Technician& t : snapshot->policy.technicians) {
          if (policy::InSubtree(snapshot->policy, t.group_id, who.scopes)) in_scope.insert(t.id);
        }
      }
      return in_scope;
    }
    case Role::kEndpoint:
      return std::set<std::string>{};
  }
  return std::set<std::string>{};
}

// ---------------------------------------------------------------- sessions

Result<SessionRecord> Workflows::OpenSession(const Principal& who, const SessionInput& input) {
  const policy::Instant now = clock_();
  SessionRecord s;
  s.id = crypto::NewId("ses_");
  s.technician_id = who.id;
  s.endpoint_id = input.endpoint_id;
  s.session = input.session;
  s.session.active = true;
  s.state = Created(Entity::kSession, Event::kOpenSession, now);
  s.started_at = now;
  Result<SessionRecord> r = storage_.Write([&](Repositories& tx) -> Result<SessionRecord> {
    WorkflowRepository& repo = tx.workflows();
    if (!repo.Endpoint(s.endpoint_id)) return Invalid("/endpoint_id", "no such endpoint");
    repo.Insert(s);
    policy::Command command = CommandOf(Event::kOpenSession, who.id);
    command.session_id = s.id;
    command.session = s.session;
    repo.Queue(s.endpoint_id, command, now);
    AuditEvent e = ActorEvent(who, std::string(EventName(Event::kOpenSession)), "session:" + s.id);
    e.Details(command);
    e.Detail("endpoint_id", s.endpoint_id);
    AppendAudit(tx.audit(), e, now);
    return s;
  });
  if (r.ok()) waiters_.Notify(s.endpoint_id);
  return r;
}

Result<SessionRecord> Workflows::SessionStep(const Principal& who, const std::string& id,
                                             Event event, std::optional<bool> screen_viewing) {
  const policy::Instant now = clock_();
  std::string endpoint_id;
  Result<SessionRecord> r = storage_.Write([&](Repositories& tx) -> Result<SessionRecord> {
    WorkflowRepository& repo = tx.workflows();
    auto s = repo.Session(id);
    if (!s || s->technician_id != who.id) return NotFound("no such session");
    const auto applied = policy::workflow::Apply({Entity::kSession, s->state}, event, now);
    MoveDetails details;
    details.screen_viewing = screen_viewing;
    if (!applied.ok() || !repo.Move(Entity::kSession, id, "", *applied.transition, details)) {
      return Conflict(event == Event::kEndSession ? "the session has ended already"
                                                  : "the session has ended");
    }
    endpoint_id = s->endpoint_id;
    policy::Command command = CommandOf(event, who.id);
    command.session_id = id;
    command.session.screen_viewing = screen_viewing.value_or(false);
    repo.Queue(endpoint_id, command, now);
    AuditEvent e = ActorEvent(who, std::string(EventName(event)), "session:" + id);
    if (screen_viewing) e.Flag("screen_viewing", *screen_viewing);
    AppendAudit(tx.audit(), e, now);
    return *repo.Session(id);
  });
  if (r.ok()) waiters_.Notify(endpoint_id);
  return r;
}

Result<SessionRecord> Workflows::UpdateSession(const Principal& who, const std::string& id,
                                               bool screen_viewing) {
  return SessionStep(who, id, Event::kUpdateSession, screen_viewing);
}

Result<SessionRecord> Workflows::EndSession(const Principal& who, const std::string& id) {
  return SessionStep(who, id, Event::kEndSession, std::nullopt);
}

// ------------------------------------------------- steps the policy decides

template <typename Record>
Result<Allowed<Record>> Workflows::Decided(const Principal& who, const DecidedStep<Record>& step) {
  auto snapshot = policies_();
  if (!snapshot) return Problem{ErrorKind::kInternal, "the stored policy is damaged", {}, {}};
  const policy::Instant now = clock_();
  Facts facts;
  std::optional<policy::Decision> denied;
  Result<Allowed<Record>> r = storage_.Write([&](Repositories& tx) -> Result<Allowed<Record>> {
    WorkflowRepository& repo = tx.workflows();
    facts = Facts{};
    if (auto problem = step.facts(repo, facts)) return *problem;
    const policy::Decision d = policy::Decide(snapshot->compiled, facts.request, now);
    AuditEvent e = ActorEvent(who, std::string(EventName(step.event)), facts.target);
    e.Reasons(d);
    e.Detail("endpoint_id", facts.endpoint_id);
    if (d.effect == policy::Effect::kDeny) {
      // Recorded, and answered 403 once it is committed.
      e.outcome = "denied";
      AppendAudit(tx.audit(), e, now);
      denied = d;
      return Allowed<Record>{{}, d};
    }
    Allowed<Record> out{step.allow(repo, snapshot->compiled, facts, e, now), d};
    AppendAudit(tx.audit(), e, now);
    return out;
  });
  if (!r.ok()) return r;
  if (denied) return PolicyDenied(step.refusal, *denied);
  waiters_.Notify(facts.endpoint_id);
  return r;
}

// The technician's own session `session_id` into `facts` (its session and
// endpoint parts of the decision request).
std::optional<Problem> Workflows::SessionFacts(WorkflowRepository& repo, const Principal& who,
                                               const std::string& session_id, policy::Action action,
                                               Facts& facts) {
  const auto s = repo.Session(session_id);
  if (!s || s->technician_id != who.id) return NotFound("no such session");
  facts.endpoint_id = s->endpoint_id;
  facts.target = "session:" + session_id;
  facts.request.action = action;
  facts.request.technician_id = who.id;
  facts.request.session = s->session;
  facts.request.endpoint = repo.Endpoint(s->endpoint_id).value_or(policy::EndpointInfo{});
  return std::nullopt;
}

std::optional<Problem> Workflows::UnattendedFacts(WorkflowRepository& repo, const Principal& who,
                                                  const std::string& session_id,
                                                  const UnattendedInput& input, Facts& facts) {
  auto problem = SessionFacts(repo, who, session_id, policy::Action::kUnattendedRequest, facts);
  if (problem) return problem;
  facts.request.credential_mode = input.credential_mode;
  facts.request.schedule = input.schedule;
  return std::nullopt;
}

Result<Allowed<RequestRecord>> Workflows::RequestUnattended(const Principal& who,
                                                            const std::string& session_id,
                                                            const UnattendedInput& input) {
  const std::string id = crypto::NewId("ureq_");
  DecidedStep<RequestRecord> step;
  step.event = Event::kRequestUnattended;
  step.refusal = "the policy refuses this unattended-access request";
  step.facts = [&](WorkflowRepository& repo, Facts& f) {
    return UnattendedFacts(repo, who, session_id, input, f);
  };
  step.allow = [&](WorkflowRepository& repo, const policy::CompiledPolicy& policy, const Facts& f,
                   AuditEvent& e, policy::Instant now) {
    const std::string& endpoint_id = f.endpoint_id;
    RequestRecord u;
    u.id = id;
    u.session_id = session_id;
    u.technician_id = who.id;
    u.endpoint_id = endpoint_id;
    u.credential_mode = input.credential_mode;
    u.schedule = input.schedule;
    u.state = Created(Entity::kUnattendedRequest, Event::kRequestUnattended, now);
    u.created_at = now;
    u.expires_at = now + std::chrono::minutes(policy.request_ttl_minutes());
    repo.Insert(u);
    policy::Command command = CommandOf(Event::kRequestUnattended, who.id);
    command.request_id = id;
    command.session_id = session_id;
    command.technician_name = who.name;  // for the customer's prompt
    command.credential_mode = u.credential_mode;
    command.schedule = u.schedule;
    command.expires_at = u.expires_at;
    repo.Queue(endpoint_id, command, now);
    e.target = "unattended_request:" + id;
    e.Detail("session_id", session_id);
    e.Detail("credential_mode", policy::AuthModeName(u.credential_mode));
    e.Detail("schedule", u.schedule);
    return u;
  };
  return Decided(who, step);
}

Result<policy::Decision> Workflows::PreviewUnattended(const Principal& who,
                                                      const std::string& session_id,
                                                      const UnattendedInput& input) {
  auto snapshot = policies_();
  if (!snapshot) return Problem{ErrorKind::kInternal, "the stored policy is damaged", {}, {}};
  return storage_.Read([&](Repositories& tx) -> Result<policy::Decision> {
    Facts f;
    if (auto problem = UnattendedFacts(tx.workflows(), who, session_id, input, f)) return *problem;
    return policy::Decide(snapshot->compiled, f.request, clock_());
  });
}

Result<GrantRecord> Workflows::RevokeGrant(const Principal& who, const std::string& grant_id) {
  const policy::Instant now = clock_();
  std::string endpoint_id;
  const bool may = who.role != Role::kAuditor;
  Result<GrantRecord> r = storage_.Write([&](Repositories& tx) -> Result<GrantRecord> {
    WorkflowRepository& repo = tx.workflows();
    const auto g = repo.Grant(grant_id);
    if (!g || !may || !CanSee(who, g->grant.technician_id)) return NotFound("no such grant");
    const auto applied =
        policy::workflow::Apply({Entity::kGrant, g->grant.state}, Event::kRevokeGrant, now);
    const std::string by = who.role == Role::kTechnician ? "technician" : "admin";
    MoveDetails details;
    details.ended_by = by;
    if (!applied.ok() || !applied.transition->changes() ||
        !repo.Move(Entity::kGrant, grant_id, "", *applied.transition, details)) {
      return Conflict("the grant is no longer active");
    }
    endpoint_id = g->endpoint_id;
    policy::Command command = CommandOf(Event::kRevokeGrant, "");
    command.grant_id = grant_id;
    command.by = by;
    repo.Queue(endpoint_id, command, now);
    AuditEvent e =
        ActorEvent(who, std::string(EventName(Event::kRevokeGrant)), "grant:" + grant_id);
    e.Detail("endpoint_id", endpoint_id);
    AppendAudit(tx.audit(), e, now);
    return *repo.Grant(grant_id);
  });
  if (r.ok()) waiters_.Notify(endpoint_id);
  return r;
}

Result<Allowed<ConnectionRecord>> Workflows::Connect(const Principal& who,
                                                     const std::string& grant_id) {
  const std::string id = crypto::NewId("conn_");
  DecidedStep<ConnectionRecord> step;
  step.event = Event::kConnect;
  step.refusal = "the policy refuses this unattended connection";
  step.facts = [&](WorkflowRepository& repo, Facts& f) -> std::optional<Problem> {
    const auto g = repo.Grant(grant_id);
    if (!g || g->grant.technician_id != who.id) return NotFound("no such grant");
    f.endpoint_id = g->endpoint_id;
    f.target = "grant:" + grant_id;
    f.request.action = policy::Action::kUnattendedConnect;
    f.request.technician_id = who.id;
    f.request.grant = g->grant;  // with its state: an ended grant stays ended (R8)
    return std::nullopt;
  };
  step.allow = [&](WorkflowRepository& repo, const policy::CompiledPolicy&, const Facts& f,
                   AuditEvent& e, policy::Instant now) {
    const std::string& endpoint_id = f.endpoint_id;
    ConnectionRecord c;
    c.id = id;
    c.grant_id = grant_id;
    c.technician_id = who.id;
    c.endpoint_id = endpoint_id;
    c.state = Created(Entity::kConnection, Event::kConnect, now);
    c.requested_at = c.updated_at = now;
    repo.Insert(c);
    policy::Command command = CommandOf(Event::kConnect, who.id);
    command.connection_id = id;
    command.grant_id = grant_id;
    repo.Queue(endpoint_id, command, now);
    e.Detail("connection_id", id);
    return c;
  };
  return Decided(who, step);
}

// ------------------------------------------------------------- credentials

Result<Allowed<CredentialRequestRecord>> Workflows::RequestCredentials(
    const Principal& who, const std::string& session_id) {
  const std::string id = crypto::NewId("creq_");
  DecidedStep<CredentialRequestRecord> step;
  step.event = Event::kRequestCredentials;
  step.refusal = "the policy refuses this credential request";
  step.facts = [&](WorkflowRepository& repo, Facts& f) {
    return SessionFacts(repo, who, session_id, policy::Action::kCredentialsRequest, f);
  };
  step.allow = [&](WorkflowRepository& repo, const policy::CompiledPolicy&, const Facts& f,
                   AuditEvent& e, policy::Instant now) {
    const std::string& endpoint_id = f.endpoint_id;
    CredentialRequestRecord c;
    c.id = id;
    c.session_id = session_id;
    c.technician_id = who.id;
    c.endpoint_id = endpoint_id;
    c.state = Created(Entity::kCredentialRequest, Event::kRequestCredentials, now);
    c.created_at = c.updated_at = now;
    repo.Insert(c);
    policy::Command command = CommandOf(Event::kRequestCredentials, who.id);
    command.request_id = id;
    command.session_id = session_id;
    command.technician_name = who.name;  // for the customer's prompt
    repo.Queue(endpoint_id, command, now);
    e.Detail("request_id", id);
    return c;
  };
  return Decided(who, step);
}

Result<Allowed<OperationRecord>> Workflows::ApplyCredentials(const Principal& who,
                                                             const std::string& session_id,
                                                             policy::Operation operation) {
  const std::string id = crypto::NewId("cop_");
  DecidedStep<OperationRecord> step;
  step.event = Event::kApplyCredentials;
  step.refusal = "the policy refuses to apply the credentials";
  step.facts = [&](WorkflowRepository& repo, Facts& f) -> std::optional<Problem> {
    auto problem = SessionFacts(repo, who, session_id, policy::Action::kCredentialsApply, f);
    if (problem) return problem;
    // What the endpoint reported; it decides again with what it holds.
    f.request.operation = operation;
    f.request.credentials_stored = repo.CredentialsStored(session_id);
    return std::nullopt;
  };
  step.allow = [&](WorkflowRepository& repo, const policy::CompiledPolicy&, const Facts& f,
                   AuditEvent& e, policy::Instant now) {
    const std::string& endpoint_id = f.endpoint_id;
    OperationRecord o;
    o.id = id;
    o.session_id = session_id;
    o.technician_id = who.id;
    o.endpoint_id = endpoint_id;
    o.operation = operation;
    o.state = Created(Entity::kCredentialOperation, Event::kApplyCredentials, now);
    o.requested_at = o.updated_at = now;
    repo.Insert(o);
    policy::Command command = CommandOf(Event::kApplyCredentials, who.id);
    command.operation_id = id;
    command.session_id = session_id;
    command.operation = operation;
    repo.Queue(endpoint_id, command, now);
    e.Detail("operation_id", id);
    e.Detail("operation", policy::OperationName(operation));
    return o;
  };
  return Decided(who, step);
}

// ------------------------------------------------------------------- lists

namespace {

template <typename T>
const std::string& TechnicianOf(const T& record) {
  return record.technician_id;
}
const std::string& TechnicianOf(const GrantRecord& g) { return g.grant.technician_id; }

// Technicians' own records chosen in storage; admins' those of the
// technicians in their scope, known once per call.
template <typename Load>
auto ListOf(Storage& storage, const Principal& who,
            const std::optional<std::set<std::string>>& visible, Load load) {
  const std::string own = who.role == Role::kTechnician ? who.id : "";
  return storage.Read([&](Repositories& tx) {
    auto records = load(tx.workflows(), own);
    if (visible) {
      std::erase_if(records, [&](const auto& r) { return !visible->contains(TechnicianOf(r)); });
    }
    return records;
  });
}

}  // namespace

std::vector<SessionRecord> Workflows::ListSessions(const Principal& who) {
  return ListOf(storage_, who, Visible(who),
                [](WorkflowRepository& r, const std::string& t) { return r.Sessions(t); });
}
std::vector<RequestRecord> Workflows::ListRequests(const Principal& who) {
  return ListOf(storage_, who, Visible(who),
                [](WorkflowRepository& r, const std::string& t) { return r.Requests(t); });
}
std::vector<GrantRecord> Workflows::ListGrants(const Principal& who) {
  return ListOf(storage_, who, Visible(who),
                [](WorkflowRepository& r, const std::string& t) { return r.Grants(t); });
}
std::vector<ConnectionRecord> Workflows::ListConnections(const Principal& who) {
  return ListOf(storage_, who, Visible(who),
                [](WorkflowRepository& r, const std::string& t) { return r.Connections(t); });
}
std::vector<CredentialRequestRecord> Workflows::ListCredentialRequests(const Principal& who) {
  return ListOf(storage_, who, Visible(who), [](WorkflowRepository& r, const std::string& t) {
    return r.CredentialRequests(t);
  });
}

}  // namespace custodian::admincenter
