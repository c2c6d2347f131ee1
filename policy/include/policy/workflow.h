// The access workflows (DESIGN.md §5–6, R1–R15) as one vocabulary for both
// daemons: the entities, their states, the events that move them, with
// their wire names, and the pure transitions between them.
//
// The admin center records a technician's step (its audit action, which is
// also the command it queues for the endpoint); the endpoint settles it and
// records what became of it on its own chain; the admin center applies those
// events to what it holds. Both sides call Apply with the state they have
// stored and write the result back only if the state is still the one they
// loaded (compare-and-set), so the two can never disagree on what a state
// means or which moves exist.
//
// Pure and thread-safe: no I/O, clock or allocation beyond the refusal text.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/time.h"

namespace custodian::policy::workflow {

enum class Entity : uint8_t {
  kSession,
  kUnattendedRequest,    // R1–R7
  kGrant,                // R8
  kConnection,           // R3, R8
  kCredentialRequest,    // R9, R11–R15
  kCredentialOperation,  // R10 (the admin center's record of each use)
};
inline constexpr std::size_t kEntityCount = 6;

// One state set for all entities; StatesOf tells which belong to which.
enum class State : uint8_t {
  kActive,
  kEnded,
  kPending,
  kApproved,
  kDenied,   // by the customer, or by the policy at connect/apply
  kExpired,  // unanswered in time, or a grant past its schedule
  kRefused,  // by the endpoint's policy
  kRevoked,
  kRequested,
  kAwaitingCredentials,
  kStored,
  kWiped,
  kSucceeded,
  kFailed,
};
inline constexpr std::size_t kStateCount = 14;

// Every event of a workflow. The first group are the admin center's steps:
// each is its audit action and the type of the command it queues. The rest
// are the endpoint's: the actions of its event chain.
enum class Event : uint8_t {
  // The admin center (and the commands).
  kOpenSession,
  kUpdateSession,
  kEndSession,
  kRequestUnattended,
  kRevokeGrant,
  kConnect,
  kRequestCredentials,
  kApplyCredentials,
  // The endpoint.
  kSessionOpened,
  kSessionUpdated,
  kSessionEnded,
  kRequestReceived,
  kRequestRefused,
  kRequestDenied,
  kRequestExpired,
  kRequestApproved,  // also creates the grant
  kGrantRevoked,
  kGrantExpired,
  kConnectionAwaitingCredentials,
  kConnectionStarted,
  kConnectionCredentialsRejected,
  kConnectionWarning,
  kConnectionDenied,
  kConnectionEnded,
  kCredentialsRequested,
  kCredentialsRefused,
  kCredentialsDenied,
  kCredentialsStored,
  kCredentialsExpired,
  kCredentialsRevoked,
  kCredentialsWiped,
  kCredentialsApplied,
  kCredentialsApplyDenied,
};
inline constexpr std::size_t kEventCount = 33;

enum class Side : uint8_t { kAdminCenter, kEndpoint };

std::string_view EntityName(Entity e);  // "unattended_request"
std::string_view StateName(State s);    // "awaiting_credentials"
std::optional<State> ParseState(std::string_view name);
std::string_view EventName(Event e);  // "connection.started"
std::optional<Event> ParseEvent(std::string_view name);
Side SideOf(Event e);

// The states an entity can be in, in enum order (the migrations' CHECK
// constraints list the same; a test compares them).
std::span<const State> StatesOf(Entity e);
// Those it can be in on one side: every state for the admin center, which
// applies the endpoint's events too; for the endpoint those its own events
// lead to (its connections are never `requested`: that is the command on
// its way).
std::vector<State> StatesOn(Entity e, Side side);
// The entities `event` moves (most one; kRequestApproved two, the request
// before the grant it creates).
std::span<const Entity> EntitiesOf(Event e);

// How an event ended, where it matters to the state: an endpoint's
// `credentials.applied` whose OS action failed leaves the operation failed.
enum class Outcome : uint8_t { kSuccess, kDenied, kFailure };
std::string_view OutcomeName(Outcome o);  // the audit event's "outcome"
std::optional<Outcome> ParseOutcome(std::string_view name);

// An entity as stored: its kind and its state; nullopt before it exists.
struct Subject {
  Entity entity;
  std::optional<State> state;
};

struct Transition {
  Entity entity;
  std::optional<State> from;  // nullopt: `event` creates the entity
  State to;
  Event event;
  Instant at;
  // False when the entity is in `to` already: the event is applied twice
  // (the admin center's own step coming back from the endpoint, a command
  // delivered again), and there is nothing to write.
  bool changes() const { return from != to; }
};

struct Applied {
  std::optional<Transition> transition;
  std::string refusal;  // when there is none: why, for a 409 or a log line
  bool ok() const { return transition.has_value(); }
};

// What `event` does to `subject` at `now`: the transition, or why there is
// none (the event does not move this entity, or not from its state).
Applied Apply(const Subject& subject, Event event, Instant now,
              Outcome outcome = Outcome::kSuccess);

// Ended for good: no event moves the entity out of it.
bool IsFinal(Entity entity, State state);

}  // namespace custodian::policy::workflow
