// libFuzzer target for the HTTP request path up to the audit log: raw bytes
// go through what the server does before a handler (parse, refuse, percent-
// decode, UTF-8), then through what the admin center does with an accepted
// request that it records (the body's JSON checks, the target an event
// gets). Beyond "no crash, no sanitizer report" it checks the property the
// exports rest on: whatever was accepted, the event it makes is valid
// UTF-8, fits its bound, and its export line parses back to a record whose
// recomputed hash is the stored one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "common/http_server.h"
#include "common/text.h"

namespace {

namespace http = custodian::http;
namespace audit = custodian::audit;
namespace text = custodian::text;
using web::json::value;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  http::ServerOptions options;
  options.body_limit = 64 << 10;
  auto parsed = http::ParseRawRequest(bytes, options);
  if (auto* refused = std::get_if<http::Response>(&parsed)) {
    Check(refused->status >= 400 && refused->status < 600);
    std::string error;
    Check(text::ParseJson(refused->body, &error).has_value());  // a problem document
    return 0;
  }
  const http::Request& r = std::get<http::Request>(parsed);
  Check(text::IsValidUtf8(r.path));
  for (const auto& [k, v] : r.headers) Check(text::IsValidUtf8(v));
  // The body, as Api::Process takes it.
  value details = value::object();
  if (text::IsValidUtf8(r.body)) {
    std::string error;
    if (auto body = text::ParseJson(r.body, &error);
        body && text::JsonTextProblems(*body).empty()) {
      details["body"] = *body;
    }
  }
  // The event a refusal of it records (AppendAudit's rules).
  audit::EventFields e;
  e.seq = 1;
  e.id = "evt_fuzz";
  e.ts = "2026-12-01T00:00:00Z";
  e.actor_kind = "anonymous";
  e.actor_id = text::SafeUtf8(r.Header("authorization"), 256);
  e.action = "authz.denied";
  e.target = text::SafeUtf8(r.method_name + " " + r.path, 256);
  e.outcome = "failure";
  e.details_json = custodian::CanonicalJson(details);
  e.prev_hash = audit::kGenesisHash;
  Check(e.target.size() <= 256);
  const std::string hash = audit::EventHash(e);
  const std::string line = audit::CanonicalRecord(e, &hash);
  Check(line.find('\n') == std::string::npos);
  std::string error;
  const auto back = text::ParseJson(line, &error);
  Check(back.has_value());
  Check(audit::RecordHash(*back) == hash);
  return 0;
}
