#include "admincenter/distribution.h"

#include "admincenter/distribution_codec.h"
#include "admincenter/endpoint_repository.h"
#include "admincenter/policy_repository.h"
#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "common/gzip.h"
#include "http/input.h"
#include "policy/request.h"
#include "services/distribution_parts.h"

namespace custodian::admincenter {
namespace {

// A poll refreshes last_seen in the database at most this often.
constexpr std::chrono::seconds kSeenWriteInterval{60};
// The rate endpoints woken by a new bundle are asked to spread their
// fetches to (4 per millisecond), and the longest spread.
constexpr int64_t kFetchesPerMs = 4;
constexpr std::chrono::milliseconds kMaxFetchSpread{5000};

}  // namespace

using internal::IsSelf;
using internal::SystemEvent;

Distribution::Distribution(Storage& storage, Clock clock, PolicySource policies, KeyRing& keys,
                           Waiters& waiters)
    : storage_(storage),
      clock_(std::move(clock)),
      policies_(std::move(policies)),
      keys_(keys),
      waiters_(waiters) {}

// ----------------------------------------------------------------- bundles

Result<BundleEnvelope> Distribution::CurrentBundle() {
  auto snapshot = policies_();
  if (!snapshot) return Problem{ErrorKind::kInternal, "the stored policy is damaged", {}, {}};
  const uint64_t keys_generation = keys_.generation();
  const policy::Instant now = clock_();
  {
    std::lock_guard lock(mutex_);
    if (cache_ && cache_->snapshot == snapshot && cache_->keys_generation == keys_generation &&
        now < cache_->bundle.renew_at) {
      return cache_->bundle;
    }
  }
  const std::vector<SigningKey> signing = keys_.Signing();
  const value key_list = PublicKeys(signing);
  const std::string keys_hash = crypto::Hex(crypto::Sha256(CanonicalJson(key_list)));
  // Serialised by the writer, and reading the policy inside the write: two
  // callers cannot issue two versions for one change, and a caller with a
  // stale snapshot cannot publish an old policy as a new version.
  Result<BundleEnvelope> r = storage_.Write([&](Repositories& tx) -> Result<BundleEnvelope> {
    const value document = tx.policy().Document();
    const std::string policy_hash = crypto::Hex(crypto::Sha256(CanonicalJson(document)));
    EndpointRepository& endpoints = tx.endpoints();
    int64_t last = 0;
    if (const auto latest = endpoints.LatestBundle()) {
      last = latest->version;
      if (latest->policy_hash == policy_hash && latest->keys_hash == keys_hash) {
        const policy::Instant renew_at =
            latest->issued_at + (latest->expires_at - latest->issued_at) / 2;
        if (now < renew_at)
          return BundleEnvelope{last, std::make_shared<const std::string>(latest->envelope),
                                renew_at, nullptr};
      }
    }
    int ttl_hours = policy::kDefaultBundleTtlHours;
    const value& settings = document.at("settings");
    if (settings.has_field("distribution")) {
      ttl_hours = settings.at("distribution").at("bundle_ttl_hours").as_integer();
    }
    const policy::Instant expires = now + std::chrono::hours(ttl_hours);
    value bundle = value::object(true);
    bundle["format"] = value::number(1);
    bundle["version"] = value::number(last + 1);
    bundle["issued_at"] = Str(policy::FormatRfc3339(now));
    bundle["expires_at"] = Str(policy::FormatRfc3339(expires));
    bundle["key_id"] = Str(signing.front().key_id);
    bundle["keys"] = key_list;
    bundle["policy"] = document;
    const std::string bytes = bundle.serialize();
    value signatures = value::array();
    for (std::size_t i = 0; i < signing.size(); ++i) {
      value s = value::object(true);
      s["key_id"] = Str(signing[i].key_id);
      // The keys were checked when loaded; a failed signature would make
      // endpoints reject the bundle, never accept a wrong one.
      s["signature"] =
          Str(crypto::Base64(crypto::SignEd25519(signing[i].private_pem, bytes).value_or("")));
      signatures[i] = s;
    }
    value envelope = value::object(true);
    envelope["bundle"] = Str(crypto::Base64(bytes));
    envelope["signatures"] = signatures;
    BundleEnvelope out{last + 1, std::make_shared<const std::string>(envelope.serialize()),
                       now + (expires - now) / 2, nullptr};
    endpoints.Insert(
        BundleRecord{out.version, now, expires, policy_hash, keys_hash, *out.envelope});
    AuditEvent e = SystemEvent("policy.bundle_publish", "bundle:" + std::to_string(out.version));
    e.details["version"] = value::number(out.version);
    e.details["policy_hash"] = Str(policy_hash);
    e.details["expires_at"] = Str(policy::FormatRfc3339(expires));
    e.details["key_id"] = Str(signing.front().key_id);
    AppendAudit(tx.audit(), e, now);
    return out;
  });
  if (!r.ok()) return r;
  r.value().gzip = std::make_shared<const std::string>(Gzip(*r.value().envelope));
  std::lock_guard lock(mutex_);
  cache_ = Cached{snapshot, keys_generation, r.value()};
  return r;
}

Result<std::optional<BundleHint>> Distribution::NewerBundle(const Principal& endpoint,
                                                            const std::string& endpoint_id,
                                                            int64_t held) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  Seen(endpoint, held > 0 ? std::optional<int64_t>(held) : std::nullopt);
  Result<BundleEnvelope> current = CurrentBundle();
  if (!current.ok()) return current.problem();
  if (current.value().version == held) return std::optional<BundleHint>();
  // Spread over the polls parked here: 1,000 within a quarter second,
  // 10,000 within 2.5 s, never more than kMaxFetchSpread.
  const auto spread = std::min<std::chrono::milliseconds>(
      kMaxFetchSpread,
      std::chrono::milliseconds(static_cast<int64_t>(waiters_.parked()) / kFetchesPerMs));
  return std::optional<BundleHint>(BundleHint{current.value().version, spread});
}

void Distribution::Seen(const Principal& endpoint, std::optional<int64_t> held_version) {
  const policy::Instant now = clock_();
  bool write = false;
  {
    std::lock_guard lock(mutex_);
    Sighting& s = seen_[endpoint.id];
    write = held_version != s.version || now - s.written >= kSeenWriteInterval;
    s.at = now;
    s.version = held_version;
    if (write) s.written = now;
  }
  if (!write) return;
  storage_.Write([&](Repositories& tx) {
    tx.endpoints().RecordSeen(endpoint.id, now, held_version);
    return true;
  });
}

Result<value> Distribution::TimeProof(const Principal& endpoint, const std::string& endpoint_id,
                                      const value& body) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"nonce"}, errors);
  const auto nonce = RequiredString(body, "nonce", errors, 128);
  if (nonce && nonce->size() < 16) errors.push_back({"/nonce", "must have at least 16 characters"});
  if (!errors.empty()) return Invalid(std::move(errors));
  const SigningKey key = keys_.Active();
  value proof = value::object(true);
  proof["kind"] = Str(kTimeProofKind);
  proof["endpoint_id"] = Str(endpoint_id);
  proof["nonce"] = Str(*nonce);
  proof["ts"] = Str(policy::FormatRfc3339(clock_()));
  proof["key_id"] = Str(key.key_id);
  proof["signature"] = Str(
      crypto::Base64(crypto::SignEd25519(key.private_pem, audit::SignedBytes(proof)).value_or("")));
  return proof;
}

}  // namespace custodian::admincenter
