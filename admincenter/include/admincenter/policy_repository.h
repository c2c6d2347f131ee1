// The policy as the admin center stores it (groups and settings): the
// settings row, the group tree and the technicians, assembled into the
// policy document of DESIGN.md §3, which the policy library validates on
// every write (validate on write) and compiles for decisions. The interface
// the service uses; each engine's implementation (src/storage/) is the only
// code with these tables' queries.
//
// One lives inside one unit of work (storage.h): not thread-safe.
#pragma once

#include <cpprest/json.h>

#include <memory>
#include <string>

#include "policy/codec.h"
#include "policy/model.h"
#include "policy/time.h"

namespace custodian::admincenter {

class PolicyRepository {
 public:
  virtual ~PolicyRepository() = default;

  // The current policy document (stored order: creation order).
  virtual web::json::value Document() = 0;
  // The current policy; the stored policy is always valid, so this fails
  // only on a damaged database (then with the validation errors).
  policy::Parsed<policy::Policy> Load(const policy::TimeZones& zones) {
    return policy::ParsePolicy(Document(), zones);
  }

  // Writes (inserts or replaces) one group's document.
  virtual void SaveGroup(const policy::Group& group, policy::Instant now) = 0;
  virtual void DeleteGroup(const std::string& id) = 0;
  // Whether subgroups, technicians or admins' scopes name the group.
  virtual bool GroupInUse(const std::string& id) = 0;
  virtual void SaveSettings(const policy::GlobalSettings& settings, policy::Instant now) = 0;

  // Changes with every committed policy write (caches compare it).
  virtual std::string Tag() = 0;
  virtual void SetTag(const std::string& tag) = 0;
};

}  // namespace custodian::admincenter
