#include "enforcer/storage/workflow_rows.h"

#include <SQLiteCpp/Statement.h>

#include "policy/codec.h"
#include "schema/row_reader.h"
#include "schema/sqlite_sql.h"

namespace custodian::enforcer {
namespace {

using policy::Instant;
using policy::workflow::StateName;

using schema::Damaged;
using Row = schema::RowReader;

std::string Ts(Instant t) { return policy::FormatRfc3339(t); }
std::string Name(State s) { return std::string(StateName(s)); }

SessionRow ReadSession(SQLite::Statement& q) {
  const sql::SqliteRow row(q);
  Row r(row, "sessions");
  SessionRow s;
  s.id = r.Text("id");
  s.technician_id = r.Text("technician_id");
  s.session.type = r.Enum("type", policy::ParseSessionType);
  s.session.chat_only = r.Text("mode") == "chat_only";
  s.session.screen_viewing = r.Flag("screen_viewing");
  s.session.active = r.Flag("active");
  s.opened_at = r.At("opened_at");
  s.ended_at = r.MaybeAt("ended_at");
  return s;
}

RequestRow ReadRequest(SQLite::Statement& q) {
  const sql::SqliteRow row(q);
  Row r(row, "unattended_requests");
  RequestRow u;
  u.id = r.Text("id");
  u.session_id = r.Text("session_id");
  u.technician_id = r.Text("technician_id");
  u.technician_name = r.Text("technician_name");
  u.credential_mode = policy::ParseAuthMode(r.Text("credential_mode"));
  // What a refused request asked may not have been a schedule at all.
  if (auto s = policy::ParseSchedule(r.Text("schedule")); s.ok()) u.schedule = *s.value;
  u.state = r.State();
  u.created_at = r.At("created_at");
  u.expires_at = r.At("expires_at");
  u.decided_at = r.MaybeAt("decided_at");
  u.grant_id = r.Text("grant_id");
  if (u.state == State::kPending && (!u.credential_mode || !u.schedule)) {
    Damaged("unattended_requests", "schedule");
  }
  return u;
}

// Never the sealed credentials; the technician's name from the request.
constexpr const char* kGrantColumns =
    "id, request_id, technician_id, credential_mode, effective_schedule, state, user_name, "
    "created_at, ended_at, ended_by, COALESCE((SELECT r.technician_name FROM unattended_requests "
    "r WHERE r.id = grants.request_id), '') AS technician_name";

GrantRow ReadGrant(SQLite::Statement& q) {
  const sql::SqliteRow row(q);
  Row r(row, "grants");
  GrantRow g;
  g.id = r.Text("id");
  g.request_id = r.Text("request_id");
  g.grant.technician_id = r.Text("technician_id");
  auto schedule = policy::ParseGrantSchedule(r.Text("effective_schedule"));
  if (!schedule.ok()) Damaged("grants", "effective_schedule");
  g.grant.credential_mode = r.Enum("credential_mode", policy::ParseAuthMode);
  g.grant.schedule = *schedule.value;
  g.grant.state = r.State();
  g.user_name = r.Text("user_name");
  g.created_at = r.At("created_at");
  g.ended_at = r.MaybeAt("ended_at");
  g.ended_by = r.Text("ended_by");
  g.technician_name = r.Text("technician_name");
  return g;
}

ConnectionRow ReadConnection(SQLite::Statement& q) {
  const sql::SqliteRow row(q);
  Row r(row, "connections");
  ConnectionRow c;
  c.id = r.Text("id");
  c.grant_id = r.Text("grant_id");
  c.technician_id = r.Text("technician_id");
  c.state = r.State();
  c.failed_attempts = r.Int("failed_attempts");
  c.warned = r.Flag("warned");
  c.started_at = r.At("started_at");
  c.ended_at = r.MaybeAt("ended_at");
  c.end_reason = r.Text("end_reason");
  return c;
}

CredentialRequestRow ReadCredentialRequest(SQLite::Statement& q) {
  const sql::SqliteRow row(q);
  Row r(row, "credential_requests");
  CredentialRequestRow c;
  c.id = r.Text("id");
  c.session_id = r.Text("session_id");
  c.technician_id = r.Text("technician_id");
  c.technician_name = r.Text("technician_name");
  c.state = r.State();
  c.created_at = r.At("created_at");
  c.updated_at = r.At("updated_at");
  return c;
}

template <typename T>
std::vector<T> All(SQLite::Statement& q, T (*read)(SQLite::Statement&)) {
  std::vector<T> out;
  while (q.executeStep()) out.push_back(read(q));
  return out;
}

template <typename T>
std::optional<T> One(SQLite::Statement& q, T (*read)(SQLite::Statement&)) {
  if (!q.executeStep()) return std::nullopt;
  return read(q);
}

// A transition's compare-and-set: nothing to write unless it changes the
// state, and nothing written unless the row is still in its `from`.
bool Changes(const Transition& t) { return t.changes() && t.from.has_value(); }

}  // namespace

// ---------------------------------------------------------------- sessions

std::optional<SessionRow> WorkflowRows::Session(const std::string& id) {
  SQLite::Statement q(tx_.db(), "SELECT * FROM sessions WHERE id = ?");
  q.bind(1, id);
  return One(q, ReadSession);
}

std::vector<SessionRow> WorkflowRows::Sessions() {
  SQLite::Statement q(tx_.db(), "SELECT * FROM sessions ORDER BY opened_at, id");
  return All(q, ReadSession);
}

bool WorkflowRows::Insert(const SessionRow& s) {
  SQLite::Statement q(tx_.db(),
                      "INSERT OR IGNORE INTO sessions (id, technician_id, type, mode, "
                      "screen_viewing, active, opened_at) VALUES (?, ?, ?, ?, ?, 1, ?)");
  q.bind(1, s.id);
  q.bind(2, s.technician_id);
  q.bind(3, std::string(policy::SessionTypeName(s.session.type)));
  if (s.session.type == policy::SessionType::kInstantChat) {
    q.bind(4, s.session.chat_only ? "chat_only" : "full");
  } else {
    q.bind(4);
  }
  q.bind(5, s.session.screen_viewing ? 1 : 0);
  q.bind(6, Ts(s.opened_at));
  return q.exec() == 1;
}

bool WorkflowRows::SetScreenViewing(const std::string& id, bool on) {
  SQLite::Statement u(tx_.db(),
                      "UPDATE sessions SET screen_viewing = ? WHERE id = ? AND active = 1");
  u.bind(1, on ? 1 : 0);
  u.bind(2, id);
  return u.exec() == 1;
}

bool WorkflowRows::EndSession(const std::string& id, Instant at) {
  SQLite::Statement u(tx_.db(),
                      "UPDATE sessions SET active = 0, ended_at = ? WHERE id = ? AND active = 1");
  u.bind(1, Ts(at));
  u.bind(2, id);
  return u.exec() == 1;
}

// ---------------------------------------------------------------- requests

std::optional<RequestRow> WorkflowRows::Request(const std::string& id) {
  SQLite::Statement q(tx_.db(), "SELECT * FROM unattended_requests WHERE id = ?");
  q.bind(1, id);
  return One(q, ReadRequest);
}

std::vector<RequestRow> WorkflowRows::Requests(State state) {
  SQLite::Statement q(tx_.db(),
                      "SELECT * FROM unattended_requests WHERE state = ? ORDER BY created_at, id");
  q.bind(1, Name(state));
  return All(q, ReadRequest);
}

bool WorkflowRows::Insert(const RequestRow& u) {
  SQLite::Statement q(tx_.db(),
                      "INSERT OR IGNORE INTO unattended_requests (id, session_id, technician_id, "
                      "technician_name, credential_mode, schedule, state, created_at, expires_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, u.id);
  q.bind(2, u.session_id);
  q.bind(3, u.technician_id);
  q.bind(4, u.technician_name);
  q.bind(5, u.credential_mode ? std::string(policy::AuthModeName(*u.credential_mode)) : "");
  q.bind(6, u.schedule ? policy::EncodeSchedule(*u.schedule).serialize() : "null");
  q.bind(7, Name(u.state));
  q.bind(8, Ts(u.created_at));
  q.bind(9, Ts(u.expires_at));
  return q.exec() == 1;
}

bool WorkflowRows::Move(const std::string& request_id, const Transition& t,
                        const std::string& grant_id) {
  if (!Changes(t)) return false;
  SQLite::Statement u(tx_.db(),
                      "UPDATE unattended_requests SET state = ?, decided_at = ?, "
                      "grant_id = COALESCE(?, grant_id) WHERE id = ? AND state = ?");
  u.bind(1, Name(t.to));
  u.bind(2, Ts(t.at));
  if (grant_id.empty()) {
    u.bind(3);
  } else {
    u.bind(3, grant_id);
  }
  u.bind(4, request_id);
  u.bind(5, Name(*t.from));
  return u.exec() == 1;
}

// ------------------------------------------------------------------ grants

std::optional<GrantRow> WorkflowRows::Grant(const std::string& id) {
  SQLite::Statement q(tx_.db(),
                      std::string("SELECT ") + kGrantColumns + " FROM grants WHERE id = ?");
  q.bind(1, id);
  return One(q, ReadGrant);
}

std::vector<GrantRow> WorkflowRows::Grants() {
  SQLite::Statement q(
      tx_.db(), std::string("SELECT ") + kGrantColumns + " FROM grants ORDER BY created_at, id");
  return All(q, ReadGrant);
}

std::vector<GrantRow> WorkflowRows::Grants(State state) {
  SQLite::Statement q(tx_.db(), std::string("SELECT ") + kGrantColumns +
                                    " FROM grants WHERE state = ? ORDER BY created_at, id");
  q.bind(1, Name(state));
  return All(q, ReadGrant);
}

bool WorkflowRows::Insert(const GrantRow& g, const std::string& sealed) {
  SQLite::Statement q(tx_.db(),
                      "INSERT OR IGNORE INTO grants (id, request_id, technician_id, "
                      "credential_mode, effective_schedule, state, user_name, sealed_credentials, "
                      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, g.id);
  q.bind(2, g.request_id);
  q.bind(3, g.grant.technician_id);
  q.bind(4, std::string(policy::AuthModeName(g.grant.credential_mode)));
  q.bind(5, policy::EncodeGrantSchedule(g.grant.schedule).serialize());
  q.bind(6, Name(g.grant.state));
  if (sealed.empty()) {
    q.bind(7);
    q.bind(8);
  } else {
    q.bind(7, g.user_name);
    q.bind(8, sealed.data(), static_cast<int>(sealed.size()));
  }
  q.bind(9, Ts(g.created_at));
  return q.exec() == 1;
}

std::optional<std::string> WorkflowRows::SealedCredentials(const std::string& grant_id) {
  SQLite::Statement q(tx_.db(), "SELECT sealed_credentials FROM grants WHERE id = ?");
  q.bind(1, grant_id);
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return std::string(static_cast<const char*>(q.getColumn(0).getBlob()),
                     static_cast<std::size_t>(q.getColumn(0).getBytes()));
}

bool WorkflowRows::End(const std::string& grant_id, const Transition& t, const std::string& by) {
  if (!Changes(t)) return false;
  SQLite::Statement u(tx_.db(),
                      "UPDATE grants SET state = ?, ended_at = ?, ended_by = ?, "
                      "sealed_credentials = NULL WHERE id = ? AND state = ?");
  u.bind(1, Name(t.to));
  u.bind(2, Ts(t.at));
  u.bind(3, by);
  u.bind(4, grant_id);
  u.bind(5, Name(*t.from));
  return u.exec() == 1;
}

// ------------------------------------------------------------- connections

std::optional<ConnectionRow> WorkflowRows::Connection(const std::string& id) {
  SQLite::Statement q(tx_.db(), "SELECT * FROM connections WHERE id = ?");
  q.bind(1, id);
  return One(q, ReadConnection);
}

std::vector<ConnectionRow> WorkflowRows::Connections() {
  SQLite::Statement q(tx_.db(), "SELECT * FROM connections ORDER BY started_at, id");
  return All(q, ReadConnection);
}

std::vector<ConnectionRow> WorkflowRows::OpenConnections(const std::string& grant_id) {
  SQLite::Statement q(
      tx_.db(),
      "SELECT * FROM connections WHERE state IN (?, ?) AND (? = '' OR grant_id = ?) "
      "ORDER BY started_at, id");
  q.bind(1, Name(State::kAwaitingCredentials));
  q.bind(2, Name(State::kActive));
  q.bind(3, grant_id);
  q.bind(4, grant_id);
  return All(q, ReadConnection);
}

bool WorkflowRows::Insert(const ConnectionRow& c) {
  SQLite::Statement q(tx_.db(),
                      "INSERT OR IGNORE INTO connections (id, grant_id, technician_id, state, "
                      "started_at) VALUES (?, ?, ?, ?, ?)");
  q.bind(1, c.id);
  q.bind(2, c.grant_id);
  q.bind(3, c.technician_id);
  q.bind(4, Name(c.state));
  q.bind(5, Ts(c.started_at));
  return q.exec() == 1;
}

bool WorkflowRows::Move(const std::string& connection_id, const Transition& t,
                        int failed_attempts) {
  if (!t.from) return false;
  SQLite::Statement u(tx_.db(),
                      "UPDATE connections SET state = ?, failed_attempts = ? "
                      "WHERE id = ? AND state = ?");
  u.bind(1, Name(t.to));
  u.bind(2, failed_attempts);
  u.bind(3, connection_id);
  u.bind(4, Name(*t.from));
  return u.exec() == 1;
}

bool WorkflowRows::EndConnection(const std::string& connection_id, const Transition& t,
                                 const std::string& reason) {
  if (!Changes(t)) return false;
  SQLite::Statement u(tx_.db(),
                      "UPDATE connections SET state = ?, ended_at = ?, end_reason = ? "
                      "WHERE id = ? AND state = ?");
  u.bind(1, Name(t.to));
  u.bind(2, Ts(t.at));
  u.bind(3, reason);
  u.bind(4, connection_id);
  u.bind(5, Name(*t.from));
  return u.exec() == 1;
}

bool WorkflowRows::MarkWarned(const std::string& connection_id) {
  SQLite::Statement u(tx_.db(), "UPDATE connections SET warned = 1 WHERE id = ? AND warned = 0");
  u.bind(1, connection_id);
  return u.exec() == 1;
}

// ----------------------------------------------------- credential requests

std::optional<CredentialRequestRow> WorkflowRows::CredentialRequest(const std::string& id) {
  SQLite::Statement q(tx_.db(), "SELECT * FROM credential_requests WHERE id = ?");
  q.bind(1, id);
  return One(q, ReadCredentialRequest);
}

std::vector<CredentialRequestRow> WorkflowRows::CredentialRequests(State state) {
  SQLite::Statement q(tx_.db(),
                      "SELECT * FROM credential_requests WHERE state = ? ORDER BY created_at, id");
  q.bind(1, Name(state));
  return All(q, ReadCredentialRequest);
}

std::vector<CredentialRequestRow> WorkflowRows::PendingInActiveSessions() {
  SQLite::Statement q(tx_.db(),
                      "SELECT c.* FROM credential_requests c JOIN sessions s ON "
                      "s.id = c.session_id WHERE c.state = ? AND s.active = 1 "
                      "ORDER BY c.created_at, c.id");
  q.bind(1, Name(State::kPending));
  return All(q, ReadCredentialRequest);
}

std::vector<CredentialRequestRow> WorkflowRows::OpenCredentialRequests(
    const std::string& session_id) {
  SQLite::Statement q(tx_.db(),
                      "SELECT * FROM credential_requests WHERE session_id = ? AND state IN (?, ?) "
                      "ORDER BY created_at, id");
  q.bind(1, session_id);
  q.bind(2, Name(State::kPending));
  q.bind(3, Name(State::kStored));
  return All(q, ReadCredentialRequest);
}

bool WorkflowRows::Insert(const CredentialRequestRow& c) {
  SQLite::Statement q(tx_.db(),
                      "INSERT OR IGNORE INTO credential_requests (id, session_id, technician_id, "
                      "technician_name, state, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, c.id);
  q.bind(2, c.session_id);
  q.bind(3, c.technician_id);
  q.bind(4, c.technician_name);
  q.bind(5, Name(c.state));
  q.bind(6, Ts(c.created_at));
  q.bind(7, Ts(c.updated_at));
  return q.exec() == 1;
}

bool WorkflowRows::Move(const CredentialRequestRow& row, const Transition& t) {
  if (!Changes(t)) return false;
  SQLite::Statement u(tx_.db(),
                      "UPDATE credential_requests SET state = ?, updated_at = ? "
                      "WHERE id = ? AND state = ?");
  u.bind(1, Name(t.to));
  u.bind(2, Ts(t.at));
  u.bind(3, row.id);
  u.bind(4, Name(*t.from));
  return u.exec() == 1;
}

}  // namespace custodian::enforcer
