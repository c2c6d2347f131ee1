// The admin center's workflow records as the API lists them (openapi.json's
// Session, UnattendedRequest, Grant, Connection, CredentialRequest and
// CredentialOperation), and the endpoint's workflow events as they arrive.
// The one place where workflow records and JSON meet.
#pragma once

#include <cpprest/json.h>

#include <optional>
#include <string>

#include "admincenter/endpoint_event.h"
#include "admincenter/workflow_repository.h"
#include "admincenter/workflows.h"
#include "common/result.h"

namespace custodian::admincenter {

web::json::value Encode(const SessionRecord& r);
web::json::value Encode(const RequestRecord& r);
web::json::value Encode(const GrantRecord& r);
web::json::value Encode(const ConnectionRecord& r);
web::json::value Encode(const CredentialRequestRecord& r);
web::json::value Encode(const OperationRecord& r);

// A step the policy allowed: its record with the decision.
web::json::value EncodeDecisionValue(const policy::Decision& decision);
template <typename R>
web::json::value Encode(const Allowed<R>& allowed) {
  web::json::value out = Encode(allowed.record);
  out["decision"] = EncodeDecisionValue(allowed.decision);
  return out;
}

// The technicians' bodies (openapi.json's SessionInput, SessionPatch,
// UnattendedRequestInput, CredentialApplyInput): every problem with its
// JSON pointer.
Result<SessionInput> DecodeSessionInput(const web::json::value& body);
Result<bool> DecodeSessionPatch(const web::json::value& body);  // screen_viewing
Result<UnattendedInput> DecodeUnattendedInput(const web::json::value& body);
Result<policy::Operation> DecodeCredentialApply(const web::json::value& body);

// Nothing when the record is no workflow event of an endpoint's.
std::optional<EndpointEvent> DecodeEndpointEvent(const web::json::value& record);

}  // namespace custodian::admincenter
