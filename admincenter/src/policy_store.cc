#include "admincenter/policy_store.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <unordered_map>

namespace custodian::admincenter {

using web::json::value;

value LoadPolicyDocument(SQLite::Database& db) {
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

policy::Parsed<policy::Policy> LoadPolicy(SQLite::Database& db, const policy::TimeZones& zones) {
  return policy::ParsePolicy(LoadPolicyDocument(db), zones);
}

void SaveGroup(SQLite::Database& db, const policy::Group& g, const std::string& now) {
  SQLite::Statement q(db,
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
  q.bind(5, now);
  q.exec();
}

void DeleteGroup(SQLite::Database& db, const std::string& id) {
  SQLite::Statement q(db, "DELETE FROM groups WHERE id = ?");
  q.bind(1, id);
  q.exec();
}

void SaveSettings(SQLite::Database& db, const policy::GlobalSettings& s, const std::string& now) {
  SQLite::Statement q(db,
                      "INSERT INTO settings (id, document, updated_at) VALUES (1, ?1, ?2) "
                      "ON CONFLICT(id) DO UPDATE SET document = ?1, updated_at = ?2");
  q.bind(1, policy::EncodeSettings(s).serialize());
  q.bind(2, now);
  q.exec();
}

bool InSubtree(const policy::Policy& p, const std::string& group_id,
               const std::vector<std::string>& roots) {
  std::unordered_map<std::string_view, const policy::Group*> by_id;
  for (const auto& g : p.groups) by_id.emplace(g.id, &g);
  std::string_view at = group_id;
  // The tree is valid (no cycles), so the walk ends at a root.
  for (std::size_t steps = 0; steps <= p.groups.size(); ++steps) {
    if (std::find(roots.begin(), roots.end(), at) != roots.end()) return true;
    auto it = by_id.find(at);
    if (it == by_id.end() || !it->second->parent_id) return false;
    at = *it->second->parent_id;
  }
  return false;
}

}  // namespace custodian::admincenter
