// libFuzzer target for the enforcer's bundle verification (DESIGN.md §4):
// every input is tried twice — as an envelope as it arrives, and as the
// bytes of a bundle signed by the pinned key, so that the fuzzer reaches
// what lies behind the signature (format, versions, times, the policy).
// Beyond "no crash, no sanitizer report": an accepted bundle always has a
// version of at least 1, is not expired, was signed by the pinned key, and
// its policy encodes again; a rejection always names its reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "common/crypto.h"
#include "enforcer/bundle.h"
#include "policy/codec.h"
#include "policy/system_time_zones.h"

namespace {

namespace en = custodian::enforcer;
namespace crypto = custodian::crypto;
namespace p = custodian::policy;
using web::json::value;

void Check(bool ok) {
  if (!ok) std::abort();
}

const crypto::Ed25519KeyPair& Key() {
  static const crypto::Ed25519KeyPair key = crypto::GenerateEd25519();
  return key;
}

std::string Envelope(const std::string& bytes) {
  value s = value::object(true);
  s["key_id"] = value::string(crypto::KeyId(Key().public_raw));
  s["signature"] = value::string(crypto::Base64(*crypto::SignEd25519(Key().private_pem, bytes)));
  value e = value::object(true);
  e["bundle"] = value::string(crypto::Base64(bytes));
  e["signatures"] = value::array({s});
  return e.serialize();
}

void Try(const std::string& envelope) {
  const std::vector<en::PinnedKey> pinned = {{crypto::KeyId(Key().public_raw), Key().public_raw}};
  const p::Instant now = *p::ParseRfc3339("2026-12-01T12:00:00Z");
  for (const std::optional<en::Held>& held :
       {std::optional<en::Held>{}, std::optional<en::Held>{en::Held{3, std::string(64, '0')}}}) {
    auto result = en::VerifyBundle(envelope, pinned, held, now, p::SystemTimeZones::Get());
    if (auto* r = std::get_if<en::Rejection>(&result)) {
      Check(!r->reason.empty());
      continue;
    }
    const en::VerifiedBundle& b = std::get<en::VerifiedBundle>(result);
    Check(b.version >= 1);
    Check(!held || b.version >= held->version);
    Check(b.expires_at > now);
    Check(p::ParsePolicy(p::EncodePolicy(b.policy).serialize(), p::SystemTimeZones::Get()).ok());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  Try(input);
  Try(Envelope(input));
  return 0;
}
