#include "enforcer/storage/store.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <spdlog/spdlog.h>

#include "common/audit_chain.h"
#include "common/crypto.h"
#include "common/logging.h"
#include "schema/migrations.h"

namespace custodian::enforcer {

using web::json::value;

std::unique_ptr<Store> Store::Open(const std::filesystem::path& dir, bool create,
                                   std::string* error) {
  const std::string path = (dir / kDatabaseFile).string();
  try {
    auto db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | (create ? SQLite::OPEN_CREATE : 0));
    db->setBusyTimeout(5000);
    db->exec("PRAGMA synchronous = FULL");
    db->exec("PRAGMA secure_delete = ON");  // erased sealed credentials leave zeros
    if (db->execAndGet("PRAGMA journal_mode = WAL").getString() != "wal") {
      *error = path + ": cannot switch to WAL journaling";
      return nullptr;
    }
    const schema::MigrateResult m = schema::Migrate(*db, schema::EnforcerMigrations());
    if (!m.ok) {
      *error = path + ": " + m.error;
      return nullptr;
    }
    return std::unique_ptr<Store>(new Store(dir, std::move(db)));
  } catch (const SQLite::Exception& e) {
    *error = path + ": " + e.what();
    return nullptr;
  }
}

Store::Store(std::filesystem::path dir, std::unique_ptr<SQLite::Database> db)
    : dir_(std::move(dir)), db_(std::move(db)) {}

Store::~Store() = default;

template <typename F>
auto Store::Locked(F&& f) {
  std::lock_guard lock(mutex_);
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    throw StorageError(std::string("the enforcer's database: ") + e.what());
  }
}

void Store::RunTransaction(const std::function<void(Tx&)>& f) {
  std::vector<std::string> recorded;
  Locked([&] {
    recorded_.clear();
    SQLite::Transaction t(*db_);
    Tx tx(*this);
    f(tx);
    t.commit();
    recorded.swap(recorded_);
  });
  for (const std::string& line : recorded) spdlog::info(line);
}

std::optional<std::string> Store::Get(const std::string& key) {
  return Locked([&]() -> std::optional<std::string> {
    SQLite::Statement q(*db_, "SELECT value FROM state WHERE key = ?");
    q.bind(1, key);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
  });
}

void Store::Set(const std::vector<std::pair<std::string, std::string>>& values) {
  Locked([&] {
    SQLite::Transaction t(*db_);
    SQLite::Statement q(*db_, "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)");
    for (const auto& [k, v] : values) {
      q.bind(1, k);
      q.bind(2, v);
      q.exec();
      q.reset();
    }
    t.commit();
  });
}

value Store::Append(const EventInput& event, policy::Instant now) {
  return Transact([&](Tx& tx) { return tx.Append(event, now); });
}

value Store::AppendLocked(const EventInput& event, policy::Instant now) {
  int64_t seq = 1;
  std::string prev = audit::kGenesisHash;
  {
    SQLite::Statement q(*db_, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
    if (q.executeStep()) {
      seq = q.getColumn(0).getInt64() + 1;
      prev = q.getColumn(1).getString();
    }
  }
  std::string endpoint_id;
  {
    SQLite::Statement q(*db_, "SELECT value FROM state WHERE key = 'endpoint_id'");
    if (q.executeStep()) endpoint_id = q.getColumn(0).getString();
  }
  value r = value::object(true);
  r["seq"] = value::number(seq);
  r["id"] = value::string(crypto::NewId("ev-"));
  r["ts"] = value::string(policy::FormatRfc3339(now));
  value actor = value::object(true);
  actor["kind"] = value::string("enforcer");
  actor["id"] = value::string(endpoint_id);
  r["actor"] = actor;
  r["action"] = value::string(event.action);
  r["target"] = value::string(event.target);
  r["outcome"] = value::string(event.outcome);
  r["reasons"] = event.reasons;
  r["details"] = event.details;
  r["prev_hash"] = value::string(prev);
  r["hash"] = value::string(audit::RecordHash(r));
  SQLite::Statement insert(*db_, "INSERT INTO events (seq, id, record, hash) VALUES (?, ?, ?, ?)");
  insert.bind(1, seq);
  insert.bind(2, r.at("id").as_string());
  insert.bind(3, r.serialize());
  insert.bind(4, r.at("hash").as_string());
  insert.exec();
  // What and on what, not the details (the chain has them; the log stays
  // free of anything a detail might carry).
  recorded_.push_back(logging::Line("event_recorded", {{"action", event.action},
                                                       {"target", event.target},
                                                       {"outcome", event.outcome},
                                                       {"seq", std::to_string(seq)}}));
  return r;
}

std::vector<value> Store::Unsent(std::size_t max) {
  return Locked([&] {
    SQLite::Statement q(*db_, "SELECT record FROM events WHERE sent = 0 ORDER BY seq LIMIT ?");
    q.bind(1, static_cast<int64_t>(max));
    std::vector<value> out;
    while (q.executeStep()) out.push_back(value::parse(q.getColumn(0).getString()));
    return out;
  });
}

void Store::MarkSent(int64_t up_to_seq) {
  Locked([&] {
    SQLite::Statement u(*db_, "UPDATE events SET sent = 1 WHERE sent = 0 AND seq <= ?");
    u.bind(1, up_to_seq);
    u.exec();
  });
}

int64_t Store::UnsentCount() {
  return Locked(
      [&] { return db_->execAndGet("SELECT COUNT(*) FROM events WHERE sent = 0").getInt64(); });
}

std::vector<value> Store::Events() {
  return Locked([&] {
    SQLite::Statement q(*db_, "SELECT record FROM events ORDER BY seq");
    std::vector<value> out;
    while (q.executeStep()) out.push_back(value::parse(q.getColumn(0).getString()));
    return out;
  });
}

namespace {

std::optional<policy::Instant> LoadHighWater(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT value FROM state WHERE key = 'time_high_water'");
  return q.executeStep() ? policy::ParseRfc3339(q.getColumn(0).getString()) : std::nullopt;
}

void SaveHighWater(SQLite::Database& db, policy::Instant t) {
  SQLite::Statement u(db,
                      "INSERT OR REPLACE INTO state (key, value) VALUES ('time_high_water', ?)");
  u.bind(1, policy::FormatRfc3339(t));
  u.exec();
}

}  // namespace

policy::Instant Store::Now(policy::Instant wall) {
  return Locked([&] {
    if (!high_water_) high_water_ = LoadHighWater(*db_);
    if (high_water_ && wall <= *high_water_) return *high_water_;
    high_water_ = wall;
    SaveHighWater(*db_, wall);
    return wall;
  });
}

std::optional<policy::Instant> Store::HighWater() {
  return Locked([&] {
    if (!high_water_) high_water_ = LoadHighWater(*db_);
    return high_water_;
  });
}

void Store::LowerHighWater(policy::Instant to) {
  Locked([&] {
    high_water_ = to;
    SaveHighWater(*db_, to);
  });
}

}  // namespace custodian::enforcer
