// The endpoint's workflow events, applied to what the admin center holds:
// for each entity an event moves, load its state, ask the vocabulary for
// the transition, store it as a compare-and-set. An event that does not
// apply (a record this endpoint does not own, a state it cannot leave) or
// that loses the compare-and-set changes nothing and is logged: the event
// itself is in the audit log either way.
#include <spdlog/spdlog.h>

#include "admincenter/workflow_codec.h"
#include "admincenter/workflows.h"
#include "common/logging.h"

namespace custodian::admincenter {

using policy::workflow::Event;

namespace {

void NotApplied(const std::string& endpoint_id, const EndpointEvent& e, Entity entity,
                const std::string& why) {
  spdlog::warn(
      logging::Line("workflow_event_not_applied", {{"endpoint_id", endpoint_id},
                                                   {"action", policy::workflow::EventName(e.event)},
                                                   {"entity", policy::workflow::EntityName(entity)},
                                                   {"id", e.IdOf(entity)},
                                                   {"why", why}}));
}

// What a move of `entity` by `e` writes beside the state.
MoveDetails DetailsOf(Entity entity, const EndpointEvent& e) {
  MoveDetails d;
  switch (e.event) {
    case Event::kRequestRefused:
    case Event::kConnectionDenied:
    case Event::kCredentialsRefused:
    case Event::kCredentialsApplied:
    case Event::kCredentialsApplyDenied:
      d.reasons = e.reasons;
      break;
    case Event::kRequestApproved:
      if (entity == Entity::kUnattendedRequest) d.grant_id = e.grant_id;
      break;
    case Event::kGrantRevoked:
      d.ended_by = e.by;
      break;
    case Event::kGrantExpired:
      d.ended_by = "expiry";
      break;
    case Event::kConnectionEnded:
      d.end_reason = e.reason;
      break;
    default:
      break;
  }
  return d;
}

}  // namespace

void Workflows::Observe(Repositories& tx, const std::string& endpoint_id, const EndpointEvent& e,
                        policy::Instant now) {
  if (e.event == Event::kRequestApproved && (e.grant_id.empty() || !e.effective_schedule)) {
    NotApplied(endpoint_id, e, Entity::kGrant, "the approval carries no grant");
    return;
  }
  WorkflowRepository& repo = tx.workflows();
  for (Entity entity : policy::workflow::EntitiesOf(e.event)) {
    const std::string& id = e.IdOf(entity);
    if (id.empty()) continue;  // sessions are the admin center's own
    const std::optional<State> state = repo.StateOf(entity, id, endpoint_id);
    const auto applied = policy::workflow::Apply({entity, state}, e.event, now, e.outcome);
    if (!applied.ok()) {
      // The endpoint's own records that the admin center never asked for
      // (a connection refused before it was requested here) are not
      // stored; anything else is worth a look.
      if (state || entity == Entity::kGrant) NotApplied(endpoint_id, e, entity, applied.refusal);
      continue;
    }
    const Transition& t = *applied.transition;
    if (!t.changes()) continue;  // the admin center's own step, reported back
    if (!t.from) {
      if (entity != Entity::kGrant) continue;  // the endpoint's creations of its own records
      // The customer's approval creates the grant the request asked for.
      // Only for a request this endpoint approved just now (moved above).
      const auto request = repo.Request(e.request_id);
      if (!request || request->endpoint_id != endpoint_id || request->state != State::kApproved ||
          request->grant_id != id) {
        NotApplied(endpoint_id, e, entity, "the approval names no request it approved");
        continue;
      }
      GrantRecord g;
      g.id = id;
      g.request_id = request->id;
      g.endpoint_id = endpoint_id;
      g.grant.technician_id = request->technician_id;
      g.grant.credential_mode = request->credential_mode;
      g.grant.schedule = *e.effective_schedule;
      g.grant.state = t.to;
      g.created_at = now;
      repo.Insert(g);
      continue;
    }
    if (!repo.Move(entity, id, endpoint_id, t, DetailsOf(entity, e))) {
      NotApplied(endpoint_id, e, entity, "it was moved meanwhile");
    }
  }
}

}  // namespace custodian::admincenter
