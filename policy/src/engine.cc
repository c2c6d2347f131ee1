#include "policy/engine.h"

#include <algorithm>
#include <unordered_map>

#include "policy/schedule.h"

namespace custodian::policy {
namespace {

// Rule numbers of DESIGN.md §1, cited by every reason.
enum Rule : uint8_t {
  kR1 = 1,
  kR2 = 2,
  kR3 = 3,
  kR4 = 4,
  kR5 = 5,
  kR6 = 6,
  kR7 = 7,
  kR8 = 8,
  kR9 = 9,
  kR10 = 10,
  kR12 = 12,
  kR13 = 13,
  kR16 = 16,
};

// Variants of a reason (`Reason::what`) that the message tells apart.
enum : uint8_t { kBuiltInBlock = 0, kAdminBlock = 1 };
enum : uint8_t { kZoneUnknown = 0, kZoneMissing = 1, kGrantZoneUnknown = 2 };
enum : uint8_t { kGrantNotStarted = 0, kGrantOfAnotherTechnician = 1 };
enum : uint8_t { kAtSetupNeedsWindows = 0, kCredentialsNeedWindows = 1 };

uint32_t Bit(Permission p) { return 1u << static_cast<uint32_t>(p); }

// Every reason denies except `duration_capped`, which explains an allow.
bool Denies(const Reason& r) { return r.code != ReasonCode::kDurationCapped; }

class Reasons {
 public:
  explicit Reasons(Decision& d) : d_(d) {}
  void Add(ReasonCode code, uint8_t rule, uint8_t what = 0, int32_t requested = 0,
           int32_t limit = 0) {
    if (d_.reason_count == kMaxReasons) return;
    d_.reason_storage[d_.reason_count++] = Reason{code, rule, what, requested, limit};
  }

 private:
  Decision& d_;
};

// The facts every action starts from.
struct Context {
  const CompiledPolicy& policy;
  const Request& request;
  Instant now;
  const CompiledPolicy::CompiledTechnician* technician;
  const CompiledPolicy::CompiledGroup* group;  // null when the technician is unknown
  Reasons& reasons;

  void RequirePermission(Permission p, uint8_t rule) const {
    if (group && !(group->permissions & Bit(p))) {
      reasons.Add(ReasonCode::kPermissionMissing, rule, static_cast<uint8_t>(p));
    }
  }
  void RequireActiveSession(uint8_t rule) const {
    if (!request.session || !request.session->active) {
      reasons.Add(ReasonCode::kSessionNotActive, rule);
    }
  }
  bool OnWindows() const { return request.endpoint && request.endpoint->os == Os::kWindows; }
};

// R5: the zone the schedule is read in; a reason when it cannot be had.
const TimeZone* ReferenceZone(const Context& c, const Schedule& schedule) {
  if (schedule.time_reference == TimeReference::kTechnician) {
    return c.technician ? c.technician->zone : nullptr;  // unknown technician: reported already
  }
  if (!c.request.endpoint || !c.request.endpoint->time_zone) {
    c.reasons.Add(ReasonCode::kUnknownTimeZone, kR5, kZoneMissing);
    return nullptr;
  }
  const TimeZone* zone = c.policy.zones().Find(*c.request.endpoint->time_zone);
  if (!zone) c.reasons.Add(ReasonCode::kUnknownTimeZone, kR5, kZoneUnknown);
  return zone;
}

// R1–R7.
void DecideUnattendedRequest(const Context& c, Decision& d) {
  const Request& r = c.request;
  c.RequirePermission(Permission::kUnattendedAccess, kR1);

  c.RequireActiveSession(kR2);
  if (r.session) {
    const SessionInfo& session = *r.session;
    const auto type = static_cast<int32_t>(session.type);
    if (session.type == SessionType::kMobileApplet ||
        (session.type == SessionType::kInstantChat && session.chat_only)) {
      c.reasons.Add(ReasonCode::kSessionTypeBlocked, kR2, kBuiltInBlock, type);
    } else if (c.policy.blocked_session_types()[static_cast<std::size_t>(session.type)]) {
      c.reasons.Add(ReasonCode::kSessionTypeBlocked, kR2, kAdminBlock, type);
    }
  }

  // The codec requires a mode and a schedule; a hand-built request without
  // them fails closed.
  if (!r.credential_mode) c.reasons.Add(ReasonCode::kAuthModeNotAllowed, kR3);
  if (!r.schedule) c.reasons.Add(ReasonCode::kInvalidSchedule, kR4);
  if (!r.credential_mode || !r.schedule) return;
  const Schedule& schedule = *r.schedule;
  const AuthMode mode = *r.credential_mode;
  const bool customer_credentials = mode == AuthMode::kAtSetup;
  if (c.group && !c.group->auth_modes[static_cast<std::size_t>(mode)]) {
    c.reasons.Add(ReasonCode::kAuthModeNotAllowed, kR3, 0, static_cast<int32_t>(mode));
  }
  // R7: the customer approves by entering their Windows user name and password.
  if (customer_credentials && !c.OnWindows()) {
    c.reasons.Add(ReasonCode::kPlatformNotSupported, kR7, kAtSetupNeedsWindows);
  }

  const TimeZone* zone = ReferenceZone(c, schedule);
  const ScheduleIssue issue = CheckSchedule(schedule, zone, c.now);
  if (issue != ScheduleIssue::kNone) {
    c.reasons.Add(ReasonCode::kInvalidSchedule, kR4, static_cast<uint8_t>(issue));
  }

  // R6, and the group's own cap (R4: durations are the group's to bound).
  const int32_t group_cap = c.group ? c.group->max_days : 0;
  int32_t cap = group_cap;
  uint8_t cap_rule = kR4;
  if (customer_credentials && (cap == 0 || cap >= kCustomerCredentialsMaxDays)) {
    cap = kCustomerCredentialsMaxDays;
    cap_rule = kR6;
  }
  std::optional<int> clamp_days;
  const std::optional<int> days = ScheduleDays(schedule);
  if (customer_credentials && !days) {
    c.reasons.Add(ReasonCode::kUnlimitedNotAllowed, kR6, 0, 0, kCustomerCredentialsMaxDays);
  } else if (issue == ScheduleIssue::kNone && cap > 0 && (!days || *days > cap)) {
    const int32_t requested = days.value_or(0);  // 0: unlimited
    if (c.policy.cap_behavior() == CapBehavior::kDeny) {
      c.reasons.Add(ReasonCode::kDurationExceedsCap, cap_rule, 0, requested, cap);
    } else {
      c.reasons.Add(ReasonCode::kDurationCapped, cap_rule, 0, requested, cap);
      clamp_days = cap;
    }
  }

  // Only an allow carries the schedule; a deny so far will not become one.
  const bool denied_so_far = std::any_of(d.reasons().begin(), d.reasons().end(), Denies);
  if (zone && issue == ScheduleIssue::kNone && !denied_so_far) {
    d.effective_schedule = ResolveSchedule(schedule, *zone, c.now, clamp_days);
  }
  d.customer_prompt =
      customer_credentials ? CustomerPrompt::kWindowsCredentials : CustomerPrompt::kConfirm;
}

// R1 against the current policy, R3, R4, R5, R8.
void DecideUnattendedConnect(const Context& c, Decision& d) {
  c.RequirePermission(Permission::kUnattendedAccess, kR1);
  if (!c.request.grant) {  // the codec requires one; fail closed without
    c.reasons.Add(ReasonCode::kGrantNotActive, kR8, kGrantNotStarted);
    return;
  }
  const Grant& g = *c.request.grant;
  if (g.technician_id != c.request.technician_id) {
    c.reasons.Add(ReasonCode::kGrantNotActive, kR8, kGrantOfAnotherTechnician);
  }
  if (g.state == workflow::State::kRevoked) c.reasons.Add(ReasonCode::kGrantRevoked, kR8);
  const GrantSchedule& s = g.schedule;
  if (c.now < s.start) c.reasons.Add(ReasonCode::kGrantNotActive, kR8, kGrantNotStarted);
  if ((s.end && c.now >= *s.end) || g.state == workflow::State::kExpired) {
    c.reasons.Add(ReasonCode::kGrantExpired, kR8);
  }
  if (c.group && !c.group->auth_modes[static_cast<std::size_t>(g.credential_mode)]) {
    c.reasons.Add(ReasonCode::kAuthModeNotAllowed, kR3, 0, static_cast<int32_t>(g.credential_mode));
  }
  EffectiveSchedule schedule{s.start, s.end, s.daily, nullptr};
  if (s.daily) {
    schedule.zone = c.policy.zones().Find(s.daily_time_zone);
    if (!schedule.zone) {
      c.reasons.Add(ReasonCode::kUnknownTimeZone, kR5, kGrantZoneUnknown);
    } else if (!InDailyWindow(*s.daily, *schedule.zone, c.now)) {
      c.reasons.Add(ReasonCode::kOutsideTimeWindow, kR4, 0, s.daily->from, s.daily->to);
      // Where and when: the message names the zone and the next opening.
      d.window_opens = CurrentOrNextWindow(*s.daily, *schedule.zone, c.now).open;
      d.window_zone = schedule.zone;
      d.technician_zone = c.technician ? c.technician->zone : nullptr;
    }
  }
  d.effective_schedule = schedule;
  // R3: `at_connection` means administrator credentials at every connect.
  d.admin_credentials_required = g.credential_mode == AuthMode::kAtConnection;
}

// R9, R13 (R14: the prompt asks only for the password).
void DecideCredentialsRequest(const Context& c, Decision& d) {
  c.RequirePermission(Permission::kRequestWindowsCredentials, kR9);
  if (!c.OnWindows())
    c.reasons.Add(ReasonCode::kPlatformNotSupported, kR9, kCredentialsNeedWindows);
  c.RequireActiveSession(kR9);
  if (!c.request.session || !c.request.session->screen_viewing) {
    c.reasons.Add(ReasonCode::kScreenViewingInactive, kR13);
  }
  d.customer_prompt = CustomerPrompt::kWindowsCredentials;
}

// R9, R10, R12.
void DecideCredentialsApply(const Context& c, Decision&) {
  c.RequirePermission(Permission::kRequestWindowsCredentials, kR9);
  if (!c.OnWindows())
    c.reasons.Add(ReasonCode::kPlatformNotSupported, kR9, kCredentialsNeedWindows);
  c.RequireActiveSession(kR10);
  if (!c.request.credentials_stored) c.reasons.Add(ReasonCode::kCredentialsNotStored, kR12);
}

}  // namespace

CompiledPolicy CompiledPolicy::Compile(const Policy& policy, const TimeZones& zones,
                                       std::optional<Instant> expires_at) {
  CompiledPolicy c;
  c.zones_ = &zones;
  c.blocked_session_types_ = policy.settings.blocked_session_types;
  c.cap_behavior_ = policy.settings.cap_behavior;
  c.request_ttl_minutes_ = policy.settings.request_ttl_minutes;
  c.expires_at_ = expires_at;
  const std::vector<EffectiveSettings> effective = ResolveEffective(policy);
  std::unordered_map<std::string_view, uint32_t> group_index;
  c.groups_.reserve(effective.size());
  for (std::size_t i = 0; i < effective.size(); ++i) {
    CompiledGroup g;
    for (std::size_t p = 0; p < kPermissionCount; ++p) {
      if (effective[i].permissions[p]) g.permissions |= 1u << p;
    }
    g.auth_modes = effective[i].auth_modes;
    g.max_days = effective[i].max_days.value_or(0);
    c.groups_.push_back(g);
    group_index.emplace(policy.groups[i].id, static_cast<uint32_t>(i));
  }
  for (const Technician& t : policy.technicians) {
    auto group = group_index.find(t.group_id);
    if (group == group_index.end()) continue;  // invalid policies only: technician_unknown
    c.technician_ids_.push_back(t.id);
    c.technicians_.push_back(CompiledTechnician{group->second, zones.Find(t.time_zone)});
  }
  c.IndexTechnicians();
  return c;
}

void CompiledPolicy::IndexTechnicians() {
  std::size_t size = 16;
  while (size < 2 * technician_ids_.size()) size *= 2;
  slots_.assign(size, Slot{});
  for (uint32_t i = 0; i < technician_ids_.size(); ++i) {
    const uint64_t hash = std::hash<std::string_view>{}(technician_ids_[i]);
    for (std::size_t s = hash & (size - 1);; s = (s + 1) & (size - 1)) {
      if (slots_[s].index == kEmpty) {
        slots_[s] = Slot{hash, i};
        break;
      }
      // A duplicate id (invalid policies only): the first one wins.
      if (slots_[s].hash == hash && technician_ids_[slots_[s].index] == technician_ids_[i]) break;
    }
  }
}

const CompiledPolicy::CompiledTechnician* CompiledPolicy::FindTechnician(
    std::string_view id) const {
  const uint64_t hash = std::hash<std::string_view>{}(id);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t s = hash & mask; slots_[s].index != kEmpty; s = (s + 1) & mask) {
    if (slots_[s].hash == hash && technician_ids_[slots_[s].index] == id) {
      return &technicians_[slots_[s].index];
    }
  }
  return nullptr;
}

Decision Decide(const CompiledPolicy& policy, const Request& request, Instant now) {
  Decision d;
  Reasons reasons(d);
  if (policy.expires_at() && now >= *policy.expires_at()) {
    reasons.Add(ReasonCode::kPolicyExpired, kR16);
  }
  const auto* technician = policy.FindTechnician(request.technician_id);
  if (!technician) reasons.Add(ReasonCode::kTechnicianUnknown, kR16);
  const Context c{
      policy, request, now, technician, technician ? &policy.group(technician->group) : nullptr,
      reasons};
  switch (request.action) {
    case Action::kUnattendedRequest:
      DecideUnattendedRequest(c, d);
      break;
    case Action::kUnattendedConnect:
      DecideUnattendedConnect(c, d);
      break;
    case Action::kCredentialsRequest:
      DecideCredentialsRequest(c, d);
      break;
    case Action::kCredentialsApply:
      DecideCredentialsApply(c, d);
      break;
  }
  const bool denied = std::any_of(d.reasons().begin(), d.reasons().end(), Denies);
  if (denied) {
    // A deny carries reasons only: nothing is to be prompted or scheduled.
    d.effect = Effect::kDeny;
    d.customer_prompt = CustomerPrompt::kNone;
    d.admin_credentials_required = false;
    d.effective_schedule.reset();
  } else {
    d.effect = Effect::kAllow;
  }
  return d;
}

}  // namespace custodian::policy
