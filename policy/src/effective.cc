#include "policy/effective.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace custodian::policy {
namespace {

EffectiveSettings GlobalDefaults(const GlobalSettings& settings) {
  EffectiveSettings e;
  e.permissions = settings.permissions;
  e.auth_modes = settings.auth_modes;
  e.max_days = settings.max_days;
  e.source.fill(kFromGlobal);
  e.locked_by.fill(kNotLocked);
  return e;
}

class Resolver {
 public:
  explicit Resolver(const Policy& policy)
      : policy_(policy),
        global_(GlobalDefaults(policy.settings)),
        result_(policy.groups.size()),
        state_(policy.groups.size(), State::kUnvisited) {
    for (std::size_t i = 0; i < policy.groups.size(); ++i) {
      index_.emplace(policy.groups[i].id, static_cast<int32_t>(i));
    }
  }

  std::vector<EffectiveSettings> Run() && {
    for (std::size_t i = 0; i < policy_.groups.size(); ++i) Resolve(static_cast<int32_t>(i));
    return std::move(result_);
  }

 private:
  enum class State : uint8_t { kUnvisited, kVisiting, kDone };

  const EffectiveSettings& Resolve(int32_t i) {
    if (state_[i] == State::kDone) return result_[i];
    state_[i] = State::kVisiting;
    const Group& g = policy_.groups[i];
    const EffectiveSettings* parent = &global_;
    if (g.parent_id) {
      auto it = index_.find(*g.parent_id);
      // A cycle or a dangling parent (invalid policies only) resolves as a root.
      if (it != index_.end() && state_[it->second] != State::kVisiting) {
        parent = &Resolve(it->second);
      }
    }
    EffectiveSettings e = *parent;
    auto set = [&](SettingKey key) {
      const auto k = static_cast<std::size_t>(key);
      if (e.locked_by[k] != kNotLocked) return false;  // forced from above
      e.source[k] = i;
      return true;
    };
    for (std::size_t p = 0; p < kPermissionCount; ++p) {
      if (g.permissions[p] && set(PermissionSetting(static_cast<Permission>(p)))) {
        e.permissions[p] = *g.permissions[p];
      }
    }
    // A group may narrow the modes it inherits, never widen them.
    if (g.auth_modes && set(SettingKey::kAuthModes)) e.auth_modes = *g.auth_modes & e.auth_modes;
    if (g.max_days && set(SettingKey::kMaxDays)) e.max_days = g.max_days;
    for (std::size_t k = 0; k < kSettingCount; ++k) {
      if (g.locked[k] && e.locked_by[k] == kNotLocked) e.locked_by[k] = i;
    }
    result_[i] = e;
    state_[i] = State::kDone;
    return result_[i];
  }

  const Policy& policy_;
  const EffectiveSettings global_;
  std::vector<EffectiveSettings> result_;
  std::vector<State> state_;
  std::unordered_map<std::string_view, int32_t> index_;
};

}  // namespace

std::vector<EffectiveSettings> ResolveEffective(const Policy& policy) {
  return Resolver(policy).Run();
}

namespace {

bool SameValue(const EffectiveSettings& a, const EffectiveSettings& b, std::size_t key) {
  if (key < kPermissionCount) return a.permissions[key] == b.permissions[key];
  if (key == static_cast<std::size_t>(SettingKey::kAuthModes)) return a.auth_modes == b.auth_modes;
  return a.max_days == b.max_days;
}

}  // namespace

std::optional<ForcedChange> FirstForcedChange(const Policy& before, const Policy& after) {
  const std::vector<EffectiveSettings> was = ResolveEffective(before);
  const std::vector<EffectiveSettings> is = ResolveEffective(after);
  std::unordered_map<std::string_view, std::size_t> after_index;
  for (std::size_t i = 0; i < after.groups.size(); ++i) after_index.emplace(after.groups[i].id, i);
  for (std::size_t i = 0; i < before.groups.size(); ++i) {
    const auto j = after_index.find(before.groups[i].id);
    if (j == after_index.end()) continue;
    for (std::size_t k = 0; k < kSettingCount; ++k) {
      if (was[i].locked_by[k] == kNotLocked) continue;
      if (is[j->second].locked_by[k] == kNotLocked || !SameValue(was[i], is[j->second], k)) {
        return ForcedChange{before.groups[i].id, static_cast<SettingKey>(k)};
      }
    }
  }
  return std::nullopt;
}

bool InSubtree(const Policy& p, const std::string& group_id,
               const std::vector<std::string>& roots) {
  std::unordered_map<std::string_view, const Group*> by_id;
  for (const auto& g : p.groups) by_id.emplace(g.id, &g);
  std::string_view at = group_id;
  // The tree is valid (no cycles), so the walk ends at a root.
  for (std::size_t steps = 0; steps <= p.groups.size(); ++steps) {
    if (std::find(roots.begin(), roots.end(), at) != roots.end()) return true;
    auto it = by_id.find(at);
    if (it == by_id.end() || !it->second->parent_id) return false;
    at = *it->second->parent_id;
  }
  return false;
}

}  // namespace custodian::policy
