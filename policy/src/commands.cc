#include "policy/commands.h"

#include "json_reader.h"
#include "policy/identifiers.h"

namespace custodian::policy {
namespace {

using internal::Errors;
using internal::ObjectReader;
using web::json::value;
using workflow::Event;

value Str(std::string_view s) { return value::string(std::string(s)); }

// Which fields each command carries.
enum Field : unsigned {
  kSessionId = 1u << 0,
  kRequestId = 1u << 1,
  kGrantId = 1u << 2,
  kConnectionId = 1u << 3,
  kOperationId = 1u << 4,
  kTechnicianId = 1u << 5,
  kTechnicianName = 1u << 6,
  kSession = 1u << 7,
  kScreenViewing = 1u << 8,  // session.update: only this part of the session
  kCredentialMode = 1u << 9,
  kSchedule = 1u << 10,
  kExpiresAt = 1u << 11,
  kBy = 1u << 12,
  kOperation = 1u << 13,
};

std::optional<unsigned> FieldsOf(Event type) {
  switch (type) {
    case Event::kOpenSession:
      return kSessionId | kTechnicianId | kSession;
    case Event::kUpdateSession:
      return kSessionId | kScreenViewing;
    case Event::kEndSession:
      return kSessionId;
    case Event::kRequestUnattended:
      return kRequestId | kSessionId | kTechnicianId | kTechnicianName | kCredentialMode |
             kSchedule | kExpiresAt;
    case Event::kRevokeGrant:
      return kGrantId | kBy;
    case Event::kConnect:
      return kConnectionId | kGrantId | kTechnicianId;
    case Event::kRequestCredentials:
      return kRequestId | kSessionId | kTechnicianId | kTechnicianName;
    case Event::kApplyCredentials:
      return kOperationId | kSessionId | kTechnicianId | kOperation;
    default:
      return std::nullopt;  // the endpoint's events are no commands
  }
}

struct IdField {
  Field field;
  const char* key;
  std::string Command::*member;
};
constexpr IdField kIds[] = {
    {kSessionId, "session_id", &Command::session_id},
    {kRequestId, "request_id", &Command::request_id},
    {kGrantId, "grant_id", &Command::grant_id},
    {kConnectionId, "connection_id", &Command::connection_id},
    {kOperationId, "operation_id", &Command::operation_id},
    {kTechnicianId, "technician_id", &Command::technician_id},
};

}  // namespace

value EncodeCommand(const Command& c) {
  const unsigned fields = FieldsOf(c.type).value_or(0);
  value o = value::object(true);
  for (const IdField& f : kIds) {
    if (fields & f.field) o[f.key] = Str(c.*f.member);
  }
  if (fields & kTechnicianName) o["technician_name"] = Str(c.technician_name);
  if (fields & kSession) o["session"] = EncodeSession(c.session);
  if (fields & kScreenViewing) o["screen_viewing"] = value::boolean(c.session.screen_viewing);
  if (fields & kCredentialMode) o["credential_mode"] = Str(AuthModeName(c.credential_mode));
  if (fields & kSchedule) o["schedule"] = EncodeSchedule(c.schedule);
  if (fields & kExpiresAt) o["expires_at"] = Str(FormatRfc3339(c.expires_at));
  if (fields & kBy) o["by"] = Str(c.by);
  if (fields & kOperation) o["operation"] = Str(OperationName(c.operation));
  return o;
}

DecodedCommand ParseCommand(std::string_view type, const value& body) {
  DecodedCommand out;
  const std::optional<Event> event = workflow::ParseEvent(type);
  const std::optional<unsigned> fields = event ? FieldsOf(*event) : std::nullopt;
  if (!fields) return out;
  Command c;
  c.type = *event;
  Errors& errors = out.errors;
  ObjectReader r(body, "", errors);
  for (const IdField& f : kIds) {
    if (!(*fields & f.field)) continue;
    if (auto id = r.String(f.key, true)) {
      if (std::string why = IdProblem(*id); !why.empty()) {
        r.Error(f.key, why);
      } else {
        c.*f.member = std::move(*id);
      }
    }
  }
  if (*fields & kTechnicianName)
    c.technician_name = r.String("technician_name", false).value_or("");
  if (*fields & kSession) {
    if (const value* s = r.Object("session", true)) {
      auto parsed = ParseSession(*s, "/session");
      if (parsed.ok()) c.session = *parsed.value;
      errors.insert(errors.end(), parsed.errors.begin(), parsed.errors.end());
    }
  }
  if (*fields & kScreenViewing) {
    c.session.screen_viewing = r.Bool("screen_viewing", true).value_or(false);
  }
  if (*fields & kCredentialMode) {
    if (auto mode = r.Enum("credential_mode", true, ParseAuthMode, "at_connection, at_setup")) {
      c.credential_mode = *mode;
    }
  }
  if (*fields & kSchedule) {
    if (const value* s = r.Object("schedule", true)) {
      auto parsed = ParseSchedule(*s, "/schedule");
      if (parsed.ok()) c.schedule = *parsed.value;
      errors.insert(errors.end(), parsed.errors.begin(), parsed.errors.end());
    }
  }
  if (*fields & kExpiresAt) {
    if (auto text = r.String("expires_at", true)) {
      if (auto at = ParseRfc3339(*text)) {
        c.expires_at = *at;
      } else {
        r.Error("expires_at", "must be an RFC 3339 instant");
      }
    }
  }
  if (*fields & kBy) {
    if (auto by = r.String("by", true)) {
      if (*by != "technician" && *by != "admin") {
        r.Error("by", "must be \"technician\" or \"admin\"");
      } else {
        c.by = std::move(*by);
      }
    }
  }
  if (*fields & kOperation) {
    if (auto op = r.Enum("operation", true, ParseOperation, "restart, unlock")) c.operation = *op;
  }
  r.Finish();
  out.command = std::move(c);
  return out;
}

}  // namespace custodian::policy
