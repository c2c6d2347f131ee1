#include "admincenter/login_throttle.h"

#include <algorithm>

namespace custodian::admincenter {

std::optional<std::chrono::seconds> LoginThrottle::Remaining(const std::string& key,
                                                             policy::Instant now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.until <= now) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(it->second.until - now);
}

std::optional<std::chrono::seconds> LoginThrottle::Wait(const std::string& name,
                                                        const std::string& source,
                                                        policy::Instant now) {
  std::lock_guard lock(mutex_);
  const auto by_name = Remaining("n:" + name, now);
  const auto by_source = Remaining("s:" + source, now);
  if (!by_name && !by_source) return std::nullopt;
  return std::max(by_name.value_or(std::chrono::seconds(0)),
                  by_source.value_or(std::chrono::seconds(0)));
}

void LoginThrottle::Count(const std::string& key, int free, policy::Instant now) {
  if (!entries_.count(key) && entries_.size() >= kMaxEntries) {
    std::erase_if(entries_, [&](const auto& e) {
      return e.second.until <= now && now - e.second.last >= std::chrono::seconds(60);
    });
    if (entries_.size() >= kMaxEntries) return;  // still full: count nothing new
  }
  Entry& e = entries_[key];
  if (e.failures > 0 && now - e.last >= kForgetAfter) e = Entry{};
  ++e.failures;
  e.last = now;
  if (e.failures > free) {
    const int doublings = std::min(e.failures - free - 1, 20);
    const auto wait =
        std::min<std::chrono::seconds>(std::chrono::seconds(int64_t{1} << doublings), kMaxBackoff);
    // `now` reads whole seconds, so the failure happened anywhere in that
    // second: the wait ends at the start of the second after now + wait,
    // and lasts at least `wait` (Retry-After says that bound).
    e.until = now + wait + std::chrono::seconds(1);
  }
}

void LoginThrottle::Failed(const std::string& name, const std::string& source,
                           policy::Instant now) {
  std::lock_guard lock(mutex_);
  Count("n:" + name, kFreeFailuresPerName, now);
  Count("s:" + source, kFreeFailuresPerSource, now);
}

void LoginThrottle::Succeeded(const std::string& name) {
  std::lock_guard lock(mutex_);
  entries_.erase("n:" + name);
}

}  // namespace custodian::admincenter
