// PrincipalRepository on SQL (storage/sql.h).
#include "admincenter/storage/sql.h"
#include "common/crypto.h"
#include "schema/row_reader.h"

namespace custodian::admincenter {
namespace {

using policy::Instant;
using sql::BindAll;

constexpr std::size_t kTokenBytes = 32;  // 256 bits

std::string Ts(Instant t) { return policy::FormatRfc3339(t); }

constexpr const char* kColumns = "p.id, p.name, p.kind, p.group_id, p.time_zone, p.disabled";

class SqlPrincipals : public PrincipalRepository {
 public:
  explicit SqlPrincipals(sql::Connection& db) : db_(db) {}

  std::optional<Principal> Find(const std::string& id) override {
    auto q = db_.Prepare(std::string("SELECT ") + kColumns + " FROM principals p WHERE p.id = ?");
    if (!BindAll(*q, id).Step()) return std::nullopt;
    return Read(*q);
  }

  std::optional<Principal> FindByName(const std::string& name,
                                      std::string* password_hash) override {
    auto q = db_.Prepare(std::string("SELECT ") + kColumns +
                         ", p.password_hash FROM principals p WHERE p.name = ?");
    if (!BindAll(*q, name).Step()) return std::nullopt;
    if (password_hash) *password_hash = q->Text("password_hash");
    return Read(*q);
  }

  std::optional<Principal> FindByToken(const std::string& token_hash, bool endpoint_token,
                                       Instant now, Instant* expires_at) override {
    if (endpoint_token) {
      auto e = db_.Prepare("SELECT id, name FROM endpoints WHERE token_hash = ?");
      e->BindBytes(1, token_hash);
      if (!e->Step()) return std::nullopt;
      if (expires_at) *expires_at = Instant::max();
      Principal p;
      p.id = e->Text(0);
      p.name = e->Text(1);
      p.role = Role::kEndpoint;
      return p;
    }
    auto q = db_.Prepare(std::string("SELECT ") + kColumns +
                         ", t.expires_at FROM tokens t "
                         "JOIN principals p ON p.id = t.principal_id "
                         "WHERE t.token_hash = ? AND t.revoked = 0 AND t.expires_at > ? "
                         "AND p.disabled = 0");
    q->BindBytes(1, token_hash);
    q->Bind(2, Ts(now));
    if (!q->Step()) return std::nullopt;
    if (expires_at) *expires_at = schema::RowReader(*q, "tokens").At("expires_at");
    return Read(*q);
  }

  std::vector<Principal> List(Role kind) override {
    auto q = db_.Prepare(std::string("SELECT ") + kColumns +
                         " FROM principals p WHERE p.kind = ? OR "
                         "(? = 1 AND p.kind = 'master_admin') ORDER BY p.position");
    BindAll(*q, RoleName(kind), kind == Role::kAdmin ? 1 : 0);
    std::vector<Principal> out;
    while (q->Step()) out.push_back(Read(*q));
    return out;
  }

  void Insert(const Principal& p, const std::string& password_hash, Instant now) override {
    auto insert = db_.Prepare(
        "INSERT INTO principals (id, kind, name, password_hash, group_id, time_zone, position, "
        "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM principals), ?7, ?7)");
    BindAll(*insert, p.id, RoleName(p.role), p.name);
    if (password_hash.empty()) {
      insert->BindNull(4);
    } else {
      insert->Bind(4, password_hash);
    }
    if (p.group_id) {
      insert->Bind(5, *p.group_id);
      insert->Bind(6, p.time_zone.value_or(""));
    } else {
      insert->BindNull(5);
      insert->BindNull(6);
    }
    insert->Bind(7, Ts(now));
    insert->Run();
    auto scope = db_.Prepare("INSERT INTO admin_scopes (principal_id, group_id) VALUES (?, ?)");
    for (const std::string& g : p.scopes) BindAll(*scope, p.id, g).Run();
    Announce(db_, {Change::Kind::kPrincipals, ""});
  }

  void SetPassword(const std::string& id, const std::string& password_hash, Instant now) override {
    auto u = db_.Prepare("UPDATE principals SET password_hash = ?, updated_at = ? WHERE id = ?");
    BindAll(*u, password_hash, Ts(now), id).Run();
    Announce(db_, {Change::Kind::kPrincipals, ""});
  }

  void SetDisabled(const std::string& id, bool disabled, Instant now) override {
    auto u = db_.Prepare("UPDATE principals SET disabled = ?, updated_at = ? WHERE id = ?");
    BindAll(*u, disabled ? 1 : 0, Ts(now), id).Run();
    if (disabled) {
      BindAll(*db_.Prepare("UPDATE tokens SET revoked = 1 WHERE principal_id = ?"), id).Run();
    }
    // Every replica forgets the tokens it had seen (Service's cache).
    Announce(db_, {Change::Kind::kPrincipals, ""});
  }

  IssuedToken IssueToken(const std::string& principal_id, Instant now,
                         std::chrono::seconds lifetime) override {
    IssuedToken t;
    t.id = crypto::NewId("tok_");
    t.secret = "cst_" + crypto::Base64Url(crypto::RandomBytes(kTokenBytes));
    t.expires_at = now + lifetime;
    auto insert = db_.Prepare(
        "INSERT INTO tokens (id, principal_id, token_hash, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)");
    BindAll(*insert, t.id, principal_id);
    insert->BindBytes(3, crypto::Sha256(t.secret));
    insert->Bind(4, Ts(now));
    insert->Bind(5, Ts(t.expires_at));
    insert->Run();
    return t;
  }

  std::optional<std::string> TokenOwner(const std::string& token_id) override {
    auto q = db_.Prepare("SELECT principal_id FROM tokens WHERE id = ? AND revoked = 0");
    if (!BindAll(*q, token_id).Step()) return std::nullopt;
    return q->Text(0);
  }

  void RevokeToken(const std::string& token_id) override {
    BindAll(*db_.Prepare("UPDATE tokens SET revoked = 1 WHERE id = ?"), token_id).Run();
    Announce(db_, {Change::Kind::kPrincipals, ""});
  }

 private:
  Principal Read(const sql::Statement& q) {
    schema::RowReader r(q, "principals");
    Principal p;
    p.id = r.Text("id");
    p.name = r.Text("name");
    p.role = r.Enum("kind", ParseRole);
    if (!r.IsNull("group_id")) p.group_id = r.Text("group_id");
    if (!r.IsNull("time_zone")) p.time_zone = r.Text("time_zone");
    p.disabled = r.Flag("disabled");
    if (p.role == Role::kAdmin) {
      auto s = db_.Prepare("SELECT group_id FROM admin_scopes WHERE principal_id = ? ORDER BY 1");
      BindAll(*s, p.id);
      while (s->Step()) p.scopes.push_back(s->Text(0));
    }
    return p;
  }

  sql::Connection& db_;
};

}  // namespace

std::unique_ptr<PrincipalRepository> SqlPrincipalRepository(sql::Connection& db) {
  return std::make_unique<SqlPrincipals>(db);
}

}  // namespace custodian::admincenter
