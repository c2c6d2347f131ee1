// Backoff for password guessing (issue "Integrity under attack", finding
// 11). After kFreeFailuresPerName wrong passwords for one name, or
// kFreeFailuresPerSource from one address, each further attempt for it must
// wait: 1 s, then twice as long after every further failure, at most
// kMaxBackoff — at least that long, though the clock reads whole seconds
// (Retry-After rounds up to the second the wait ends in). An attempt inside the wait is answered
// 429 with Retry-After at once, without computing Argon2, so a flood costs the server nothing but
// the answer. A success clears the name's count (not the source's: one right guess among many does
// not excuse the rest).
//
// The trade-off: someone who knows a name can make its owner wait too. The
// wait is bounded and only grows while the guessing goes on; a hard lockout
// would hand the attacker more.
//
// Memory is bounded: at most kMaxEntries names and sources; entries whose
// wait has passed are forgotten first. Pure (the caller passes `now`);
// thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "policy/time.h"

namespace custodian::admincenter {

class LoginThrottle {
 public:
  static constexpr int kFreeFailuresPerName = 5;
  static constexpr int kFreeFailuresPerSource = 20;
  static constexpr std::chrono::seconds kMaxBackoff{15 * 60};
  static constexpr std::chrono::seconds kForgetAfter{60 * 60};  // of quiet
  static constexpr std::size_t kMaxEntries = 100000;

  // How long the caller must still wait before trying `name` from
  // `source`; nullopt when it may try now.
  std::optional<std::chrono::seconds> Wait(const std::string& name, const std::string& source,
                                           policy::Instant now);
  void Failed(const std::string& name, const std::string& source, policy::Instant now);
  void Succeeded(const std::string& name);

 private:
  struct Entry {
    int failures = 0;
    policy::Instant until{};  // no attempt before this
    policy::Instant last{};
  };
  void Count(const std::string& key, int free, policy::Instant now);
  std::optional<std::chrono::seconds> Remaining(const std::string& key, policy::Instant now) const;

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // "n:" + name, "s:" + source
};

}  // namespace custodian::admincenter
