// The commands the admin center queues for an endpoint (DESIGN.md §5–6):
// one typed value per workflow step, and its wire codec, used by both
// sides so that what one writes the other reads. The command's type is the
// admin center's workflow event (policy/workflow.h), e.g. "session.open".
#pragma once

#include <cpprest/json.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/codec.h"
#include "policy/request.h"
#include "policy/workflow.h"

namespace custodian::policy {

// The fields a command of `type` carries; the others are left as they are.
//   session.open         session_id, technician_id, session
//   session.update       session_id, session.screen_viewing
//   session.end          session_id
//   unattended.request   request_id, session_id, technician_id, technician_name,
//                        credential_mode, schedule, expires_at
//   grant.revoke         grant_id, by ("technician" or "admin")
//   unattended.connect   connection_id, grant_id, technician_id
//   credentials.request  request_id, session_id, technician_id, technician_name
//   credentials.apply    operation_id, session_id, technician_id, operation
struct Command {
  workflow::Event type = workflow::Event::kOpenSession;
  std::string session_id;
  std::string request_id;
  std::string grant_id;
  std::string connection_id;
  std::string operation_id;
  std::string technician_id;
  std::string technician_name;  // shown to the customer
  SessionInfo session;
  AuthMode credential_mode = AuthMode::kAtConnection;
  Schedule schedule;
  Instant expires_at;
  std::string by;
  Operation operation = Operation::kRestart;
};

// The command's body (its type travels beside it).
web::json::value EncodeCommand(const Command& command);

struct DecodedCommand {
  // Unset when `type` is not a command's.
  std::optional<Command> command;
  // What is wrong with the body, each with its JSON pointer. The fields
  // that could be read are set even then, so that the endpoint can record
  // why it refuses a request it can name.
  std::vector<FieldError> errors;
};
DecodedCommand ParseCommand(std::string_view type, const web::json::value& body);

}  // namespace custodian::policy
