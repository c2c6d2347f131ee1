// The endpoint's workflow events as records of its chain (DESIGN.md §7):
// the event's wire name from policy/workflow.h, its target, outcome,
// reasons and details. The one place where the workflows' typed values
// become the JSON of an event.
#pragma once

#include <string>

#include "enforcer/storage/store.h"
#include "enforcer/storage/workflow_rows.h"
#include "policy/decision.h"
#include "policy/workflow.h"

namespace custodian::enforcer {

class EventBuilder {
 public:
  EventBuilder(policy::workflow::Event event, std::string target,
               policy::workflow::Outcome outcome = policy::workflow::Outcome::kSuccess);
  // An event of the endpoint's that is no workflow's ("command.invalid").
  EventBuilder(std::string action, std::string target, policy::workflow::Outcome outcome);
  EventBuilder& Detail(const char* key, const std::string& text);
  EventBuilder& Detail(const char* key, const char* text) { return Detail(key, std::string(text)); }
  EventBuilder& Flag(const char* key, bool on);
  EventBuilder& Count(const char* key, int n);
  EventBuilder& Schedule(const char* key, const policy::EffectiveSchedule& schedule);
  // Every reason of `decision`, each with its rule.
  EventBuilder& Reasons(const policy::Decision& decision);
  // A reason of the closed set (DESIGN.md §3) the endpoint states itself.
  EventBuilder& Reason(policy::ReasonCode code, const char* rule, const std::string& message);
  const EventInput& event() const { return e_; }

 private:
  EventInput e_;
};

// The transition `event` makes of an `entity` in state `from` at `now`, or
// nothing when the vocabulary has no such move. (A transition that changes
// nothing is returned too: the rows' compare-and-set writes nothing for it.)
std::optional<Transition> Step(
    policy::workflow::Entity entity, std::optional<State> from, policy::workflow::Event event,
    policy::Instant now, policy::workflow::Outcome outcome = policy::workflow::Outcome::kSuccess);

// Ends `connection` for `reason` ("grant_revoked", "window_closed", …),
// with its event, inside `tx`.
void EndConnection(Store::Tx& tx, WorkflowRows& rows, const ConnectionRow& connection,
                   const std::string& reason, policy::Instant now);

}  // namespace custodian::enforcer
