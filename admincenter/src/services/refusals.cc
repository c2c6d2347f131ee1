#include "admincenter/refusals.h"

namespace custodian::admincenter {

namespace {

RefusalLimiter::Folded FoldedOf(const std::string& key, policy::Instant since, uint64_t count) {
  const std::size_t nl = key.find('\n');
  return {key.substr(nl + 1), key.substr(0, nl), count, since};
}

}  // namespace

RefusalLimiter::Verdict RefusalLimiter::Admit(const std::string& source, const std::string& outcome,
                                              policy::Instant now) {
  std::lock_guard lock(mutex_);
  std::string key = outcome + "\n" + source;
  if (!entries_.count(key) && entries_.size() >= kMaxSources) {
    // Drop intervals that have ended and recorded nothing more, then fold
    // newcomers into one shared entry if still full.
    std::erase_if(entries_, [&](const auto& e) {
      return e.second.folded == 0 && now - e.second.since >= kInterval;
    });
    if (entries_.size() >= kMaxSources) key = outcome + "\n*";
  }
  Verdict v;
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_[key] = Entry{now, 0};
    v.record = true;
    return v;
  }
  Entry& e = it->second;
  if (now - e.since < kInterval) {
    ++e.folded;
    return v;
  }
  if (e.folded > 0) v.flushed = FoldedOf(key, e.since, e.folded);
  e = Entry{now, 0};
  v.record = true;
  return v;
}

std::vector<RefusalLimiter::Folded> RefusalLimiter::Drain() {
  std::lock_guard lock(mutex_);
  std::vector<Folded> out;
  for (auto& [key, e] : entries_) {
    if (e.folded > 0) out.push_back(FoldedOf(key, e.since, e.folded));
    e.folded = 0;
  }
  return out;
}

}  // namespace custodian::admincenter
