// The policy as the admin center stores it: the settings row, the group
// tree and the technicians, assembled into the policy document of DESIGN.md
// §3, which the policy library validates on every write (validate on write)
// and compiles for decisions.
#pragma once

#include <SQLiteCpp/Database.h>
#include <cpprest/json.h>

#include <optional>
#include <string>

#include "policy/codec.h"
#include "policy/model.h"

namespace custodian::admincenter {

// The current policy document (stored order: creation order).
web::json::value LoadPolicyDocument(SQLite::Database& db);
// The current policy; the stored policy is always valid, so this fails only
// on a damaged database (then with the validation errors).
policy::Parsed<policy::Policy> LoadPolicy(SQLite::Database& db, const policy::TimeZones& zones);

// Writes (insert or replace) one group's document.
void SaveGroup(SQLite::Database& db, const policy::Group& group, const std::string& now);
void DeleteGroup(SQLite::Database& db, const std::string& id);
void SaveSettings(SQLite::Database& db, const policy::GlobalSettings& settings,
                  const std::string& now);

// Whether `group_id` lies in the subtree of one of `roots` (itself included).
bool InSubtree(const policy::Policy& policy, const std::string& group_id,
               const std::vector<std::string>& roots);

}  // namespace custodian::admincenter
