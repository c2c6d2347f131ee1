// The customer's side of the workflows (R7, R9–R15) and the administrator
// credentials of an at_connection connect (R3): prompts, answers,
// revocations. Passwords arrive in a SecretForm and go straight into a
// vault or to the verifier; nothing here copies them.
#include "common/crypto.h"
#include "enforcer/workflows.h"
#include "workflows/workflow_events.h"

namespace custodian::enforcer {

using policy::Instant;
using policy::workflow::Entity;
using policy::workflow::Event;
using policy::workflow::Outcome;

namespace {

// Three wrong administrator passwords end an at_connection connect: enough
// for a typo or two, too few to guess (PAM's delay after each failure
// makes a guess cost seconds on top).
constexpr int kMaxAdminCredentialAttempts = 3;

// A user name as Windows and PAM take it: bounded, shown and stored.
constexpr std::size_t kMaxUserNameBytes = 256;

// The technician as the customer sees them: the name, else the id.
std::string Who(const std::string& name, const std::string& id) { return name.empty() ? id : name; }

// The password (and for at_setup the user name) of an answer; nothing else.
struct SecretInput {
  std::string user_name;
  std::optional<SecretBytes> password;
  std::vector<policy::FieldError> errors;
};
SecretInput ReadSecretInput(SecretForm& form, bool with_user) {
  SecretInput in;
  in.errors = form.errors;
  if (!in.errors.empty()) return in;
  for (const auto& [k, v] : form.fields) {
    if (k != "password" && !(with_user && k == "user_name")) {
      in.errors.push_back({"/" + k, with_user ? "unknown key (send user_name and password)"
                                              : "unknown key (send only password)"});
    }
  }
  if (with_user) {
    auto user = form.fields.find("user_name");
    if (user == form.fields.end() || user->second.size() == 0 ||
        user->second.size() > kMaxUserNameBytes) {
      in.errors.push_back({"/user_name", "must be a user name of 1 to 256 characters"});
    } else {
      in.user_name = std::string(user->second.view());  // not a secret: it is shown and stored
    }
  }
  auto password = form.fields.find("password");
  if (password == form.fields.end() || password->second.size() == 0) {
    in.errors.push_back(
        {"/password", "must be a password of 1 to " + std::to_string(kMaxSecretBytes) + " bytes"});
  } else {
    in.password.emplace(std::move(password->second));
  }
  return in;
}

Problem StateConflict(const char* what, State state) {
  return Conflict(std::string("the ") + what + " is " +
                  std::string(policy::workflow::StateName(state)));
}

const char* kRefusedNow = "the policy on this computer refuses the request now";

}  // namespace

std::vector<Prompt> Workflows::Prompts(Language language) {
  std::lock_guard lock(mutex_);
  const Instant now = Now();
  const auto [requests, asked] = store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    return std::pair(rows.Requests(State::kPending), rows.PendingInActiveSessions());
  });
  const policy::TimeZone* found = zones_.Find(options_.time_zone);
  static const policy::TimeZone kUtc("UTC", {});
  const policy::TimeZone& customer_zone = found ? *found : kUtc;
  std::vector<Prompt> out;
  for (const RequestRow& r : requests) {
    if (r.expires_at <= now) continue;
    Prompt p;
    p.kind = Prompt::Kind::kUnattendedAccess;
    p.id = r.id;
    p.session_id = r.session_id;
    p.technician_id = r.technician_id;
    p.technician_name = r.technician_name;
    p.credential_mode = *r.credential_mode;  // a pending request has both
    p.schedule = *r.schedule;
    p.expires_at = r.expires_at;
    // What approving would create now, decided as the answer will be; a
    // request the policy now refuses shows what was asked.
    const policy::Decision d = UnattendedDecision(r, now);
    std::string what = DescribeSchedule(p.schedule, language);
    if (d.effect == policy::Effect::kAllow && d.effective_schedule) {
      what = DescribeGrant(*d.effective_schedule, customer_zone, now, language);
      p.effective_schedule = d.effective_schedule;
    }
    p.message = UnattendedPromptText(language, p.credential_mode,
                                     Who(r.technician_name, r.technician_id), what);
    if (p.credential_mode == policy::AuthMode::kAtSetup) {  // R7 with R14
      p.prefill_user_name = options_.windows_user;
      p.prefill_domain = options_.windows_domain;
    }
    out.push_back(std::move(p));
  }
  for (const CredentialRequestRow& r : asked) {
    Prompt p;
    p.kind = Prompt::Kind::kWindowsCredentials;
    p.id = r.id;
    p.session_id = r.session_id;
    p.technician_id = r.technician_id;
    p.technician_name = r.technician_name;
    p.prefill_user_name = options_.windows_user;  // R14
    p.prefill_domain = options_.windows_domain;
    p.message = WindowsPromptText(language, Who(r.technician_name, r.technician_id));
    out.push_back(std::move(p));
  }
  return out;
}

Result<Settled> Workflows::Answer(const std::string& prompt_id, bool approve, SecretForm& body,
                                  Language language) {
  std::optional<Result<Settled>> result;
  {
    std::lock_guard lock(mutex_);
    const Instant now = Now();
    const auto [request, credentials] = store_.Transact([&](Store::Tx& tx) {
      WorkflowRows rows(tx);
      return std::pair(rows.Request(prompt_id), rows.CredentialRequest(prompt_id));
    });
    if (request) {
      result = AnswerUnattended(*request, approve, body, now);
    } else if (credentials) {
      result = AnswerCredentials(*credentials, approve, body, language, now);
    } else {
      return NotFound("no such prompt");
    }
  }
  Emit();
  Wake();
  return *result;
}

Result<Settled> Workflows::AnswerUnattended(const RequestRow& row, bool approve, SecretForm& body,
                                            Instant now) {
  const std::string& id = row.id;
  const std::string target = "unattended_request:" + id;
  if (row.state != State::kPending) return StateConflict("request", row.state);
  if (row.expires_at <= now) return Conflict("the request has expired");
  const bool at_setup = row.credential_mode == policy::AuthMode::kAtSetup;
  if (!approve) {
    auto t = Step(Entity::kUnattendedRequest, row.state, Event::kRequestDenied, now);
    store_.Transact([&](Store::Tx& tx) {
      if (!WorkflowRows(tx).Move(id, *t)) return false;
      tx.Append(EventBuilder(Event::kRequestDenied, target, Outcome::kDenied)
                    .Detail("request_id", id)
                    .Detail("by", "customer")
                    .event(),
                now);
      return true;
    });
    return Settled{t->to, "", std::nullopt};
  }
  // R7: at_setup takes the customer's Windows user name and password.
  SecretInput input;
  if (at_setup) {
    input = ReadSecretInput(body, true);
  } else if (!body.errors.empty() || !body.fields.empty()) {
    input.errors.push_back({"", "send an empty object: at_connection asks only for consent"});
  }
  if (!input.errors.empty()) return Invalid(std::move(input.errors));
  // Decided again now: the policy or the session may have changed.
  const policy::Decision d = UnattendedDecision(row, now);
  if (d.effect != policy::Effect::kAllow || !d.effective_schedule) {
    store_.Transact([&](Store::Tx& tx) {
      auto t = Step(Entity::kUnattendedRequest, row.state, Event::kRequestRefused, now);
      if (!t || !WorkflowRows(tx).Move(id, *t)) return false;
      tx.Append(EventBuilder(Event::kRequestRefused, target, Outcome::kDenied)
                    .Reasons(d)
                    .Detail("request_id", id)
                    .event(),
                now);
      return true;
    });
    return PolicyDenied(kRefusedNow, d);
  }
  GrantRow grant;
  grant.id = crypto::NewId("grant_");
  grant.request_id = id;
  grant.grant.credential_mode = *row.credential_mode;
  grant.grant.technician_id = row.technician_id;
  grant.grant.schedule = policy::ToGrantSchedule(*d.effective_schedule);
  grant.created_at = now;
  std::string sealed;
  if (at_setup) {
    grant.user_name = input.user_name;
    sealed = machine_vault_.Seal(input.password->view(),
                                 SessionBinding(options_.endpoint_id, "grant:" + grant.id));
  }
  store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    auto approved = Step(Entity::kUnattendedRequest, row.state, Event::kRequestApproved, now);
    auto created = Step(Entity::kGrant, std::nullopt, Event::kRequestApproved, now);
    if (!rows.Move(id, *approved, grant.id)) return false;
    grant.grant.state = created->to;
    rows.Insert(grant, sealed);
    tx.Append(
        EventBuilder(Event::kRequestApproved, target)
            .Reasons(d)
            .Detail("request_id", id)
            .Detail("grant_id", grant.id)
            .Detail("credential_mode", std::string(policy::AuthModeName(*row.credential_mode)))
            .Schedule("effective_schedule", *d.effective_schedule)
            .event(),
        now);
    return true;
  });
  return Settled{State::kApproved, "", grant};
}

Result<Settled> Workflows::AnswerCredentials(const CredentialRequestRow& row, bool approve,
                                             SecretForm& body, Language language, Instant now) {
  const std::string& session_id = row.session_id;
  if (row.state != State::kPending) return StateConflict("request", row.state);
  // One step: the request's move and its event, in one transaction.
  auto settle = [&](Event event, Outcome outcome, const policy::Decision* d) {
    auto t = Step(Entity::kCredentialRequest, row.state, event, now);
    store_.Transact([&](Store::Tx& tx) {
      if (!t || !WorkflowRows(tx).Move(row, *t)) return false;
      EventBuilder e(event, "session:" + session_id, outcome);
      e.Detail("request_id", row.id).Detail("session_id", session_id);
      if (d) e.Reasons(*d);
      tx.Append(e.event(), now);
      return true;
    });
    return t ? t->to : row.state;
  };
  if (!approve)
    return Settled{settle(Event::kCredentialsDenied, Outcome::kDenied, nullptr), "", {}};
  SecretInput input = ReadSecretInput(body, false);  // R14: only the password
  if (!input.errors.empty()) return Invalid(std::move(input.errors));
  const policy::Decision d = bundles_.Decide(
      DecisionRequest(policy::Action::kCredentialsRequest, row.technician_id, session_id), now);
  if (d.effect != policy::Effect::kAllow) {
    settle(Event::kCredentialsRefused, Outcome::kDenied, &d);
    return PolicyDenied(kRefusedNow, d);
  }
  // R11: sealed at once, bound to this endpoint and session; the key lives
  // only in this process.
  secrets_[session_id] = {row.id,
                          session_vault_.Seal(input.password->view(),
                                              SessionBinding(options_.endpoint_id, session_id))};
  const State state = settle(Event::kCredentialsStored, Outcome::kSuccess, nullptr);
  return Settled{state, StoredNotice(language), std::nullopt};  // R15
}

Result<Settled> Workflows::RevokeGrant(const std::string& grant_id) {
  {
    std::lock_guard lock(mutex_);
    const Instant now = Now();
    const auto grant =
        store_.Transact([&](Store::Tx& tx) { return WorkflowRows(tx).Grant(grant_id); });
    if (!grant) return NotFound("no such grant");
    if (grant->grant.state != State::kActive) return StateConflict("grant", grant->grant.state);
    EndGrant(grant_id, Event::kGrantRevoked, "customer", now);
  }
  Emit();
  Wake();
  return Settled{State::kRevoked, "", std::nullopt};
}

Result<Settled> Workflows::RevokeCredentials(const std::string& session_id, Language language) {
  {
    std::lock_guard lock(mutex_);
    const Instant now = Now();
    auto it = secrets_.find(session_id);
    if (it == secrets_.end()) return NotFound("no credentials are stored for this session");
    const std::string request_id = it->second.request_id;
    secrets_.erase(it);  // R12
    store_.Transact([&](Store::Tx& tx) {
      WorkflowRows rows(tx);
      const auto row = rows.CredentialRequest(request_id);
      if (!row) return false;
      auto t = Step(Entity::kCredentialRequest, row->state, Event::kCredentialsRevoked, now);
      if (!t || !rows.Move(*row, *t)) return false;
      tx.Append(EventBuilder(Event::kCredentialsRevoked, "session:" + session_id)
                    .Detail("request_id", request_id)
                    .Detail("session_id", session_id)
                    .Detail("by", "customer")
                    .event(),
                now);
      return true;
    });
  }
  Emit();
  return Settled{State::kRevoked, RevokedNotice(language), std::nullopt};
}

Result<Settled> Workflows::PresentAdminCredentials(const std::string& connection_id,
                                                   SecretForm& body) {
  SecretInput input = ReadSecretInput(body, true);
  if (!input.errors.empty()) return Invalid(std::move(input.errors));
  // The connection, if it still waits for credentials; else the answer.
  auto waiting = [&]() -> Result<ConnectionRow> {
    auto c =
        store_.Transact([&](Store::Tx& tx) { return WorkflowRows(tx).Connection(connection_id); });
    if (!c) return NotFound("no such connection");
    if (c->state != State::kAwaitingCredentials) return StateConflict("connection", c->state);
    return *c;
  };
  {
    std::lock_guard lock(mutex_);
    if (auto c = waiting(); !c.ok()) return c.problem();
  }
  // Outside the lock: PAM may take seconds (its delay after a failure), and
  // timers and commands must not wait for it.
  const bool valid = verifier_.Verify(input.user_name, *input.password);
  std::optional<Result<Settled>> result;
  {
    std::lock_guard lock(mutex_);
    const Instant now = Now();
    auto c = waiting();  // it may have ended meanwhile
    if (!c.ok()) return c.problem();
    const int attempts = c.value().failed_attempts + (valid ? 0 : 1);
    const Event event = valid ? Event::kConnectionStarted
                        : attempts >= kMaxAdminCredentialAttempts
                            ? Event::kConnectionDenied
                            : Event::kConnectionCredentialsRejected;
    const Outcome outcome = valid ? Outcome::kSuccess : Outcome::kFailure;
    auto t = Step(Entity::kConnection, c.value().state, event, now, outcome);
    store_.Transact([&](Store::Tx& tx) {
      if (!WorkflowRows(tx).Move(connection_id, *t, attempts)) return false;
      EventBuilder e(event, "connection:" + connection_id, outcome);
      e.Detail("connection_id", connection_id)
          .Detail("grant_id", c.value().grant_id)
          .Detail("administrator", input.user_name);
      if (!valid) e.Count("failed_attempts", attempts);
      tx.Append(e.event(), now);
      return true;
    });
    if (valid) {
      result = Settled{t->to, "", std::nullopt};
    } else {
      result =
          Problem{ErrorKind::kForbidden,
                  "the administrator credentials were not accepted" +
                      std::string(t->to == State::kDenied ? "; the connection is refused" : ""),
                  {},
                  {}};
    }
  }
  Emit();
  Wake();
  return *result;
}

}  // namespace custodian::enforcer
