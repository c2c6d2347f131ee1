// WorkflowRepository on SQL (storage/sql.h): the admin center's workflow tables.
#include <map>
#include <stdexcept>

#include "admincenter/storage/sql.h"
#include "policy/codec.h"
#include "schema/row_reader.h"

namespace custodian::admincenter {
namespace {

using policy::Instant;

std::string Ts(Instant t) { return policy::FormatRfc3339(t); }
std::string Name(State s) { return std::string(policy::workflow::StateName(s)); }

using schema::Damaged;

// The columns every workflow table shares, and their own.
class Row : public schema::RowReader {
 public:
  using RowReader::RowReader;
  policy::AuthMode Mode() const { return Enum("credential_mode", policy::ParseAuthMode); }
};

SessionRecord ReadSession(const sql::Statement& q) {
  Row r(q, "sessions");
  SessionRecord s;
  s.id = r.Text("id");
  s.technician_id = r.Text("technician_id");
  s.endpoint_id = r.Text("endpoint_id");
  s.session.type = r.Enum("type", policy::ParseSessionType);
  s.session.chat_only = r.Text("mode") == "chat_only";
  s.session.screen_viewing = r.Flag("screen_viewing");
  s.state = r.State();
  s.session.active = s.state == State::kActive;
  s.started_at = r.At("started_at");
  s.ended_at = r.MaybeAt("ended_at");
  return s;
}

RequestRecord ReadRequest(const sql::Statement& q) {
  Row r(q, "unattended_requests");
  RequestRecord u;
  u.id = r.Text("id");
  u.session_id = r.Text("session_id");
  u.technician_id = r.Text("technician_id");
  u.endpoint_id = r.Text("endpoint_id");
  u.credential_mode = r.Mode();
  auto schedule = policy::ParseSchedule(r.Text("schedule"));
  if (!schedule.ok()) Damaged("unattended_requests", "schedule");
  u.schedule = *schedule.value;
  u.state = r.State();
  u.reasons = r.Text("reasons");
  u.created_at = r.At("created_at");
  u.expires_at = r.At("expires_at");
  u.decided_at = r.MaybeAt("decided_at");
  u.grant_id = r.Text("grant_id");
  return u;
}

GrantRecord ReadGrant(const sql::Statement& q) {
  Row r(q, "grants");
  GrantRecord g;
  g.id = r.Text("id");
  g.request_id = r.Text("request_id");
  g.endpoint_id = r.Text("endpoint_id");
  g.grant.technician_id = r.Text("technician_id");
  g.grant.credential_mode = r.Mode();
  auto schedule = policy::ParseGrantSchedule(r.Text("effective_schedule"));
  if (!schedule.ok()) Damaged("grants", "effective_schedule");
  g.grant.schedule = *schedule.value;
  g.grant.state = r.State();
  g.created_at = r.At("created_at");
  g.ended_at = r.MaybeAt("ended_at");
  g.ended_by = r.Text("ended_by");
  return g;
}

ConnectionRecord ReadConnection(const sql::Statement& q) {
  Row r(q, "connections");
  ConnectionRecord c;
  c.id = r.Text("id");
  c.grant_id = r.Text("grant_id");
  c.technician_id = r.Text("technician_id");
  c.endpoint_id = r.Text("endpoint_id");
  c.state = r.State();
  c.reasons = r.Text("reasons");
  c.requested_at = r.At("requested_at");
  c.updated_at = r.At("updated_at");
  c.end_reason = r.Text("end_reason");
  return c;
}

CredentialRequestRecord ReadCredentialRequest(const sql::Statement& q) {
  Row r(q, "credential_requests");
  CredentialRequestRecord c;
  c.id = r.Text("id");
  c.session_id = r.Text("session_id");
  c.technician_id = r.Text("technician_id");
  c.endpoint_id = r.Text("endpoint_id");
  c.state = r.State();
  c.reasons = r.Text("reasons");
  c.created_at = r.At("created_at");
  c.updated_at = r.At("updated_at");
  return c;
}

OperationRecord ReadOperation(const sql::Statement& q) {
  Row r(q, "credential_operations");
  OperationRecord o;
  o.id = r.Text("id");
  o.session_id = r.Text("session_id");
  o.technician_id = r.Text("technician_id");
  o.endpoint_id = r.Text("endpoint_id");
  o.operation = r.Enum("operation", policy::ParseOperation);
  o.state = r.State();
  o.reasons = r.Text("reasons");
  o.requested_at = r.At("requested_at");
  o.updated_at = r.At("updated_at");
  return o;
}

// Each entity's table, the column its moves stamp, and the order of lists.
struct Table {
  const char* name;
  const char* time_column;
  const char* order;
};
Table TableOf(Entity e) {
  switch (e) {
    case Entity::kSession:
      return {"sessions", "ended_at", "started_at"};
    case Entity::kUnattendedRequest:
      return {"unattended_requests", "decided_at", "created_at"};
    case Entity::kGrant:
      return {"grants", "ended_at", "created_at"};
    case Entity::kConnection:
      return {"connections", "updated_at", "requested_at"};
    case Entity::kCredentialRequest:
      return {"credential_requests", "updated_at", "created_at"};
    case Entity::kCredentialOperation:
      return {"credential_operations", "updated_at", "requested_at"};
  }
  return {"", "", ""};
}

// Binds values by position as they are added.
class Binder {
 public:
  explicit Binder(sql::Statement& q) : q_(q) {}
  Binder& operator()(const std::string& v) {
    q_.Bind(i_++, v);
    return *this;
  }
  Binder& operator()(const char* v) { return (*this)(std::string(v)); }
  Binder& operator()(int v) {
    q_.Bind(i_++, static_cast<int64_t>(v));
    return *this;
  }
  Binder& Null() {
    q_.BindNull(i_++);
    return *this;
  }

 private:
  sql::Statement& q_;
  int i_ = 1;
};

class SqlWorkflows : public WorkflowRepository {
 public:
  explicit SqlWorkflows(sql::Connection& db) : db_(db) {}

  std::optional<policy::EndpointInfo> Endpoint(const std::string& endpoint_id) override {
    auto q = db_.Prepare("SELECT os, time_zone FROM endpoints WHERE id = ?");
    q->Bind(1, endpoint_id);
    if (!q->Step()) return std::nullopt;
    policy::EndpointInfo e;
    // An OS the policy does not know decides as no endpoint would.
    e.os = policy::ParseOs(q->Text(0)).value_or(policy::Os::kLinux);
    e.time_zone = q->Text(1);
    return e;
  }

  std::optional<SessionRecord> Session(const std::string& id) override {
    return One(Entity::kSession, id, ReadSession);
  }
  std::optional<RequestRecord> Request(const std::string& id) override {
    return One(Entity::kUnattendedRequest, id, ReadRequest);
  }
  std::optional<GrantRecord> Grant(const std::string& id) override {
    return One(Entity::kGrant, id, ReadGrant);
  }
  std::optional<ConnectionRecord> Connection(const std::string& id) override {
    return One(Entity::kConnection, id, ReadConnection);
  }
  std::optional<CredentialRequestRecord> CredentialRequest(const std::string& id) override {
    return One(Entity::kCredentialRequest, id, ReadCredentialRequest);
  }
  std::optional<OperationRecord> Operation(const std::string& id) override {
    return One(Entity::kCredentialOperation, id, ReadOperation);
  }

  bool CredentialsStored(const std::string& session_id) override {
    auto q = db_.Prepare("SELECT 1 FROM credential_requests WHERE session_id = ? AND state = ?");
    q->Bind(1, session_id);
    q->Bind(2, Name(State::kStored));
    return q->Step();
  }

  void Insert(const SessionRecord& s) override {
    auto q = db_.Prepare(
        "INSERT INTO sessions (id, technician_id, endpoint_id, type, mode, "
        "screen_viewing, state, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    Binder b(*q);
    b(s.id)(s.technician_id)(s.endpoint_id)(std::string(policy::SessionTypeName(s.session.type)));
    if (s.session.type == policy::SessionType::kInstantChat) {
      b(s.session.chat_only ? "chat_only" : "full");
    } else {
      b.Null();
    }
    b(s.session.screen_viewing ? 1 : 0)(Name(s.state))(Ts(s.started_at));
    q->Run();
  }

  void Insert(const RequestRecord& u) override {
    auto q = db_.Prepare(
        "INSERT INTO unattended_requests (id, session_id, technician_id, "
        "endpoint_id, credential_mode, schedule, state, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Binder{*q}(u.id)(u.session_id)(u.technician_id)(u.endpoint_id)(std::string(
        policy::AuthModeName(u.credential_mode)))(policy::EncodeSchedule(u.schedule).serialize())(
        Name(u.state))(Ts(u.created_at))(Ts(u.expires_at));
    q->Run();
  }

  bool Insert(const GrantRecord& g) override {
    auto q = db_.Prepare(
        "INSERT INTO grants (id, request_id, technician_id, endpoint_id, "
        "credential_mode, effective_schedule, state, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING");
    Binder{*q}(g.id)(g.request_id)(g.grant.technician_id)(g.endpoint_id)(
        std::string(policy::AuthModeName(g.grant.credential_mode)))(
        policy::EncodeGrantSchedule(g.grant.schedule).serialize())(Name(g.grant.state))(
        Ts(g.created_at));
    return q->Run() == 1;
  }

  void Insert(const ConnectionRecord& c) override {
    auto q = db_.Prepare(
        "INSERT INTO connections (id, grant_id, technician_id, endpoint_id, "
        "state, requested_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    Binder{*q}(c.id)(c.grant_id)(c.technician_id)(c.endpoint_id)(Name(c.state))(Ts(c.requested_at))(
        Ts(c.updated_at));
    q->Run();
  }

  void Insert(const CredentialRequestRecord& c) override {
    auto q = db_.Prepare(
        "INSERT INTO credential_requests (id, session_id, technician_id, "
        "endpoint_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    Binder{*q}(c.id)(c.session_id)(c.technician_id)(c.endpoint_id)(Name(c.state))(Ts(c.created_at))(
        Ts(c.updated_at));
    q->Run();
  }

  void Insert(const OperationRecord& o) override {
    auto q = db_.Prepare(
        "INSERT INTO credential_operations (id, session_id, technician_id, "
        "endpoint_id, operation, state, requested_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    Binder{*q}(o.id)(o.session_id)(o.technician_id)(o.endpoint_id)(std::string(
        policy::OperationName(o.operation)))(Name(o.state))(Ts(o.requested_at))(Ts(o.updated_at));
    q->Run();
  }

  std::optional<State> StateOf(Entity entity, const std::string& id,
                               const std::string& endpoint_id) override {
    auto q = db_.Prepare(std::string("SELECT state FROM ") + TableOf(entity).name +
                         " WHERE id = ? AND (? = '' OR endpoint_id = ?)");
    Binder{*q}(id)(endpoint_id)(endpoint_id);
    if (!q->Step()) return std::nullopt;
    auto s = policy::workflow::ParseState(q->Text(0));
    if (!s) Damaged(TableOf(entity).name, "state");
    return s;
  }

  bool Move(Entity entity, const std::string& id, const std::string& endpoint_id,
            const Transition& t, const MoveDetails& d) override {
    if (!t.from) return false;
    const Table table = TableOf(entity);
    std::string sql = std::string("UPDATE ") + table.name + " SET state = ?";
    const bool stamp = t.changes();  // an update (a session's screen viewing) ends nothing
    if (stamp) sql += std::string(", ") + table.time_column + " = ?";
    const std::pair<const char*, const std::optional<std::string>*> texts[] = {
        {"reasons", &d.reasons},
        {"grant_id", &d.grant_id},
        {"ended_by", &d.ended_by},
        {"end_reason", &d.end_reason}};
    for (const auto& [column, v] : texts) {
      if (*v) sql += std::string(", ") + column + " = ?";
    }
    if (d.screen_viewing) sql += ", screen_viewing = ?";
    sql += " WHERE id = ? AND (? = '' OR endpoint_id = ?) AND state = ?";
    auto u = db_.Prepare(sql);
    Binder b(*u);
    b(Name(t.to));
    if (stamp) b(Ts(t.at));
    for (const auto& [column, v] : texts) {
      if (*v) b(**v);
    }
    if (d.screen_viewing) b(*d.screen_viewing ? 1 : 0);
    b(id)(endpoint_id)(endpoint_id)(Name(*t.from));
    return u->Run() == 1;
  }

  std::vector<SessionRecord> Sessions(const std::string& technician_id) override {
    return List(Entity::kSession, technician_id, ReadSession);
  }
  std::vector<RequestRecord> Requests(const std::string& technician_id) override {
    return List(Entity::kUnattendedRequest, technician_id, ReadRequest);
  }
  std::vector<GrantRecord> Grants(const std::string& technician_id) override {
    return List(Entity::kGrant, technician_id, ReadGrant);
  }
  std::vector<ConnectionRecord> Connections(const std::string& technician_id) override {
    return List(Entity::kConnection, technician_id, ReadConnection);
  }
  std::vector<CredentialRequestRecord> CredentialRequests(
      const std::string& technician_id) override {
    return List(Entity::kCredentialRequest, technician_id, ReadCredentialRequest);
  }

  void Queue(const std::string& endpoint_id, const policy::Command& command, Instant now) override {
    SqlEndpointRepository(db_)->QueueCommand(endpoint_id,
                                             std::string(policy::workflow::EventName(command.type)),
                                             policy::EncodeCommand(command).serialize(), now);
  }

 private:
  template <typename T>
  std::optional<T> One(Entity entity, const std::string& id, T (*read)(const sql::Statement&)) {
    auto q = db_.Prepare(std::string("SELECT * FROM ") + TableOf(entity).name + " WHERE id = ?");
    q->Bind(1, id);
    if (!q->Step()) return std::nullopt;
    return read(*q);
  }

  template <typename T>
  std::vector<T> List(Entity entity, const std::string& technician_id,
                      T (*read)(const sql::Statement&)) {
    const Table table = TableOf(entity);
    auto q = db_.Prepare(std::string("SELECT * FROM ") + table.name +
                         " WHERE (? = '' OR technician_id = ?) ORDER BY " + table.order + ", id");
    q->Bind(1, technician_id);
    q->Bind(2, technician_id);
    std::vector<T> out;
    while (q->Step()) out.push_back(read(*q));
    return out;
  }

  sql::Connection& db_;
};

}  // namespace

std::unique_ptr<WorkflowRepository> SqlWorkflowRepository(sql::Connection& db) {
  return std::make_unique<SqlWorkflows>(db);
}

}  // namespace custodian::admincenter
