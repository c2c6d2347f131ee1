#include "admincenter/audit.h"

#include <SQLiteCpp/Statement.h>

#include <stdexcept>

#include "common/canonical_json.h"
#include "common/crypto.h"
#include "common/text.h"

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

int64_t AppendAudit(SQLite::Database& db, const AuditEvent& e, policy::Instant now) {
  audit::EventFields f;
  f.seq = 1;
  f.prev_hash = kGenesisHash;
  {
    SQLite::Statement last(db, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
    if (last.executeStep()) {
      f.seq = last.getColumn(0).getInt64() + 1;
      f.prev_hash = last.getColumn(1).getString();
    }
  }
  f.id = crypto::NewId("evt_");
  f.ts = policy::FormatRfc3339(now);
  f.actor_kind = text::SafeUtf8(e.actor_kind, kMaxFieldBytes);
  f.actor_id = text::SafeUtf8(e.actor_id, kMaxAuditActorBytes);
  f.action = text::SafeUtf8(e.action, kMaxFieldBytes);
  f.target = text::SafeUtf8(e.target, kMaxAuditTargetBytes);
  f.outcome = text::SafeUtf8(e.outcome, kMaxFieldBytes);
  f.reasons_json = CanonicalOf(e.reasons, "reasons");
  f.details_json = CanonicalOf(e.details, "details");
  const std::string hash = audit::EventHash(f);
  SQLite::Statement insert(db,
                           "INSERT INTO audit_events (seq, id, ts, actor_kind, actor_id, action, "
                           "target, outcome, reasons, details, prev_hash, hash) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  int i = 1;
  insert.bind(i++, f.seq);
  for (const std::string* s : std::initializer_list<const std::string*>{
           &f.id, &f.ts, &f.actor_kind, &f.actor_id, &f.action, &f.target, &f.outcome,
           &f.reasons_json, &f.details_json, &f.prev_hash, &hash}) {
    insert.bind(i++, *s);
  }
  insert.exec();
  return f.seq;
}

audit::EventFields EventRow(SQLite::Statement& q, std::string* hash) {
  audit::EventFields f;
  f.seq = q.getColumn(0).getInt64();
  std::string* text[] = {&f.id,           &f.ts,        &f.actor_kind, &f.actor_id,
                         &f.action,       &f.target,    &f.outcome,    &f.reasons_json,
                         &f.details_json, &f.prev_hash, hash};
  for (int i = 0; i < 11; ++i) *text[i] = q.getColumn(i + 1).getString();
  return f;
}

}  // namespace custodian::admincenter
