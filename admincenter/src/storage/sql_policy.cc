// PolicyRepository on SQL (storage/sql.h).
#include "admincenter/storage/sql.h"

namespace custodian::admincenter {

using sql::BindAll;
using web::json::value;

namespace {

class SqlPolicy : public PolicyRepository {
 public:
  explicit SqlPolicy(sql::Connection& db) : db_(db) {}
  value Document() override;
  void SaveGroup(const policy::Group& group, policy::Instant now) override;
  void DeleteGroup(const std::string& id) override;
  bool GroupInUse(const std::string& id) override;
  void SaveSettings(const policy::GlobalSettings& settings, policy::Instant now) override;
  std::string Tag() override;
  void SetTag(const std::string& tag) override;

 private:
  sql::Connection& db_;
};

value SqlPolicy::Document() {
  value doc = value::object(true);
  {
    auto q = db_.Prepare("SELECT document FROM settings WHERE id = 1");
    doc["settings"] = q->Step() ? value::parse(q->Text(0)) : value::object();
  }
  value groups = value::array();
  {
    auto q = db_.Prepare("SELECT document FROM groups ORDER BY position");
    std::size_t n = 0;
    while (q->Step()) groups[n++] = value::parse(q->Text(0));
  }
  doc["groups"] = groups;
  value technicians = value::array();
  {
    auto q = db_.Prepare(
        "SELECT id, group_id, time_zone FROM principals WHERE kind = 'technician' "
        "AND disabled = 0 ORDER BY position");
    std::size_t n = 0;
    while (q->Step()) {
      value t = value::object(true);
      t["id"] = value::string(q->Text(0));
      t["group_id"] = value::string(q->Text(1));
      t["time_zone"] = value::string(q->Text(2));
      technicians[n++] = t;
    }
  }
  doc["technicians"] = technicians;
  return doc;
}

void SqlPolicy::SaveGroup(const policy::Group& g, policy::Instant now) {
  auto q = db_.Prepare(
      "INSERT INTO groups (id, name, parent_id, document, position, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(position), 0) + 1 FROM groups), ?5, ?5) "
      "ON CONFLICT (id) DO UPDATE SET name = ?2, parent_id = ?3, document = ?4, updated_at = ?5");
  BindAll(*q, g.id, g.name);
  if (g.parent_id) {
    q->Bind(3, *g.parent_id);
  } else {
    q->BindNull(3);
  }
  q->Bind(4, policy::EncodeGroup(g).serialize());
  q->Bind(5, policy::FormatRfc3339(now));
  q->Run();
}

void SqlPolicy::DeleteGroup(const std::string& id) {
  BindAll(*db_.Prepare("DELETE FROM groups WHERE id = ?"), id).Run();
}

bool SqlPolicy::GroupInUse(const std::string& id) {
  auto q = db_.Prepare(
      "SELECT (SELECT COUNT(*) FROM groups WHERE parent_id = ?1) + "
      "(SELECT COUNT(*) FROM principals WHERE group_id = ?1) + "
      "(SELECT COUNT(*) FROM admin_scopes WHERE group_id = ?1)");
  BindAll(*q, id).Step();
  return q->Int64(0) > 0;
}

std::string SqlPolicy::Tag() {
  auto q = db_.Prepare("SELECT tag FROM policy_state WHERE id = 1");
  q->Step();
  return q->Text(0);
}

void SqlPolicy::SetTag(const std::string& tag) {
  BindAll(*db_.Prepare("UPDATE policy_state SET tag = ? WHERE id = 1"), tag).Run();
  // Every policy write sets a new tag: the one place that tells replicas.
  Announce(db_, {Change::Kind::kPolicy, ""});
}

void SqlPolicy::SaveSettings(const policy::GlobalSettings& s, policy::Instant now) {
  auto q = db_.Prepare(
      "INSERT INTO settings (id, document, updated_at) VALUES (1, ?1, ?2) "
      "ON CONFLICT (id) DO UPDATE SET document = ?1, updated_at = ?2");
  BindAll(*q, policy::EncodeSettings(s).serialize(), policy::FormatRfc3339(now)).Run();
}

}  // namespace

std::unique_ptr<PolicyRepository> SqlPolicyRepository(sql::Connection& db) {
  return std::make_unique<SqlPolicy>(db);
}

}  // namespace custodian::admincenter
