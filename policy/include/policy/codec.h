// The JSON codec of the policy document, decision requests and decisions
// (DESIGN.md §3 "Wire formats"), on cpprestsdk's web::json.
//
// Parsing is strict: unknown keys, wrong types, missing required keys and
// values outside their range are errors, and every error is reported at once,
// each with the JSON pointer (RFC 6901) of the offending value. A policy is
// also checked as a whole: duplicate ids, unknown or cyclic parents,
// technicians in unknown groups, unknown zones, an `auth_modes` that widens
// its parent's and overrides below a lock.
#pragma once

#include <cpprest/json.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/decision.h"
#include "policy/effective.h"
#include "policy/model.h"
#include "policy/request.h"
#include "policy/time.h"

namespace custodian::policy {

struct FieldError {
  std::string pointer;  // "" is the whole document
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// A value or the list of everything wrong with the input.
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::vector<FieldError> errors;
  bool ok() const { return value.has_value(); }
};

// `text` is the document's JSON text; a syntax error is reported at "".
Parsed<Policy> ParsePolicy(std::string_view text, const TimeZones& zones);
Parsed<Policy> ParsePolicy(const web::json::value& json, const TimeZones& zones);
// Whole-policy checks (pointers as if the policy had been parsed from its
// encoding). Empty ids and zone names are taken as already reported and
// skipped.
std::vector<FieldError> ValidatePolicy(const Policy& policy, const TimeZones& zones);
web::json::value EncodePolicy(const Policy& policy);

// Parts of the document on their own, as the admin center edits them;
// `pointer` prefixes the error pointers.
Parsed<Group> ParseGroup(const web::json::value& json, const std::string& pointer);
web::json::value EncodeGroup(const Group& group);
Parsed<GlobalSettings> ParseSettings(const web::json::value& json, const std::string& pointer);
web::json::value EncodeSettings(const GlobalSettings& settings);

Parsed<Request> ParseRequest(std::string_view text);
Parsed<Request> ParseRequest(const web::json::value& json);
// Parts of a request on their own (the `schedule` and `session` objects of
// DESIGN.md §3), as commands and stored rows carry them; `pointer`
// prefixes the error pointers. Encoding and parsing round-trip.
Parsed<Schedule> ParseSchedule(const web::json::value& json, const std::string& pointer);
// From the JSON text a row stores; a syntax error is reported at "".
Parsed<Schedule> ParseSchedule(std::string_view text);
web::json::value EncodeSchedule(const Schedule& schedule);
Parsed<SessionInfo> ParseSession(const web::json::value& json, const std::string& pointer);
web::json::value EncodeSession(const SessionInfo& session);

// The human-readable message of a reason, quoting its numbers.
std::string DescribeReason(const Reason& reason);
// With what the decision knows besides: for R4 outside_time_window the
// window's zone and when it next opens, there and in the technician's zone.
std::string DescribeReason(const Reason& reason, const Decision& decision);
// The decision's JSON text, written directly (the what-if route's hot path);
// EncodeDecision is the same document as a value.
std::string SerializeDecision(const Decision& decision);
web::json::value EncodeDecision(const Decision& decision);
web::json::value EncodeEffectiveSchedule(const EffectiveSchedule& schedule);
// `GET /v1/groups/{id}/effective`: every value with the group that supplied
// it ("source": group id or "global") and the group that locked it.
web::json::value EncodeEffective(const Policy& policy, const EffectiveSettings& effective);

std::string FormatDailyTime(int16_t minutes);  // "HH:MM"

// A grant's `effective_schedule` (DESIGN.md §3) on its own, as both daemons
// store it beside the grant's state.
Parsed<GrantSchedule> ParseGrantSchedule(const web::json::value& json, const std::string& pointer);
Parsed<GrantSchedule> ParseGrantSchedule(std::string_view text);
web::json::value EncodeGrantSchedule(const GrantSchedule& schedule);

}  // namespace custodian::policy
