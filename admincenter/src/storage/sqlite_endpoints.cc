// EndpointRepository on SQLite.
#include <SQLiteCpp/Statement.h>

#include "admincenter/storage/sqlite.h"
#include "common/crypto.h"
#include "schema/row_reader.h"

namespace custodian::admincenter {
namespace {

using policy::Instant;

std::string Ts(Instant t) { return policy::FormatRfc3339(t); }

void BindBlob(SQLite::Statement& q, int i, const std::string& bytes) {
  q.bind(i, bytes.data(), static_cast<int>(bytes.size()));
}

EndpointRecord ReadEndpoint(SQLite::Statement& q) {
  schema::RowReader r(q, "endpoints");
  EndpointRecord e;
  e.id = r.Text("id");
  e.name = r.Text("name");
  e.os = r.Text("os");
  e.time_zone = r.Text("time_zone");
  e.enrolled_at = r.At("enrolled_at");
  e.last_seen = r.MaybeAt("last_seen");
  if (!q.getColumn("bundle_version").isNull()) {
    e.bundle_version = q.getColumn("bundle_version").getInt64();
  }
  e.last_event_seq = q.getColumn("last_event_seq").getInt64();
  e.last_event_hash = r.Text("last_event_hash");
  return e;
}

constexpr const char* kEndpointColumns =
    "id, name, os, time_zone, enrolled_at, last_seen, bundle_version, last_event_seq, "
    "last_event_hash";  // never the token's hash

class SqliteEndpoints : public EndpointRepository {
 public:
  explicit SqliteEndpoints(SQLite::Database& db) : db_(db) {}

  void InsertEnrollmentCode(const std::string& id, const std::string& code_hash,
                            const std::string& created_by, Instant created_at,
                            Instant expires_at) override {
    SQLite::Statement q(db_,
                        "INSERT INTO enrollment_codes (id, code_hash, created_by, created_at, "
                        "expires_at) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, id);
    BindBlob(q, 2, code_hash);
    q.bind(3, created_by);
    q.bind(4, Ts(created_at));
    q.bind(5, Ts(expires_at));
    q.exec();
  }

  std::optional<std::string> UseEnrollmentCode(const std::string& code_hash, Instant now,
                                               const std::string& endpoint_id) override {
    SQLite::Statement q(db_,
                        "SELECT id FROM enrollment_codes WHERE code_hash = ? AND used_at IS NULL "
                        "AND expires_at > ?");
    BindBlob(q, 1, code_hash);
    q.bind(2, Ts(now));
    if (!q.executeStep()) return std::nullopt;
    const std::string id = q.getColumn(0).getString();
    SQLite::Statement use(db_,
                          "UPDATE enrollment_codes SET used_at = ?, endpoint_id = ? "
                          "WHERE id = ? AND used_at IS NULL");
    use.bind(1, Ts(now));
    use.bind(2, endpoint_id);
    use.bind(3, id);
    if (use.exec() != 1) return std::nullopt;
    return id;
  }

  void Insert(const EndpointRecord& e, const std::string& token_hash) override {
    SQLite::Statement q(db_,
                        "INSERT INTO endpoints (id, name, os, time_zone, token_hash, enrolled_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)");
    q.bind(1, e.id);
    q.bind(2, e.name);
    q.bind(3, e.os);
    q.bind(4, e.time_zone);
    BindBlob(q, 5, token_hash);
    q.bind(6, Ts(e.enrolled_at));
    q.exec();
  }

  std::optional<EndpointRecord> Endpoint(const std::string& id) override {
    SQLite::Statement q(db_,
                        std::string("SELECT ") + kEndpointColumns + " FROM endpoints WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return ReadEndpoint(q);
  }

  std::vector<EndpointRecord> Endpoints() override {
    SQLite::Statement q(db_, std::string("SELECT ") + kEndpointColumns +
                                 " FROM endpoints ORDER BY enrolled_at, id");
    std::vector<EndpointRecord> out;
    while (q.executeStep()) out.push_back(ReadEndpoint(q));
    return out;
  }

  void RecordSeen(const std::string& id, Instant at, std::optional<int64_t> version) override {
    SQLite::Statement u(db_,
                        "UPDATE endpoints SET last_seen = ?, "
                        "bundle_version = COALESCE(?, bundle_version) WHERE id = ?");
    u.bind(1, Ts(at));
    if (version) {
      u.bind(2, *version);
    } else {
      u.bind(2);
    }
    u.bind(3, id);
    u.exec();
  }

  void SetEventHead(const std::string& id, int64_t seq, const std::string& hash) override {
    SQLite::Statement u(
        db_, "UPDATE endpoints SET last_event_seq = ?, last_event_hash = ? WHERE id = ?");
    u.bind(1, seq);
    u.bind(2, hash);
    u.bind(3, id);
    u.exec();
  }

  bool EventReceived(const std::string& event_id) override {
    SQLite::Statement q(db_, "SELECT 1 FROM endpoint_events WHERE event_id = ?");
    q.bind(1, event_id);
    return q.executeStep();
  }

  void KeepEvent(const std::string& event_id, const std::string& endpoint_id, int64_t seq,
                 const std::string& hash, int64_t audit_seq) override {
    SQLite::Statement q(db_,
                        "INSERT INTO endpoint_events (event_id, endpoint_id, seq, hash, "
                        "audit_seq) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, event_id);
    q.bind(2, endpoint_id);
    q.bind(3, seq);
    q.bind(4, hash);
    q.bind(5, audit_seq);
    q.exec();
  }

  std::string QueueCommand(const std::string& endpoint_id, const std::string& type,
                           const std::string& body, Instant now) override {
    const std::string id = crypto::NewId("cmd_");
    SQLite::Statement q(db_,
                        "INSERT INTO endpoint_commands (id, endpoint_id, type, body, created_at) "
                        "VALUES (?, ?, ?, ?, ?)");
    q.bind(1, id);
    q.bind(2, endpoint_id);
    q.bind(3, type);
    q.bind(4, body);
    q.bind(5, Ts(now));
    q.exec();
    return id;
  }

  std::vector<CommandRecord> PendingCommands(const std::string& endpoint_id,
                                             std::size_t max) override {
    SQLite::Statement q(db_,
                        "SELECT id, type, body, created_at FROM endpoint_commands "
                        "WHERE endpoint_id = ? AND acked_at IS NULL ORDER BY seq LIMIT ?");
    q.bind(1, endpoint_id);
    q.bind(2, static_cast<int64_t>(max));
    std::vector<CommandRecord> out;
    while (q.executeStep()) {
      schema::RowReader r(q, "endpoint_commands");
      out.push_back({r.Text("id"), r.Text("type"), r.Text("body"), r.At("created_at")});
    }
    return out;
  }

  int AckCommands(const std::string& endpoint_id, const std::vector<std::string>& ids,
                  Instant at) override {
    int acked = 0;
    SQLite::Statement u(db_,
                        "UPDATE endpoint_commands SET acked_at = ? "
                        "WHERE id = ? AND endpoint_id = ? AND acked_at IS NULL");
    for (const std::string& id : ids) {
      u.bind(1, Ts(at));
      u.bind(2, id);
      u.bind(3, endpoint_id);
      acked += u.exec();
      u.reset();
    }
    return acked;
  }

  std::optional<BundleRecord> LatestBundle() override {
    SQLite::Statement q(db_,
                        "SELECT version, issued_at, expires_at, policy_hash, keys_hash, envelope "
                        "FROM policy_bundles ORDER BY version DESC LIMIT 1");
    if (!q.executeStep()) return std::nullopt;
    schema::RowReader r(q, "policy_bundles");
    return BundleRecord{q.getColumn("version").getInt64(),
                        r.At("issued_at"),
                        r.At("expires_at"),
                        r.Text("policy_hash"),
                        r.Text("keys_hash"),
                        r.Text("envelope")};
  }

  void Insert(const BundleRecord& b) override {
    SQLite::Statement q(db_,
                        "INSERT INTO policy_bundles (version, issued_at, expires_at, "
                        "policy_hash, keys_hash, envelope) VALUES (?, ?, ?, ?, ?, ?)");
    q.bind(1, b.version);
    q.bind(2, Ts(b.issued_at));
    q.bind(3, Ts(b.expires_at));
    q.bind(4, b.policy_hash);
    q.bind(5, b.keys_hash);
    q.bind(6, b.envelope);
    q.exec();
  }

 private:
  SQLite::Database& db_;
};

}  // namespace

std::unique_ptr<EndpointRepository> SqliteEndpointRepository(SQLite::Database& db) {
  return std::make_unique<SqliteEndpoints>(db);
}

}  // namespace custodian::admincenter
