// AuditRepository and AuditCursor on SQLite.
#include <SQLiteCpp/Statement.h>

#include "admincenter/storage/sqlite.h"

namespace custodian::admincenter {
namespace {

// The columns of audit_events in the order Read takes them.
constexpr const char* kColumns =
    "seq, id, ts, actor_kind, actor_id, action, target, outcome, reasons, details, prev_hash, "
    "hash";

void ReadInto(SQLite::Statement& q, StoredEvent& e) {
  audit::EventFields& f = e.fields;
  f.seq = q.getColumn(0).getInt64();
  std::string* text[] = {&f.id,           &f.ts,        &f.actor_kind, &f.actor_id,
                         &f.action,       &f.target,    &f.outcome,    &f.reasons_json,
                         &f.details_json, &f.prev_hash, &e.hash};
  for (int i = 0; i < 11; ++i) {
    const SQLite::Column c = q.getColumn(i + 1);
    text[i]->assign(c.getText(), static_cast<std::size_t>(c.getBytes()));
  }
}

StoredEvent Read(SQLite::Statement& q) {
  StoredEvent e;
  ReadInto(q, e);
  return e;
}

ChainHead HeadOf(SQLite::Database& db) {
  ChainHead head;
  SQLite::Statement q(db, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
  if (q.executeStep()) {
    head.seq = q.getColumn(0).getInt64();
    head.hash = q.getColumn(1).getString();
  }
  return head;
}

class SqliteAudit : public AuditRepository {
 public:
  explicit SqliteAudit(SQLite::Database& db) : db_(db) {}

  ChainHead Head() override { return HeadOf(db_); }

  void Insert(const audit::EventFields& f, const std::string& hash) override {
    SQLite::Statement insert(db_,
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
  }

  std::string HashAt(int64_t seq) override {
    if (seq == 0) return audit::kGenesisHash;
    SQLite::Statement q(db_, "SELECT hash FROM audit_events WHERE seq = ?");
    q.bind(1, seq);
    return q.executeStep() ? q.getColumn(0).getString() : "";
  }

  void EventsAfter(int64_t seq, const std::function<bool(const StoredEvent&)>& f) override {
    SQLite::Statement q(
        db_, std::string("SELECT ") + kColumns + " FROM audit_events WHERE seq > ? ORDER BY seq");
    q.bind(1, seq);
    while (q.executeStep()) {
      if (!f(Read(q))) return;
    }
  }

  std::vector<StoredCheckpoint> Checkpoints() override {
    SQLite::Statement q(db_,
                        "SELECT seq, head_hash, ts, key_id, signature, record FROM "
                        "audit_checkpoints WHERE record IS NOT NULL ORDER BY seq");
    std::vector<StoredCheckpoint> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                     q.getColumn(2).getString(), q.getColumn(3).getString(),
                     q.getColumn(4).getString(), q.getColumn(5).getString()});
    }
    return out;
  }

  void Keep(const StoredCheckpoint& c) override {
    SQLite::Statement keep(
        db_,
        "INSERT OR REPLACE INTO audit_checkpoints "
        "(seq, head_hash, ts, key_id, signature, record) VALUES (?, ?, ?, ?, ?, ?)");
    keep.bind(1, c.seq);
    keep.bind(2, c.head_hash);
    keep.bind(3, c.ts);
    keep.bind(4, c.key_id);
    keep.bind(5, c.signature);
    keep.bind(6, c.record);
    keep.exec();
  }

 private:
  SQLite::Database& db_;
};

class SqliteCursor : public AuditCursor {
 public:
  SqliteCursor(std::shared_ptr<SQLite::Database> db, const AuditQuery& query) : db_(std::move(db)) {
    db_->exec("BEGIN");  // one snapshot for the whole export
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
    rows_ = std::make_unique<SQLite::Statement>(
        *db_, std::string("SELECT ") + kColumns + " FROM audit_events" + where + " ORDER BY seq");
    for (std::size_t i = 0; i < binds.size(); ++i) rows_->bind(static_cast<int>(i + 1), binds[i]);
  }
  ~SqliteCursor() override {
    rows_.reset();
    try {
      db_->exec("COMMIT");
    } catch (const std::exception&) {
      // A read snapshot: nothing to keep or lose.
    }
  }

  const ChainHead& head() const override { return head_; }

  bool Next(StoredEvent& row) override {
    try {
      if (!rows_->executeStep()) return false;
      ReadInto(*rows_, row);
      return true;
    } catch (const SQLite::Exception& e) {
      throw StorageError(std::string("the audit log: ") + e.what());
    }
  }

 private:
  std::shared_ptr<SQLite::Database> db_;
  std::unique_ptr<SQLite::Statement> rows_;
  ChainHead head_;
};

}  // namespace

std::unique_ptr<AuditRepository> SqliteAuditRepository(SQLite::Database& db) {
  return std::make_unique<SqliteAudit>(db);
}

std::unique_ptr<AuditCursor> SqliteAuditCursor(std::shared_ptr<SQLite::Database> connection,
                                               const AuditQuery& query) {
  return std::make_unique<SqliteCursor>(std::move(connection), query);
}

}  // namespace custodian::admincenter
