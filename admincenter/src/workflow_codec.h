// The admin center's workflow records as the API lists them (openapi.json's
// Session, UnattendedRequest, Grant, Connection, CredentialRequest and
// CredentialOperation), and the endpoint's workflow events as they arrive.
// The one place where workflow records and JSON meet.
#pragma once

#include <cpprest/json.h>

#include <optional>
#include <string>

#include "admincenter/workflow_repository.h"

namespace custodian::admincenter {

web::json::value Encode(const SessionRecord& r);
web::json::value Encode(const RequestRecord& r);
web::json::value Encode(const GrantRecord& r);
web::json::value Encode(const ConnectionRecord& r);
web::json::value Encode(const CredentialRequestRecord& r);
web::json::value Encode(const OperationRecord& r);

// {"items": [...]}, each encoded.
template <typename T>
web::json::value Items(const std::vector<T>& records) {
  web::json::value items = web::json::value::array();
  for (std::size_t i = 0; i < records.size(); ++i) items[i] = Encode(records[i]);
  web::json::value out = web::json::value::object(true);
  out["items"] = items;
  return out;
}

// What the admin center takes from one of the endpoint's workflow events
// (a record of its chain, already verified and stored).
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
// Nothing when the record is no workflow event of an endpoint's.
std::optional<EndpointEvent> DecodeEndpointEvent(const web::json::value& record);

}  // namespace custodian::admincenter
