#include "admincenter/distribution.h"
#include "admincenter/endpoint_repository.h"
#include "admincenter/policy_repository.h"
#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "distribution_parts.h"
#include "input.h"
#include "policy/request.h"

namespace custodian::admincenter {
namespace {

constexpr int kDefaultCodeMinutes = 60;
constexpr int kMaxCodeMinutes = 7 * 24 * 60;  // a week: enough to ship a machine

}  // namespace

using internal::IsSelf;
using internal::PublicKeys;
using internal::Str;
using internal::SystemEvent;

// -------------------------------------------------------------- enrollment

Result<value> Distribution::CreateEnrollmentCode(const Principal& actor, const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"ttl_minutes"}, errors);
  int minutes = kDefaultCodeMinutes;
  if (body.has_field("ttl_minutes")) {
    const value& v = body.at("ttl_minutes");
    if (!v.is_integer() || v.as_integer() < 1 || v.as_integer() > kMaxCodeMinutes) {
      errors.push_back(
          {"/ttl_minutes", "must be an integer from 1 to " + std::to_string(kMaxCodeMinutes)});
    } else {
      minutes = v.as_integer();
    }
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const std::string code = "enr_" + crypto::Base64Url(crypto::RandomBytes(16));
  const std::string hash = crypto::Sha256(code);
  const std::string id = crypto::NewId("enc_");
  const policy::Instant now = service_.Now();
  const policy::Instant expires = now + std::chrono::minutes(minutes);
  return service_.storage().Write([&](Repositories& tx) -> Result<value> {
    tx.endpoints().InsertEnrollmentCode(id, hash, actor.id, now, expires);
    AuditEvent e = ActorEvent(actor, "endpoint.enrollment_code_create", "enrollment_code:" + id);
    e.details["expires_at"] = Str(policy::FormatRfc3339(expires));
    AppendAudit(tx.audit(), e, now);
    value out = value::object(true);
    out["id"] = Str(id);
    out["code"] = Str(code);  // shown once; only its hash is kept
    out["expires_at"] = Str(policy::FormatRfc3339(expires));
    return out;
  });
}

Result<value> Distribution::Enroll(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"code", "name", "os", "time_zone"}, errors);
  const auto code = RequiredString(body, "code", errors, 128);
  const auto name = RequiredName(body, "name", errors);
  const auto os = RequiredString(body, "os", errors, 16);
  const auto zone = RequiredString(body, "time_zone", errors, 64);
  if (os && !policy::ParseOs(*os)) errors.push_back({"/os", "must be windows, linux or macos"});
  if (zone && !service_.zones().Find(*zone)) {
    errors.push_back({"/time_zone", "is not a known IANA time zone"});
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const std::string hash = crypto::Sha256(*code);
  const policy::Instant now = service_.Now();
  const std::string endpoint_id = crypto::NewId("e-");
  const std::string token = NewEndpointToken();
  Result<value> r = service_.storage().Write([&](Repositories& tx) -> Result<value> {
    EndpointRepository& endpoints = tx.endpoints();
    const auto code_id = endpoints.UseEnrollmentCode(hash, now, endpoint_id);
    if (!code_id) {
      return Problem{
          ErrorKind::kForbidden, "the enrollment code is unknown, used or expired", {}, {}};
    }
    endpoints.Insert(
        EndpointRecord{endpoint_id, *name, *os, *zone, now, std::nullopt, std::nullopt, 0, ""},
        crypto::Sha256(token));
    AuditEvent e;
    e.actor_kind = "endpoint";
    e.actor_id = endpoint_id;
    e.action = "endpoint.enroll";
    e.target = "endpoint:" + endpoint_id;
    e.outcome = "success";
    e.details["enrollment_code"] = Str(*code_id);
    e.details["name"] = Str(*name);
    e.details["os"] = Str(*os);
    e.details["time_zone"] = Str(*zone);
    AppendAudit(tx.audit(), e, now);
    value out = value::object(true);
    out["endpoint_id"] = Str(endpoint_id);
    out["token"] = Str(token);  // shown once
    out["policy_keys"] = PublicKeys(keys_.Signing());
    return out;
  });
  if (!r.ok() && r.problem().kind == ErrorKind::kForbidden) {
    service_.storage().Write([&](Repositories& tx) {
      AuditEvent e;
      e.actor_kind = "anonymous";
      e.action = "endpoint.enroll";
      e.target = "endpoint:" + *name;
      e.outcome = "denied";
      e.details["reason"] = Str(r.problem().detail);
      AppendAudit(tx.audit(), e, now);
      return true;
    });
  }
  return r;
}

Result<value> Distribution::ListEndpoints(const Principal&) {
  std::map<std::string, Sighting> seen;
  {
    std::lock_guard lock(mutex_);
    seen = seen_;
  }
  return service_.storage().Read([&](Repositories& tx) -> Result<value> {
    value items = value::array();
    std::size_t n = 0;
    for (const EndpointRecord& r : tx.endpoints().Endpoints()) {
      value e = value::object(true);
      e["id"] = Str(r.id);
      e["name"] = Str(r.name);
      e["os"] = Str(r.os);
      e["time_zone"] = Str(r.time_zone);
      e["enrolled_at"] = Str(policy::FormatRfc3339(r.enrolled_at));
      std::optional<policy::Instant> last_seen = r.last_seen;
      std::optional<int64_t> version = r.bundle_version;
      // Fresher than the database, which is written at most once a minute.
      if (auto it = seen.find(r.id); it != seen.end()) {
        last_seen = it->second.at;
        if (it->second.version) version = it->second.version;
      }
      e["last_seen"] = last_seen ? Str(policy::FormatRfc3339(*last_seen)) : value::null();
      e["bundle_version"] = version ? value::number(*version) : value::null();
      e["last_event_seq"] = value::number(r.last_event_seq);
      items[n++] = e;
    }
    value out = value::object(true);
    out["items"] = items;
    return out;
  });
}

}  // namespace custodian::admincenter
