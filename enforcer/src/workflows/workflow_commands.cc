// The admin center's commands as the endpoint settles them: each decided
// again with the bundle in force (its deny wins and is reported), each
// step an event of the endpoint's chain.
#include "enforcer/workflows.h"
#include "workflows/workflow_events.h"

namespace custodian::enforcer {

using policy::Instant;
using policy::workflow::Entity;
using policy::workflow::Event;
using policy::workflow::Outcome;

namespace {

std::string SessionTarget(const std::string& id) { return "session:" + id; }

// An event about the credentials of request `request_id` in `session_id`.
EventBuilder CredentialEvent(Event event, const std::string& request_id,
                             const std::string& session_id, Outcome outcome = Outcome::kSuccess) {
  EventBuilder e(event, SessionTarget(session_id), outcome);
  e.Detail("request_id", request_id).Detail("session_id", session_id);
  return e;
}

std::string FirstError(const std::vector<policy::FieldError>& errors) {
  return errors.front().pointer + ": " + errors.front().message;
}

}  // namespace

void Workflows::OpenSession(const policy::Command& c, Instant now) {
  store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    auto t = Step(Entity::kSession, std::nullopt, Event::kSessionOpened, now);
    SessionRow s{c.session_id, c.technician_id, c.session, now, std::nullopt};
    s.session.active = t->to == State::kActive;
    if (!rows.Insert(s)) return false;  // delivered twice
    tx.Append(EventBuilder(Event::kSessionOpened, SessionTarget(c.session_id))
                  .Detail("technician_id", c.technician_id)
                  .Detail("type", std::string(policy::SessionTypeName(c.session.type)))
                  .event(),
              now);
    return true;
  });
}

void Workflows::UpdateSession(const policy::Command& c, Instant now) {
  store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    const auto s = rows.Session(c.session_id);
    const auto state =
        s ? std::optional(s->session.active ? State::kActive : State::kEnded) : std::nullopt;
    if (!Step(Entity::kSession, state, Event::kSessionUpdated, now)) return false;
    if (!rows.SetScreenViewing(c.session_id, c.session.screen_viewing)) return false;
    tx.Append(EventBuilder(Event::kSessionUpdated, SessionTarget(c.session_id))
                  .Flag("screen_viewing", c.session.screen_viewing)
                  .event(),
              now);
    return true;
  });
}

void Workflows::EndSession(const policy::Command& c, Instant now) {
  const std::string& id = c.session_id;
  // R11: the session's credentials go with it.
  secrets_.erase(id);
  store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    const auto s = rows.Session(id);
    if (!s || !s->session.active) return false;
    if (!Step(Entity::kSession, State::kActive, Event::kSessionEnded, now)) return false;
    if (!rows.EndSession(id, now)) return false;
    tx.Append(EventBuilder(Event::kSessionEnded, SessionTarget(id)).event(), now);
    for (const CredentialRequestRow& r : rows.OpenCredentialRequests(id)) {
      const Event event =
          r.state == State::kStored ? Event::kCredentialsWiped : Event::kCredentialsExpired;
      auto t = Step(Entity::kCredentialRequest, r.state, event, now);
      if (!t || !rows.Move(r, *t)) continue;
      tx.Append(CredentialEvent(event, r.id, id).Detail("reason", "session_end").event(), now);
    }
    return true;
  });
}

void Workflows::ReceiveUnattendedRequest(const policy::Command& c,
                                         const std::vector<policy::FieldError>& errors,
                                         Instant now) {
  policy::Decision d;  // a deny, unless decided
  std::optional<Instant> expires;
  if (errors.empty()) {
    policy::Request r =
        DecisionRequest(policy::Action::kUnattendedRequest, c.technician_id, c.session_id);
    r.credential_mode = c.credential_mode;
    r.schedule = c.schedule;
    d = bundles_.Decide(r, now);
    expires = c.expires_at;
    if (auto held = bundles_.active()) {
      // The endpoint's own limit on how long a prompt may wait.
      const Instant own = now + std::chrono::minutes(held->compiled.request_ttl_minutes());
      if (*expires > own) expires = own;
    }
  }
  const bool allowed = d.effect == policy::Effect::kAllow;
  const Event event = allowed ? Event::kRequestReceived : Event::kRequestRefused;
  const bool inserted = store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    if (rows.Request(c.request_id)) return false;  // delivered twice
    auto t = Step(Entity::kUnattendedRequest, std::nullopt, event, now);
    RequestRow row;
    row.id = c.request_id;
    row.session_id = c.session_id;
    row.technician_id = c.technician_id;
    row.technician_name = c.technician_name;
    if (errors.empty()) {
      row.credential_mode = c.credential_mode;
      row.schedule = c.schedule;
    }
    row.state = t->to;
    row.created_at = now;
    row.expires_at = expires.value_or(now);
    rows.Insert(row);
    EventBuilder e(event, "unattended_request:" + c.request_id,
                   allowed ? Outcome::kSuccess : Outcome::kDenied);
    e.Reasons(d).Detail("request_id", c.request_id).Detail("session_id", c.session_id);
    if (!errors.empty()) e.Detail("invalid", FirstError(errors));
    if (allowed) e.Detail("expires_at", policy::FormatRfc3339(*expires));
    tx.Append(e.event(), now);
    return true;
  });
  if (inserted && allowed && prompted_) prompted_(c.request_id);
}

void Workflows::EndGrant(const std::string& grant_id, Event event, const std::string& by,
                         Instant now) {
  store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    const auto g = rows.Grant(grant_id);
    if (!g) return false;
    auto t = Step(Entity::kGrant, g->grant.state, event, now);
    if (!t || !rows.End(grant_id, *t, by)) return false;
    tx.Append(EventBuilder(event, "grant:" + grant_id)
                  .Detail("grant_id", grant_id)
                  .Detail("by", by)
                  .event(),
              now);
    const std::string reason = event == Event::kGrantRevoked ? "grant_revoked" : "grant_expired";
    for (const ConnectionRow& c : rows.OpenConnections(grant_id)) {
      EndConnection(tx, rows, c, reason, now);
    }
    return true;
  });
}

void Workflows::Connect(const policy::Command& c, Instant now, Lock& lock) {
  const auto grant =
      store_.Transact([&](Store::Tx& tx) { return WorkflowRows(tx).Grant(c.grant_id); });
  policy::Decision d;
  if (grant) {
    policy::Request r;
    r.action = policy::Action::kUnattendedConnect;
    r.technician_id = c.technician_id;
    r.grant = grant->grant;  // with its state: one the endpoint ended stays ended (R8)
    d = bundles_.Decide(r, now);
  }
  const bool allowed = d.effect == policy::Effect::kAllow;
  const bool at_setup = allowed && grant->grant.credential_mode == policy::AuthMode::kAtSetup;
  // at_setup: the customer's credentials log the session on (R3).
  bool logged_on = false;
  std::string failure;
  if (at_setup) {
    const auto sealed = store_.Transact(
        [&](Store::Tx& tx) { return WorkflowRows(tx).SealedCredentials(c.grant_id); });
    auto secret = sealed ? machine_vault_.Open(
                               *sealed, SessionBinding(options_.endpoint_id, "grant:" + c.grant_id))
                         : std::nullopt;
    if (!secret) {
      failure = "the stored credentials are missing or do not open";
    } else {
      logged_on =
          RunUnlocked(lock, "logon", grant->user_name, options_.windows_domain, *secret, &failure);
    }
  }
  const Event event = !allowed    ? Event::kConnectionDenied
                      : !at_setup ? Event::kConnectionAwaitingCredentials
                      : logged_on ? Event::kConnectionStarted
                                  : Event::kConnectionDenied;
  // Refused by the policy ("denied", with its reasons), or allowed but the
  // logon failed ("failure", with what failed).
  const Outcome outcome = event != Event::kConnectionDenied ? Outcome::kSuccess
                          : allowed                         ? Outcome::kFailure
                                                            : Outcome::kDenied;
  store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    auto t = Step(Entity::kConnection, std::nullopt, event, now, outcome);
    ConnectionRow row;
    row.id = c.connection_id;
    row.grant_id = c.grant_id;
    row.technician_id = c.technician_id;
    row.state = t->to;
    row.started_at = now;
    if (!rows.Insert(row)) return false;  // delivered twice
    EventBuilder e(event, "connection:" + c.connection_id, outcome);
    if (grant) {
      e.Reasons(d);
    } else {
      e.Reason(policy::ReasonCode::kGrantNotActive, "R8", "this endpoint holds no such grant");
    }
    e.Detail("connection_id", c.connection_id).Detail("grant_id", c.grant_id);
    if (!failure.empty()) e.Detail("failure", failure);
    tx.Append(e.event(), now);
    return true;
  });
}

void Workflows::ReceiveCredentialRequest(const policy::Command& c,
                                         const std::vector<policy::FieldError>& errors,
                                         Instant now) {
  policy::Decision d;
  if (errors.empty()) {
    d = bundles_.Decide(
        DecisionRequest(policy::Action::kCredentialsRequest, c.technician_id, c.session_id), now);
  }
  const bool allowed = d.effect == policy::Effect::kAllow;
  const Event event = allowed ? Event::kCredentialsRequested : Event::kCredentialsRefused;
  const bool inserted = store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    if (rows.CredentialRequest(c.request_id)) return false;  // delivered twice
    auto t = Step(Entity::kCredentialRequest, std::nullopt, event, now);
    rows.Insert(CredentialRequestRow{c.request_id, c.session_id, c.technician_id, c.technician_name,
                                     t->to, now, now});
    EventBuilder e = CredentialEvent(event, c.request_id, c.session_id,
                                     allowed ? Outcome::kSuccess : Outcome::kDenied);
    e.Reasons(d);
    if (!errors.empty()) e.Detail("invalid", FirstError(errors));
    tx.Append(e.event(), now);
    return true;
  });
  if (inserted && allowed && prompted_) prompted_(c.request_id);
}

void Workflows::ApplyCredentials(const policy::Command& c, Instant now, Lock& lock) {
  auto secret = secrets_.find(c.session_id);
  policy::Request r =
      DecisionRequest(policy::Action::kCredentialsApply, c.technician_id, c.session_id);
  r.operation = c.operation;
  r.credentials_stored = secret != secrets_.end();
  const policy::Decision d = bundles_.Decide(r, now);
  const bool allowed = d.effect == policy::Effect::kAllow;
  bool ok = false;
  std::string failure;
  if (allowed) {
    auto plain = session_vault_.Open(secret->second.sealed,
                                     SessionBinding(options_.endpoint_id, c.session_id));
    if (!plain) {
      failure = "the stored credentials do not open";
    } else {
      ok = RunUnlocked(lock, std::string(policy::OperationName(c.operation)), options_.windows_user,
                       options_.windows_domain, *plain, &failure);
    }
  }
  const Event event = allowed ? Event::kCredentialsApplied : Event::kCredentialsApplyDenied;
  EventBuilder e(event, SessionTarget(c.session_id),
                 !allowed ? Outcome::kDenied : (ok ? Outcome::kSuccess : Outcome::kFailure));
  e.Reasons(d)
      .Detail("operation_id", c.operation_id)
      .Detail("operation", std::string(policy::OperationName(c.operation)));
  if (!failure.empty()) e.Detail("failure", failure);
  store_.Append(e.event(), now);
}

}  // namespace custodian::enforcer
