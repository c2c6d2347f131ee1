// The workflows' core: lifetime, the facts decisions are made on, and the
// dispatch of commands. Commands are in workflow_commands.cc, the
// customer's answers in workflow_customer.cc, the timers in
// workflow_timers.cc.
#include "enforcer/workflows.h"

#include "workflows/workflow_events.h"

namespace custodian::enforcer {

using policy::workflow::Event;
using policy::workflow::Outcome;

Workflows::Workflows(Store& store, BundleHolder& bundles, const policy::TimeZones& zones,
                     WallClock wall, Vault machine_vault, AdminVerifier& verifier, OsActions& os,
                     WorkflowOptions options, std::function<void()> events_appended)
    : store_(store),
      bundles_(bundles),
      zones_(zones),
      wall_(std::move(wall)),
      machine_vault_(std::move(machine_vault)),
      session_vault_(Vault::WithRandomKey()),
      verifier_(verifier),
      os_(os),
      events_appended_(std::move(events_appended)),
      options_(std::move(options)) {}

Workflows::~Workflows() { Stop(); }

policy::Instant Workflows::Now() { return store_.Now(wall_()); }

void Workflows::Emit() {
  if (events_appended_) events_appended_();
}

void Workflows::Start() {
  const policy::Instant now = Now();
  {
    std::lock_guard lock(mutex_);
    // Session credentials lived in the memory of an earlier run, under a
    // key that died with it: they are gone, which is recorded.
    store_.Transact([&](Store::Tx& tx) {
      WorkflowRows rows(tx);
      for (const CredentialRequestRow& r : rows.CredentialRequests(State::kStored)) {
        auto t = Apply({policy::workflow::Entity::kCredentialRequest, r.state},
                       Event::kCredentialsWiped, now);
        if (!t.ok() || !rows.Move(r, *t.transition)) continue;
        tx.Append(EventBuilder(Event::kCredentialsWiped, "session:" + r.session_id)
                      .Detail("request_id", r.id)
                      .Detail("session_id", r.session_id)
                      .Detail("reason", "restart")
                      .event(),
                  now);
      }
      return true;
    });
  }
  Emit();
  timer_ = std::thread([this] { TimerLoop(); });
}

void Workflows::Stop() {
  {
    std::lock_guard lock(timer_mutex_);
    stopping_ = true;
  }
  timer_wake_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void Workflows::Wake() {
  {
    std::lock_guard lock(timer_mutex_);
    woken_ = true;
  }
  timer_wake_.notify_all();
}

void Workflows::SetPromptObserver(std::function<void(const std::string&)> f) {
  std::lock_guard lock(mutex_);
  prompted_ = std::move(f);
}

void Workflows::SetOptions(const WorkflowOptions& options) {
  {
    std::lock_guard lock(mutex_);
    options_ = options;
  }
  Wake();
}

// ---------------------------------------------------------------- decisions

policy::Request Workflows::DecisionRequest(policy::Action action, const std::string& technician_id,
                                           const std::string& session_id) {
  policy::Request r;
  r.action = action;
  r.technician_id = technician_id;
  const auto row =
      store_.Transact([&](Store::Tx& tx) { return WorkflowRows(tx).Session(session_id); });
  // A session this endpoint never saw opened is no active session (the
  // default SessionInfo: inactive, no screen viewing).
  r.session = row ? row->session : policy::SessionInfo{};
  policy::EndpointInfo endpoint;
  endpoint.os = policy::ParseOs(options_.os).value_or(policy::Os::kLinux);
  endpoint.time_zone = options_.time_zone;
  r.endpoint = endpoint;
  return r;
}

policy::Decision Workflows::UnattendedDecision(const RequestRow& row, policy::Instant now) {
  policy::Request r =
      DecisionRequest(policy::Action::kUnattendedRequest, row.technician_id, row.session_id);
  if (!row.credential_mode || !row.schedule) return policy::Decision{};  // a deny
  r.credential_mode = row.credential_mode;
  r.schedule = row.schedule;
  return bundles_.Decide(r, now);
}

bool Workflows::RunUnlocked(Lock& lock, const std::string& operation, const std::string& user,
                            const std::string& domain, const SecretBytes& secret,
                            std::string* failure) {
  // A restart or logon may take long; the local API and the timers go on.
  lock.unlock();
  const bool ok = os_.Run(operation, user, domain, secret, failure);
  lock.lock();
  return ok;
}

// ----------------------------------------------------------------- commands

bool Workflows::OnCommand(const policy::DecodedCommand& decoded) {
  if (!decoded.command) return false;
  const policy::Command& c = *decoded.command;
  const policy::Instant now = Now();
  {
    Lock lock(mutex_);
    if (c.type == Event::kRequestUnattended && !c.request_id.empty()) {
      ReceiveUnattendedRequest(c, decoded.errors, now);
    } else if (c.type == Event::kRequestCredentials && !c.request_id.empty()) {
      ReceiveCredentialRequest(c, decoded.errors, now);
    } else if (!decoded.errors.empty()) {
      RecordInvalid(decoded, now);
    } else {
      switch (c.type) {
        case Event::kOpenSession:
          OpenSession(c, now);
          break;
        case Event::kUpdateSession:
          UpdateSession(c, now);
          break;
        case Event::kEndSession:
          EndSession(c, now);
          break;
        case Event::kRevokeGrant:
          EndGrant(c.grant_id, Event::kGrantRevoked, c.by, now);
          break;
        case Event::kConnect:
          Connect(c, now, lock);
          break;
        case Event::kApplyCredentials:
          ApplyCredentials(c, now, lock);
          break;
        default:  // requests without an id: recorded as invalid above
          break;
      }
    }
  }
  Emit();
  Wake();
  return true;
}

void Workflows::RecordInvalid(const policy::DecodedCommand& decoded, policy::Instant now) {
  const policy::FieldError& first = decoded.errors.front();
  store_.Append(EventBuilder("command.invalid",
                             std::string(policy::workflow::EventName(decoded.command->type)),
                             Outcome::kFailure)
                    .Detail("invalid", first.pointer + ": " + first.message)
                    .event(),
                now);
}

Overview Workflows::GetOverview() {
  std::lock_guard lock(mutex_);
  Overview o = store_.Transact([&](Store::Tx& tx) {
    WorkflowRows rows(tx);
    return Overview{rows.Sessions(), rows.Grants(), rows.Connections(), {}};
  });
  for (const auto& [session_id, secret] : secrets_) o.credential_sessions.push_back(session_id);
  return o;
}

}  // namespace custodian::enforcer
