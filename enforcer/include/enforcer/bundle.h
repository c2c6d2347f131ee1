// Accepting signed policy bundles (DESIGN.md §4) and holding the last good
// one.
//
// A bundle is accepted only if
// - a signature by a pinned key verifies over the bundle's exact bytes;
// - its version is higher than the one held (no rollback), or equal with
//   the very same bytes (nothing new);
// - it was not issued more than kMaxClockSkew in the future and has not
//   expired (the enforcer's time never runs backwards: Store::Now);
// - its format is 1 and its policy is a valid policy document.
// An accepted bundle replaces the pinned keys with the keys it lists (a key
// rotation reaches the endpoint through a bundle the old key signed).
// Anything else is rejected with a reason code, the last good bundle stays
// in force, and the rejection is an event of the endpoint's chain.
#pragma once

#include <cpprest/json.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/key_list.h"
#include "enforcer/storage/store.h"
#include "policy/engine.h"
#include "policy/model.h"
#include "policy/time.h"

namespace custodian::enforcer {

// How far the endpoint's clock and the admin center's may disagree before
// a bundle "from the future" is refused or the time high-water mark is taken
// to have run ahead: five minutes is Kerberos's default tolerance, wide for
// NTP-synchronised machines and narrow enough that a clock set back cannot
// stretch a grant noticeably.
inline constexpr std::chrono::minutes kMaxClockSkew{5};

using PinnedKey = crypto::PublicKey;

struct VerifiedBundle {
  std::string envelope;  // as received
  std::string bytes;     // the signed bytes
  int64_t version = 0;
  policy::Instant issued_at{};
  policy::Instant expires_at{};
  std::vector<PinnedKey> keys;
  policy::Policy policy;
};

struct Rejection {
  // malformed, unsupported_format, unknown_key, bad_signature, rollback,
  // version_reused, issued_in_future, expired, invalid_policy
  std::string reason;
  std::string detail;
};

// A time proof from POST /v1/endpoints/{id}/time: {kind "custodian.time/1",
// endpoint_id, nonce, ts, key_id, signature}, the signature (Ed25519 over
// the JCS form without "signature") by a pinned key. Its ts, or nullopt with
// the reason in *why.
std::optional<policy::Instant> VerifyTimeProof(const std::string& text,
                                               const std::string& endpoint_id,
                                               const std::string& nonce,
                                               const std::vector<PinnedKey>& pinned,
                                               std::string* why);

struct Held {
  int64_t version = 0;
  std::string bytes_sha256;  // hex
};

// Checks `envelope` (the text of GET /v1/policy/bundle).
std::variant<VerifiedBundle, Rejection> VerifyBundle(const std::string& envelope,
                                                     const std::vector<PinnedKey>& pinned,
                                                     const std::optional<Held>& held,
                                                     policy::Instant now,
                                                     const policy::TimeZones& zones);

// The bundle in force, compiled for decisions.
struct ActiveBundle {
  int64_t version = 0;
  policy::Instant issued_at{};
  policy::Instant expires_at{};
  policy::CompiledPolicy compiled;
};

class BundleHolder {
 public:
  BundleHolder(Store& store, const policy::TimeZones& zones);

  // At start: the stored bundle, verified again against the stored keys and
  // version; a file that does not match (replaced, damaged) is rejected and
  // nothing is in force until a good bundle arrives.
  void Load(policy::Instant now);

  enum class Outcome { kAccepted, kUnchanged, kRejected };
  // Verifies, and on success stores atomically (bundle.json: write, fsync,
  // rename; then version and keys in the database) and puts it in force.
  // Records bundle.accepted or bundle.rejected.
  Outcome Offer(const std::string& envelope, policy::Instant now, std::string* reason = nullptr);

  std::shared_ptr<const ActiveBundle> active() const;
  // The keys this endpoint trusts now (from enrollment, then from each
  // accepted bundle).
  std::vector<PinnedKey> Pinned();
  // Decides with the bundle in force; without one every decision is a deny
  // with policy_expired (fail closed). `version` is the bundle's, or null.
  policy::Decision Decide(const policy::Request& request, policy::Instant now,
                          std::optional<int64_t>* version = nullptr) const;
  std::optional<int64_t> held_version() const;

 private:
  std::optional<Held> StoredHeld();
  void Reject(const Rejection& r, policy::Instant now);

  Store& store_;
  const policy::TimeZones& zones_;
  mutable std::mutex mutex_;
  std::shared_ptr<const ActiveBundle> active_;
};

}  // namespace custodian::enforcer
