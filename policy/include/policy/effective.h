// Inheritance (DESIGN.md §3): a group's effective value of each setting comes
// from the nearest ancestor (itself included) that sets it, else from the
// global settings. A lock forces the locking group's effective value on its
// whole subtree. Effective values carry their provenance so that admins see
// which group, or the global default, supplied each one.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/model.h"

namespace custodian::policy {

// Provenance: an index into Policy::groups, or kFromGlobal.
inline constexpr int32_t kFromGlobal = -1;
inline constexpr int32_t kNotLocked = -1;

struct EffectiveSettings {
  std::array<bool, kPermissionCount> permissions{};
  AuthModeSet auth_modes;
  std::optional<int> max_days;
  std::array<int32_t, kSettingCount> source{};     // who supplied each value
  std::array<int32_t, kSettingCount> locked_by{};  // group index or kNotLocked
};

// Effective settings of every group, in the order of `policy.groups`.
// Requires a policy whose tree is valid (ValidatePolicy reports no error);
// on a cyclic or dangling tree the affected groups resolve as roots.
std::vector<EffectiveSettings> ResolveEffective(const Policy& policy);

// Whether `group_id` lies in the subtree of one of `roots` (itself
// included): an admin's scope. Requires a valid tree.
bool InSubtree(const Policy& policy, const std::string& group_id,
               const std::vector<std::string>& roots);

// A value that a lock forces, altered by going from `before` to `after`:
// some group had setting `key` locked in `before` and, in `after`, is no
// longer under a lock for it or has another effective value (moving a group
// out from under a lock is such a change). Only master admins may make one.
// Groups are matched by id; groups only in one of the two are ignored.
struct ForcedChange {
  std::string group_id;
  SettingKey key;
};
std::optional<ForcedChange> FirstForcedChange(const Policy& before, const Policy& after);

}  // namespace custodian::policy
