// Keeps the audit log bounded under anonymous floods (DESIGN.md §7): a
// refusal of a request that carried no valid token is recorded once per
// source address and outcome per interval; the ones after it in that
// interval are only counted, and the count is recorded as one
// "authz.denied_repeated" event when the source is next refused after the
// interval, or when the admin center stops. Refusals of authenticated
// principals are never folded: each is recorded.
//
// Memory is bounded too: at most kMaxSources sources are tracked; beyond
// that, new sources share one entry ("*").
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/time.h"

namespace custodian::admincenter {

class RefusalLimiter {
 public:
  static constexpr std::chrono::seconds kInterval{60};
  static constexpr std::size_t kMaxSources = 10000;

  // Refusals that were counted but not recorded, to be recorded now.
  struct Folded {
    std::string source;
    std::string outcome;
    uint64_t count = 0;
    policy::Instant since;  // the interval they fell in began here
  };
  struct Verdict {
    bool record = false;            // record this refusal itself
    std::optional<Folded> flushed;  // and these, folded, before it
  };

  Verdict Admit(const std::string& source, const std::string& outcome, policy::Instant now);
  // Everything still counted (at shutdown).
  std::vector<Folded> Drain();

 private:
  struct Entry {
    policy::Instant since;
    uint64_t folded = 0;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // key: outcome + '\n' + source
};

}  // namespace custodian::admincenter
