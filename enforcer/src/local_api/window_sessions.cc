#include "enforcer/window_sessions.h"

#include <openssl/crypto.h>

#include "common/crypto.h"

namespace custodian::enforcer {
namespace {

// Outstanding codes and live sessions beyond these push out the oldest: a
// local caller with the token could otherwise grow them without bound.
constexpr std::size_t kMaxCodes = 32;
constexpr std::size_t kMaxSessions = 64;

std::string Random() { return crypto::Base64Url(crypto::RandomBytes(32)); }

template <typename Map, typename Expiry>
void DropOldest(Map& m, std::size_t max, Expiry expiry) {
  while (m.size() > max) {
    auto oldest = m.begin();
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (expiry(it->second) < expiry(oldest->second)) oldest = it;
    }
    m.erase(oldest);
  }
}

}  // namespace

void WindowSessions::DropExpired(policy::Instant now) {
  std::erase_if(codes_, [&](const auto& c) { return now >= c.second; });
  std::erase_if(sessions_, [&](const auto& s) { return now >= s.second.expires_at; });
}

std::string WindowSessions::IssueCode(policy::Instant now) {
  std::string code = Random();
  std::lock_guard lock(mutex_);
  DropExpired(now);
  codes_[crypto::Sha256(code)] = now + kWindowCodeLifetime;
  DropOldest(codes_, kMaxCodes, [](const policy::Instant& t) { return t; });
  return code;
}

std::optional<WindowSessions::Issued> WindowSessions::Exchange(const std::string& code,
                                                               policy::Instant now) {
  std::lock_guard lock(mutex_);
  DropExpired(now);
  auto it = codes_.find(crypto::Sha256(code));
  if (it == codes_.end()) return std::nullopt;
  codes_.erase(it);
  Issued out{Random(), Random()};
  sessions_[crypto::Sha256(out.secret)] =
      Session{crypto::Sha256(out.csrf), now + kWindowSessionLifetime};
  DropOldest(sessions_, kMaxSessions, [](const Session& s) { return s.expires_at; });
  return out;
}

bool WindowSessions::Check(const std::string& secret, const std::string& csrf,
                           policy::Instant now) {
  const std::string want = crypto::Sha256(csrf);
  std::lock_guard lock(mutex_);
  DropExpired(now);
  auto it = sessions_.find(crypto::Sha256(secret));
  return it != sessions_.end() && it->second.csrf_hash.size() == want.size() &&
         CRYPTO_memcmp(it->second.csrf_hash.data(), want.data(), want.size()) == 0;
}

void WindowSessions::End(const std::string& secret) {
  std::lock_guard lock(mutex_);
  sessions_.erase(crypto::Sha256(secret));
}

}  // namespace custodian::enforcer
