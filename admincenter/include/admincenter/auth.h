// Principals, passwords and bearer tokens (DESIGN.md §3 "Principals", §5).
//
// Passwords are hashed with Argon2id at OWASP's parameters (19 MiB, 2
// passes, 1 lane). Tokens are 256 random bits from the OS source, shown
// once and stored only as SHA-256 hashes, with an expiry; disabling a
// principal makes its tokens fail at once (checked at every request).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "policy/time.h"

namespace custodian::admincenter {

// The time every part of the admin center reads (a fake in tests).
using Clock = std::function<policy::Instant()>;

// Endpoints (enrolled enforcers) authenticate with tokens of their own and
// may call only the enforcer channel, for themselves.
enum class Role : uint8_t { kMasterAdmin, kAdmin, kTechnician, kAuditor, kEndpoint };
const char* RoleName(Role r);
std::optional<Role> ParseRole(std::string_view name);

struct Principal {
  std::string id;
  std::string name;
  Role role = Role::kTechnician;
  std::vector<std::string> scopes;       // admins: group subtrees
  std::optional<std::string> group_id;   // technicians
  std::optional<std::string> time_zone;  // technicians
  bool disabled = false;
};

// Argon2id in its encoded form ("$argon2id$v=19$m=19456,t=2,p=1$…").
std::string HashPassword(const std::string& password);
bool VerifyPassword(const std::string& encoded, const std::string& password);

inline constexpr std::chrono::hours kLoginTokenLifetime{12};
inline constexpr std::chrono::hours kInitialTokenLifetime{24 * 30};

struct IssuedToken {
  std::string id;
  std::string secret;  // shown once; never stored, logged or audited
  policy::Instant expires_at;
};
// Issued by PrincipalRepository::IssueToken inside the caller's write.

// A new endpoint token ("cse_" + 256 random bits); store only its SHA-256.
// Endpoint tokens do not expire: an endpoint is removed to revoke it.
std::string NewEndpointToken();
inline constexpr std::string_view kEndpointTokenPrefix = "cse_";

}  // namespace custodian::admincenter
