// What the parts of Service share (service.cc: the policy snapshot,
// decisions, refusals; principals.cc: principals and tokens; groups.cc:
// groups and settings).
#pragma once

#include <optional>
#include <string>

#include "admincenter/policy_repository.h"
#include "admincenter/service.h"

namespace custodian::admincenter::internal {

// The stored policy is validated on every write, so failing to load it
// means the database was changed behind the admin center's back.
inline Problem DamagedPolicy() {
  return {ErrorKind::kInternal, "the stored policy is damaged", {}, {}};
}

// Master admins and auditors see every group; admins their subtrees.
inline bool CanSee(const Principal& actor, const policy::Policy& policy,
                   const std::string& group_id) {
  if (actor.role == Role::kMasterAdmin || actor.role == Role::kAuditor) return true;
  return actor.role == Role::kAdmin && policy::InSubtree(policy, group_id, actor.scopes);
}

inline std::optional<std::size_t> IndexOf(const policy::Policy& p, const std::string& id) {
  for (std::size_t i = 0; i < p.groups.size(); ++i) {
    if (p.groups[i].id == id) return i;
  }
  return std::nullopt;
}

inline AuditEvent FoldedEvent(const RefusalLimiter::Folded& f) {
  AuditEvent e;
  e.actor_kind = "anonymous";
  e.action = "authz.denied_repeated";
  e.target = "source:" + f.source;
  e.outcome = f.outcome;
  e.Number("count", static_cast<int64_t>(f.count));
  e.Detail("since", policy::FormatRfc3339(f.since));
  return e;
}

}  // namespace custodian::admincenter::internal
