#include "admincenter/workflows.h"

#include <SQLiteCpp/Statement.h>

#include <set>

#include "admincenter/audit.h"
#include "admincenter/policy_store.h"
#include "common/crypto.h"
#include "common/sql_json.h"
#include "input.h"
#include "policy/codec.h"
#include "policy/engine.h"

namespace custodian::admincenter {
namespace {

value Str(const std::string& s) { return value::string(s); }

// Columns holding JSON text, and booleans.
const std::set<std::string> kJsonColumns = {"schedule", "reasons", "effective_schedule"};
const std::set<std::string> kBoolColumns = {"screen_viewing"};

value RowJson(SQLite::Statement& q) { return custodian::RowJson(q, kJsonColumns, kBoolColumns); }

// The one row of `table` with `id`, or null.
value FindRow(SQLite::Database& db, const std::string& table, const std::string& id) {
  SQLite::Statement q(db, "SELECT * FROM " + table + " WHERE id = ?");
  q.bind(1, id);
  return q.executeStep() ? RowJson(q) : value::null();
}

// The session part of a decision request (DESIGN.md §3).
value SessionPart(const value& session) {
  value s = value::object(true);
  s["type"] = session.at("type");
  if (!session.at("mode").is_null()) s["mode"] = session.at("mode");
  s["active"] = value::boolean(session.at("state").as_string() == "active");
  s["screen_viewing"] = session.at("screen_viewing");
  return s;
}

value EndpointFacts(SQLite::Database& db, const std::string& endpoint_id) {
  SQLite::Statement q(db, "SELECT os, time_zone FROM endpoints WHERE id = ?");
  q.bind(1, endpoint_id);
  value e = value::object(true);
  if (q.executeStep()) {
    e["os"] = Str(q.getColumn(0).getString());
    e["time_zone"] = Str(q.getColumn(1).getString());
  }
  return e;
}

value DecisionRequest(policy::Action action, const std::string& technician_id) {
  value r = value::object(true);
  r["action"] = Str(std::string(policy::ActionName(action)));
  r["technician_id"] = Str(technician_id);
  return r;
}

std::string Now(policy::Instant now) { return policy::FormatRfc3339(now); }

// Sets the state (and reasons, when given) of the row `id` of `table`
// that belongs to `endpoint_id`, if its state is one of `from`.
void Transition(SQLite::Database& db, const std::string& table, const std::string& id,
                const std::string& endpoint_id, const std::vector<std::string>& from,
                const std::string& to, const value* reasons, policy::Instant now,
                const std::string& time_column) {
  std::string in;
  for (std::size_t i = 0; i < from.size(); ++i) in += (i ? ", '" : "'") + from[i] + "'";
  SQLite::Statement u(db, "UPDATE " + table + " SET state = ?, " + time_column + " = ?" +
                              (reasons ? ", reasons = ?" : "") +
                              " WHERE id = ? AND endpoint_id = ? AND state IN (" + in + ")");
  int i = 1;
  u.bind(i++, to);
  u.bind(i++, Now(now));
  if (reasons) u.bind(i++, reasons->serialize());
  u.bind(i++, id);
  u.bind(i++, endpoint_id);
  u.exec();
}

std::string DetailString(const value& details, const char* key) {
  return details.has_field(key) && details.at(key).is_string() ? details.at(key).as_string() : "";
}

}  // namespace

Workflows::Workflows(Service& service, Distribution& distribution)
    : service_(service), distribution_(distribution) {
  distribution_.SetEventObserver(
      [this](SQLite::Database& db, const std::string& endpoint_id, const value& record,
             policy::Instant now) { Observe(db, endpoint_id, record, now); });
}

bool Workflows::CanSee(const Principal& who, const std::string& technician_id) {
  switch (who.role) {
    case Role::kMasterAdmin:
    case Role::kAuditor:
      return true;
    case Role::kTechnician:
      return who.id == technician_id;
    case Role::kAdmin: {
      auto snapshot = service_.Snapshot();
      if (!snapshot) return false;
      for (const policy::Technician& t : snapshot->policy.technicians) {
        if (t.id == technician_id) return InSubtree(snapshot->policy, t.group_id, who.scopes);
      }
      return false;
    }
    case Role::kEndpoint:
      return false;
  }
  return false;
}

// ---------------------------------------------------------------- sessions

Result<value> Workflows::OpenSession(const Principal& who, const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"endpoint_id", "type", "mode", "screen_viewing"}, errors);
  const auto endpoint_id = RequiredString(body, "endpoint_id", errors, 64);
  const auto type = RequiredString(body, "type", errors, 32);
  std::optional<policy::SessionType> parsed_type;
  if (type) {
    parsed_type = policy::ParseSessionType(*type);
    if (!parsed_type || *parsed_type == policy::SessionType::kUnattended) {
      errors.push_back({"/type",
                        "must be one of applet, mobile_applet, instant_chat, calling_card "
                        "(unattended sessions start with a grant's connect)"});
    }
  }
  value mode = value::null();
  if (body.has_field("mode")) {
    const value& m = body.at("mode");
    if (!m.is_string() || (m.as_string() != "chat_only" && m.as_string() != "full")) {
      errors.push_back({"/mode", "must be \"chat_only\" or \"full\""});
    } else if (parsed_type != policy::SessionType::kInstantChat) {
      errors.push_back({"/mode", "applies only to instant_chat sessions"});
    } else {
      mode = m;
    }
  } else if (parsed_type == policy::SessionType::kInstantChat) {
    errors.push_back({"/mode", "is required for instant_chat: \"chat_only\" or \"full\""});
  }
  bool screen = false;
  if (body.has_field("screen_viewing")) {
    if (!body.at("screen_viewing").is_boolean())
      errors.push_back({"/screen_viewing", "must be a boolean"});
    else
      screen = body.at("screen_viewing").as_bool();
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const policy::Instant now = service_.Now();
  const std::string id = crypto::NewId("ses_");
  Result<value> r = service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    if (EndpointFacts(db, *endpoint_id).size() == 0) {
      return Invalid("/endpoint_id", "no such endpoint");
    }
    SQLite::Statement q(
        db,
        "INSERT INTO sessions (id, technician_id, endpoint_id, type, mode, "
        "screen_viewing, state, started_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)");
    q.bind(1, id);
    q.bind(2, who.id);
    q.bind(3, *endpoint_id);
    q.bind(4, *type);
    if (mode.is_null())
      q.bind(5);
    else
      q.bind(5, mode.as_string());
    q.bind(6, screen ? 1 : 0);
    q.bind(7, Now(now));
    q.exec();
    const value session = FindRow(db, "sessions", id);
    value command = SessionPart(session);
    command["session_id"] = Str(id);
    command["technician_id"] = Str(who.id);
    Distribution::InsertCommand(db, *endpoint_id, "session.open", command, now);
    AuditEvent e = ActorEvent(who, "session.open", "session:" + id);
    e.details = command;
    e.details["endpoint_id"] = Str(*endpoint_id);
    AppendAudit(db, e, now);
    return session;
  });
  if (r.ok()) distribution_.NotifyEndpoint(*endpoint_id);
  return r;
}

Result<value> Workflows::UpdateSession(const Principal& who, const std::string& id,
                                       const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"screen_viewing"}, errors);
  if (!body.has_field("screen_viewing") || !body.at("screen_viewing").is_boolean()) {
    errors.push_back({"/screen_viewing", "must be a boolean"});
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const bool screen = body.at("screen_viewing").as_bool();
  const policy::Instant now = service_.Now();
  std::string endpoint_id;
  Result<value> r = service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    value s = FindRow(db, "sessions", id);
    if (s.is_null() || s.at("technician_id").as_string() != who.id)
      return NotFound("no such session");
    if (s.at("state").as_string() != "active") return Conflict("the session has ended");
    endpoint_id = s.at("endpoint_id").as_string();
    SQLite::Statement u(db, "UPDATE sessions SET screen_viewing = ? WHERE id = ?");
    u.bind(1, screen ? 1 : 0);
    u.bind(2, id);
    u.exec();
    value command = value::object(true);
    command["session_id"] = Str(id);
    command["screen_viewing"] = value::boolean(screen);
    Distribution::InsertCommand(db, endpoint_id, "session.update", command, now);
    AuditEvent e = ActorEvent(who, "session.update", "session:" + id);
    e.details["screen_viewing"] = value::boolean(screen);
    AppendAudit(db, e, now);
    return FindRow(db, "sessions", id);
  });
  if (r.ok()) distribution_.NotifyEndpoint(endpoint_id);
  return r;
}

Result<value> Workflows::EndSession(const Principal& who, const std::string& id) {
  const policy::Instant now = service_.Now();
  std::string endpoint_id;
  Result<value> r = service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    value s = FindRow(db, "sessions", id);
    if (s.is_null() || s.at("technician_id").as_string() != who.id)
      return NotFound("no such session");
    if (s.at("state").as_string() != "active") return Conflict("the session has ended already");
    endpoint_id = s.at("endpoint_id").as_string();
    SQLite::Statement u(db, "UPDATE sessions SET state = 'ended', ended_at = ? WHERE id = ?");
    u.bind(1, Now(now));
    u.bind(2, id);
    u.exec();
    value command = value::object(true);
    command["session_id"] = Str(id);
    Distribution::InsertCommand(db, endpoint_id, "session.end", command, now);
    AppendAudit(db, ActorEvent(who, "session.end", "session:" + id), now);
    return FindRow(db, "sessions", id);
  });
  if (r.ok()) distribution_.NotifyEndpoint(endpoint_id);
  return r;
}

// ------------------------------------------------- steps the policy decides

Result<value> Workflows::Decided(const Principal& who, const DecidedStep& step) {
  auto snapshot = service_.Snapshot();
  if (!snapshot) return Problem{ErrorKind::kInternal, "the stored policy is damaged", {}, {}};
  const policy::Instant now = service_.Now();
  Facts facts;
  bool denied = false;
  Result<value> r = service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    facts = Facts{};
    if (auto problem = step.facts(db, facts)) return *problem;
    auto parsed = policy::ParseRequest(facts.request);
    if (!parsed.ok()) return Invalid(std::move(parsed.errors));
    value decision = policy::EncodeDecision(policy::Decide(snapshot->compiled, *parsed.value, now));
    if (step.adjust) step.adjust(decision);
    AuditEvent e = ActorEvent(who, step.action, facts.target);
    e.reasons = decision.at("reasons");
    e.details["endpoint_id"] = Str(facts.endpoint_id);
    if (decision.at("effect").as_string() == "deny") {
      // Recorded, and answered 403 once it is committed.
      e.outcome = "denied";
      AppendAudit(db, e, now);
      denied = true;
      return decision;
    }
    value out = step.allow(db, snapshot->compiled, e, now);
    out["decision"] = decision;
    AppendAudit(db, e, now);
    return out;
  });
  if (!r.ok()) return r;
  if (denied) return Problem{ErrorKind::kPolicyDenied, step.refusal, {}, r.value().at("reasons")};
  distribution_.NotifyEndpoint(facts.endpoint_id);
  return r;
}

// The technician's own session `session_id` into `facts` (its session and
// endpoint parts of the decision request).
std::optional<Problem> Workflows::SessionFacts(SQLite::Database& db, const Principal& who,
                                               const std::string& session_id, policy::Action action,
                                               Facts& facts) {
  const value s = FindRow(db, "sessions", session_id);
  if (s.is_null() || s.at("technician_id").as_string() != who.id)
    return NotFound("no such session");
  facts.endpoint_id = s.at("endpoint_id").as_string();
  facts.target = "session:" + session_id;
  facts.request = DecisionRequest(action, who.id);
  facts.request["session"] = SessionPart(s);
  facts.request["endpoint"] = EndpointFacts(db, facts.endpoint_id);
  return std::nullopt;
}

Result<value> Workflows::RequestUnattended(const Principal& who, const std::string& session_id,
                                           const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"credential_mode", "schedule"}, errors);
  if (!errors.empty()) return Invalid(std::move(errors));
  const std::string id = crypto::NewId("ureq_");
  DecidedStep step;
  step.action = "unattended.request";
  step.refusal = "the policy refuses this unattended-access request";
  step.facts = [&](SQLite::Database& db, Facts& f) -> std::optional<Problem> {
    auto problem = SessionFacts(db, who, session_id, policy::Action::kUnattendedRequest, f);
    if (problem) return problem;
    for (const char* k : {"credential_mode", "schedule"}) {
      if (body.has_field(k)) f.request[k] = body.at(k);
    }
    return std::nullopt;
  };
  step.allow = [&](SQLite::Database& db, const policy::CompiledPolicy& policy, AuditEvent& e,
                   policy::Instant now) {
    const std::string endpoint_id = e.details.at("endpoint_id").as_string();
    const policy::Instant expires = now + std::chrono::minutes(policy.request_ttl_minutes());
    InsertRow(db, "unattended_requests",
              {{"id", id},
               {"session_id", session_id},
               {"technician_id", who.id},
               {"endpoint_id", endpoint_id},
               {"credential_mode", body.at("credential_mode").as_string()},
               {"schedule", body.at("schedule").serialize()},
               {"state", "pending"},
               {"created_at", Now(now)},
               {"expires_at", Now(expires)}});
    value command = value::object(true);
    command["request_id"] = Str(id);
    command["session_id"] = Str(session_id);
    command["technician_id"] = Str(who.id);
    command["technician_name"] = Str(who.name);  // for the customer's prompt
    command["credential_mode"] = body.at("credential_mode");
    command["schedule"] = body.at("schedule");
    command["expires_at"] = Str(Now(expires));
    Distribution::InsertCommand(db, endpoint_id, "unattended.request", command, now);
    e.target = "unattended_request:" + id;
    e.details["session_id"] = Str(session_id);
    e.details["credential_mode"] = body.at("credential_mode");
    e.details["schedule"] = body.at("schedule");
    return FindRow(db, "unattended_requests", id);
  };
  return Decided(who, step);
}

Result<value> Workflows::RevokeGrant(const Principal& who, const std::string& grant_id) {
  const policy::Instant now = service_.Now();
  std::string endpoint_id;
  Result<value> r = service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    value g = FindRow(db, "grants", grant_id);
    if (g.is_null() || !CanSee(who, g.at("technician_id").as_string()) ||
        who.role == Role::kAuditor) {
      return NotFound("no such grant");
    }
    if (g.at("state").as_string() != "active") return Conflict("the grant is no longer active");
    endpoint_id = g.at("endpoint_id").as_string();
    const std::string by = who.role == Role::kTechnician ? "technician" : "admin";
    SQLite::Statement u(db,
                        "UPDATE grants SET state = 'revoked', ended_at = ?, ended_by = ? "
                        "WHERE id = ?");
    u.bind(1, Now(now));
    u.bind(2, by);
    u.bind(3, grant_id);
    u.exec();
    value command = value::object(true);
    command["grant_id"] = Str(grant_id);
    command["by"] = Str(by);
    Distribution::InsertCommand(db, endpoint_id, "grant.revoke", command, now);
    AuditEvent e = ActorEvent(who, "grant.revoke", "grant:" + grant_id);
    e.details["endpoint_id"] = Str(endpoint_id);
    AppendAudit(db, e, now);
    return FindRow(db, "grants", grant_id);
  });
  if (r.ok()) distribution_.NotifyEndpoint(endpoint_id);
  return r;
}

Result<value> Workflows::Connect(const Principal& who, const std::string& grant_id) {
  const std::string id = crypto::NewId("conn_");
  value grant;  // as stored
  DecidedStep step;
  step.action = "unattended.connect";
  step.refusal = "the policy refuses this unattended connection";
  step.facts = [&](SQLite::Database& db, Facts& f) -> std::optional<Problem> {
    const value g = FindRow(db, "grants", grant_id);
    if (g.is_null() || g.at("technician_id").as_string() != who.id) {
      return NotFound("no such grant");
    }
    f.endpoint_id = g.at("endpoint_id").as_string();
    f.target = "grant:" + grant_id;
    f.request = policy::ConnectRequest(who.id, g);
    grant = g;
    return std::nullopt;
  };
  step.adjust = [&](value& decision) { policy::DenyIfEnded(grant, decision); };
  step.allow = [&](SQLite::Database& db, const policy::CompiledPolicy&, AuditEvent& e,
                   policy::Instant now) {
    const std::string endpoint_id = e.details.at("endpoint_id").as_string();
    InsertRow(db, "connections",
              {{"id", id},
               {"grant_id", grant_id},
               {"technician_id", who.id},
               {"endpoint_id", endpoint_id},
               {"state", "requested"},
               {"requested_at", Now(now)},
               {"updated_at", Now(now)}});
    value command = value::object(true);
    command["connection_id"] = Str(id);
    command["grant_id"] = Str(grant_id);
    command["technician_id"] = Str(who.id);
    Distribution::InsertCommand(db, endpoint_id, "unattended.connect", command, now);
    e.details["connection_id"] = Str(id);
    return FindRow(db, "connections", id);
  };
  return Decided(who, step);
}

// ------------------------------------------------------------- credentials

Result<value> Workflows::RequestCredentials(const Principal& who, const std::string& session_id) {
  const std::string id = crypto::NewId("creq_");
  DecidedStep step;
  step.action = "credentials.request";
  step.refusal = "the policy refuses this credential request";
  step.facts = [&](SQLite::Database& db, Facts& f) {
    return SessionFacts(db, who, session_id, policy::Action::kCredentialsRequest, f);
  };
  step.allow = [&](SQLite::Database& db, const policy::CompiledPolicy&, AuditEvent& e,
                   policy::Instant now) {
    const std::string endpoint_id = e.details.at("endpoint_id").as_string();
    InsertRow(db, "credential_requests",
              {{"id", id},
               {"session_id", session_id},
               {"technician_id", who.id},
               {"endpoint_id", endpoint_id},
               {"state", "pending"},
               {"created_at", Now(now)},
               {"updated_at", Now(now)}});
    value command = value::object(true);
    command["request_id"] = Str(id);
    command["session_id"] = Str(session_id);
    command["technician_id"] = Str(who.id);
    command["technician_name"] = Str(who.name);  // for the customer's prompt
    Distribution::InsertCommand(db, endpoint_id, "credentials.request", command, now);
    e.details["request_id"] = Str(id);
    return FindRow(db, "credential_requests", id);
  };
  return Decided(who, step);
}

Result<value> Workflows::ApplyCredentials(const Principal& who, const std::string& session_id,
                                          const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"operation"}, errors);
  const auto operation = RequiredString(body, "operation", errors, 16);
  if (operation && !policy::ParseOperation(*operation)) {
    errors.push_back({"/operation", "must be \"restart\" or \"unlock\""});
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const std::string id = crypto::NewId("cop_");
  DecidedStep step;
  step.action = "credentials.apply";
  step.refusal = "the policy refuses to apply the credentials";
  step.facts = [&](SQLite::Database& db, Facts& f) -> std::optional<Problem> {
    auto problem = SessionFacts(db, who, session_id, policy::Action::kCredentialsApply, f);
    if (problem) return problem;
    // What the endpoint reported; it decides again with what it holds.
    SQLite::Statement stored(
        db, "SELECT 1 FROM credential_requests WHERE session_id = ? AND state = 'stored'");
    stored.bind(1, session_id);
    f.request["operation"] = Str(*operation);
    f.request["credentials_stored"] = value::boolean(stored.executeStep());
    return std::nullopt;
  };
  step.allow = [&](SQLite::Database& db, const policy::CompiledPolicy&, AuditEvent& e,
                   policy::Instant now) {
    const std::string endpoint_id = e.details.at("endpoint_id").as_string();
    InsertRow(db, "credential_operations",
              {{"id", id},
               {"session_id", session_id},
               {"technician_id", who.id},
               {"endpoint_id", endpoint_id},
               {"operation", *operation},
               {"state", "requested"},
               {"requested_at", Now(now)},
               {"updated_at", Now(now)}});
    value command = value::object(true);
    command["operation_id"] = Str(id);
    command["session_id"] = Str(session_id);
    command["technician_id"] = Str(who.id);
    command["operation"] = Str(*operation);
    Distribution::InsertCommand(db, endpoint_id, "credentials.apply", command, now);
    e.details["operation_id"] = Str(id);
    e.details["operation"] = Str(*operation);
    return FindRow(db, "credential_operations", id);
  };
  return Decided(who, step);
}

// ------------------------------------------------------------------- lists

Result<value> Workflows::List(const Principal& who, const std::string& table,
                              const std::string& order) {
  // Technicians: their own rows, chosen in SQL. Admins: the rows of the
  // technicians in their scope, known once per call.
  const bool own = who.role == Role::kTechnician;
  std::optional<std::set<std::string>> in_scope;
  if (who.role == Role::kAdmin) {
    in_scope.emplace();
    if (auto snapshot = service_.Snapshot()) {
      for (const policy::Technician& t : snapshot->policy.technicians) {
        if (InSubtree(snapshot->policy, t.group_id, who.scopes)) in_scope->insert(t.id);
      }
    }
  }
  return service_.db().Read([&](SQLite::Database& db) -> Result<value> {
    SQLite::Statement q(db, "SELECT * FROM " + table + (own ? " WHERE technician_id = ?" : "") +
                                " ORDER BY " + order + ", id");
    if (own) q.bind(1, who.id);
    value items = value::array();
    std::size_t n = 0;
    while (q.executeStep()) {
      value row = RowJson(q);
      if (!in_scope || in_scope->contains(row.at("technician_id").as_string())) items[n++] = row;
    }
    value out = value::object(true);
    out["items"] = items;
    return out;
  });
}

Result<value> Workflows::ListSessions(const Principal& who) {
  return List(who, "sessions", "started_at");
}
Result<value> Workflows::ListRequests(const Principal& who) {
  return List(who, "unattended_requests", "created_at");
}
Result<value> Workflows::ListGrants(const Principal& who) {
  return List(who, "grants", "created_at");
}
Result<value> Workflows::ListConnections(const Principal& who) {
  return List(who, "connections", "requested_at");
}
Result<value> Workflows::ListCredentialRequests(const Principal& who) {
  return List(who, "credential_requests", "created_at");
}

// --------------------------------------------------------- endpoint events

void Workflows::Observe(SQLite::Database& db, const std::string& endpoint_id, const value& record,
                        policy::Instant now) {
  const std::string action = record.at("action").as_string();
  const value& d = record.at("details");
  const value& reasons = record.at("reasons");
  const std::string request_id = DetailString(d, "request_id");
  const std::string grant_id = DetailString(d, "grant_id");
  const std::string connection_id = DetailString(d, "connection_id");
  if (action == "unattended.request_refused") {
    Transition(db, "unattended_requests", request_id, endpoint_id, {"pending"}, "refused", &reasons,
               now, "decided_at");
  } else if (action == "unattended.request_denied") {
    Transition(db, "unattended_requests", request_id, endpoint_id, {"pending"}, "denied", nullptr,
               now, "decided_at");
  } else if (action == "unattended.request_expired") {
    Transition(db, "unattended_requests", request_id, endpoint_id, {"pending"}, "expired", nullptr,
               now, "decided_at");
  } else if (action == "unattended.request_approved") {
    const value req = FindRow(db, "unattended_requests", request_id);
    if (req.is_null() || req.at("endpoint_id").as_string() != endpoint_id || grant_id.empty() ||
        !d.has_field("effective_schedule")) {
      return;
    }
    Transition(db, "unattended_requests", request_id, endpoint_id, {"pending", "expired"},
               "approved", nullptr, now, "decided_at");
    SQLite::Statement link(db, "UPDATE unattended_requests SET grant_id = ? WHERE id = ?");
    link.bind(1, grant_id);
    link.bind(2, request_id);
    link.exec();
    SQLite::Statement g(db,
                        "INSERT OR IGNORE INTO grants (id, request_id, technician_id, endpoint_id, "
                        "credential_mode, effective_schedule, state, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, 'active', ?)");
    g.bind(1, grant_id);
    g.bind(2, request_id);
    g.bind(3, req.at("technician_id").as_string());
    g.bind(4, endpoint_id);
    g.bind(5, req.at("credential_mode").as_string());
    g.bind(6, d.at("effective_schedule").serialize());
    g.bind(7, Now(now));
    g.exec();
  } else if (action == "grant.revoked" || action == "grant.expired") {
    SQLite::Statement u(db,
                        "UPDATE grants SET state = ?, ended_at = ?, ended_by = ? "
                        "WHERE id = ? AND endpoint_id = ? AND state = 'active'");
    u.bind(1, action == "grant.revoked" ? "revoked" : "expired");
    u.bind(2, Now(now));
    u.bind(3, action == "grant.revoked" ? DetailString(d, "by") : "expiry");
    u.bind(4, grant_id);
    u.bind(5, endpoint_id);
    u.exec();
  } else if (action == "connection.awaiting_credentials") {
    Transition(db, "connections", connection_id, endpoint_id, {"requested"}, "awaiting_credentials",
               nullptr, now, "updated_at");
  } else if (action == "connection.started") {
    Transition(db, "connections", connection_id, endpoint_id, {"requested", "awaiting_credentials"},
               "active", nullptr, now, "updated_at");
  } else if (action == "connection.denied") {
    Transition(db, "connections", connection_id, endpoint_id, {"requested", "awaiting_credentials"},
               "denied", &reasons, now, "updated_at");
  } else if (action == "connection.ended") {
    Transition(db, "connections", connection_id, endpoint_id,
               {"requested", "awaiting_credentials", "active"}, "ended", nullptr, now,
               "updated_at");
    SQLite::Statement u(db,
                        "UPDATE connections SET end_reason = ? WHERE id = ? AND endpoint_id = ?");
    u.bind(1, DetailString(d, "reason"));
    u.bind(2, connection_id);
    u.bind(3, endpoint_id);
    u.exec();
  } else if (action.starts_with("credentials.")) {
    static const std::map<std::string, std::pair<std::vector<std::string>, std::string>> kMoves = {
        {"credentials.refused", {{"pending"}, "refused"}},
        {"credentials.stored", {{"pending"}, "stored"}},
        {"credentials.denied", {{"pending"}, "denied"}},
        {"credentials.expired", {{"pending"}, "expired"}},
        {"credentials.revoked", {{"pending", "stored"}, "revoked"}},
        {"credentials.wiped", {{"pending", "stored"}, "wiped"}},
    };
    if (auto it = kMoves.find(action); it != kMoves.end()) {
      Transition(db, "credential_requests", request_id, endpoint_id, it->second.first,
                 it->second.second, action == "credentials.refused" ? &reasons : nullptr, now,
                 "updated_at");
    } else if (action == "credentials.applied" || action == "credentials.apply_denied") {
      const std::string outcome = action == "credentials.apply_denied"            ? "denied"
                                  : record.at("outcome").as_string() == "success" ? "succeeded"
                                                                                  : "failed";
      Transition(db, "credential_operations", DetailString(d, "operation_id"), endpoint_id,
                 {"requested"}, outcome, &reasons, now, "updated_at");
    }
  }
}

}  // namespace custodian::admincenter
