// The answer of the decision function: an effect, every reason that led to
// it (each citing its rule R1–R16 of DESIGN.md) and the obligations an allow
// carries. A Decision is a fixed-size value: deciding allocates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "policy/request.h"

namespace custodian::policy {

// The closed, stable set of reason codes (DESIGN.md §3).
enum class ReasonCode : uint8_t {
  kPermissionMissing,
  kSessionTypeBlocked,
  kAuthModeNotAllowed,
  kDurationCapped,
  kDurationExceedsCap,
  kUnlimitedNotAllowed,
  kInvalidSchedule,
  kUnknownTimeZone,
  kOutsideTimeWindow,
  kGrantNotActive,
  kGrantExpired,
  kGrantRevoked,
  kPlatformNotSupported,
  kScreenViewingInactive,
  kSessionNotActive,
  kCredentialsNotStored,
  kTechnicianUnknown,
  kPolicyExpired,
};
inline constexpr std::size_t kReasonCodeCount = 18;

enum class Effect : uint8_t { kAllow, kDeny };
enum class CustomerPrompt : uint8_t { kNone, kConfirm, kWindowsCredentials };

// Which rule's text a reason comes from; `what` tells a code's variants
// apart (e.g. which permission is missing) and `requested`/`limit` carry the
// numbers the message quotes. All static: no strings are built to decide.
// A plain aggregate, so that a Decision's unused reason slots cost nothing.
struct Reason {
  ReasonCode code;
  uint8_t rule;  // n of Rn
  uint8_t what;
  int32_t requested;
  int32_t limit;
};

inline constexpr std::size_t kMaxReasons = 16;

struct Decision {
  Effect effect = Effect::kDeny;
  // Only the first `reason_count` slots are set; use reasons().
  std::array<Reason, kMaxReasons> reason_storage;
  uint8_t reason_count = 0;
  CustomerPrompt customer_prompt = CustomerPrompt::kNone;
  bool admin_credentials_required = false;
  std::optional<EffectiveSchedule> effective_schedule;
  // With R4 outside_time_window: when the daily window next opens, its
  // zone, and the technician's own zone (null when unknown) to say it in.
  std::optional<Instant> window_opens;
  const TimeZone* window_zone = nullptr;
  const TimeZone* technician_zone = nullptr;

  std::span<const Reason> reasons() const { return {reason_storage.data(), reason_count}; }
  bool Has(ReasonCode code) const;
};

std::string_view EffectName(Effect e);
std::string_view ReasonCodeName(ReasonCode code);
std::optional<ReasonCode> ParseReasonCode(std::string_view name);
std::string_view CustomerPromptName(CustomerPrompt p);

}  // namespace custodian::policy
