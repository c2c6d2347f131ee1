// The cookies of browser sessions (DESIGN.md "Browser sessions"): always
// HttpOnly, SameSite=Strict and Path=/, Secure under TLS. A cookie's scope
// is a host, not a port (RFC 6265 §8.5), so a session must never rest on
// its cookie alone where other servers may share the host.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/http_server.h"

namespace custodian::http {

// The value of the request's cookie `name`, when it sends one whose value
// is non-empty, at most 400 bytes and of [A-Za-z0-9_.-] only.
std::optional<std::string> ReadCookie(const Request& request, const std::string& name);
// Set-Cookie values: `name`=`value` (of that alphabet) for `max_age`, or
// its removal.
std::string SetCookieHeader(const std::string& name, const std::string& value,
                            std::chrono::seconds max_age, bool secure);
std::string ClearedCookieHeader(const std::string& name, bool secure);

}  // namespace custodian::http
