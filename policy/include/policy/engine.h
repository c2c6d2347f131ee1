// The decision function: Decide(compiled policy, request, now) -> Decision.
//
// Compile() resolves inheritance once and interns ids so that Decide() does
// no JSON work, no walk up the group tree and, for a request without a
// schedule, no heap allocation. Decide() is pure and deterministic: the same
// policy, request and `now` give the same decision. A CompiledPolicy is
// immutable after Compile() and may be shared by any number of threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/decision.h"
#include "policy/effective.h"
#include "policy/model.h"
#include "policy/request.h"
#include "policy/time.h"

namespace custodian::policy {

class CompiledPolicy {
 public:
  // `policy` must be valid (ParsePolicy or ValidatePolicy). `zones` must
  // outlive the result. `expires_at`, when given (a bundle's expiry), makes
  // every decision at or after it a deny with `policy_expired`.
  static CompiledPolicy Compile(const Policy& policy, const TimeZones& zones,
                                std::optional<Instant> expires_at = std::nullopt);

  struct CompiledGroup {
    uint32_t permissions = 0;  // bit per Permission
    AuthModeSet auth_modes;
    int32_t max_days = 0;  // 0: no cap
  };
  struct CompiledTechnician {
    uint32_t group = 0;
    const TimeZone* zone = nullptr;
  };

  // nullptr for an unknown id.
  const CompiledTechnician* FindTechnician(std::string_view id) const;
  const CompiledGroup& group(uint32_t index) const { return groups_[index]; }
  const TimeZones& zones() const { return *zones_; }
  SessionTypeSet blocked_session_types() const { return blocked_session_types_; }
  CapBehavior cap_behavior() const { return cap_behavior_; }
  // How long a customer prompt for an unattended request may wait.
  int request_ttl_minutes() const { return request_ttl_minutes_; }
  std::optional<Instant> expires_at() const { return expires_at_; }

 private:
  // Technicians by id in an open-addressing table (linear probing, at most
  // half full): one hash and, for a hit, one string comparison per lookup.
  struct Slot {
    uint64_t hash = 0;
    uint32_t index = kEmpty;  // into technician_ids_ / technicians_
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  void IndexTechnicians();

  std::vector<CompiledGroup> groups_;
  std::vector<std::string> technician_ids_;
  std::vector<CompiledTechnician> technicians_;
  std::vector<Slot> slots_;  // size a power of two
  const TimeZones* zones_ = nullptr;
  SessionTypeSet blocked_session_types_;
  CapBehavior cap_behavior_ = CapBehavior::kDeny;
  int request_ttl_minutes_ = kDefaultRequestTtlMinutes;
  std::optional<Instant> expires_at_;
};

Decision Decide(const CompiledPolicy& policy, const Request& request, Instant now);

}  // namespace custodian::policy
