// AuditRepository and AuditCursor on SQL (storage/sql.h).
#include "admincenter/storage/sql.h"

namespace custodian::admincenter {
namespace {

using sql::BindAll;

// The columns of audit_events in the order ReadInto takes them.
constexpr const char* kColumns =
    "seq, id, ts, actor_kind, actor_id, action, target, outcome, reasons, details, prev_hash, "
    "hash";

void ReadInto(const sql::Row& q, StoredEvent& e) {
  audit::EventFields& f = e.fields;
  f.seq = q.Int64(0);
  std::string* text[] = {&f.id,           &f.ts,        &f.actor_kind, &f.actor_id,
                         &f.action,       &f.target,    &f.outcome,    &f.reasons_json,
                         &f.details_json, &f.prev_hash, &e.hash};
  for (int i = 0; i < 11; ++i) text[i]->assign(q.View(i + 1));
}

StoredEvent Read(const sql::Row& q) {
  StoredEvent e;
  ReadInto(q, e);
  return e;
}

ChainHead HeadOf(sql::Connection& db) {
  ChainHead head;
  auto q = db.Prepare("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
  if (q->Step()) {
    head.seq = q->Int64(0);
    head.hash = q->Text(1);
  }
  return head;
}

class SqlAudit : public AuditRepository {
 public:
  explicit SqlAudit(sql::Connection& db) : db_(db) {}

  ChainHead Head() override { return HeadOf(db_); }

  void Insert(const audit::EventFields& f, const std::string& hash) override {
    auto insert = db_.Prepare(
        "INSERT INTO audit_events (seq, id, ts, actor_kind, actor_id, action, target, outcome, "
        "reasons, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    BindAll(*insert, f.seq, f.id, f.ts, f.actor_kind, f.actor_id, f.action, f.target, f.outcome,
            f.reasons_json, f.details_json, f.prev_hash, hash)
        .Run();
  }

  std::string HashAt(int64_t seq) override {
    if (seq == 0) return audit::kGenesisHash;
    auto q = db_.Prepare("SELECT hash FROM audit_events WHERE seq = ?");
    return BindAll(*q, seq).Step() ? q->Text(0) : "";
  }

  void EventsAfter(int64_t seq, const std::function<bool(const StoredEvent&)>& f) override {
    auto q = db_.Prepare(std::string("SELECT ") + kColumns +
                         " FROM audit_events WHERE seq > ? ORDER BY seq");
    BindAll(*q, seq);
    while (q->Step()) {
      if (!f(Read(*q))) return;
    }
  }

  std::vector<StoredCheckpoint> Checkpoints() override {
    auto q = db_.Prepare(
        "SELECT seq, head_hash, ts, key_id, signature, record FROM audit_checkpoints "
        "WHERE record IS NOT NULL ORDER BY seq");
    std::vector<StoredCheckpoint> out;
    while (q->Step()) {
      out.push_back({q->Int64(0), q->Text(1), q->Text(2), q->Text(3), q->Text(4), q->Text(5)});
    }
    return out;
  }

  std::optional<StoredCheckpoint> CheckpointAt(int64_t seq) override {
    auto q = db_.Prepare(
        "SELECT seq, head_hash, ts, key_id, signature, record FROM audit_checkpoints "
        "WHERE seq = ? AND record IS NOT NULL");
    if (!BindAll(*q, seq).Step()) return std::nullopt;
    return StoredCheckpoint{q->Int64(0), q->Text(1), q->Text(2),
                            q->Text(3),  q->Text(4), q->Text(5)};
  }

  void Keep(const StoredCheckpoint& c) override {
    auto keep = db_.Prepare(
        "INSERT INTO audit_checkpoints (seq, head_hash, ts, key_id, signature, record) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (seq) DO UPDATE SET head_hash = ?2, ts = ?3, "
        "key_id = ?4, signature = ?5, record = ?6");
    BindAll(*keep, c.seq, c.head_hash, c.ts, c.key_id, c.signature, c.record).Run();
  }

 private:
  sql::Connection& db_;
};

class SqlCursor : public AuditCursor {
 public:
  SqlCursor(std::shared_ptr<sql::Connection> db, const AuditQuery& query) : db_(std::move(db)) {
    db_->BeginSnapshot();  // one snapshot for the whole export
    head_ = HeadOf(*db_);
    std::string where = " WHERE 1=1";
    std::vector<std::string> binds;
    const std::pair<const char*, const std::optional<std::string>*> filters[] = {
        {" AND ts >= ?", &query.since},
        {" AND ts < ?", &query.until},
        {" AND actor_id = ?", &query.actor},
        {" AND action = ?", &query.action},
        {" AND target = ?", &query.target}};
    for (const auto& [clause, v] : filters) {
      if (!*v) continue;
      where += clause;
      binds.push_back(**v);
    }
    rows_ = db_->PrepareStream(std::string("SELECT ") + kColumns + " FROM audit_events" + where +
                               " ORDER BY seq");
    for (std::size_t i = 0; i < binds.size(); ++i) rows_->Bind(static_cast<int>(i + 1), binds[i]);
  }
  ~SqlCursor() override {
    rows_.reset();
    try {
      db_->Execute("COMMIT");
    } catch (const std::exception&) {
      // A read snapshot: nothing to keep or lose.
    }
  }

  const ChainHead& head() const override { return head_; }

  bool Next(StoredEvent& row) override {
    if (!rows_->Step()) return false;
    ReadInto(*rows_, row);
    return true;
  }

 private:
  std::shared_ptr<sql::Connection> db_;
  std::unique_ptr<sql::Statement> rows_;
  ChainHead head_;
};

}  // namespace

std::unique_ptr<AuditRepository> SqlAuditRepository(sql::Connection& db) {
  return std::make_unique<SqlAudit>(db);
}

std::unique_ptr<AuditCursor> SqlAuditCursor(std::shared_ptr<sql::Connection> connection,
                                            const AuditQuery& query) {
  return std::make_unique<SqlCursor>(std::move(connection), query);
}

}  // namespace custodian::admincenter
