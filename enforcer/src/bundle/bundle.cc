#include "enforcer/bundle.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/audit_chain.h"
#include "common/crypto.h"
#include "common/files.h"
#include "common/text.h"
#include "policy/codec.h"

namespace custodian::enforcer {

using web::json::value;

namespace {

Rejection Rejected(std::string reason, std::string detail) {
  return {std::move(reason), std::move(detail)};
}

}  // namespace

std::variant<VerifiedBundle, Rejection> VerifyBundle(const std::string& envelope_text,
                                                     const std::vector<PinnedKey>& pinned,
                                                     const std::optional<Held>& held,
                                                     policy::Instant now,
                                                     const policy::TimeZones& zones) {
  std::string error;
  const value envelope = text::ParseJson(envelope_text, &error).value_or(value());
  if (!envelope.is_object() || !envelope.has_field("bundle") ||
      !envelope.at("bundle").is_string() || !envelope.has_field("signatures") ||
      !envelope.at("signatures").is_array()) {
    return Rejected("malformed", "not an envelope {bundle, signatures}");
  }
  const auto bytes = crypto::FromBase64(envelope.at("bundle").as_string());
  if (!bytes) return Rejected("malformed", "the bundle is not base64");
  // 1. The signature, over the exact bytes, by a pinned key.
  bool pinned_signer = false, verified = false;
  std::string signer;
  for (const value& s : envelope.at("signatures").as_array()) {
    if (!s.is_object() || !s.has_field("key_id") || !s.has_field("signature") ||
        !s.at("key_id").is_string() || !s.at("signature").is_string()) {
      continue;
    }
    for (const PinnedKey& k : pinned) {
      if (k.key_id != s.at("key_id").as_string()) continue;
      pinned_signer = true;
      const auto sig = crypto::FromBase64(s.at("signature").as_string());
      if (sig && crypto::VerifyEd25519(k.public_raw, *bytes, *sig)) {
        verified = true;
        signer = k.key_id;
      }
    }
    if (verified) break;
  }
  if (!pinned_signer) return Rejected("unknown_key", "no signature by a pinned key");
  if (!verified) return Rejected("bad_signature", "the signature does not verify");
  // 2. What it says.
  const value bundle = text::ParseJson(*bytes, &error).value_or(value());
  if (!bundle.is_object() || !text::JsonTextProblems(bundle, 1).empty()) {
    return Rejected("malformed", "the signed bytes are not a bundle of valid UTF-8 JSON");
  }
  VerifiedBundle out;
  try {
    if (bundle.at("format").as_integer() != 1) {
      return Rejected("unsupported_format", "format " + bundle.at("format").serialize());
    }
    out.version = bundle.at("version").as_number().to_int64();
    const auto issued = policy::ParseRfc3339(bundle.at("issued_at").as_string());
    const auto expires = policy::ParseRfc3339(bundle.at("expires_at").as_string());
    out.keys = crypto::ParseKeyList(bundle.at("keys"));
    if (out.version < 1 || !issued || !expires || out.keys.empty()) {
      return Rejected("malformed", "version, issued_at, expires_at or keys are missing or wrong");
    }
    const std::string key_id = bundle.at("key_id").as_string();
    if (std::none_of(out.keys.begin(), out.keys.end(),
                     [&](const PinnedKey& k) { return k.key_id == key_id; })) {
      return Rejected("malformed", "key_id " + key_id + " is not among the listed keys");
    }
    out.issued_at = *issued;
    out.expires_at = *expires;
  } catch (const std::exception&) {
    return Rejected("malformed", "format, version, issued_at, expires_at or keys are missing");
  }
  const std::string hash = crypto::Hex(crypto::Sha256(*bytes));
  if (held && out.version < held->version) {
    return Rejected("rollback", "version " + std::to_string(out.version) + " is older than " +
                                    std::to_string(held->version));
  }
  if (held && out.version == held->version && hash != held->bytes_sha256) {
    return Rejected("version_reused",
                    "version " + std::to_string(out.version) + " held with other content");
  }
  if (out.issued_at > now + kMaxClockSkew) {
    return Rejected("issued_in_future", "issued at " + policy::FormatRfc3339(out.issued_at));
  }
  if (out.expires_at <= now) {
    return Rejected("expired", "expired at " + policy::FormatRfc3339(out.expires_at));
  }
  auto parsed = policy::ParsePolicy(bundle.at("policy"), zones);
  if (!parsed.ok()) {
    const auto& e = parsed.errors.front();
    return Rejected("invalid_policy", "/policy" + e.pointer + ": " + e.message);
  }
  out.policy = std::move(*parsed.value);
  out.envelope = envelope_text;
  out.bytes = *bytes;
  return out;
}

std::optional<policy::Instant> VerifyTimeProof(const std::string& text,
                                               const std::string& endpoint_id,
                                               const std::string& nonce,
                                               const std::vector<PinnedKey>& pinned,
                                               std::string* why) {
  std::string error;
  const value p = custodian::text::ParseJson(text, &error).value_or(value());
  try {
    if (p.at("kind").as_string() != "custodian.time/1" ||
        p.at("endpoint_id").as_string() != endpoint_id || p.at("nonce").as_string() != nonce) {
      *why = "not a time proof for this endpoint and nonce";
      return std::nullopt;
    }
    const auto key = std::find_if(pinned.begin(), pinned.end(), [&](const PinnedKey& k) {
      return k.key_id == p.at("key_id").as_string();
    });
    const auto sig = crypto::FromBase64(p.at("signature").as_string());
    if (key == pinned.end() || !sig ||
        !crypto::VerifyEd25519(key->public_raw, audit::SignedBytes(p), *sig)) {
      *why = "not signed by a pinned key";
      return std::nullopt;
    }
    const auto ts = policy::ParseRfc3339(p.at("ts").as_string());
    if (!ts) *why = "ts is not RFC 3339";
    return ts;
  } catch (const std::exception&) {
    *why = "a member is missing or of the wrong type";
    return std::nullopt;
  }
}

BundleHolder::BundleHolder(Store& store, const policy::TimeZones& zones)
    : store_(store), zones_(zones) {}

std::vector<PinnedKey> BundleHolder::Pinned() {
  auto text = store_.Get("pinned_keys");
  if (!text) return {};
  std::error_code ec;
  return crypto::ParseKeyList(value::parse(*text, ec));
}

std::optional<Held> BundleHolder::StoredHeld() {
  auto version = store_.Get("bundle_version");
  auto hash = store_.Get("bundle_sha256");
  if (!version || !hash) return std::nullopt;
  // A stored row we cannot read is no bundle held: the next sync fetches one.
  const auto number = text::ParseDecimal(*version);
  if (!number) return std::nullopt;
  return Held{*number, *hash};
}

std::shared_ptr<const ActiveBundle> BundleHolder::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

std::optional<int64_t> BundleHolder::held_version() const {
  std::lock_guard lock(mutex_);
  if (!active_) return std::nullopt;
  return active_->version;
}

void BundleHolder::Reject(const Rejection& r, policy::Instant now) {
  spdlog::warn(R"({{"event":"bundle_rejected","reason":"{}"}})", r.reason);
  EventInput e;
  e.action = "bundle.rejected";
  e.target = "bundle";
  e.outcome = "denied";
  value reason = value::object(true);
  reason["code"] = value::string(r.reason);
  reason["message"] = value::string(r.detail);
  e.reasons[0] = reason;
  store_.Append(e, now);
}

void BundleHolder::Load(policy::Instant now) {
  const auto held = StoredHeld();
  if (!held) return;  // never had one
  const auto text = ReadFile((store_.dir() / kBundleFile).string());
  if (!text) {
    Reject({"missing", "the stored bundle is gone"}, now);
    return;
  }
  // The stored file must be exactly the bundle last accepted (its hash was
  // recorded after its signature verified); it may have expired since:
  // then decisions fail closed, but it stays the one held.
  std::string error;
  const value envelope = text::ParseJson(*text, &error).value_or(value());
  const auto bytes =
      envelope.is_object() && envelope.has_field("bundle") && envelope.at("bundle").is_string()
          ? crypto::FromBase64(envelope.at("bundle").as_string())
          : std::nullopt;
  if (!bytes || crypto::Hex(crypto::Sha256(*bytes)) != held->bytes_sha256) {
    Reject({"rollback", "the stored bundle is not the one accepted last (replaced?)"}, now);
    return;
  }
  const value bundle = text::ParseJson(*bytes, &error).value_or(value());
  auto parsed = policy::ParsePolicy(bundle.at("policy"), zones_);
  if (!parsed.ok()) {
    Reject({"invalid_policy", "the stored bundle no longer parses"}, now);
    return;
  }
  auto active = std::make_shared<ActiveBundle>();
  active->version = held->version;
  active->issued_at = *policy::ParseRfc3339(bundle.at("issued_at").as_string());
  active->expires_at = *policy::ParseRfc3339(bundle.at("expires_at").as_string());
  active->compiled = policy::CompiledPolicy::Compile(*parsed.value, zones_, active->expires_at);
  std::lock_guard lock(mutex_);
  active_ = std::move(active);
}

BundleHolder::Outcome BundleHolder::Offer(const std::string& envelope, policy::Instant now,
                                          std::string* reason) {
  const auto held = StoredHeld();
  auto result = VerifyBundle(envelope, Pinned(), held, now, zones_);
  if (auto* r = std::get_if<Rejection>(&result)) {
    if (reason) *reason = r->reason;
    Reject(*r, now);
    return Outcome::kRejected;
  }
  VerifiedBundle& b = std::get<VerifiedBundle>(result);
  // The held version again: nothing to do while it is in force. When it is
  // not (its stored file was replaced or altered and refused at start), this
  // correctly signed copy of exactly the bundle accepted last restores it:
  // nothing older gets in, and the endpoint need not wait for a new version.
  if (held && b.version == held->version && active()) return Outcome::kUnchanged;
  std::string error;
  if (!WriteFileAtomically((store_.dir() / kBundleFile).string(), envelope, 0600, &error)) {
    Reject({"store_failed", error}, now);
    if (reason) *reason = "store_failed";
    return Outcome::kRejected;
  }
  store_.Set({{"bundle_version", std::to_string(b.version)},
              {"bundle_sha256", crypto::Hex(crypto::Sha256(b.bytes))},
              {"pinned_keys", crypto::EncodeKeyList(b.keys).serialize()}});
  auto active = std::make_shared<ActiveBundle>();
  active->version = b.version;
  active->issued_at = b.issued_at;
  active->expires_at = b.expires_at;
  active->compiled = policy::CompiledPolicy::Compile(b.policy, zones_, b.expires_at);
  {
    std::lock_guard lock(mutex_);
    active_ = std::move(active);
  }
  EventInput e;
  e.action = "bundle.accepted";
  e.target = "bundle:" + std::to_string(b.version);
  e.details["version"] = value::number(b.version);
  e.details["expires_at"] = value::string(policy::FormatRfc3339(b.expires_at));
  store_.Append(e, now);
  spdlog::info(R"({{"event":"bundle_accepted","version":{}}})", b.version);
  return Outcome::kAccepted;
}

policy::Decision BundleHolder::Decide(const policy::Request& request, policy::Instant now,
                                      std::optional<int64_t>* version) const {
  auto held = active();
  if (version) *version = held ? std::optional<int64_t>(held->version) : std::nullopt;
  if (held) return policy::Decide(held->compiled, request, now);
  // No bundle ever accepted (or the stored one was refused).
  static const policy::CompiledPolicy kNone = [] {
    struct NoZones : policy::TimeZones {
      const policy::TimeZone* Find(std::string_view) const override { return nullptr; }
    };
    static const NoZones zones;
    return policy::CompiledPolicy::Compile(policy::Policy{}, zones, policy::Instant{});
  }();
  return policy::Decide(kNone, request, now);
}

}  // namespace custodian::enforcer
