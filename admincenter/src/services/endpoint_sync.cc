#include "admincenter/distribution.h"
#include "admincenter/endpoint_repository.h"
#include "admincenter/policy_repository.h"
#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "http/input.h"
#include "policy/request.h"
#include "services/distribution_parts.h"

namespace custodian::admincenter {
namespace {

// What one upload or poll may carry: bounded work per request.
constexpr std::size_t kMaxEventsPerBatch = 1000;
constexpr std::size_t kMaxCommandsPerPoll = 100;

// Whether `e` has the fields of a chain record, of the right types.
bool IsEventRecord(const value& e) {
  if (!e.is_object()) return false;
  for (const char* k : {"seq", "id", "ts", "action", "target", "outcome", "reasons", "details",
                        "prev_hash", "hash"}) {
    if (!e.has_field(k)) return false;
  }
  return e.at("seq").is_integer() && e.at("seq").as_number().to_int64() > 0 &&
         e.at("id").is_string() && e.at("ts").is_string() && e.at("action").is_string() &&
         e.at("target").is_string() && e.at("outcome").is_string() && e.at("reasons").is_array() &&
         e.at("details").is_object() && e.at("prev_hash").is_string() && e.at("hash").is_string();
}

}  // namespace

using internal::IsSelf;
using internal::Str;
using internal::SystemEvent;

// ---------------------------------------------------------------- commands

Result<CommandRecord> Distribution::QueueCommand(const Principal& actor,
                                                 const std::string& endpoint_id,
                                                 const std::string& type) {
  const policy::Instant now = clock_();
  Result<CommandRecord> r = storage_.Write([&](Repositories& tx) -> Result<CommandRecord> {
    EndpointRepository& endpoints = tx.endpoints();
    if (!endpoints.Endpoint(endpoint_id)) return NotFound("no such endpoint");
    const std::string id = endpoints.QueueCommand(endpoint_id, type, "{}", now);
    AuditEvent e = ActorEvent(actor, "endpoint.command", "endpoint:" + endpoint_id);
    e.Detail("command_id", id);
    e.Detail("type", type);
    AppendAudit(tx.audit(), e, now);
    return CommandRecord{id, type, "{}", now};
  });
  if (r.ok()) waiters_.Notify(endpoint_id);  // after the commit: the poller will find it
  return r;
}

Result<std::vector<CommandRecord>> Distribution::PendingCommands(const Principal& endpoint,
                                                                 const std::string& endpoint_id) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  return storage_.Read([&](Repositories& tx) {
    return tx.endpoints().PendingCommands(endpoint_id, kMaxCommandsPerPoll);
  });
}

Result<Acked> Distribution::AckCommands(const Principal& endpoint, const std::string& endpoint_id,
                                        const std::vector<std::string>& ids) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  const policy::Instant now = clock_();
  return storage_.Write(
      [&](Repositories& tx) { return Acked{tx.endpoints().AckCommands(endpoint_id, ids, now)}; });
}

// ------------------------------------------------------------------ events

Result<value> Distribution::ReceiveEvents(const Principal& endpoint, const std::string& endpoint_id,
                                          const value& body) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"events"}, errors);
  if (!body.has_field("events") || !body.at("events").is_array()) {
    errors.push_back({"/events", "must be an array of events"});
    return Invalid(std::move(errors));
  }
  const auto& events = body.at("events").as_array();
  if (events.size() > kMaxEventsPerBatch) {
    errors.push_back({"/events", "at most " + std::to_string(kMaxEventsPerBatch) + " per batch"});
  }
  // Each must be a record of the chain format with its own hash right.
  std::size_t i = 0;
  for (const value& e : events) {
    const std::string at = "/events/" + std::to_string(i++);
    if (!IsEventRecord(e)) {
      errors.push_back({at,
                        "must be an event record (seq, id, ts, actor, action, target, "
                        "outcome, reasons, details, prev_hash, hash)"});
    } else if (audit::RecordHash(e) != e.at("hash").as_string()) {
      errors.push_back({at + "/hash", "does not match the event"});
    }
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const policy::Instant now = clock_();
  return storage_.Write([&](Repositories& tx) -> Result<value> {
    EndpointRepository& endpoints = tx.endpoints();
    const auto record = endpoints.Endpoint(endpoint_id);
    if (!record) return NotFound("no such endpoint");
    int64_t last_seq = record->last_event_seq;
    std::string last_hash = record->last_event_hash;
    int accepted = 0, duplicates = 0;
    auto chain_event = [&](const char* action, value details) {
      AuditEvent e = SystemEvent(action, "endpoint:" + endpoint_id);
      e.outcome = "failure";
      e.details = std::move(details);
      AppendAudit(tx.audit(), e, now);
    };
    for (const value& rec : events) {
      const int64_t seq = rec.at("seq").as_number().to_int64();
      const std::string id = rec.at("id").as_string();
      if (endpoints.EventReceived(id)) {
        ++duplicates;
        continue;
      }
      value d = value::object(true);
      switch (audit::ClassifyLink(last_seq, last_hash, seq, rec.at("prev_hash").as_string())) {
        case audit::Link::kRepeated:
          // Another event under a sequence number already taken: the
          // endpoint's chain forked (its state was restored or forged).
          d["seq"] = value::number(seq);
          d["event_id"] = Str(id);
          chain_event("endpoint.events_conflict", d);
          continue;
        case audit::Link::kGap:
          d["missing_from"] = value::number(last_seq + 1);
          d["missing_to"] = value::number(seq - 1);
          chain_event("endpoint.events_gap", d);
          break;
        case audit::Link::kBroken:
          d["seq"] = value::number(seq);
          chain_event("endpoint.events_chain_broken", d);
          break;
        case audit::Link::kNext:
          break;
      }
      AuditEvent e;
      e.actor_kind = "endpoint";
      e.actor_id = endpoint_id;
      e.action = rec.at("action").as_string();
      e.target = rec.at("target").as_string();
      e.outcome = rec.at("outcome").as_string();
      e.reasons = rec.at("reasons");
      value origin = value::object(true);
      origin["id"] = Str(id);
      origin["seq"] = value::number(seq);
      origin["ts"] = rec.at("ts");
      origin["hash"] = rec.at("hash");
      e.details = value::object(true);
      e.details["endpoint_event"] = origin;
      e.details["details"] = rec.at("details");
      const int64_t stored = AppendAudit(tx.audit(), e, now);
      endpoints.KeepEvent(id, endpoint_id, seq, rec.at("hash").as_string(), stored);
      if (observer_) observer_(tx, endpoint_id, rec, now);
      last_seq = seq;
      last_hash = rec.at("hash").as_string();
      ++accepted;
    }
    endpoints.SetEventHead(endpoint_id, last_seq, last_hash);
    value out = value::object(true);
    out["accepted"] = value::number(accepted);
    out["duplicates"] = value::number(duplicates);
    out["last_seq"] = value::number(last_seq);
    return out;
  });
}

}  // namespace custodian::admincenter
