#include "admincenter/workflow_codec.h"

#include "common/canonical_json.h"
#include "common/text.h"
#include "http/input.h"
#include "policy/codec.h"

namespace custodian::admincenter {
namespace {

using web::json::value;

value StateJson(policy::workflow::State s) { return Str(policy::workflow::StateName(s)); }
// Stored reasons are JSON text the admin center wrote itself.
value Reasons(const std::string& text) {
  std::string error;
  return text::ParseJson(text, &error).value_or(value::array());
}

std::string Text(const value& details, const char* key) {
  return details.has_field(key) && details.at(key).is_string() ? details.at(key).as_string() : "";
}

}  // namespace

value Encode(const SessionRecord& r) {
  value o = value::object(true);
  o["id"] = Str(r.id);
  o["technician_id"] = Str(r.technician_id);
  o["endpoint_id"] = Str(r.endpoint_id);
  o["type"] = Str(policy::SessionTypeName(r.session.type));
  o["mode"] = r.session.type == policy::SessionType::kInstantChat
                  ? Str(r.session.chat_only ? "chat_only" : "full")
                  : value::null();
  o["screen_viewing"] = value::boolean(r.session.screen_viewing);
  o["state"] = StateJson(r.state);
  o["started_at"] = At(r.started_at);
  o["ended_at"] = At(r.ended_at);
  return o;
}

value Encode(const RequestRecord& r) {
  value o = value::object(true);
  o["id"] = Str(r.id);
  o["session_id"] = Str(r.session_id);
  o["technician_id"] = Str(r.technician_id);
  o["endpoint_id"] = Str(r.endpoint_id);
  o["credential_mode"] = Str(policy::AuthModeName(r.credential_mode));
  o["schedule"] = policy::EncodeSchedule(r.schedule);
  o["state"] = StateJson(r.state);
  o["reasons"] = Reasons(r.reasons);
  o["created_at"] = At(r.created_at);
  o["expires_at"] = At(r.expires_at);
  o["decided_at"] = At(r.decided_at);
  o["grant_id"] = OrNull(r.grant_id);
  return o;
}

value Encode(const GrantRecord& r) {
  value o = value::object(true);
  o["id"] = Str(r.id);
  o["request_id"] = Str(r.request_id);
  o["technician_id"] = Str(r.grant.technician_id);
  o["endpoint_id"] = Str(r.endpoint_id);
  o["credential_mode"] = Str(policy::AuthModeName(r.grant.credential_mode));
  o["effective_schedule"] = policy::EncodeGrantSchedule(r.grant.schedule);
  o["state"] = StateJson(r.grant.state);
  o["created_at"] = At(r.created_at);
  o["ended_at"] = At(r.ended_at);
  o["ended_by"] = OrNull(r.ended_by);
  return o;
}

value Encode(const ConnectionRecord& r) {
  value o = value::object(true);
  o["id"] = Str(r.id);
  o["grant_id"] = Str(r.grant_id);
  o["technician_id"] = Str(r.technician_id);
  o["endpoint_id"] = Str(r.endpoint_id);
  o["state"] = StateJson(r.state);
  o["reasons"] = Reasons(r.reasons);
  o["requested_at"] = At(r.requested_at);
  o["updated_at"] = At(r.updated_at);
  o["end_reason"] = OrNull(r.end_reason);
  return o;
}

value Encode(const CredentialRequestRecord& r) {
  value o = value::object(true);
  o["id"] = Str(r.id);
  o["session_id"] = Str(r.session_id);
  o["technician_id"] = Str(r.technician_id);
  o["endpoint_id"] = Str(r.endpoint_id);
  o["state"] = StateJson(r.state);
  o["reasons"] = Reasons(r.reasons);
  o["created_at"] = At(r.created_at);
  o["updated_at"] = At(r.updated_at);
  return o;
}

value Encode(const OperationRecord& r) {
  value o = value::object(true);
  o["id"] = Str(r.id);
  o["session_id"] = Str(r.session_id);
  o["technician_id"] = Str(r.technician_id);
  o["endpoint_id"] = Str(r.endpoint_id);
  o["operation"] = Str(policy::OperationName(r.operation));
  o["state"] = StateJson(r.state);
  o["reasons"] = Reasons(r.reasons);
  o["requested_at"] = At(r.requested_at);
  o["updated_at"] = At(r.updated_at);
  return o;
}

const std::string& EndpointEvent::IdOf(Entity entity) const {
  static const std::string kNone;
  switch (entity) {
    case Entity::kUnattendedRequest:
    case Entity::kCredentialRequest:
      return request_id;
    case Entity::kGrant:
      return grant_id;
    case Entity::kConnection:
      return connection_id;
    case Entity::kCredentialOperation:
      return operation_id;
    case Entity::kSession:
      return kNone;  // the admin center's own: opened and ended by its steps
  }
  return kNone;
}

std::optional<EndpointEvent> DecodeEndpointEvent(const value& record) {
  const auto event = policy::workflow::ParseEvent(Text(record, "action"));
  if (!event || policy::workflow::SideOf(*event) != policy::workflow::Side::kEndpoint) {
    return std::nullopt;
  }
  EndpointEvent e;
  e.event = *event;
  e.outcome = policy::workflow::ParseOutcome(Text(record, "outcome"))
                  .value_or(policy::workflow::Outcome::kSuccess);
  static const value kEmpty = value::object();
  const value& d = record.has_field("details") ? record.at("details") : kEmpty;
  e.request_id = Text(d, "request_id");
  e.grant_id = Text(d, "grant_id");
  e.connection_id = Text(d, "connection_id");
  e.operation_id = Text(d, "operation_id");
  e.by = Text(d, "by");
  e.reason = Text(d, "reason");
  if (record.has_field("reasons")) e.reasons = CanonicalJson(record.at("reasons"));
  if (d.has_field("effective_schedule")) {
    auto s = policy::ParseGrantSchedule(d.at("effective_schedule"), "/details/effective_schedule");
    if (s.ok()) e.effective_schedule = *s.value;
  }
  return e;
}

value EncodeDecisionValue(const policy::Decision& decision) {
  return policy::EncodeDecision(decision);
}

Result<SessionInput> DecodeSessionInput(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"endpoint_id", "type", "mode", "screen_viewing"}, errors);
  const auto endpoint_id = RequiredString(body, "endpoint_id", errors, 64);
  const auto type = RequiredString(body, "type", errors, 32);
  std::optional<policy::SessionType> parsed_type;
  if (type) {
    parsed_type = policy::ParseSessionType(*type);
    if (!parsed_type || *parsed_type == policy::SessionType::kUnattended) {
      errors.push_back({"/type",
                        "must be one of applet, mobile_applet, instant_chat, calling_card "
                        "(unattended sessions start with a grant's connect)"});
    }
  }
  bool chat_only = false;
  if (body.has_field("mode")) {
    const value& m = body.at("mode");
    if (!m.is_string() || (m.as_string() != "chat_only" && m.as_string() != "full")) {
      errors.push_back({"/mode", "must be \"chat_only\" or \"full\""});
    } else if (parsed_type != policy::SessionType::kInstantChat) {
      errors.push_back({"/mode", "applies only to instant_chat sessions"});
    } else {
      chat_only = m.as_string() == "chat_only";
    }
  } else if (parsed_type == policy::SessionType::kInstantChat) {
    errors.push_back({"/mode", "is required for instant_chat: \"chat_only\" or \"full\""});
  }
  bool screen = false;
  if (body.has_field("screen_viewing")) {
    if (!body.at("screen_viewing").is_boolean())
      errors.push_back({"/screen_viewing", "must be a boolean"});
    else
      screen = body.at("screen_viewing").as_bool();
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  SessionInput in;
  in.endpoint_id = *endpoint_id;
  in.session = {*parsed_type, chat_only, true, screen};
  return in;
}

Result<bool> DecodeSessionPatch(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"screen_viewing"}, errors);
  if (!body.has_field("screen_viewing") || !body.at("screen_viewing").is_boolean()) {
    errors.push_back({"/screen_viewing", "must be a boolean"});
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  return body.at("screen_viewing").as_bool();
}

Result<UnattendedInput> DecodeUnattendedInput(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"credential_mode", "schedule"}, errors);
  const auto mode = RequiredString(body, "credential_mode", errors, 32);
  std::optional<policy::AuthMode> parsed_mode;
  if (mode && !(parsed_mode = policy::ParseAuthMode(*mode))) {
    errors.push_back({"/credential_mode",
                      "unknown value \"" + *mode + "\"; expected one of at_connection, at_setup"});
  }
  std::optional<policy::Schedule> schedule;
  if (!body.has_field("schedule")) {
    errors.push_back({"/schedule", "is required"});
  } else if (auto parsed = policy::ParseSchedule(body.at("schedule"), "/schedule"); parsed.ok()) {
    schedule = *parsed.value;
  } else {
    errors.insert(errors.end(), parsed.errors.begin(), parsed.errors.end());
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  return UnattendedInput{*parsed_mode, *schedule};
}

Result<policy::Operation> DecodeCredentialApply(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"operation"}, errors);
  const auto operation = RequiredString(body, "operation", errors, 16);
  std::optional<policy::Operation> op;
  if (operation && !(op = policy::ParseOperation(*operation))) {
    errors.push_back({"/operation", "must be \"restart\" or \"unlock\""});
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  return *op;
}

}  // namespace custodian::admincenter
