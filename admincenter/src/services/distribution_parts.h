// What the parts of Distribution share (distribution.cc: bundles and time
// proofs; endpoint_enrollment.cc; endpoint_sync.cc: commands and events).
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

#include "admincenter/audit.h"
#include "admincenter/auth.h"
#include "admincenter/keys.h"
#include "common/crypto.h"

namespace custodian::admincenter::internal {

inline AuditEvent SystemEvent(std::string action, std::string target) {
  AuditEvent e;
  e.actor_kind = "system";
  e.actor_id = "admincenter";
  e.action = std::move(action);
  e.target = std::move(target);
  e.outcome = "success";
  return e;
}

// The endpoint may act only for itself; anything else looks absent.
inline bool IsSelf(const Principal& endpoint, const std::string& id) {
  return endpoint.role == Role::kEndpoint && endpoint.id == id;
}

}  // namespace custodian::admincenter::internal
