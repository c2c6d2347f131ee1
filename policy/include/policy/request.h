// What a caller asks the decision function (DESIGN.md §3 "Decisions"): the
// same object for `POST /v1/decisions`, the enforcer and `custodian policy
// explain`. Ids are strings as they arrive on the wire; the engine interns
// them itself.
#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "policy/model.h"
#include "policy/time.h"
#include "policy/workflow.h"

namespace custodian::policy {

enum class Action : uint8_t {
  kUnattendedRequest,   // R1–R7
  kUnattendedConnect,   // R1, R3–R5, R8
  kCredentialsRequest,  // R9, R13
  kCredentialsApply,    // R9, R10, R12
};

enum class Os : uint8_t { kWindows, kLinux, kMacos };
enum class TimeReference : uint8_t { kTechnician, kCustomer };
enum class Operation : uint8_t { kRestart, kUnlock };  // R10

// A daily time-of-day window in minutes after local midnight. `to` < `from`
// crosses midnight; `to` == `from` is invalid (R4).
struct DailyWindow {
  int16_t from = 0;
  int16_t to = 0;
};

// R4: the duration of unattended access as requested.
struct Schedule {
  enum class Kind : uint8_t { kDays, kRange, kUnlimited };
  Kind kind = Kind::kDays;
  int days = 0;                      // kDays
  boost::gregorian::date first_day;  // kRange, inclusive
  boost::gregorian::date last_day;   // kRange, inclusive
  std::optional<DailyWindow> daily;
  TimeReference time_reference = TimeReference::kTechnician;  // R5
};

// A schedule resolved to UTC instants (the `effective_schedule` of the wire
// format). `zone` is the reference zone of the daily window.
struct EffectiveSchedule {
  Instant start;
  std::optional<Instant> end;  // nullopt: unlimited
  std::optional<DailyWindow> daily;
  const TimeZone* zone = nullptr;  // set when `daily` is
};

struct SessionInfo {
  SessionType type = SessionType::kApplet;
  bool chat_only = false;  // instant_chat in chat-only mode (R2)
  bool active = false;
  bool screen_viewing = false;
};

struct EndpointInfo {
  Os os = Os::kWindows;
  std::optional<std::string> time_zone;  // IANA name
};

// A grant's schedule as stored and sent: the `effective_schedule` of the
// wire format, the zone of its daily window by name.
struct GrantSchedule {
  Instant start;
  std::optional<Instant> end;  // nullopt: unlimited
  std::optional<DailyWindow> daily;
  std::string daily_time_zone;  // when `daily` is set
};
GrantSchedule ToGrantSchedule(const EffectiveSchedule& schedule);

// An existing grant, for `unattended.connect`, with the state it is stored
// in: a grant the endpoint's clock and timers ended stays ended whatever its
// schedule says at another clock (R8).
struct Grant {
  AuthMode credential_mode = AuthMode::kAtConnection;
  std::string technician_id;
  GrantSchedule schedule;
  workflow::State state = workflow::State::kActive;  // active, revoked or expired
};

struct Request {
  Action action = Action::kUnattendedRequest;
  std::string technician_id;
  std::optional<SessionInfo> session;
  std::optional<EndpointInfo> endpoint;
  std::optional<AuthMode> credential_mode;
  std::optional<Schedule> schedule;
  std::optional<Grant> grant;
  std::optional<Operation> operation;
  bool credentials_stored = false;
};

std::string_view ActionName(Action a);
std::optional<Action> ParseAction(std::string_view name);
std::string_view OsName(Os os);
std::optional<Os> ParseOs(std::string_view name);
std::string_view OperationName(Operation op);
std::optional<Operation> ParseOperation(std::string_view name);
std::string_view TimeReferenceName(TimeReference r);
std::optional<TimeReference> ParseTimeReference(std::string_view name);

}  // namespace custodian::policy
