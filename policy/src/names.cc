#include "names.h"

#include "policy/decision.h"
#include "policy/model.h"
#include "policy/request.h"

namespace custodian::policy {
namespace {

using internal::NameTable;

constexpr NameTable<Permission, kPermissionCount> kPermissions{
    {"remote_control", "desktop_viewing", "file_transfer", "reboot", "unattended_access",
     "request_windows_credentials"}};
constexpr NameTable<AuthMode, kAuthModeCount> kAuthModes{{"at_connection", "at_setup"}};
constexpr NameTable<SessionType, kSessionTypeCount> kSessionTypes{
    {"applet", "mobile_applet", "instant_chat", "calling_card", "unattended"}};
constexpr NameTable<CapBehavior, 2> kCapBehaviors{{"deny", "clamp"}};
constexpr NameTable<Action, 4> kActions{
    {"unattended.request", "unattended.connect", "credentials.request", "credentials.apply"}};
constexpr NameTable<Os, 3> kOses{{"windows", "linux", "macos"}};
constexpr NameTable<Operation, 2> kOperations{{"restart", "unlock"}};
constexpr NameTable<TimeReference, 2> kTimeReferences{{"technician", "customer"}};
constexpr NameTable<Effect, 2> kEffects{{"allow", "deny"}};
constexpr NameTable<CustomerPrompt, 3> kPrompts{{"none", "confirm", "windows_credentials"}};
constexpr NameTable<ReasonCode, kReasonCodeCount> kReasonCodes{{
    "permission_missing",
    "session_type_blocked",
    "auth_mode_not_allowed",
    "duration_capped",
    "duration_exceeds_cap",
    "unlimited_not_allowed",
    "invalid_schedule",
    "unknown_time_zone",
    "outside_time_window",
    "grant_not_active",
    "grant_expired",
    "grant_revoked",
    "platform_not_supported",
    "screen_viewing_inactive",
    "session_not_active",
    "credentials_not_stored",
    "technician_unknown",
    "policy_expired",
}};

constexpr std::string_view kPermissionsPrefix = "permissions.";

}  // namespace

std::string_view PermissionName(Permission p) { return kPermissions.Name(p); }
std::optional<Permission> ParsePermission(std::string_view n) { return kPermissions.Parse(n); }
std::string_view AuthModeName(AuthMode m) { return kAuthModes.Name(m); }
std::optional<AuthMode> ParseAuthMode(std::string_view n) { return kAuthModes.Parse(n); }
std::string_view SessionTypeName(SessionType t) { return kSessionTypes.Name(t); }
std::optional<SessionType> ParseSessionType(std::string_view n) { return kSessionTypes.Parse(n); }
std::string_view CapBehaviorName(CapBehavior b) { return kCapBehaviors.Name(b); }
std::optional<CapBehavior> ParseCapBehavior(std::string_view n) { return kCapBehaviors.Parse(n); }
std::string_view ActionName(Action a) { return kActions.Name(a); }
std::optional<Action> ParseAction(std::string_view n) { return kActions.Parse(n); }
std::string_view OsName(Os os) { return kOses.Name(os); }
std::optional<Os> ParseOs(std::string_view n) { return kOses.Parse(n); }
std::string_view OperationName(Operation op) { return kOperations.Name(op); }
std::optional<Operation> ParseOperation(std::string_view n) { return kOperations.Parse(n); }
std::string_view TimeReferenceName(TimeReference r) { return kTimeReferences.Name(r); }
std::optional<TimeReference> ParseTimeReference(std::string_view n) {
  return kTimeReferences.Parse(n);
}
std::string_view EffectName(Effect e) { return kEffects.Name(e); }
std::string_view CustomerPromptName(CustomerPrompt p) { return kPrompts.Name(p); }
std::string_view ReasonCodeName(ReasonCode c) { return kReasonCodes.Name(c); }
std::optional<ReasonCode> ParseReasonCode(std::string_view n) { return kReasonCodes.Parse(n); }

std::string SettingName(SettingKey key) {
  switch (key) {
    case SettingKey::kAuthModes:
      return "unattended.auth_modes";
    case SettingKey::kMaxDays:
      return "unattended.max_days";
    default:
      return std::string(kPermissionsPrefix) +
             std::string(PermissionName(static_cast<Permission>(key)));
  }
}

std::optional<SettingKey> ParseSettingName(std::string_view name) {
  if (name == "unattended.auth_modes") return SettingKey::kAuthModes;
  if (name == "unattended.max_days") return SettingKey::kMaxDays;
  if (!name.starts_with(kPermissionsPrefix)) return std::nullopt;
  auto p = ParsePermission(name.substr(kPermissionsPrefix.size()));
  if (!p) return std::nullopt;
  return PermissionSetting(*p);
}

bool Decision::Has(ReasonCode code) const {
  for (const Reason& r : reasons()) {
    if (r.code == code) return true;
  }
  return false;
}

}  // namespace custodian::policy
