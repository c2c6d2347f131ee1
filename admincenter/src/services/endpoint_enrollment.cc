#include "admincenter/distribution.h"
#include "admincenter/endpoint_repository.h"
#include "admincenter/policy_repository.h"
#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "policy/request.h"
#include "services/distribution_parts.h"

namespace custodian::admincenter {

// -------------------------------------------------------------- enrollment

Result<EnrollmentCode> Distribution::CreateEnrollmentCode(const Principal& actor, int ttl_minutes) {
  const std::string code = "enr_" + crypto::Base64Url(crypto::RandomBytes(16));
  const std::string hash = crypto::Sha256(code);
  const std::string id = crypto::NewId("enc_");
  const policy::Instant now = clock_();
  const policy::Instant expires = now + std::chrono::minutes(ttl_minutes);
  return storage_.Write([&](Repositories& tx) -> Result<EnrollmentCode> {
    tx.endpoints().InsertEnrollmentCode(id, hash, actor.id, now, expires);
    AuditEvent e = ActorEvent(actor, "endpoint.enrollment_code_create", "enrollment_code:" + id);
    e.Detail("expires_at", policy::FormatRfc3339(expires));
    AppendAudit(tx.audit(), e, now);
    return EnrollmentCode{id, code, expires};
  });
}

Result<Enrollment> Distribution::Enroll(const EnrollInput& input) {
  const std::string hash = crypto::Sha256(input.code);
  const policy::Instant now = clock_();
  const std::string endpoint_id = crypto::NewId("e-");
  const std::string token = NewEndpointToken();
  Result<Enrollment> r = storage_.Write([&](Repositories& tx) -> Result<Enrollment> {
    EndpointRepository& endpoints = tx.endpoints();
    const auto code_id = endpoints.UseEnrollmentCode(hash, now, endpoint_id);
    if (!code_id) {
      return Problem{
          ErrorKind::kForbidden, "the enrollment code is unknown, used or expired", {}, {}};
    }
    endpoints.Insert(EndpointRecord{endpoint_id, input.name, input.os, input.time_zone, now,
                                    std::nullopt, std::nullopt, 0, ""},
                     crypto::Sha256(token));
    AuditEvent e;
    e.actor_kind = "endpoint";
    e.actor_id = endpoint_id;
    e.action = "endpoint.enroll";
    e.target = "endpoint:" + endpoint_id;
    e.outcome = "success";
    e.Detail("enrollment_code", *code_id);
    e.Detail("name", input.name);
    e.Detail("os", input.os);
    e.Detail("time_zone", input.time_zone);
    AppendAudit(tx.audit(), e, now);
    return Enrollment{endpoint_id, token, keys_.Signing()};
  });
  if (!r.ok() && r.problem().kind == ErrorKind::kForbidden) {
    storage_.Write([&](Repositories& tx) {
      AuditEvent e;
      e.actor_kind = "anonymous";
      e.action = "endpoint.enroll";
      e.target = "endpoint:" + input.name;
      e.outcome = "denied";
      e.Detail("reason", r.problem().detail);
      AppendAudit(tx.audit(), e, now);
      return true;
    });
  }
  return r;
}

std::vector<EndpointRecord> Distribution::ListEndpoints(const Principal&) {
  std::map<std::string, Sighting> seen;
  {
    std::lock_guard lock(mutex_);
    seen = seen_;
  }
  std::vector<EndpointRecord> out =
      storage_.Read([&](Repositories& tx) { return tx.endpoints().Endpoints(); });
  for (EndpointRecord& r : out) {
    // Fresher than the database, which is written at most once a minute.
    if (auto it = seen.find(r.id); it != seen.end()) {
      r.last_seen = it->second.at;
      if (it->second.version) r.bundle_version = it->second.version;
    }
  }
  return out;
}

}  // namespace custodian::admincenter
