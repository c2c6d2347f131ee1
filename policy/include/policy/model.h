// The policy model of DESIGN.md §3: global settings, the technician-group
// tree and technicians.
//
// A Policy is a plain value. It is what the JSON codec (codec.h) reads and
// writes and what Compile() (engine.h) turns into the form the decision
// function uses. A Policy obtained from ParsePolicy() has been validated;
// one built by hand should go through ValidatePolicy() before use.
//
// Thread safety: values; no shared state.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custodian::policy {

// The closed permission registry (DESIGN.md §3). The order is part of the
// compiled form's bit layout, not of the wire format.
enum class Permission : uint8_t {
  kRemoteControl,
  kDesktopViewing,
  kFileTransfer,
  kReboot,
  kUnattendedAccess,
  kRequestWindowsCredentials,
};
inline constexpr std::size_t kPermissionCount = 6;

// R3: how credentials are supplied for unattended access.
enum class AuthMode : uint8_t { kAtConnection, kAtSetup };
inline constexpr std::size_t kAuthModeCount = 2;

// Session types a technician may be in when asking for something.
enum class SessionType : uint8_t {
  kApplet,
  kMobileApplet,
  kInstantChat,
  kCallingCard,
  kUnattended
};
inline constexpr std::size_t kSessionTypeCount = 5;

// What happens to a request longer than its cap (DESIGN.md §3 "Caps").
enum class CapBehavior : uint8_t { kDeny, kClamp };

using AuthModeSet = std::bitset<kAuthModeCount>;
using SessionTypeSet = std::bitset<kSessionTypeCount>;

// Settings that groups may set, inherit and lock. Permissions come first so
// that `SettingKey(permission)` is the permission's own setting.
enum class SettingKey : uint8_t {
  kPermissionFirst = 0,
  kAuthModes = kPermissionCount,
  kMaxDays,
};
inline constexpr std::size_t kSettingCount = kPermissionCount + 2;
using SettingSet = std::bitset<kSettingCount>;

inline constexpr SettingKey PermissionSetting(Permission p) {
  return static_cast<SettingKey>(static_cast<uint8_t>(p));
}

// R6: with customer credentials (`at_setup`) access lasts at most two weeks,
// counted as calendar days in the reference zone. No setting can raise it;
// like Teleport's MaxAccessDuration it is a constant, not configuration.
inline constexpr int kCustomerCredentialsMaxDays = 14;
// Bounds of `unattended.max_days` (DESIGN.md §3): ten years is "long" without
// being unlimited, which is expressed by leaving the cap unset.
inline constexpr int kMinMaxDays = 1;
inline constexpr int kMaxMaxDays = 3650;
// Bounds of `unattended.request_ttl_minutes`: an unanswered request expires
// after this; a week is the most a customer prompt may wait.
inline constexpr int kMinRequestTtlMinutes = 1;
inline constexpr int kMaxRequestTtlMinutes = 7 * 24 * 60;
inline constexpr int kDefaultRequestTtlMinutes = 60;
// How long a signed policy bundle stays valid on an endpoint that cannot
// reach the admin center (DESIGN.md §4); after that it fails closed.
inline constexpr int kMinBundleTtlHours = 1;
inline constexpr int kMaxBundleTtlHours = 90 * 24;
inline constexpr int kDefaultBundleTtlHours = 7 * 24;

// `settings` of the policy document. Absent keys take these defaults.
struct GlobalSettings {
  AuthModeSet auth_modes = AuthModeSet().set();  // both modes
  std::optional<int> max_days;                   // no cap
  SessionTypeSet blocked_session_types;          // besides the R2 built-ins
  CapBehavior cap_behavior = CapBehavior::kDeny;
  int request_ttl_minutes = kDefaultRequestTtlMinutes;
  std::array<bool, kPermissionCount> permissions{};  // absent: false
  int bundle_ttl_hours = kDefaultBundleTtlHours;     // "distribution"
};

// A technician group. Every optional setting that is empty inherits.
struct Group {
  std::string id;
  std::string name;
  std::optional<std::string> parent_id;
  std::array<std::optional<bool>, kPermissionCount> permissions;
  std::optional<AuthModeSet> auth_modes;  // may narrow the parent's, never widen
  std::optional<int> max_days;
  SettingSet locked;  // forced on the whole subtree
};

struct Technician {
  std::string id;
  std::string group_id;
  std::string time_zone;  // IANA name
};

struct Policy {
  GlobalSettings settings;
  std::vector<Group> groups;
  std::vector<Technician> technicians;
};

// Wire names. Each Parse* returns nullopt for a name outside the registry.
std::string_view PermissionName(Permission p);
std::optional<Permission> ParsePermission(std::string_view name);
std::string_view AuthModeName(AuthMode m);
std::optional<AuthMode> ParseAuthMode(std::string_view name);
std::string_view SessionTypeName(SessionType t);
std::optional<SessionType> ParseSessionType(std::string_view name);
std::string_view CapBehaviorName(CapBehavior b);
std::optional<CapBehavior> ParseCapBehavior(std::string_view name);
// "permissions.remote_control", "unattended.auth_modes", "unattended.max_days".
std::string SettingName(SettingKey key);
std::optional<SettingKey> ParseSettingName(std::string_view name);

}  // namespace custodian::policy
