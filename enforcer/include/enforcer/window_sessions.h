// The customer's window's sessions (DESIGN.md "The customer's window"):
// `enforcer prompt` (or the prompt notifier) gets a one-time code through
// the local API's token; the page exchanges it at once for a session: a
// secret in an HttpOnly, SameSite=Strict cookie, and a CSRF token the page
// keeps in sessionStorage and sends with every request.
//
// Both are needed, on every request, reads too: a cookie is scoped to a
// host, not a port (RFC 6265 §8.5), so any other server on 127.0.0.1 the
// customer's browser visits receives it; the CSRF token is readable only
// by scripts of this origin (scheme, host and port). Codes live two
// minutes and are spent by their first use, right or wrong in time;
// sessions end after twelve hours, at sign-out, and when the enforcer
// restarts (memory only). Only SHA-256 hashes of codes and secrets are
// kept.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "policy/time.h"

namespace custodian::enforcer {

inline constexpr std::chrono::minutes kWindowCodeLifetime{2};
inline constexpr std::chrono::hours kWindowSessionLifetime{12};

class WindowSessions {
 public:
  struct Issued {
    std::string secret;  // the cookie's value
    std::string csrf;
  };

  // A new one-time code.
  std::string IssueCode(policy::Instant now);
  // The session `code` opens, spending it; nullopt for a code unknown,
  // spent or expired.
  std::optional<Issued> Exchange(const std::string& code, policy::Instant now);
  // Whether `secret` and `csrf` are a live session's.
  bool Check(const std::string& secret, const std::string& csrf, policy::Instant now);
  void End(const std::string& secret);

 private:
  struct Session {
    std::string csrf_hash;
    policy::Instant expires_at;
  };
  void DropExpired(policy::Instant now);

  std::mutex mutex_;
  std::map<std::string, policy::Instant> codes_;  // by hash: when it expires
  std::map<std::string, Session> sessions_;       // by the secret's hash
};

}  // namespace custodian::enforcer
