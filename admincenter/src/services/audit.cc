#include "admincenter/audit.h"

#include <stdexcept>

#include "common/canonical_json.h"
#include "common/crypto.h"
#include "common/text.h"
#include "policy/codec.h"

namespace custodian::admincenter {

namespace {

constexpr std::size_t kMaxFieldBytes = 256;  // action, outcome, actor kind: ours, short

std::string CanonicalOf(const web::json::value& v, const char* what) {
  const auto problems = text::JsonTextProblems(v, 1);
  if (!problems.empty()) {
    throw std::invalid_argument(std::string("audit ") + what + problems[0].pointer + " " +
                                problems[0].message);
  }
  return CanonicalJson(v);
}

}  // namespace

void AuditEvent::Detail(const std::string& key, std::string_view text) {
  details[key] = web::json::value::string(std::string(text));
}

void AuditEvent::Flag(const std::string& key, bool on) {
  details[key] = web::json::value::boolean(on);
}

void AuditEvent::Number(const std::string& key, int64_t n) {
  details[key] = web::json::value::number(n);
}

void AuditEvent::Detail(const std::string& key, const policy::Schedule& schedule) {
  details[key] = policy::EncodeSchedule(schedule);
}

void AuditEvent::Detail(const std::string& key, const std::vector<std::string>& texts) {
  web::json::value a = web::json::value::array(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) a[i] = web::json::value::string(texts[i]);
  details[key] = a;
}

void AuditEvent::Detail(const std::string& key, const policy::Group& group) {
  details[key] = policy::EncodeGroup(group);
}

void AuditEvent::Detail(const std::string& key, const policy::GlobalSettings& settings) {
  details[key] = policy::EncodeSettings(settings);
}

void AuditEvent::Details(const policy::Command& command) {
  const web::json::value encoded = policy::EncodeCommand(command);
  for (const auto& [k, v] : encoded.as_object()) details[k] = v;
}

void AuditEvent::Reasons(const policy::Decision& decision) {
  reasons = policy::EncodeDecision(decision).at("reasons");
}

int64_t AppendAudit(AuditRepository& log, const AuditEvent& e, policy::Instant now) {
  const ChainHead head = log.Head();
  audit::EventFields f;
  f.seq = head.seq + 1;
  f.prev_hash = head.hash;
  f.id = crypto::NewId("evt_");
  f.ts = policy::FormatRfc3339(now);
  f.actor_kind = text::SafeUtf8(e.actor_kind, kMaxFieldBytes);
  f.actor_id = text::SafeUtf8(e.actor_id, kMaxAuditActorBytes);
  f.action = text::SafeUtf8(e.action, kMaxFieldBytes);
  f.target = text::SafeUtf8(e.target, kMaxAuditTargetBytes);
  f.outcome = text::SafeUtf8(e.outcome, kMaxFieldBytes);
  f.reasons_json = CanonicalOf(e.reasons, "reasons");
  f.details_json = CanonicalOf(e.details, "details");
  log.Insert(f, audit::EventHash(f));
  return f.seq;
}

}  // namespace custodian::admincenter
