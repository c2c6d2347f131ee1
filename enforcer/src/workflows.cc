#include "enforcer/workflows.h"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/crypto.h"
#include "common/sql_json.h"
#include "policy/codec.h"
#include "policy/schedule.h"

namespace custodian::enforcer {

using web::json::value;

namespace {

constexpr int kMaxAdminCredentialAttempts = 3;

value Str(const std::string& s) { return value::string(s); }

const std::set<std::string> kJsonColumns = {"schedule", "effective_schedule"};
const std::set<std::string> kBoolColumns = {"screen_viewing", "active", "warned"};

// The one row of `table` with `id` (never the sealed credentials), or null.
value FindRow(SQLite::Database& db, const std::string& table, const std::string& id) {
  const std::string columns =
      table == "grants" ? "id, request_id, technician_id, credential_mode, effective_schedule, "
                          "state, user_name, created_at, ended_at, ended_by"
                        : "*";
  SQLite::Statement q(db, "SELECT " + columns + " FROM " + table + " WHERE id = ?");
  q.bind(1, id);
  return q.executeStep() ? RowJson(q, kJsonColumns, kBoolColumns) : value::null();
}

value Rows(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement q(db, sql);
  return RowsJson(q, kJsonColumns, kBoolColumns);
}

std::string Text(const value& body, const char* key) {
  return body.has_field(key) && body.at(key).is_string() ? body.at(key).as_string() : "";
}

std::string Ts(policy::Instant t) { return policy::FormatRfc3339(t); }

EventInput Event(std::string action, std::string target, std::string outcome = "success") {
  EventInput e;
  e.action = std::move(action);
  e.target = std::move(target);
  e.outcome = std::move(outcome);
  e.details = value::object(true);
  return e;
}

value Reasons(const policy::Decision& d) { return policy::EncodeDecision(d).at("reasons"); }

// An event about the credentials of request `request_id` in `session_id`.
EventInput CredentialEvent(std::string action, const std::string& request_id,
                           const std::string& session_id, std::string outcome = "success") {
  EventInput e = Event(std::move(action), "session:" + session_id, std::move(outcome));
  e.details["request_id"] = Str(request_id);
  e.details["session_id"] = Str(session_id);
  return e;
}

// Ends connection `id` of `grant_id` for `reason`, with its event.
void EndConnection(Store::Tx& tx, const std::string& id, const std::string& grant_id,
                   const std::string& reason, policy::Instant now) {
  SQLite::Statement u(tx.db(),
                      "UPDATE connections SET state = 'ended', ended_at = ?, end_reason = ? "
                      "WHERE id = ?");
  u.bind(1, Ts(now));
  u.bind(2, reason);
  u.bind(3, id);
  u.exec();
  EventInput e = Event("connection.ended", "connection:" + id);
  e.details["connection_id"] = Str(id);
  e.details["grant_id"] = Str(grant_id);
  e.details["reason"] = Str(reason);
  tx.Append(e, now);
}

// A reason of the closed set (DESIGN.md §3) the endpoint states itself.
value OneReason(const char* code, const char* rule, const std::string& message) {
  value r = value::object(true);
  r["code"] = Str(code);
  r["rule"] = Str(rule);
  r["message"] = Str(message);
  return value::array({r});
}

void SetState(SQLite::Database& db, const std::string& table, const std::string& id,
              const std::string& state, const std::string& time_column, policy::Instant now) {
  SQLite::Statement u(db,
                      "UPDATE " + table + " SET state = ?, " + time_column + " = ? WHERE id = ?");
  u.bind(1, state);
  u.bind(2, Ts(now));
  u.bind(3, id);
  u.exec();
}

// ------------------------------------------------------------------ texts

// Customer-facing texts (R7, R14, R15) in English and German.
struct Texts {
  const char* confirm;      // at_connection: technician, schedule
  const char* credentials;  // at_setup: technician, schedule
  const char* windows;      // R9/R14: technician
  const char* notice;       // R15
  const char* revoked;      // R12
};
const Texts kEnglish{
    "Technician {} asks for unattended access to this computer ({}). An administrator's "
    "credentials will be needed at every connection. Allow?",
    "Technician {} asks for unattended access to this computer ({}), using your Windows "
    "credentials. Enter your Windows user name and password to allow it.",
    "Technician {} asks to use your Windows credentials during this session only, to restart or "
    "unlock this computer. Your user name and domain are filled in; enter only your password.",
    "Your credentials are stored encrypted on this computer. The technician can now unlock or "
    "restart this computer during this session. You can revoke the credentials at any time.",
    "Your credentials were deleted. The technician can no longer use them.",
};
const Texts kGerman{
    "Techniker {} bittet um unbeaufsichtigten Zugriff auf diesen Computer ({}). Bei jeder "
    "Verbindung werden Administrator-Anmeldedaten benötigt. Erlauben?",
    "Techniker {} bittet um unbeaufsichtigten Zugriff auf diesen Computer ({}) mit Ihren "
    "Windows-Anmeldedaten. Geben Sie Ihren Windows-Benutzernamen und Ihr Kennwort ein, um ihn zu "
    "erlauben.",
    "Techniker {} möchte Ihre Windows-Anmeldedaten nur während dieser Sitzung verwenden, um "
    "diesen Computer neu zu starten oder zu entsperren. Benutzername und Domäne sind "
    "vorausgefüllt; geben Sie nur Ihr Kennwort ein.",
    "Ihre Anmeldedaten sind verschlüsselt auf diesem Computer gespeichert. Der Techniker kann "
    "diesen Computer während dieser Sitzung jetzt entsperren oder neu starten. Sie können die "
    "Anmeldedaten jederzeit widerrufen.",
    "Ihre Anmeldedaten wurden gelöscht. Der Techniker kann sie nicht mehr verwenden.",
};
const Texts& TextsFor(Language l) { return l == Language::kGerman ? kGerman : kEnglish; }

// The technician as the customer sees them: the name, else the id.
std::string Who(const value& row) {
  const std::string name = row.at("technician_name").as_string();
  return name.empty() ? row.at("technician_id").as_string() : name;
}

std::string Format(const char* pattern, const std::vector<std::string>& args) {
  std::string out;
  std::size_t next = 0;
  for (const char* p = pattern; *p; ++p) {
    if (p[0] == '{' && p[1] == '}' && next < args.size()) {
      out += args[next++];
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

// "7 days", "2026-12-01 to 2026-12-07", "unlimited", "…, daily 08:00–18:00".
std::string DescribeSchedule(const value& s, Language l) {
  const bool de = l == Language::kGerman;
  std::string out;
  const std::string kind = Text(s, "kind");
  if (kind == "days" && s.has_field("days") && s.at("days").is_integer()) {
    out = std::to_string(s.at("days").as_integer()) + (de ? " Tage" : " days");
  } else if (kind == "range") {
    out = Text(s, "start") + (de ? " bis " : " to ") + Text(s, "end");
  } else {
    out = de ? "unbegrenzt" : "unlimited";
  }
  if (s.has_field("daily") && s.at("daily").is_object()) {
    out += (de ? ", täglich " : ", daily ") + Text(s.at("daily"), "from") + "–" +
           Text(s.at("daily"), "to");
  }
  return out;
}

// A local time for the customer: "2026-12-15 10:03" (English) or
// "15.12.2026 10:03" (German).
std::string LocalTime(policy::Instant t, const policy::TimeZone& zone, Language l) {
  const auto local = zone.ToLocal(t);
  return date::format(l == Language::kGerman ? "%d.%m.%Y %H:%M" : "%Y-%m-%d %H:%M", local);
}

// Exactly what approving creates (R7), in the customer's time and zone:
// "from now until 2026-12-15 10:03 (14 days), daily 09:00–17:00
// (Europe/Berlin time); times in Europe/Vienna". A start within a minute
// of now is "now": approving starts the grant when the customer answers.
std::string DescribeGrant(const policy::EffectiveSchedule& g, const policy::TimeZone& zone,
                          policy::Instant now, Language l) {
  const bool de = l == Language::kGerman;
  std::string out = g.start <= now + std::chrono::minutes(1)
                        ? (de ? "ab jetzt" : "from now")
                        : (de ? "ab " : "from ") + LocalTime(g.start, zone, l);
  if (g.end) {
    const auto days = std::chrono::duration_cast<std::chrono::hours>(*g.end - g.start).count() / 24;
    out += (de ? " bis " : " until ") + LocalTime(*g.end, zone, l) + " (" + std::to_string(days) +
           (de ? (days == 1 ? " Tag)" : " Tage)") : (days == 1 ? " day)" : " days)"));
  } else {
    out += de ? ", ohne Enddatum" : ", with no end date";
  }
  if (g.daily) {
    out += (de ? ", täglich " : ", daily ") + policy::FormatDailyTime(g.daily->from) + "–" +
           policy::FormatDailyTime(g.daily->to);
    if (g.zone && g.zone->name() != zone.name()) {
      out += de ? " (Zeitzone " + g.zone->name() + ")" : " (" + g.zone->name() + " time)";
    }
  }
  return out + (de ? "; Zeiten in " : "; times in ") + zone.name();
}

}  // namespace

Reply ProblemReply(unsigned status, const std::string& title, const std::string& detail,
                   const std::vector<policy::FieldError>& errors) {
  value p = value::object(true);
  p["type"] = Str("about:blank");
  p["title"] = Str(title);
  p["status"] = value::number(static_cast<int>(status));
  p["detail"] = Str(detail);
  if (!errors.empty()) {
    value list = value::array();
    for (std::size_t i = 0; i < errors.size(); ++i) {
      value e = value::object(true);
      e["pointer"] = Str(errors[i].pointer);
      e["message"] = Str(errors[i].message);
      list[i] = e;
    }
    p["errors"] = list;
  }
  return {status, p};
}

namespace {

Reply Denied(const std::string& detail, const value& reasons) {
  Reply r = ProblemReply(403, "Denied by policy", detail);
  r.body["reasons"] = reasons;
  return r;
}

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
    if (user == form.fields.end() || user->second.size() == 0 || user->second.size() > 256) {
      in.errors.push_back({"/user_name", "must be a user name of 1 to 256 characters"});
    } else {
      in.user_name = std::string(user->second.view());  // not a secret: it is shown and stored
    }
  }
  auto password = form.fields.find("password");
  if (password == form.fields.end() || password->second.size() == 0) {
    in.errors.push_back({"/password", "must be a password of 1 to 1024 bytes"});
  } else {
    in.password.emplace(std::move(password->second));
  }
  return in;
}

}  // namespace

Workflows::Workflows(Store& store, BundleHolder& bundles, const policy::TimeZones& zones,
                     WallClock wall, Vault machine_vault, AdminVerifier& verifier, OsActions& os,
                     WorkflowOptions options, std::function<void()> events_appended)
    : store_(store),
      bundles_(bundles),
      zones_(zones),
      wall_(std::move(wall)),
      machine_vault_(std::move(machine_vault)),
      session_vault_(Vault::WithRandomKey()),
      verifier_(verifier),
      os_(os),
      events_appended_(std::move(events_appended)),
      options_(std::move(options)) {}

Workflows::~Workflows() { Stop(); }

policy::Instant Workflows::Now() { return store_.Now(wall_()); }

void Workflows::Emit() {
  if (events_appended_) events_appended_();
}

void Workflows::Start() {
  const policy::Instant now = Now();
  {
    std::lock_guard lock(mutex_);
    // Session credentials lived in the memory of an earlier run, under a
    // key that died with it: they are gone, which is recorded.
    store_.Transact([&](Store::Tx& tx) {
      const value stored =
          Rows(tx.db(), "SELECT id, session_id FROM credential_requests WHERE state = 'stored'");
      for (const value& r : stored.as_array()) {
        SetState(tx.db(), "credential_requests", r.at("id").as_string(), "wiped", "updated_at",
                 now);
        EventInput e = CredentialEvent("credentials.wiped", r.at("id").as_string(),
                                       r.at("session_id").as_string());
        e.details["reason"] = Str("restart");
        tx.Append(e, now);
      }
      return true;
    });
  }
  Emit();
  timer_ = std::thread([this] { TimerLoop(); });
}

void Workflows::Stop() {
  {
    std::lock_guard lock(timer_mutex_);
    stopping_ = true;
  }
  timer_wake_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void Workflows::Wake() {
  {
    std::lock_guard lock(timer_mutex_);
    woken_ = true;
  }
  timer_wake_.notify_all();
}

void Workflows::SetOptions(const WorkflowOptions& options) {
  {
    std::lock_guard lock(mutex_);
    options_ = options;
  }
  Wake();
}

// ---------------------------------------------------------------- decisions

value Workflows::DecisionRequest(const std::string& action, const std::string& technician_id,
                                 const std::string& session_id) {
  value r = value::object(true);
  r["action"] = Str(action);
  r["technician_id"] = Str(technician_id);
  value s = value::object(true);
  const value row =
      store_.Transact([&](Store::Tx& tx) { return FindRow(tx.db(), "sessions", session_id); });
  if (row.is_null()) {
    // A session this endpoint never saw opened is no active session.
    s["type"] = Str("applet");
    s["active"] = value::boolean(false);
    s["screen_viewing"] = value::boolean(false);
  } else {
    s["type"] = row.at("type");
    if (!row.at("mode").is_null()) s["mode"] = row.at("mode");
    s["active"] = row.at("active");
    s["screen_viewing"] = row.at("screen_viewing");
  }
  r["session"] = s;
  value e = value::object(true);
  e["os"] = Str(options_.os);
  e["time_zone"] = Str(options_.time_zone);
  r["endpoint"] = e;
  return r;
}

policy::Decision Workflows::UnattendedDecision(const value& row, policy::Instant now) {
  value request = DecisionRequest("unattended.request", row.at("technician_id").as_string(),
                                  row.at("session_id").as_string());
  request["credential_mode"] = row.at("credential_mode");
  request["schedule"] = row.at("schedule");
  std::vector<policy::FieldError> errors;
  return DecideJson(request, now, &errors);
}

policy::Decision Workflows::DecideJson(const value& request, policy::Instant now,
                                       std::vector<policy::FieldError>* errors) {
  auto parsed = policy::ParseRequest(request);
  if (!parsed.ok()) {
    *errors = parsed.errors;
    return policy::Decision{};  // a deny
  }
  return bundles_.Decide(*parsed.value, now);
}

// ----------------------------------------------------------------- commands

bool Workflows::RunUnlocked(Lock& lock, const std::string& operation, const std::string& user,
                            const std::string& domain, const SecretBytes& secret,
                            std::string* failure) {
  // A restart or logon may take long; the local API and the timers go on.
  lock.unlock();
  const bool ok = os_.Run(operation, user, domain, secret, failure);
  lock.lock();
  return ok;
}

bool Workflows::OnCommand(const std::string& type, const value& body) {
  static const std::map<std::string, void (Workflows::*)(const value&, policy::Instant, Lock&)>
      kHandlers = {
          {"session.open", &Workflows::OpenSession},
          {"session.update", &Workflows::UpdateSession},
          {"session.end", &Workflows::EndSession},
          {"unattended.request", &Workflows::ReceiveUnattendedRequest},
          {"unattended.connect", &Workflows::Connect},
          {"credentials.request", &Workflows::ReceiveCredentialRequest},
          {"credentials.apply", &Workflows::ApplyCredentials},
      };
  const policy::Instant now = Now();
  if (type == "grant.revoke") {
    std::lock_guard lock(mutex_);
    EndGrant(Text(body, "grant_id"), "revoked", Text(body, "by"), now);
  } else if (auto it = kHandlers.find(type); it != kHandlers.end()) {
    if (!body.is_object()) return false;
    Lock lock(mutex_);
    (this->*(it->second))(body, now, lock);
  } else {
    return false;
  }
  Emit();
  Wake();
  return true;
}

void Workflows::OpenSession(const value& body, policy::Instant now, Lock&) {
  const std::string id = Text(body, "session_id");
  store_.Transact([&](Store::Tx& tx) {
    SQLite::Statement q(tx.db(),
                        "INSERT OR IGNORE INTO sessions (id, technician_id, type, mode, "
                        "screen_viewing, active, opened_at) VALUES (?, ?, ?, ?, ?, 1, ?)");
    q.bind(1, id);
    q.bind(2, Text(body, "technician_id"));
    q.bind(3, Text(body, "type"));
    if (Text(body, "mode").empty())
      q.bind(4);
    else
      q.bind(4, Text(body, "mode"));
    q.bind(5, body.has_field("screen_viewing") && body.at("screen_viewing").is_boolean() &&
                      body.at("screen_viewing").as_bool()
                  ? 1
                  : 0);
    q.bind(6, Ts(now));
    if (q.exec() == 0) return false;
    EventInput e = Event("session.opened", "session:" + id);
    e.details["technician_id"] = Str(Text(body, "technician_id"));
    e.details["type"] = Str(Text(body, "type"));
    tx.Append(e, now);
    return true;
  });
}

void Workflows::UpdateSession(const value& body, policy::Instant now, Lock&) {
  const std::string id = Text(body, "session_id");
  const bool screen = body.has_field("screen_viewing") && body.at("screen_viewing").is_boolean() &&
                      body.at("screen_viewing").as_bool();
  store_.Transact([&](Store::Tx& tx) {
    SQLite::Statement u(tx.db(),
                        "UPDATE sessions SET screen_viewing = ? WHERE id = ? AND active = 1");
    u.bind(1, screen ? 1 : 0);
    u.bind(2, id);
    if (u.exec() == 0) return false;
    EventInput e = Event("session.updated", "session:" + id);
    e.details["screen_viewing"] = value::boolean(screen);
    tx.Append(e, now);
    return true;
  });
}

void Workflows::EndSession(const value& body, policy::Instant now, Lock&) {
  const std::string id = Text(body, "session_id");
  // R11: the session's credentials go with it.
  secrets_.erase(id);
  store_.Transact([&](Store::Tx& tx) {
    SQLite::Statement u(tx.db(),
                        "UPDATE sessions SET active = 0, ended_at = ? WHERE id = ? AND active = 1");
    u.bind(1, Ts(now));
    u.bind(2, id);
    if (u.exec() == 0) return false;
    tx.Append(Event("session.ended", "session:" + id), now);
    SQLite::Statement pending(tx.db(),
                              "SELECT id, state FROM credential_requests WHERE session_id = ? "
                              "AND state IN ('pending', 'stored')");
    pending.bind(1, id);
    std::vector<std::pair<std::string, std::string>> open;
    while (pending.executeStep()) open.emplace_back(pending.getColumn(0), pending.getColumn(1));
    pending.reset();
    for (const auto& [request_id, state] : open) {
      const bool stored = state == "stored";
      SetState(tx.db(), "credential_requests", request_id, stored ? "wiped" : "expired",
               "updated_at", now);
      EventInput e =
          CredentialEvent(stored ? "credentials.wiped" : "credentials.expired", request_id, id);
      e.details["reason"] = Str("session_end");
      tx.Append(e, now);
    }
    return true;
  });
}

void Workflows::ReceiveUnattendedRequest(const value& body, policy::Instant now, Lock&) {
  const std::string id = Text(body, "request_id");
  const std::string session_id = Text(body, "session_id");
  value request = DecisionRequest("unattended.request", Text(body, "technician_id"), session_id);
  if (body.has_field("credential_mode")) request["credential_mode"] = body.at("credential_mode");
  if (body.has_field("schedule")) request["schedule"] = body.at("schedule");
  std::vector<policy::FieldError> errors;
  const policy::Decision d = DecideJson(request, now, &errors);
  auto expires = policy::ParseRfc3339(Text(body, "expires_at"));
  if (auto held = bundles_.active()) {
    // The endpoint's own limit on how long a prompt may wait.
    const policy::Instant own = now + std::chrono::minutes(held->compiled.request_ttl_minutes());
    if (!expires || *expires > own) expires = own;
  }
  store_.Transact([&](Store::Tx& tx) {
    if (!FindRow(tx.db(), "unattended_requests", id).is_null()) return false;  // delivered twice
    const bool allowed = d.effect == policy::Effect::kAllow && errors.empty() && expires;
    InsertRow(tx.db(), "unattended_requests",
              {{"id", id},
               {"session_id", session_id},
               {"technician_id", Text(body, "technician_id")},
               {"technician_name", Text(body, "technician_name")},
               {"credential_mode", Text(body, "credential_mode")},
               {"schedule", body.has_field("schedule") ? body.at("schedule").serialize() : "null"},
               {"state", allowed ? "pending" : "refused"},
               {"created_at", Ts(now)},
               {"expires_at", Ts(expires.value_or(now))}});
    EventInput e = Event(allowed ? "unattended.request_received" : "unattended.request_refused",
                         "unattended_request:" + id, allowed ? "success" : "denied");
    e.reasons = Reasons(d);
    e.details["request_id"] = Str(id);
    e.details["session_id"] = Str(session_id);
    if (!errors.empty()) {
      e.details["invalid"] = Str(errors.front().pointer + ": " + errors.front().message);
    }
    if (allowed) e.details["expires_at"] = Str(Ts(*expires));
    tx.Append(e, now);
    return true;
  });
}

void Workflows::EndGrant(const std::string& grant_id, const std::string& state,
                         const std::string& by, policy::Instant now) {
  store_.Transact([&](Store::Tx& tx) {
    // The sealed credentials are erased with the grant (secure_delete
    // zeroes the freed space).
    SQLite::Statement u(tx.db(),
                        "UPDATE grants SET state = ?, ended_at = ?, ended_by = ?, "
                        "sealed_credentials = NULL WHERE id = ? AND state = 'active'");
    u.bind(1, state);
    u.bind(2, Ts(now));
    u.bind(3, by);
    u.bind(4, grant_id);
    if (u.exec() == 0) return false;
    EventInput e =
        Event(state == "revoked" ? "grant.revoked" : "grant.expired", "grant:" + grant_id);
    e.details["grant_id"] = Str(grant_id);
    e.details["by"] = Str(by);
    tx.Append(e, now);
    SQLite::Statement c(tx.db(),
                        "SELECT id FROM connections WHERE grant_id = ? "
                        "AND state IN ('awaiting_credentials', 'active')");
    c.bind(1, grant_id);
    std::vector<std::string> open;
    while (c.executeStep()) open.push_back(c.getColumn(0).getString());
    c.reset();
    for (const std::string& id : open) {
      EndConnection(tx, id, grant_id, state == "revoked" ? "grant_revoked" : "grant_expired", now);
    }
    return true;
  });
}

void Workflows::Connect(const value& body, policy::Instant now, Lock& lock) {
  const std::string id = Text(body, "connection_id");
  const std::string grant_id = Text(body, "grant_id");
  const std::string technician = Text(body, "technician_id");
  const value grant =
      store_.Transact([&](Store::Tx& tx) { return FindRow(tx.db(), "grants", grant_id); });
  value reasons = value::array();
  bool allowed = false;
  if (grant.is_null()) {
    reasons = OneReason("grant_not_active", "R8", "this endpoint holds no such grant");
  } else {
    std::vector<policy::FieldError> errors;
    value decision =
        policy::EncodeDecision(DecideJson(policy::ConnectRequest(technician, grant), now, &errors));
    policy::DenyIfEnded(grant, decision);
    reasons = decision.at("reasons");
    allowed = decision.at("effect").as_string() == "allow";
  }
  const bool at_setup = allowed && grant.at("credential_mode").as_string() == "at_setup";
  // at_setup: the customer's credentials log the session on (R3).
  bool logged_on = false;
  std::string failure;
  if (at_setup) {
    const auto sealed = store_.Transact([&](Store::Tx& tx) -> std::optional<std::string> {
      SQLite::Statement q(tx.db(), "SELECT sealed_credentials FROM grants WHERE id = ?");
      q.bind(1, grant_id);
      if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
      return std::string(static_cast<const char*>(q.getColumn(0).getBlob()),
                         static_cast<std::size_t>(q.getColumn(0).getBytes()));
    });
    auto secret = sealed ? machine_vault_.Open(
                               *sealed, SessionBinding(options_.endpoint_id, "grant:" + grant_id))
                         : std::nullopt;
    if (!secret) {
      failure = "the stored credentials are missing or do not open";
    } else {
      logged_on = RunUnlocked(lock, "logon", Text(grant, "user_name"), options_.windows_domain,
                              *secret, &failure);
    }
  }
  store_.Transact([&](Store::Tx& tx) {
    if (!FindRow(tx.db(), "connections", id).is_null()) return false;  // delivered twice
    std::string state = "denied";
    if (allowed) state = at_setup ? (logged_on ? "active" : "denied") : "awaiting_credentials";
    InsertRow(tx.db(), "connections",
              {{"id", id},
               {"grant_id", grant_id},
               {"technician_id", technician},
               {"state", state},
               {"started_at", Ts(now)}});
    const std::string action = state == "active"                 ? "connection.started"
                               : state == "awaiting_credentials" ? "connection.awaiting_credentials"
                                                                 : "connection.denied";
    // Refused by the policy ("denied", with its reasons), or allowed but the
    // logon failed ("failure", with what failed).
    const std::string outcome = state != "denied" ? "success" : allowed ? "failure" : "denied";
    EventInput e = Event(action, "connection:" + id, outcome);
    e.reasons = reasons;
    e.details["connection_id"] = Str(id);
    e.details["grant_id"] = Str(grant_id);
    if (!failure.empty()) e.details["failure"] = Str(failure);
    tx.Append(e, now);
    return true;
  });
}

void Workflows::ReceiveCredentialRequest(const value& body, policy::Instant now, Lock&) {
  const std::string id = Text(body, "request_id");
  const std::string session_id = Text(body, "session_id");
  std::vector<policy::FieldError> errors;
  const policy::Decision d =
      DecideJson(DecisionRequest("credentials.request", Text(body, "technician_id"), session_id),
                 now, &errors);
  store_.Transact([&](Store::Tx& tx) {
    if (!FindRow(tx.db(), "credential_requests", id).is_null()) return false;
    const bool allowed = d.effect == policy::Effect::kAllow;
    InsertRow(tx.db(), "credential_requests",
              {{"id", id},
               {"session_id", session_id},
               {"technician_id", Text(body, "technician_id")},
               {"technician_name", Text(body, "technician_name")},
               {"state", allowed ? "pending" : "denied"},
               {"created_at", Ts(now)},
               {"updated_at", Ts(now)}});
    EventInput e = CredentialEvent(allowed ? "credentials.requested" : "credentials.refused", id,
                                   session_id, allowed ? "success" : "denied");
    e.reasons = Reasons(d);
    tx.Append(e, now);
    return true;
  });
}

void Workflows::ApplyCredentials(const value& body, policy::Instant now, Lock& lock) {
  const std::string session_id = Text(body, "session_id");
  const std::string operation = Text(body, "operation");
  const std::string operation_id = Text(body, "operation_id");
  auto secret = secrets_.find(session_id);
  value request = DecisionRequest("credentials.apply", Text(body, "technician_id"), session_id);
  request["operation"] = Str(operation);
  request["credentials_stored"] = value::boolean(secret != secrets_.end());
  std::vector<policy::FieldError> errors;
  const policy::Decision d = DecideJson(request, now, &errors);
  bool ok = false;
  std::string failure;
  if (d.effect == policy::Effect::kAllow) {
    auto plain = session_vault_.Open(secret->second.sealed,
                                     SessionBinding(options_.endpoint_id, session_id));
    if (!plain) {
      failure = "the stored credentials do not open";
    } else {
      ok = RunUnlocked(lock, operation, options_.windows_user, options_.windows_domain, *plain,
                       &failure);
    }
  }
  store_.Transact([&](Store::Tx& tx) {
    const bool allowed = d.effect == policy::Effect::kAllow;
    EventInput e =
        Event(allowed ? "credentials.applied" : "credentials.apply_denied", "session:" + session_id,
              !allowed ? "denied" : (ok ? "success" : "failure"));
    e.reasons = Reasons(d);
    e.details["operation_id"] = Str(operation_id);
    e.details["operation"] = Str(operation);
    if (!failure.empty()) e.details["failure"] = Str(failure);
    tx.Append(e, now);
    return true;
  });
}

// ----------------------------------------------------------- the customer

value Workflows::Prompts(Language language) {
  const Texts& t = TextsFor(language);
  std::lock_guard lock(mutex_);
  const policy::Instant now = Now();
  value items = value::array();
  std::size_t n = 0;
  const value requests = store_.Transact([&](Store::Tx& tx) {
    return Rows(
        tx.db(),
        "SELECT * FROM unattended_requests WHERE state = 'pending' ORDER BY created_at, id");
  });
  const policy::TimeZone* found = zones_.Find(options_.time_zone);
  static const policy::TimeZone kUtc("UTC", {});
  const policy::TimeZone& customer_zone = found ? *found : kUtc;
  for (const value& r : requests.as_array()) {
    if (policy::ParseRfc3339(r.at("expires_at").as_string()) <= now) continue;
    const bool at_setup = r.at("credential_mode").as_string() == "at_setup";
    value p = value::object(true);
    p["id"] = r.at("id");
    p["kind"] = Str("unattended_access");
    p["technician_id"] = r.at("technician_id");
    p["session_id"] = r.at("session_id");
    p["credential_mode"] = r.at("credential_mode");
    p["schedule"] = r.at("schedule");
    p["asks"] = at_setup ? value::array({Str("user_name"), Str("password")}) : value::array();
    p["technician_name"] = r.at("technician_name");
    // What approving would create now, decided as the answer will be; a
    // request the policy now refuses shows what was asked.
    const policy::Decision d = UnattendedDecision(r, now);
    std::string what = DescribeSchedule(r.at("schedule"), language);
    if (d.effect == policy::Effect::kAllow && d.effective_schedule) {
      what = DescribeGrant(*d.effective_schedule, customer_zone, now, language);
      p["effective_schedule"] = policy::EncodeEffectiveSchedule(*d.effective_schedule);
    }
    p["message"] = Str(Format(at_setup ? t.credentials : t.confirm, {Who(r), what}));
    p["expires_at"] = r.at("expires_at");
    items[n++] = p;
  }
  const value creds = store_.Transact([&](Store::Tx& tx) {
    return Rows(tx.db(),
                "SELECT c.* FROM credential_requests c JOIN sessions s ON "
                "s.id = c.session_id WHERE c.state = 'pending' AND s.active = 1 "
                "ORDER BY c.created_at, c.id");
  });
  for (const value& r : creds.as_array()) {
    value p = value::object(true);
    p["id"] = r.at("id");
    p["kind"] = Str("windows_credentials");
    p["technician_id"] = r.at("technician_id");
    p["session_id"] = r.at("session_id");
    p["asks"] = value::array({Str("password")});
    value prefill = value::object(true);  // R14
    prefill["user_name"] = Str(options_.windows_user);
    prefill["domain"] = Str(options_.windows_domain);
    p["prefill"] = prefill;
    p["technician_name"] = r.at("technician_name");
    p["message"] = Str(Format(t.windows, {Who(r)}));
    items[n++] = p;
  }
  value out = value::object(true);
  out["items"] = items;
  return out;
}

Reply Workflows::Answer(const std::string& prompt_id, bool approve, SecretForm& body,
                        Language language) {
  Reply reply;
  {
    std::lock_guard lock(mutex_);
    const policy::Instant now = Now();
    value row = store_.Transact(
        [&](Store::Tx& tx) { return FindRow(tx.db(), "unattended_requests", prompt_id); });
    if (!row.is_null()) {
      reply = AnswerUnattended(row, approve, body, now);
    } else {
      row = store_.Transact(
          [&](Store::Tx& tx) { return FindRow(tx.db(), "credential_requests", prompt_id); });
      if (row.is_null()) return ProblemReply(404, "Not found", "no such prompt");
      reply = AnswerCredentials(row, approve, body, language, now);
    }
  }
  Emit();
  Wake();
  return reply;
}

Reply Workflows::AnswerUnattended(const value& row, bool approve, SecretForm& body,
                                  policy::Instant now) {
  const std::string id = row.at("id").as_string();
  if (row.at("state").as_string() != "pending") {
    return ProblemReply(409, "Conflict", "the request is " + row.at("state").as_string());
  }
  if (policy::ParseRfc3339(row.at("expires_at").as_string()) <= now) {
    return ProblemReply(409, "Conflict", "the request has expired");
  }
  const bool at_setup = row.at("credential_mode").as_string() == "at_setup";
  if (!approve) {
    store_.Transact([&](Store::Tx& tx) {
      SetState(tx.db(), "unattended_requests", id, "denied", "decided_at", now);
      EventInput e = Event("unattended.request_denied", "unattended_request:" + id, "denied");
      e.details["request_id"] = Str(id);
      e.details["by"] = Str("customer");
      tx.Append(e, now);
      return true;
    });
    value out = value::object(true);
    out["state"] = Str("denied");
    return {200, out};
  }
  // R7: at_setup takes the customer's Windows user name and password.
  SecretInput input;
  if (at_setup) {
    input = ReadSecretInput(body, true);
  } else if (!body.errors.empty() || !body.fields.empty()) {
    input.errors.push_back({"", "send an empty object: at_connection asks only for consent"});
  }
  if (!input.errors.empty())
    return ProblemReply(400, "Invalid request", "bad answer", input.errors);
  // Decided again now: the policy or the session may have changed.
  const policy::Decision d = UnattendedDecision(row, now);
  if (d.effect != policy::Effect::kAllow || !d.effective_schedule) {
    const value reasons = Reasons(d);
    store_.Transact([&](Store::Tx& tx) {
      SetState(tx.db(), "unattended_requests", id, "refused", "decided_at", now);
      EventInput e = Event("unattended.request_refused", "unattended_request:" + id, "denied");
      e.reasons = reasons;
      e.details["request_id"] = Str(id);
      tx.Append(e, now);
      return true;
    });
    return Denied("the policy on this computer refuses the request now", reasons);
  }
  const std::string grant_id = crypto::NewId("grant_");
  const value schedule = policy::EncodeEffectiveSchedule(*d.effective_schedule);
  std::string sealed;
  if (at_setup) {
    sealed = machine_vault_.Seal(input.password->view(),
                                 SessionBinding(options_.endpoint_id, "grant:" + grant_id));
  }
  value grant = store_.Transact([&](Store::Tx& tx) {
    SetState(tx.db(), "unattended_requests", id, "approved", "decided_at", now);
    SQLite::Statement link(tx.db(), "UPDATE unattended_requests SET grant_id = ? WHERE id = ?");
    link.bind(1, grant_id);
    link.bind(2, id);
    link.exec();
    SQLite::Statement g(tx.db(),
                        "INSERT INTO grants (id, request_id, technician_id, credential_mode, "
                        "effective_schedule, state, user_name, sealed_credentials, created_at) "
                        "VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)");
    g.bind(1, grant_id);
    g.bind(2, id);
    g.bind(3, row.at("technician_id").as_string());
    g.bind(4, row.at("credential_mode").as_string());
    g.bind(5, schedule.serialize());
    if (at_setup) {
      g.bind(6, input.user_name);
      g.bind(7, sealed.data(), static_cast<int>(sealed.size()));
    } else {
      g.bind(6);
      g.bind(7);
    }
    g.bind(8, Ts(now));
    g.exec();
    EventInput e = Event("unattended.request_approved", "unattended_request:" + id);
    e.reasons = Reasons(d);
    e.details["request_id"] = Str(id);
    e.details["grant_id"] = Str(grant_id);
    e.details["credential_mode"] = row.at("credential_mode");
    e.details["effective_schedule"] = schedule;
    tx.Append(e, now);
    return FindRow(tx.db(), "grants", grant_id);
  });
  return {200, grant};
}

Reply Workflows::AnswerCredentials(const value& row, bool approve, SecretForm& body,
                                   Language language, policy::Instant now) {
  const std::string id = row.at("id").as_string();
  const std::string session_id = row.at("session_id").as_string();
  if (row.at("state").as_string() != "pending") {
    return ProblemReply(409, "Conflict", "the request is " + row.at("state").as_string());
  }
  if (!approve) {
    store_.Transact([&](Store::Tx& tx) {
      SetState(tx.db(), "credential_requests", id, "denied", "updated_at", now);
      EventInput e = CredentialEvent("credentials.denied", id, session_id, "denied");
      tx.Append(e, now);
      return true;
    });
    value out = value::object(true);
    out["state"] = Str("denied");
    return {200, out};
  }
  SecretInput input = ReadSecretInput(body, false);  // R14: only the password
  if (!input.errors.empty())
    return ProblemReply(400, "Invalid request", "bad answer", input.errors);
  std::vector<policy::FieldError> errors;
  const policy::Decision d = DecideJson(
      DecisionRequest("credentials.request", row.at("technician_id").as_string(), session_id), now,
      &errors);
  if (d.effect != policy::Effect::kAllow) {
    const value reasons = Reasons(d);
    store_.Transact([&](Store::Tx& tx) {
      SetState(tx.db(), "credential_requests", id, "denied", "updated_at", now);
      EventInput e = CredentialEvent("credentials.refused", id, session_id, "denied");
      e.reasons = reasons;
      tx.Append(e, now);
      return true;
    });
    return Denied("the policy on this computer refuses the request now", reasons);
  }
  // R11: sealed at once, bound to this endpoint and session; the key lives
  // only in this process.
  secrets_[session_id] = {id,
                          session_vault_.Seal(input.password->view(),
                                              SessionBinding(options_.endpoint_id, session_id))};
  store_.Transact([&](Store::Tx& tx) {
    SetState(tx.db(), "credential_requests", id, "stored", "updated_at", now);
    EventInput e = CredentialEvent("credentials.stored", id, session_id);
    tx.Append(e, now);
    return true;
  });
  value out = value::object(true);
  out["state"] = Str("stored");
  out["notice"] = Str(TextsFor(language).notice);  // R15
  return {200, out};
}

Reply Workflows::RevokeGrant(const std::string& grant_id) {
  {
    std::lock_guard lock(mutex_);
    const policy::Instant now = Now();
    const value grant =
        store_.Transact([&](Store::Tx& tx) { return FindRow(tx.db(), "grants", grant_id); });
    if (grant.is_null()) return ProblemReply(404, "Not found", "no such grant");
    if (grant.at("state").as_string() != "active") {
      return ProblemReply(409, "Conflict", "the grant is " + grant.at("state").as_string());
    }
    EndGrant(grant_id, "revoked", "customer", now);
  }
  Emit();
  Wake();
  value out = value::object(true);
  out["state"] = Str("revoked");
  return {200, out};
}

Reply Workflows::RevokeCredentials(const std::string& session_id, Language language) {
  {
    std::lock_guard lock(mutex_);
    const policy::Instant now = Now();
    auto it = secrets_.find(session_id);
    if (it == secrets_.end()) {
      return ProblemReply(404, "Not found", "no credentials are stored for this session");
    }
    const std::string request_id = it->second.request_id;
    secrets_.erase(it);  // R12
    store_.Transact([&](Store::Tx& tx) {
      SetState(tx.db(), "credential_requests", request_id, "revoked", "updated_at", now);
      EventInput e = CredentialEvent("credentials.revoked", request_id, session_id);
      e.details["by"] = Str("customer");
      tx.Append(e, now);
      return true;
    });
  }
  Emit();
  value out = value::object(true);
  out["state"] = Str("revoked");
  out["notice"] = Str(TextsFor(language).revoked);
  return {200, out};
}

Reply Workflows::PresentAdminCredentials(const std::string& connection_id, SecretForm& body) {
  SecretInput input = ReadSecretInput(body, true);
  if (!input.errors.empty())
    return ProblemReply(400, "Invalid request", "bad credentials", input.errors);
  // The connection, if it still waits for credentials; else the answer.
  auto waiting = [&](value& c) -> std::optional<Reply> {
    c = store_.Transact(
        [&](Store::Tx& tx) { return FindRow(tx.db(), "connections", connection_id); });
    if (c.is_null()) return ProblemReply(404, "Not found", "no such connection");
    if (c.at("state").as_string() != "awaiting_credentials") {
      return ProblemReply(409, "Conflict", "the connection is " + c.at("state").as_string());
    }
    return std::nullopt;
  };
  value c;
  {
    std::lock_guard lock(mutex_);
    if (auto answer = waiting(c)) return *answer;
  }
  // Outside the lock: PAM may take seconds (its delay after a failure), and
  // timers and commands must not wait for it.
  const bool valid = verifier_.Verify(input.user_name, *input.password);
  Reply reply;
  {
    std::lock_guard lock(mutex_);
    const policy::Instant now = Now();
    if (auto answer = waiting(c)) return *answer;  // ended meanwhile
    const int attempts = static_cast<int>(c.at("failed_attempts").as_integer()) + (valid ? 0 : 1);
    const std::string state = valid                                     ? "active"
                              : attempts >= kMaxAdminCredentialAttempts ? "denied"
                                                                        : "awaiting_credentials";
    store_.Transact([&](Store::Tx& tx) {
      SQLite::Statement u(tx.db(),
                          "UPDATE connections SET state = ?, failed_attempts = ? WHERE id = ?");
      u.bind(1, state);
      u.bind(2, attempts);
      u.bind(3, connection_id);
      u.exec();
      const std::string action = valid               ? "connection.started"
                                 : state == "denied" ? "connection.denied"
                                                     : "connection.credentials_rejected";
      EventInput e = Event(action, "connection:" + connection_id, valid ? "success" : "failure");
      e.details["connection_id"] = Str(connection_id);
      e.details["grant_id"] = c.at("grant_id");
      e.details["administrator"] = Str(input.user_name);
      if (!valid) e.details["failed_attempts"] = value::number(attempts);
      tx.Append(e, now);
      return true;
    });
    value out = value::object(true);
    out["state"] = Str(state);
    reply = valid ? Reply{200, out}
                  : ProblemReply(
                        403, "Forbidden",
                        "the administrator credentials were not accepted" +
                            std::string(state == "denied" ? "; the connection is refused" : ""));
  }
  Emit();
  Wake();
  return reply;
}

value Workflows::Overview() {
  std::lock_guard lock(mutex_);
  return store_.Transact([&](Store::Tx& tx) {
    value out = value::object(true);
    out["sessions"] = Rows(tx.db(), "SELECT * FROM sessions ORDER BY opened_at, id");
    out["grants"] = Rows(tx.db(),
                         "SELECT id, request_id, technician_id, credential_mode, "
                         "effective_schedule, state, created_at, ended_at, ended_by FROM grants "
                         "ORDER BY created_at, id");
    out["connections"] = Rows(tx.db(), "SELECT * FROM connections ORDER BY started_at, id");
    return out;
  });
}

// ------------------------------------------------------------------- timers

std::optional<policy::Instant> Workflows::Sweep() {
  std::optional<policy::Instant> next;
  auto consider = [&](policy::Instant t) {
    if (!next || t < *next) next = t;
  };
  {
    std::lock_guard lock(mutex_);
    const policy::Instant now = Now();
    const auto warning = std::chrono::minutes(options_.warning_minutes);
    const auto held = bundles_.active();
    const int ttl_minutes =
        held ? held->compiled.request_ttl_minutes() : policy::kDefaultRequestTtlMinutes;
    store_.Transact([&](Store::Tx& tx) {
      // Unanswered requests expire (request_ttl_minutes).
      // (Held in a variable: a temporary would die before the loop.)
      const value pending =
          Rows(tx.db(), "SELECT id, expires_at FROM unattended_requests WHERE state = 'pending'");
      for (const value& r : pending.as_array()) {
        const auto at = policy::ParseRfc3339(r.at("expires_at").as_string());
        if (at && *at > now) {
          consider(*at);
          continue;
        }
        SetState(tx.db(), "unattended_requests", r.at("id").as_string(), "expired", "decided_at",
                 now);
        EventInput e = Event("unattended.request_expired",
                             "unattended_request:" + r.at("id").as_string(), "failure");
        e.details["request_id"] = r.at("id");
        tx.Append(e, now);
      }
      // So do unanswered credential prompts, after the same time.
      const auto ttl = std::chrono::minutes(ttl_minutes);
      const value asked = Rows(
          tx.db(),
          "SELECT id, session_id, created_at FROM credential_requests WHERE state = 'pending'");
      for (const value& r : asked.as_array()) {
        const auto at = policy::ParseRfc3339(r.at("created_at").as_string());
        if (at && *at + ttl > now) {
          consider(*at + ttl);
          continue;
        }
        SetState(tx.db(), "credential_requests", r.at("id").as_string(), "expired", "updated_at",
                 now);
        EventInput e = CredentialEvent("credentials.expired", r.at("id").as_string(),
                                       r.at("session_id").as_string(), "failure");
        e.details["reason"] = Str("unanswered");
        tx.Append(e, now);
      }
      return true;
    });
    // Grants end at the end of their schedule (R8).
    const value grants = store_.Transact([&](Store::Tx& tx) {
      return Rows(tx.db(),
                  "SELECT id, credential_mode, technician_id, effective_schedule, state "
                  "FROM grants WHERE state = 'active'");
    });
    std::map<std::string, policy::Grant> schedules;
    for (const value& g : grants.as_array()) {
      // The codec reads the stored schedule into instants and a zone.
      auto parsed =
          policy::ParseRequest(policy::ConnectRequest(g.at("technician_id").as_string(), g));
      if (!parsed.ok() || !parsed.value->grant) continue;
      const policy::Grant& s = *parsed.value->grant;
      if (s.end && *s.end <= now) {
        EndGrant(g.at("id").as_string(), "expired", "expiry", now);
        continue;
      }
      if (s.end) consider(*s.end);
      schedules[g.at("id").as_string()] = s;
    }
    // Unattended sessions end with their grant or when the daily window
    // closes, with a warning before.
    const value connections = store_.Transact([&](Store::Tx& tx) {
      return Rows(tx.db(),
                  "SELECT id, grant_id, warned FROM connections "
                  "WHERE state IN ('awaiting_credentials', 'active')");
    });
    for (const value& c : connections.as_array()) {
      auto s = schedules.find(c.at("grant_id").as_string());
      if (s == schedules.end()) continue;
      std::optional<policy::Instant> ends = s->second.end;
      std::string reason = "grant_expired";
      const policy::TimeZone* zone =
          s->second.daily ? zones_.Find(s->second.daily_time_zone) : nullptr;
      if (s->second.daily && zone) {
        const auto window = policy::CurrentOrNextWindow(*s->second.daily, *zone, now);
        const policy::Instant closes = window.open <= now ? window.close : now;
        if (!ends || closes < *ends) {
          ends = closes;
          reason = "window_closed";
        }
      }
      if (!ends) continue;
      const std::string id = c.at("id").as_string();
      if (*ends <= now) {
        store_.Transact([&](Store::Tx& tx) {
          EndConnection(tx, id, c.at("grant_id").as_string(), reason, now);
          return true;
        });
        continue;
      }
      consider(*ends);
      if (c.at("warned").as_bool()) continue;
      if (*ends - warning <= now) {
        store_.Transact([&](Store::Tx& tx) {
          SQLite::Statement u(tx.db(), "UPDATE connections SET warned = 1 WHERE id = ?");
          u.bind(1, id);
          u.exec();
          EventInput e = Event("connection.warning", "connection:" + id);
          e.details["connection_id"] = Str(id);
          e.details["grant_id"] = c.at("grant_id");
          e.details["ends_at"] = Str(Ts(*ends));
          e.details["reason"] = Str(reason);
          tx.Append(e, now);
          return true;
        });
      } else {
        consider(*ends - warning);
      }
    }
  }
  Emit();
  return next;
}

void Workflows::TimerLoop() {
  for (;;) {
    std::optional<policy::Instant> next;
    try {
      next = Sweep();
    } catch (const std::exception& e) {
      spdlog::error(R"({{"event":"timer_failed","error":{}}})",
                    value::string(e.what()).serialize());
      next = Now() + std::chrono::seconds(5);  // try again soon
    }
    std::unique_lock lock(timer_mutex_);
    if (stopping_) return;
    if (!woken_) {
      auto done = [this] { return stopping_ || woken_; };
      if (next) {
        // Instants have whole seconds: wake just after the one that is due.
        const auto wait = std::max(std::chrono::seconds(0), *next - wall_());
        timer_wake_.wait_for(lock, wait + std::chrono::milliseconds(200), done);
      } else {
        timer_wake_.wait(lock, done);
      }
    }
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace custodian::enforcer
