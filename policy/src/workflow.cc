#include "policy/workflow.h"

#include <array>

#include "names.h"

namespace custodian::policy::workflow {
namespace {

using internal::NameTable;

constexpr NameTable<Entity, kEntityCount> kEntityNames{{
    "session",
    "unattended_request",
    "grant",
    "connection",
    "credential_request",
    "credential_operation",
}};

constexpr NameTable<State, kStateCount> kStateNames{{
    "active",
    "ended",
    "pending",
    "approved",
    "denied",
    "expired",
    "refused",
    "revoked",
    "requested",
    "awaiting_credentials",
    "stored",
    "wiped",
    "succeeded",
    "failed",
}};

constexpr NameTable<Event, kEventCount> kEventNames{{
    "session.open",
    "session.update",
    "session.end",
    "unattended.request",
    "grant.revoke",
    "unattended.connect",
    "credentials.request",
    "credentials.apply",
    "session.opened",
    "session.updated",
    "session.ended",
    "unattended.request_received",
    "unattended.request_refused",
    "unattended.request_denied",
    "unattended.request_expired",
    "unattended.request_approved",
    "grant.revoked",
    "grant.expired",
    "connection.awaiting_credentials",
    "connection.started",
    "connection.credentials_rejected",
    "connection.warning",
    "connection.denied",
    "connection.ended",
    "credentials.requested",
    "credentials.refused",
    "credentials.denied",
    "credentials.stored",
    "credentials.expired",
    "credentials.revoked",
    "credentials.wiped",
    "credentials.applied",
    "credentials.apply_denied",
}};

constexpr NameTable<Outcome, 3> kOutcomeNames{{"success", "denied", "failure"}};

using S = State;
using E = Event;
using N = Entity;

constexpr std::array kSessionStates{S::kActive, S::kEnded};
constexpr std::array kRequestStates{S::kPending, S::kApproved, S::kDenied, S::kExpired,
                                    S::kRefused};
constexpr std::array kGrantStates{S::kActive, S::kExpired, S::kRevoked};
constexpr std::array kConnectionStates{S::kActive, S::kEnded, S::kDenied, S::kRequested,
                                       S::kAwaitingCredentials};
constexpr std::array kCredentialStates{S::kPending, S::kDenied, S::kExpired, S::kRefused,
                                       S::kRevoked, S::kStored, S::kWiped};
constexpr std::array kOperationStates{S::kDenied, S::kRequested, S::kSucceeded, S::kFailed};

// A set of states, and "not yet created".
using Mask = uint32_t;
constexpr Mask kNew = 1u << 31;
constexpr Mask Of(std::initializer_list<State> states) {
  Mask m = 0;
  for (State s : states) m |= 1u << static_cast<unsigned>(s);
  return m;
}
constexpr bool In(Mask m, std::optional<State> s) {
  return s ? (m & (1u << static_cast<unsigned>(*s))) != 0 : (m & kNew) != 0;
}

// Every move there is. `to` unset: the event leaves the state as it is
// (an update, a warning, a rejected attempt); `on_failure`: the state when
// the event's outcome is a failure.
struct Move {
  Entity entity;
  Event event;
  Mask from;
  std::optional<State> to;
  std::optional<State> on_failure = std::nullopt;
};

const Mask kOpenConnection = Of({S::kRequested, S::kAwaitingCredentials});

const std::array kMoves{
    // Sessions.
    Move{N::kSession, E::kOpenSession, kNew, S::kActive},
    Move{N::kSession, E::kSessionOpened, kNew, S::kActive},
    Move{N::kSession, E::kUpdateSession, Of({S::kActive}), std::nullopt},
    Move{N::kSession, E::kSessionUpdated, Of({S::kActive}), std::nullopt},
    Move{N::kSession, E::kEndSession, Of({S::kActive}), S::kEnded},
    Move{N::kSession, E::kSessionEnded, Of({S::kActive}), S::kEnded},
    // Unattended requests: the admin center creates one pending; the
    // endpoint receives it pending or refuses it at once, and the customer,
    // the clock or the policy at the answer settle it.
    Move{N::kUnattendedRequest, E::kRequestUnattended, kNew, S::kPending},
    Move{N::kUnattendedRequest, E::kRequestReceived, kNew, S::kPending},
    Move{N::kUnattendedRequest, E::kRequestRefused, kNew | Of({S::kPending}), S::kRefused},
    Move{N::kUnattendedRequest, E::kRequestDenied, Of({S::kPending}), S::kDenied},
    Move{N::kUnattendedRequest, E::kRequestExpired, Of({S::kPending}), S::kExpired},
    Move{N::kUnattendedRequest, E::kRequestApproved, Of({S::kPending}), S::kApproved},
    // Grants (R8): the approval creates one; it ends revoked or expired.
    Move{N::kGrant, E::kRequestApproved, kNew, S::kActive},
    Move{N::kGrant, E::kRevokeGrant, Of({S::kActive}), S::kRevoked},
    Move{N::kGrant, E::kGrantRevoked, Of({S::kActive}), S::kRevoked},
    Move{N::kGrant, E::kGrantExpired, Of({S::kActive}), S::kExpired},
    // Connections: the admin center's is requested; the endpoint creates
    // its own in the state the decision and the logon give.
    Move{N::kConnection, E::kConnect, kNew, S::kRequested},
    Move{N::kConnection, E::kConnectionAwaitingCredentials, kNew | Of({S::kRequested}),
         S::kAwaitingCredentials},
    Move{N::kConnection, E::kConnectionStarted, kNew | kOpenConnection, S::kActive},
    Move{N::kConnection, E::kConnectionCredentialsRejected, Of({S::kAwaitingCredentials}),
         std::nullopt},
    Move{N::kConnection, E::kConnectionWarning, Of({S::kAwaitingCredentials, S::kActive}),
         std::nullopt},
    Move{N::kConnection, E::kConnectionDenied, kNew | kOpenConnection, S::kDenied},
    Move{N::kConnection, E::kConnectionEnded, kOpenConnection | Of({S::kActive}), S::kEnded},
    // Credential requests (R9–R15).
    Move{N::kCredentialRequest, E::kRequestCredentials, kNew, S::kPending},
    Move{N::kCredentialRequest, E::kCredentialsRequested, kNew, S::kPending},
    Move{N::kCredentialRequest, E::kCredentialsRefused, kNew | Of({S::kPending}), S::kRefused},
    Move{N::kCredentialRequest, E::kCredentialsDenied, Of({S::kPending}), S::kDenied},
    Move{N::kCredentialRequest, E::kCredentialsStored, Of({S::kPending}), S::kStored},
    Move{N::kCredentialRequest, E::kCredentialsExpired, Of({S::kPending}), S::kExpired},
    Move{N::kCredentialRequest, E::kCredentialsRevoked, Of({S::kStored}), S::kRevoked},
    Move{N::kCredentialRequest, E::kCredentialsWiped, Of({S::kStored}), S::kWiped},
    // Each use of them (R10), as the admin center records it.
    Move{N::kCredentialOperation, E::kApplyCredentials, kNew, S::kRequested},
    Move{N::kCredentialOperation, E::kCredentialsApplied, Of({S::kRequested}), S::kSucceeded,
         S::kFailed},
    Move{N::kCredentialOperation, E::kCredentialsApplyDenied, Of({S::kRequested}), S::kDenied},
};

const Move* FindMove(Entity entity, Event event) {
  for (const Move& m : kMoves) {
    if (m.entity == entity && m.event == event) return &m;
  }
  return nullptr;
}

// The entities of each event, from kMoves.
struct EventEntities {
  std::array<std::array<Entity, 2>, kEventCount> entities{};
  std::array<uint8_t, kEventCount> count{};
  EventEntities() {
    for (const Move& m : kMoves) {
      const auto e = static_cast<std::size_t>(m.event);
      entities[e][count[e]++] = m.entity;
    }
  }
};
const EventEntities kEventEntities;

}  // namespace

std::string_view EntityName(Entity e) { return kEntityNames.Name(e); }
std::string_view StateName(State s) { return kStateNames.Name(s); }
std::optional<State> ParseState(std::string_view name) { return kStateNames.Parse(name); }
std::string_view EventName(Event e) { return kEventNames.Name(e); }
std::optional<Event> ParseEvent(std::string_view name) { return kEventNames.Parse(name); }
std::string_view OutcomeName(Outcome o) { return kOutcomeNames.Name(o); }
std::optional<Outcome> ParseOutcome(std::string_view name) { return kOutcomeNames.Parse(name); }

Side SideOf(Event e) {
  return static_cast<std::size_t>(e) < static_cast<std::size_t>(Event::kSessionOpened)
             ? Side::kAdminCenter
             : Side::kEndpoint;
}

std::span<const State> StatesOf(Entity e) {
  switch (e) {
    case Entity::kSession:
      return kSessionStates;
    case Entity::kUnattendedRequest:
      return kRequestStates;
    case Entity::kGrant:
      return kGrantStates;
    case Entity::kConnection:
      return kConnectionStates;
    case Entity::kCredentialRequest:
      return kCredentialStates;
    case Entity::kCredentialOperation:
      return kOperationStates;
  }
  return {};
}

std::vector<State> StatesOn(Entity e, Side side) {
  std::vector<State> out;
  for (State s : StatesOf(e)) {
    bool reached = side == Side::kAdminCenter;
    for (const Move& m : kMoves) {
      reached =
          reached || (m.entity == e && SideOf(m.event) == side && (m.to == s || m.on_failure == s));
    }
    if (reached) out.push_back(s);
  }
  return out;
}

std::span<const Entity> EntitiesOf(Event e) {
  const auto i = static_cast<std::size_t>(e);
  return {kEventEntities.entities[i].data(), kEventEntities.count[i]};
}

bool IsFinal(Entity entity, State state) {
  for (const Move& m : kMoves) {
    if (m.entity == entity && In(m.from, state) && m.to && *m.to != state) return false;
  }
  return true;
}

Applied Apply(const Subject& subject, Event event, Instant now, Outcome outcome) {
  const Move* move = FindMove(subject.entity, event);
  if (!move) {
    return {std::nullopt, std::string(EventName(event)) + " does not apply to a " +
                              std::string(EntityName(subject.entity))};
  }
  const std::optional<State> target =
      outcome == Outcome::kFailure && move->on_failure ? move->on_failure : move->to;
  if (target && subject.state == target) {
    return {Transition{subject.entity, subject.state, *target, event, now}, ""};  // again
  }
  if (!In(move->from, subject.state)) {
    std::string why = "the " + std::string(EntityName(subject.entity));
    why += subject.state ? " is " + std::string(StateName(*subject.state)) : " does not exist";
    return {std::nullopt, why};
  }
  if (!target) {  // leaves the state as it is
    return {Transition{subject.entity, subject.state, *subject.state, event, now}, ""};
  }
  return {Transition{subject.entity, subject.state, *target, event, now}, ""};
}

}  // namespace custodian::policy::workflow
