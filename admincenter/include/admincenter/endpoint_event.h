// One of the endpoint's workflow events as the admin center takes it: a
// record of the endpoint's chain, already verified and stored, decoded by
// workflow_codec.h.
#pragma once

#include <optional>
#include <string>

#include "policy/request.h"
#include "policy/workflow.h"

namespace custodian::admincenter {

using policy::workflow::Entity;

struct EndpointEvent {
  policy::workflow::Event event;
  policy::workflow::Outcome outcome = policy::workflow::Outcome::kSuccess;
  std::string request_id, grant_id, connection_id, operation_id;
  std::string by;              // grant.revoked: who
  std::string reason;          // connection.ended: why
  std::string reasons = "[]";  // the event's reasons, canonical JSON text
  std::optional<policy::GrantSchedule> effective_schedule;  // request_approved
  // The id that names `entity` in this event.
  const std::string& IdOf(Entity entity) const;
};

}  // namespace custodian::admincenter
