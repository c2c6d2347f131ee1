// libFuzzer target for the policy and request codec (and what follows from
// a document that parses: inheritance, compilation and decisions).
//
// Every input is read both as a policy document and as a request. Beyond
// "no crash, no sanitizer report" it checks two properties:
//  - a policy that parses encodes to a document that parses again, to the
//    same encoding (the codec round-trips);
//  - a request that parses is decided on the reference policy and the
//    decision encodes, with a deny always carrying at least one reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/codec.h"
#include "policy/engine.h"
#include "policy/system_time_zones.h"

namespace {

namespace p = custodian::policy;

constexpr std::string_view kReferencePolicy = R"({
  "settings": {"unattended": {"blocked_session_types": ["calling_card"], "cap_behavior": "clamp"},
               "permissions": {"remote_control": true}},
  "groups": [
    {"id": "g-a", "name": "A", "permissions": {"unattended_access": true,
     "request_windows_credentials": true}, "unattended": {"max_days": 30},
     "locked": ["unattended.auth_modes"]},
    {"id": "g-b", "name": "B", "parent_id": "g-a", "unattended": {"max_days": 3}}],
  "technicians": [{"id": "t-anna", "group_id": "g-a", "time_zone": "Europe/Berlin"},
                  {"id": "t-ben", "group_id": "g-b", "time_zone": "America/New_York"}]})";

void Check(bool ok) {
  if (!ok) std::abort();
}

const p::CompiledPolicy& Reference() {
  static const p::Policy policy =
      *p::ParsePolicy(kReferencePolicy, p::SystemTimeZones::Get()).value;
  static const p::CompiledPolicy compiled =
      p::CompiledPolicy::Compile(policy, p::SystemTimeZones::Get());
  return compiled;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const p::TimeZones& zones = p::SystemTimeZones::Get();

  p::Parsed<p::Policy> policy = p::ParsePolicy(text, zones);
  Check(policy.ok() != !policy.errors.empty());
  if (policy.ok()) {
    const std::string encoded = p::EncodePolicy(*policy.value).serialize();
    p::Parsed<p::Policy> again = p::ParsePolicy(encoded, zones);
    Check(again.ok());
    Check(p::EncodePolicy(*again.value).serialize() == encoded);
    const auto compiled = p::CompiledPolicy::Compile(*policy.value, zones);
    for (const auto& e : p::ResolveEffective(*policy.value)) {
      (void)p::EncodeEffective(*policy.value, e);
    }
    (void)compiled;
  }

  p::Parsed<p::Request> request = p::ParseRequest(text);
  Check(request.ok() != !request.errors.empty());
  if (request.ok()) {
    for (int64_t now : {int64_t{1772359200}, int64_t{0}, int64_t{4102444800}}) {
      const p::Decision d =
          p::Decide(Reference(), *request.value, p::Instant{std::chrono::seconds{now}});
      Check(d.effect == p::Effect::kAllow || d.reason_count > 0);
      (void)p::EncodeDecision(d).serialize();
    }
  }
  return 0;
}
