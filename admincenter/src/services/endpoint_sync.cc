#include "admincenter/distribution.h"
#include "admincenter/endpoint_repository.h"
#include "admincenter/policy_repository.h"
#include "common/audit_chain.h"
#include "common/crypto.h"
#include "policy/request.h"
#include "services/distribution_parts.h"

namespace custodian::admincenter {
namespace {

// What one upload or poll may carry: bounded work per request.
constexpr std::size_t kMaxCommandsPerPoll = 100;

}  // namespace

using internal::IsSelf;
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

Result<EventBatchResult> Distribution::ReceiveEvents(const Principal& endpoint,
                                                     const std::string& endpoint_id,
                                                     const std::vector<ChainRecord>& records) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  const policy::Instant now = clock_();
  return storage_.Write([&](Repositories& tx) -> Result<EventBatchResult> {
    EndpointRepository& endpoints = tx.endpoints();
    const auto record = endpoints.Endpoint(endpoint_id);
    if (!record) return NotFound("no such endpoint");
    int64_t last_seq = record->last_event_seq;
    std::string last_hash = record->last_event_hash;
    EventBatchResult out;
    auto chain_event = [&](const char* action) {
      AuditEvent e = SystemEvent(action, "endpoint:" + endpoint_id);
      e.outcome = "failure";
      return e;
    };
    for (const ChainRecord& rec : records) {
      if (endpoints.EventReceived(rec.id)) {
        ++out.duplicates;
        continue;
      }
      switch (audit::ClassifyLink(last_seq, last_hash, rec.seq, rec.prev_hash)) {
        case audit::Link::kRepeated: {
          // Another event under a sequence number already taken: the
          // endpoint's chain forked (its state was restored or forged).
          AuditEvent e = chain_event("endpoint.events_conflict");
          e.Number("seq", rec.seq);
          e.Detail("event_id", rec.id);
          AppendAudit(tx.audit(), e, now);
          continue;
        }
        case audit::Link::kGap: {
          AuditEvent e = chain_event("endpoint.events_gap");
          e.Number("missing_from", last_seq + 1);
          e.Number("missing_to", rec.seq - 1);
          AppendAudit(tx.audit(), e, now);
          break;
        }
        case audit::Link::kBroken: {
          AuditEvent e = chain_event("endpoint.events_chain_broken");
          e.Number("seq", rec.seq);
          AppendAudit(tx.audit(), e, now);
          break;
        }
        case audit::Link::kNext:
          break;
      }
      AuditEvent e = rec.audit;
      e.actor_kind = "endpoint";
      e.actor_id = endpoint_id;
      const int64_t stored = AppendAudit(tx.audit(), e, now);
      endpoints.KeepEvent(rec.id, endpoint_id, rec.seq, rec.hash, stored);
      if (observer_ && rec.workflow) observer_(tx, endpoint_id, *rec.workflow, now);
      last_seq = rec.seq;
      last_hash = rec.hash;
      ++out.accepted;
    }
    endpoints.SetEventHead(endpoint_id, last_seq, last_hash);
    out.last_seq = last_seq;
    return out;
  });
}

}  // namespace custodian::admincenter
