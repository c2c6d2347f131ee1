// The console's browser sessions (DESIGN.md "Browser sessions"): a login
// token kept in an HttpOnly, SameSite=Strict cookie instead of script
// memory, and a CSRF token derived from it that every state-changing
// request sends back in X-CSRF-Token. Derived, not stored, so that every
// replica agrees; a page of another origin can neither read the cookie nor
// compute the token.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/http_server.h"

namespace custodian::admincenter::internal {

inline constexpr char kSessionCookieName[] = "custodian_session";
inline constexpr char kCsrfHeader[] = "x-csrf-token";

// The cookie's value: the token's id (to revoke it at sign-out) and its
// secret (to authenticate), joined by a dot.
struct SessionCookie {
  std::string token_id;
  std::string secret;
};

// The request's session cookie, when it sends one that is well formed.
std::optional<SessionCookie> ReadSessionCookie(const http::Request& request);
std::string CsrfToken(const std::string& secret);
// Set-Cookie values: the session for `max_age`, or its removal.
std::string SessionCookieHeader(const SessionCookie& cookie, std::chrono::seconds max_age,
                                bool secure);
std::string ClearedSessionCookieHeader(bool secure);

}  // namespace custodian::admincenter::internal
