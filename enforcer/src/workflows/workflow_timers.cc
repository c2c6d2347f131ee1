// The workflows' timers: unanswered prompts expire, grants end with their
// schedule (R8), unattended sessions end with their grant or when the
// daily window closes (R4), with a warning before.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/logging.h"
#include "enforcer/workflows.h"
#include "policy/schedule.h"
#include "workflows/workflow_events.h"

namespace custodian::enforcer {

using policy::Instant;
using policy::workflow::Entity;
using policy::workflow::Event;
using policy::workflow::Outcome;

std::optional<Instant> Workflows::Sweep() {
  std::optional<Instant> next;
  auto consider = [&](Instant t) {
    if (!next || t < *next) next = t;
  };
  {
    std::lock_guard lock(mutex_);
    const Instant now = Now();
    const auto warning = std::chrono::minutes(options_.warning_minutes);
    const auto held = bundles_.active();
    const auto ttl = std::chrono::minutes(held ? held->compiled.request_ttl_minutes()
                                               : policy::kDefaultRequestTtlMinutes);
    store_.Transact([&](Store::Tx& tx) {
      WorkflowRows rows(tx);
      // Unanswered requests expire (request_ttl_minutes).
      for (const RequestRow& r : rows.Requests(State::kPending)) {
        if (r.expires_at > now) {
          consider(r.expires_at);
          continue;
        }
        auto t = Step(Entity::kUnattendedRequest, r.state, Event::kRequestExpired, now);
        if (!t || !rows.Move(r.id, *t)) continue;
        tx.Append(
            EventBuilder(Event::kRequestExpired, "unattended_request:" + r.id, Outcome::kFailure)
                .Detail("request_id", r.id)
                .event(),
            now);
      }
      // So do unanswered credential prompts, after the same time.
      for (const CredentialRequestRow& r : rows.CredentialRequests(State::kPending)) {
        if (r.created_at + ttl > now) {
          consider(r.created_at + ttl);
          continue;
        }
        auto t = Step(Entity::kCredentialRequest, r.state, Event::kCredentialsExpired, now);
        if (!t || !rows.Move(r, *t)) continue;
        tx.Append(
            EventBuilder(Event::kCredentialsExpired, "session:" + r.session_id, Outcome::kFailure)
                .Detail("request_id", r.id)
                .Detail("session_id", r.session_id)
                .Detail("reason", "unanswered")
                .event(),
            now);
      }
      return true;
    });
    // Grants end at the end of their schedule (R8).
    const auto grants =
        store_.Transact([&](Store::Tx& tx) { return WorkflowRows(tx).Grants(State::kActive); });
    std::map<std::string, policy::GrantSchedule> schedules;
    for (const GrantRow& g : grants) {
      const policy::GrantSchedule& s = g.grant.schedule;
      if (s.end && *s.end <= now) {
        EndGrant(g.id, Event::kGrantExpired, "expiry", now);
        continue;
      }
      if (s.end) consider(*s.end);
      schedules[g.id] = s;
    }
    // Unattended sessions end with their grant or when the daily window
    // closes, with a warning before.
    const auto connections =
        store_.Transact([&](Store::Tx& tx) { return WorkflowRows(tx).OpenConnections(); });
    for (const ConnectionRow& c : connections) {
      auto s = schedules.find(c.grant_id);
      if (s == schedules.end()) continue;
      std::optional<Instant> ends = s->second.end;
      std::string reason = "grant_expired";
      const policy::TimeZone* zone =
          s->second.daily ? zones_.Find(s->second.daily_time_zone) : nullptr;
      if (s->second.daily && zone) {
        const auto window = policy::CurrentOrNextWindow(*s->second.daily, *zone, now);
        const Instant closes = window.open <= now ? window.close : now;
        if (!ends || closes < *ends) {
          ends = closes;
          reason = "window_closed";
        }
      }
      if (!ends) continue;
      if (*ends <= now) {
        store_.Transact([&](Store::Tx& tx) {
          WorkflowRows rows(tx);
          EndConnection(tx, rows, c, reason, now);
          return true;
        });
        continue;
      }
      consider(*ends);
      if (c.warned) continue;
      if (*ends - warning > now) {
        consider(*ends - warning);
        continue;
      }
      store_.Transact([&](Store::Tx& tx) {
        WorkflowRows rows(tx);
        if (!Step(Entity::kConnection, c.state, Event::kConnectionWarning, now) ||
            !rows.MarkWarned(c.id)) {
          return false;
        }
        tx.Append(EventBuilder(Event::kConnectionWarning, "connection:" + c.id)
                      .Detail("connection_id", c.id)
                      .Detail("grant_id", c.grant_id)
                      .Detail("ends_at", policy::FormatRfc3339(*ends))
                      .Detail("reason", reason)
                      .event(),
                  now);
        return true;
      });
    }
  }
  Emit();
  return next;
}

void Workflows::TimerLoop() {
  for (;;) {
    std::optional<Instant> next;
    try {
      next = Sweep();
    } catch (const std::exception& e) {
      spdlog::error(logging::Line("timer_failed", {{"error", e.what()}}));
      next = Now() + std::chrono::seconds(5);  // try again soon
    }
    std::unique_lock lock(timer_mutex_);
    if (stopping_) return;
    if (!woken_) {
      auto done = [this] { return stopping_ || woken_; };
      if (next) {
        // Instants have whole seconds: wake just after the one that is due.
        const auto wait = std::max(std::chrono::seconds(0), *next - wall_());
        timer_wake_.wait_for(lock, wait + std::chrono::milliseconds(200), done);
      } else {
        timer_wake_.wait(lock, done);
      }
    }
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace custodian::enforcer
