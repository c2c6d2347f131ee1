// EndpointRepository on SQL (storage/sql.h).
#include "admincenter/storage/sql.h"
#include "common/crypto.h"
#include "schema/row_reader.h"

namespace custodian::admincenter {
namespace {

using policy::Instant;
using sql::BindAll;

std::string Ts(Instant t) { return policy::FormatRfc3339(t); }

EndpointRecord ReadEndpoint(const sql::Statement& q) {
  schema::RowReader r(q, "endpoints");
  EndpointRecord e;
  e.id = r.Text("id");
  e.name = r.Text("name");
  e.os = r.Text("os");
  e.time_zone = r.Text("time_zone");
  e.enrolled_at = r.At("enrolled_at");
  e.last_seen = r.MaybeAt("last_seen");
  if (!r.IsNull("bundle_version")) e.bundle_version = r.Int64("bundle_version");
  e.last_event_seq = r.Int64("last_event_seq");
  e.last_event_hash = r.Text("last_event_hash");
  return e;
}

constexpr const char* kEndpointColumns =
    "id, name, os, time_zone, enrolled_at, last_seen, bundle_version, last_event_seq, "
    "last_event_hash";  // never the token's hash

class SqlEndpoints : public EndpointRepository {
 public:
  explicit SqlEndpoints(sql::Connection& db) : db_(db) {}

  void InsertEnrollmentCode(const std::string& id, const std::string& code_hash,
                            const std::string& created_by, Instant created_at,
                            Instant expires_at) override {
    auto q = db_.Prepare(
        "INSERT INTO enrollment_codes (id, code_hash, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)");
    q->Bind(1, id);
    q->BindBytes(2, code_hash);
    q->Bind(3, created_by);
    q->Bind(4, Ts(created_at));
    q->Bind(5, Ts(expires_at));
    q->Run();
  }

  std::optional<std::string> UseEnrollmentCode(const std::string& code_hash, Instant now,
                                               const std::string& endpoint_id) override {
    auto q = db_.Prepare(
        "SELECT id FROM enrollment_codes WHERE code_hash = ? AND used_at IS NULL "
        "AND expires_at > ?");
    q->BindBytes(1, code_hash);
    q->Bind(2, Ts(now));
    if (!q->Step()) return std::nullopt;
    const std::string id = q->Text(0);
    auto use = db_.Prepare(
        "UPDATE enrollment_codes SET used_at = ?, endpoint_id = ? WHERE id = ? AND used_at IS "
        "NULL");
    if (BindAll(*use, Ts(now), endpoint_id, id).Run() != 1) return std::nullopt;
    return id;
  }

  void Insert(const EndpointRecord& e, const std::string& token_hash) override {
    auto q = db_.Prepare(
        "INSERT INTO endpoints (id, name, os, time_zone, token_hash, enrolled_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    BindAll(*q, e.id, e.name, e.os, e.time_zone);
    q->BindBytes(5, token_hash);
    q->Bind(6, Ts(e.enrolled_at));
    q->Run();
  }

  std::optional<EndpointRecord> Endpoint(const std::string& id) override {
    auto q =
        db_.Prepare(std::string("SELECT ") + kEndpointColumns + " FROM endpoints WHERE id = ?");
    if (!BindAll(*q, id).Step()) return std::nullopt;
    return ReadEndpoint(*q);
  }

  std::vector<EndpointRecord> Endpoints() override {
    auto q = db_.Prepare(std::string("SELECT ") + kEndpointColumns +
                         " FROM endpoints ORDER BY enrolled_at, id");
    std::vector<EndpointRecord> out;
    while (q->Step()) out.push_back(ReadEndpoint(*q));
    return out;
  }

  void RecordSeen(const std::string& id, Instant at, std::optional<int64_t> version) override {
    auto u = db_.Prepare(
        "UPDATE endpoints SET last_seen = ?, bundle_version = COALESCE(?, bundle_version) "
        "WHERE id = ?");
    u->Bind(1, Ts(at));
    if (version) {
      u->Bind(2, *version);
    } else {
      u->BindNull(2);
    }
    u->Bind(3, id);
    u->Run();
  }

  void SetEventHead(const std::string& id, int64_t seq, const std::string& hash) override {
    auto u =
        db_.Prepare("UPDATE endpoints SET last_event_seq = ?, last_event_hash = ? WHERE id = ?");
    BindAll(*u, seq, hash, id).Run();
  }

  bool EventReceived(const std::string& event_id) override {
    auto q = db_.Prepare("SELECT 1 FROM endpoint_events WHERE event_id = ?");
    return BindAll(*q, event_id).Step();
  }

  void KeepEvent(const std::string& event_id, const std::string& endpoint_id, int64_t seq,
                 const std::string& hash, int64_t audit_seq) override {
    auto q = db_.Prepare(
        "INSERT INTO endpoint_events (event_id, endpoint_id, seq, hash, audit_seq) "
        "VALUES (?, ?, ?, ?, ?)");
    BindAll(*q, event_id, endpoint_id, seq, hash, audit_seq).Run();
  }

  std::string QueueCommand(const std::string& endpoint_id, const std::string& type,
                           const std::string& body, Instant now) override {
    const std::string id = crypto::NewId("cmd_");
    auto q = db_.Prepare(
        "INSERT INTO endpoint_commands (id, endpoint_id, type, body, created_at) "
        "VALUES (?, ?, ?, ?, ?)");
    BindAll(*q, id, endpoint_id, type, body, Ts(now)).Run();
    // The row is the outbox; the announcement only wakes the endpoint's
    // parked poll wherever it is parked.
    Announce(db_, {Change::Kind::kCommands, endpoint_id});
    return id;
  }

  std::vector<CommandRecord> PendingCommands(const std::string& endpoint_id,
                                             std::size_t max) override {
    auto q = db_.Prepare(
        "SELECT id, type, body, created_at FROM endpoint_commands "
        "WHERE endpoint_id = ? AND acked_at IS NULL ORDER BY seq LIMIT ?");
    BindAll(*q, endpoint_id, static_cast<int64_t>(max));
    std::vector<CommandRecord> out;
    while (q->Step()) {
      schema::RowReader r(*q, "endpoint_commands");
      out.push_back({r.Text("id"), r.Text("type"), r.Text("body"), r.At("created_at")});
    }
    return out;
  }

  int AckCommands(const std::string& endpoint_id, const std::vector<std::string>& ids,
                  Instant at) override {
    int64_t acked = 0;
    auto u = db_.Prepare(
        "UPDATE endpoint_commands SET acked_at = ? "
        "WHERE id = ? AND endpoint_id = ? AND acked_at IS NULL");
    for (const std::string& id : ids) acked += BindAll(*u, Ts(at), id, endpoint_id).Run();
    return static_cast<int>(acked);
  }

  std::optional<BundleRecord> LatestBundle() override {
    auto q = db_.Prepare(
        "SELECT version, issued_at, expires_at, policy_hash, keys_hash, envelope "
        "FROM policy_bundles ORDER BY version DESC LIMIT 1");
    if (!q->Step()) return std::nullopt;
    schema::RowReader r(*q, "policy_bundles");
    return BundleRecord{r.Int64("version"),    r.At("issued_at"),   r.At("expires_at"),
                        r.Text("policy_hash"), r.Text("keys_hash"), r.Text("envelope")};
  }

  void Insert(const BundleRecord& b) override {
    auto q = db_.Prepare(
        "INSERT INTO policy_bundles (version, issued_at, expires_at, policy_hash, keys_hash, "
        "envelope) VALUES (?, ?, ?, ?, ?, ?)");
    BindAll(*q, b.version, Ts(b.issued_at), Ts(b.expires_at), b.policy_hash, b.keys_hash,
            b.envelope)
        .Run();
  }

 private:
  sql::Connection& db_;
};

}  // namespace

std::unique_ptr<EndpointRepository> SqlEndpointRepository(sql::Connection& db) {
  return std::make_unique<SqlEndpoints>(db);
}

}  // namespace custodian::admincenter
