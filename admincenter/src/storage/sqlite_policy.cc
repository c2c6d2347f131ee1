#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <unordered_map>

#include "admincenter/storage/sqlite.h"

namespace custodian::admincenter {

using web::json::value;

namespace {

class SqlitePolicy : public PolicyRepository {
 public:
  explicit SqlitePolicy(SQLite::Database& db) : db_(db) {}
  value Document() override;
  void SaveGroup(const policy::Group& group, policy::Instant now) override;
  void DeleteGroup(const std::string& id) override;
  bool GroupInUse(const std::string& id) override;
  void SaveSettings(const policy::GlobalSettings& settings, policy::Instant now) override;
  std::string Tag() override;
  void SetTag(const std::string& tag) override;

 private:
  SQLite::Database& db_;
};

value SqlitePolicy::Document() {
  SQLite::Database& db = db_;
  value doc = value::object(true);
  {
    SQLite::Statement q(db, "SELECT document FROM settings WHERE id = 1");
    doc["settings"] = q.executeStep() ? value::parse(q.getColumn(0).getString()) : value::object();
  }
  value groups = value::array();
  {
    SQLite::Statement q(db, "SELECT document FROM groups ORDER BY position");
    std::size_t n = 0;
    while (q.executeStep()) groups[n++] = value::parse(q.getColumn(0).getString());
  }
  doc["groups"] = groups;
  value technicians = value::array();
  {
    SQLite::Statement q(db,
                        "SELECT id, group_id, time_zone FROM principals WHERE kind = 'technician' "
                        "AND disabled = 0 ORDER BY position");
    std::size_t n = 0;
    while (q.executeStep()) {
      value t = value::object(true);
      t["id"] = value::string(q.getColumn(0).getString());
      t["group_id"] = value::string(q.getColumn(1).getString());
      t["time_zone"] = value::string(q.getColumn(2).getString());
      technicians[n++] = t;
    }
  }
  doc["technicians"] = technicians;
  return doc;
}

void SqlitePolicy::SaveGroup(const policy::Group& g, policy::Instant now) {
  SQLite::Statement q(db_,
                      "INSERT INTO groups (id, name, parent_id, document, position, created_at, "
                      "updated_at) VALUES (?1, ?2, ?3, ?4, "
                      "(SELECT COALESCE(MAX(position), 0) + 1 FROM groups), ?5, ?5) "
                      "ON CONFLICT(id) DO UPDATE SET name = ?2, parent_id = ?3, document = ?4, "
                      "updated_at = ?5");
  q.bind(1, g.id);
  q.bind(2, g.name);
  if (g.parent_id) {
    q.bind(3, *g.parent_id);
  } else {
    q.bind(3);
  }
  q.bind(4, policy::EncodeGroup(g).serialize());
  q.bind(5, policy::FormatRfc3339(now));
  q.exec();
}

void SqlitePolicy::DeleteGroup(const std::string& id) {
  SQLite::Statement q(db_, "DELETE FROM groups WHERE id = ?");
  q.bind(1, id);
  q.exec();
}

bool SqlitePolicy::GroupInUse(const std::string& id) {
  SQLite::Statement q(db_,
                      "SELECT (SELECT COUNT(*) FROM groups WHERE parent_id = ?1) + "
                      "(SELECT COUNT(*) FROM principals WHERE group_id = ?1) + "
                      "(SELECT COUNT(*) FROM admin_scopes WHERE group_id = ?1)");
  q.bind(1, id);
  q.executeStep();
  return q.getColumn(0).getInt() > 0;
}

std::string SqlitePolicy::Tag() {
  return db_.execAndGet("SELECT tag FROM policy_state WHERE id = 1").getString();
}

void SqlitePolicy::SetTag(const std::string& tag) {
  SQLite::Statement u(db_, "UPDATE policy_state SET tag = ? WHERE id = 1");
  u.bind(1, tag);
  u.exec();
}

void SqlitePolicy::SaveSettings(const policy::GlobalSettings& s, policy::Instant now) {
  SQLite::Statement q(db_,
                      "INSERT INTO settings (id, document, updated_at) VALUES (1, ?1, ?2) "
                      "ON CONFLICT(id) DO UPDATE SET document = ?1, updated_at = ?2");
  q.bind(1, policy::EncodeSettings(s).serialize());
  q.bind(2, policy::FormatRfc3339(now));
  q.exec();
}

}  // namespace

std::unique_ptr<PolicyRepository> SqlitePolicyRepository(SQLite::Database& db) {
  return std::make_unique<SqlitePolicy>(db);
}

}  // namespace custodian::admincenter
