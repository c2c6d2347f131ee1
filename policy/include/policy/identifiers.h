// Ids and names (DESIGN.md §9), defined once for every object the policy
// and the daemons store: checked on every write (admin center) and on every
// read of a bundle (enforcer), so that an id can always be put in a path
// and a name can always be shown.
//
// - An id is 1 to kMaxIdLength characters of A–Z a–z 0–9 '_' '-' '.', not
//   starting with '.': generated ids ("g-" + base64url) and chosen ones
//   ("g-support") alike; never '/', '%', spaces or control characters.
// - A name is 1 to kMaxNameBytes bytes of valid UTF-8 without control
//   characters (C0, DEL, C1) and not only spaces.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace custodian::policy {

inline constexpr std::size_t kMaxIdLength = 64;
inline constexpr std::size_t kMaxNameBytes = 128;

// "" when valid, else what is wrong (for a FieldError's message).
std::string IdProblem(std::string_view id);
std::string NameProblem(std::string_view name);

}  // namespace custodian::policy
