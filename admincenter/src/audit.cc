#include "admincenter/audit.h"

#include <SQLiteCpp/Statement.h>

#include "common/audit_chain.h"
#include "common/crypto.h"

namespace custodian::admincenter {

using web::json::value;

value AuditRecord(int64_t seq, const std::string& id, const std::string& ts, const AuditEvent& e,
                  const std::string& prev_hash) {
  value r = value::object(true);
  r["seq"] = value::number(seq);
  r["id"] = value::string(id);
  r["ts"] = value::string(ts);
  value actor = value::object(true);
  actor["kind"] = value::string(e.actor_kind);
  actor["id"] = value::string(e.actor_id);
  r["actor"] = actor;
  r["action"] = value::string(e.action);
  r["target"] = value::string(e.target);
  r["outcome"] = value::string(e.outcome);
  r["reasons"] = e.reasons;
  r["details"] = e.details;
  r["prev_hash"] = value::string(prev_hash);
  return r;
}

std::string AuditHash(const value& record) { return audit::RecordHash(record); }

value AppendAudit(SQLite::Database& db, const AuditEvent& e, policy::Instant now) {
  int64_t seq = 1;
  std::string prev = kGenesisHash;
  {
    SQLite::Statement last(db, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
    if (last.executeStep()) {
      seq = last.getColumn(0).getInt64() + 1;
      prev = last.getColumn(1).getString();
    }
  }
  const std::string id = crypto::NewId("evt_");
  const std::string ts = policy::FormatRfc3339(now);
  value record = AuditRecord(seq, id, ts, e, prev);
  const std::string hash = AuditHash(record);
  SQLite::Statement insert(db,
                           "INSERT INTO audit_events (seq, id, ts, actor_kind, actor_id, action, "
                           "target, outcome, reasons, details, prev_hash, hash) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, seq);
  insert.bind(2, id);
  insert.bind(3, ts);
  insert.bind(4, e.actor_kind);
  insert.bind(5, e.actor_id);
  insert.bind(6, e.action);
  insert.bind(7, e.target);
  insert.bind(8, e.outcome);
  insert.bind(9, e.reasons.serialize());
  insert.bind(10, e.details.serialize());
  insert.bind(11, prev);
  insert.bind(12, hash);
  insert.exec();
  record["hash"] = value::string(hash);
  return record;
}

}  // namespace custodian::admincenter
