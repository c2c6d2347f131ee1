// PrincipalRepository on SQLite.
#include <SQLiteCpp/Statement.h>

#include "admincenter/storage/sqlite.h"
#include "common/crypto.h"
#include "schema/row_reader.h"

namespace custodian::admincenter {
namespace {

using policy::Instant;

constexpr std::size_t kTokenBytes = 32;  // 256 bits

std::string Ts(Instant t) { return policy::FormatRfc3339(t); }

void BindBlob(SQLite::Statement& q, int i, const std::string& bytes) {
  q.bind(i, bytes.data(), static_cast<int>(bytes.size()));
}

constexpr const char* kColumns = "p.id, p.name, p.kind, p.group_id, p.time_zone, p.disabled";

class SqlitePrincipals : public PrincipalRepository {
 public:
  explicit SqlitePrincipals(SQLite::Database& db) : db_(db) {}

  std::optional<Principal> Find(const std::string& id) override {
    SQLite::Statement q(db_,
                        std::string("SELECT ") + kColumns + " FROM principals p WHERE p.id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return Read(q);
  }

  std::optional<Principal> FindByName(const std::string& name,
                                      std::string* password_hash) override {
    SQLite::Statement q(db_, std::string("SELECT ") + kColumns +
                                 ", p.password_hash FROM principals p WHERE p.name = ?");
    q.bind(1, name);
    if (!q.executeStep()) return std::nullopt;
    if (password_hash) *password_hash = schema::RowReader(q, "principals").Text("password_hash");
    return Read(q);
  }

  std::optional<Principal> FindByToken(const std::string& token_hash, bool endpoint_token,
                                       Instant now, Instant* expires_at) override {
    if (endpoint_token) {
      SQLite::Statement e(db_, "SELECT id, name FROM endpoints WHERE token_hash = ?");
      BindBlob(e, 1, token_hash);
      if (!e.executeStep()) return std::nullopt;
      if (expires_at) *expires_at = Instant::max();
      Principal p;
      p.id = e.getColumn(0).getString();
      p.name = e.getColumn(1).getString();
      p.role = Role::kEndpoint;
      return p;
    }
    SQLite::Statement q(db_, std::string("SELECT ") + kColumns +
                                 ", t.expires_at FROM tokens t "
                                 "JOIN principals p ON p.id = t.principal_id "
                                 "WHERE t.token_hash = ? AND t.revoked = 0 AND t.expires_at > ? "
                                 "AND p.disabled = 0");
    BindBlob(q, 1, token_hash);
    q.bind(2, Ts(now));
    if (!q.executeStep()) return std::nullopt;
    if (expires_at) *expires_at = schema::RowReader(q, "tokens").At("expires_at");
    return Read(q);
  }

  std::vector<Principal> List(Role kind) override {
    SQLite::Statement q(db_, std::string("SELECT ") + kColumns +
                                 " FROM principals p WHERE p.kind = ? OR "
                                 "(? AND p.kind = 'master_admin') ORDER BY p.position");
    q.bind(1, RoleName(kind));
    q.bind(2, kind == Role::kAdmin ? 1 : 0);
    std::vector<Principal> out;
    while (q.executeStep()) out.push_back(Read(q));
    return out;
  }

  void Insert(const Principal& p, const std::string& password_hash, Instant now) override {
    SQLite::Statement insert(
        db_,
        "INSERT INTO principals (id, kind, name, password_hash, group_id, time_zone, position, "
        "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM principals), ?7, ?7)");
    insert.bind(1, p.id);
    insert.bind(2, RoleName(p.role));
    insert.bind(3, p.name);
    if (password_hash.empty()) {
      insert.bind(4);
    } else {
      insert.bind(4, password_hash);
    }
    if (p.group_id) {
      insert.bind(5, *p.group_id);
      insert.bind(6, p.time_zone.value_or(""));
    } else {
      insert.bind(5);
      insert.bind(6);
    }
    insert.bind(7, Ts(now));
    insert.exec();
    for (const std::string& g : p.scopes) {
      SQLite::Statement s(db_, "INSERT INTO admin_scopes (principal_id, group_id) VALUES (?, ?)");
      s.bind(1, p.id);
      s.bind(2, g);
      s.exec();
    }
  }

  void SetPassword(const std::string& id, const std::string& password_hash, Instant now) override {
    SQLite::Statement u(db_,
                        "UPDATE principals SET password_hash = ?, updated_at = ? WHERE id = ?");
    u.bind(1, password_hash);
    u.bind(2, Ts(now));
    u.bind(3, id);
    u.exec();
  }

  void SetDisabled(const std::string& id, bool disabled, Instant now) override {
    SQLite::Statement u(db_, "UPDATE principals SET disabled = ?, updated_at = ? WHERE id = ?");
    u.bind(1, disabled ? 1 : 0);
    u.bind(2, Ts(now));
    u.bind(3, id);
    u.exec();
    if (disabled) {
      SQLite::Statement r(db_, "UPDATE tokens SET revoked = 1 WHERE principal_id = ?");
      r.bind(1, id);
      r.exec();
    }
  }

  IssuedToken IssueToken(const std::string& principal_id, Instant now,
                         std::chrono::seconds lifetime) override {
    IssuedToken t;
    t.id = crypto::NewId("tok_");
    t.secret = "cst_" + crypto::Base64Url(crypto::RandomBytes(kTokenBytes));
    t.expires_at = now + lifetime;
    SQLite::Statement insert(db_,
                             "INSERT INTO tokens (id, principal_id, token_hash, created_at, "
                             "expires_at) VALUES (?, ?, ?, ?, ?)");
    insert.bind(1, t.id);
    insert.bind(2, principal_id);
    BindBlob(insert, 3, crypto::Sha256(t.secret));
    insert.bind(4, Ts(now));
    insert.bind(5, Ts(t.expires_at));
    insert.exec();
    return t;
  }

  std::optional<std::string> TokenOwner(const std::string& token_id) override {
    SQLite::Statement q(db_, "SELECT principal_id FROM tokens WHERE id = ? AND revoked = 0");
    q.bind(1, token_id);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
  }

  void RevokeToken(const std::string& token_id) override {
    SQLite::Statement u(db_, "UPDATE tokens SET revoked = 1 WHERE id = ?");
    u.bind(1, token_id);
    u.exec();
  }

 private:
  Principal Read(SQLite::Statement& q) {
    schema::RowReader r(q, "principals");
    Principal p;
    p.id = r.Text("id");
    p.name = r.Text("name");
    p.role = r.Enum("kind", ParseRole);
    if (!q.getColumn("group_id").isNull()) p.group_id = r.Text("group_id");
    if (!q.getColumn("time_zone").isNull()) p.time_zone = r.Text("time_zone");
    p.disabled = r.Flag("disabled");
    if (p.role == Role::kAdmin) {
      SQLite::Statement s(db_,
                          "SELECT group_id FROM admin_scopes WHERE principal_id = ? ORDER BY 1");
      s.bind(1, p.id);
      while (s.executeStep()) p.scopes.push_back(s.getColumn(0).getString());
    }
    return p;
  }

  SQLite::Database& db_;
};

}  // namespace

std::unique_ptr<PrincipalRepository> SqlitePrincipalRepository(SQLite::Database& db) {
  return std::make_unique<SqlitePrincipals>(db);
}

}  // namespace custodian::admincenter
