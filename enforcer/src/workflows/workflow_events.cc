#include "workflows/workflow_events.h"

#include "policy/codec.h"

namespace custodian::enforcer {

using web::json::value;

EventBuilder::EventBuilder(policy::workflow::Event event, std::string target,
                           policy::workflow::Outcome outcome)
    : EventBuilder(std::string(policy::workflow::EventName(event)), std::move(target), outcome) {}

EventBuilder::EventBuilder(std::string action, std::string target,
                           policy::workflow::Outcome outcome) {
  e_.action = std::move(action);
  e_.target = std::move(target);
  e_.outcome = std::string(policy::workflow::OutcomeName(outcome));
  e_.details = value::object(true);
}

EventBuilder& EventBuilder::Detail(const char* key, const std::string& text) {
  e_.details[key] = value::string(text);
  return *this;
}

EventBuilder& EventBuilder::Flag(const char* key, bool on) {
  e_.details[key] = value::boolean(on);
  return *this;
}

EventBuilder& EventBuilder::Count(const char* key, int n) {
  e_.details[key] = value::number(n);
  return *this;
}

EventBuilder& EventBuilder::Schedule(const char* key, const policy::EffectiveSchedule& schedule) {
  e_.details[key] = policy::EncodeEffectiveSchedule(schedule);
  return *this;
}

EventBuilder& EventBuilder::Reasons(const policy::Decision& decision) {
  e_.reasons = policy::EncodeDecision(decision).at("reasons");
  return *this;
}

EventBuilder& EventBuilder::Reason(policy::ReasonCode code, const char* rule,
                                   const std::string& message) {
  value r = value::object(true);
  r["code"] = value::string(std::string(policy::ReasonCodeName(code)));
  r["rule"] = value::string(rule);
  r["message"] = value::string(message);
  e_.reasons = value::array({r});
  return *this;
}

std::optional<Transition> Step(policy::workflow::Entity entity, std::optional<State> from,
                               policy::workflow::Event event, policy::Instant now,
                               policy::workflow::Outcome outcome) {
  policy::workflow::Applied a = policy::workflow::Apply({entity, from}, event, now, outcome);
  return a.transition;
}

void EndConnection(Store::Tx& tx, WorkflowRows& rows, const ConnectionRow& c,
                   const std::string& reason, policy::Instant now) {
  using policy::workflow::Event;
  auto t = Step(policy::workflow::Entity::kConnection, c.state, Event::kConnectionEnded, now);
  if (!t || !rows.EndConnection(c.id, *t, reason)) return;
  tx.Append(EventBuilder(Event::kConnectionEnded, "connection:" + c.id)
                .Detail("connection_id", c.id)
                .Detail("grant_id", c.grant_id)
                .Detail("reason", reason)
                .event(),
            now);
}

}  // namespace custodian::enforcer
