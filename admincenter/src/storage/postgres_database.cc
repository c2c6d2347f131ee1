// PostgresDatabase and PostgresStorage: the migrations under an advisory
// lock, the pool of read connections, the group-commit writer that holds
// kWriteLock, and the repositories of storage/sql.h on them.
#include "admincenter/storage/postgres.h"
#include "admincenter/storage/sql.h"
#include "schema/migrations.h"

namespace custodian::admincenter {
namespace {

// The version of the schema, in a table the migrator keeps itself: absent
// means a database this admin center has not initialised.
constexpr const char* kVersionTable =
    "CREATE TABLE IF NOT EXISTS custodian_schema ("
    "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)";

int StoredVersion(sql::Connection& db) {
  auto q = db.Prepare("SELECT version FROM custodian_schema WHERE id = 1");
  return q->Step() ? static_cast<int>(q->Int64(0)) : 0;
}

// Brings the schema to the newest version one migration at a time, each in
// a transaction of its own that also records its version. The caller holds
// kMigrationLock.
schema::MigrateResult Migrate(sql::Connection& db, bool create) {
  const auto migrations = schema::AdmincenterPostgresMigrations();
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  schema::MigrateResult r;
  db.Execute(kVersionTable);
  r.from_version = r.to_version = StoredVersion(db);
  if (r.from_version > newest) {
    r.error = "the database is at schema version " + std::to_string(r.from_version) +
              ", newer than this binary knows (" + std::to_string(newest) +
              "); run a newer binary or restore a backup";
    return r;
  }
  if (r.from_version == 0 && !create) {
    r.error = "not initialised; run `admincenter init --database <url>` first";
    return r;
  }
  for (const schema::Migration& m : migrations) {
    if (m.version <= r.to_version) continue;
    try {
      db.Execute("BEGIN");
      db.Execute(m.sql);
      auto v = db.Prepare(
          "INSERT INTO custodian_schema (id, version) VALUES (1, ?1) "
          "ON CONFLICT (id) DO UPDATE SET version = ?1");
      sql::BindAll(*v, m.version).Run();
      db.Execute("COMMIT");
    } catch (const StorageError& e) {
      db.Execute("ROLLBACK");
      r.error = "migration to schema version " + std::to_string(m.version) + " failed: " + e.what();
      return r;
    }
    r.to_version = m.version;
  }
  r.ok = true;
  return r;
}

}  // namespace

std::unique_ptr<PostgresDatabase> PostgresDatabase::Open(const std::string& url, bool create,
                                                         std::string* error) {
  const std::string where = RedactUrl(url);
  try {
    auto db = PgConnection::Connect(url);
    db->Execute("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")");
    const schema::MigrateResult m = Migrate(*db, create);
    db->Execute("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
    if (!m.ok) {
      *error = where + ": " + m.error;
      return nullptr;
    }
    return std::unique_ptr<PostgresDatabase>(new PostgresDatabase(url, m.to_version));
  } catch (const StorageError& e) {
    *error = where + ": " + e.what();
    return nullptr;
  }
}

PostgresDatabase::PostgresDatabase(std::string url, int schema_version)
    : url_(std::move(url)),
      location_(RedactUrl(url_)),
      schema_version_(schema_version),
      pool_([this] { return Connect(); }, [](PgConnection& c) { return c.Idle(); }) {
  writer_ = std::make_unique<GroupCommit>(
      [this] { return Connect(); },
      "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLock) + ")");
}

PostgresDatabase::~PostgresDatabase() = default;

int PostgresDatabase::ReadSchemaVersion() {
  return Read([](PgConnection& db) { return StoredVersion(db); });
}

namespace {

// A StorageError that names the database.
[[noreturn]] void Fail(const std::string& location, const StorageError& e) {
  throw StorageError(location + ": " + e.what());
}

}  // namespace

void PostgresStorage::RunRead(const std::function<void(Repositories&)>& f) {
  try {
    db_->Read([&](PgConnection& c) {
      SqlRepositories tx(c);
      f(tx);
      return true;
    });
  } catch (const StorageError& e) {
    Fail(db_->location(), e);
  }
}

void PostgresStorage::RunWrite(const std::function<bool(Repositories&)>& f) {
  try {
    db_->Write([&](sql::Connection& c) {
      SqlRepositories tx(c);
      return f(tx);
    });
  } catch (const StorageError& e) {
    Fail(db_->location(), e);
  }
}

void PostgresStorage::CatchUp() {
  std::map<std::string, int64_t> now;
  try {
    db_->Read([&](PgConnection& c) {
      auto q = c.Prepare("SELECT kind, seq FROM change_counters");
      while (q->Step()) now[q->Text(0)] = q->Int64(1);
      return true;
    });
  } catch (const StorageError& e) {
    Fail(db_->location(), e);
  }
  std::lock_guard lock(watch_mutex_);
  if (!watch_) return;
  for (const auto& [kind, seq] : now) {
    // Never read before: what was loaded at start may predate it.
    auto [seen, first] = seen_.try_emplace(kind, seq);
    if (!first && seen->second == seq) continue;
    seen->second = seq;
    if (auto change = DecodeChange(kind)) watch_(*change);
  }
}

std::unique_ptr<AuditCursor> PostgresStorage::ExportAudit(const AuditQuery& query) {
  try {
    return SqlAuditCursor(db_->Borrow(), query);
  } catch (const StorageError& e) {
    Fail(db_->location(), e);
  }
}

int PostgresStorage::ReadSchemaVersion() {
  try {
    return db_->ReadSchemaVersion();
  } catch (const StorageError& e) {
    Fail(db_->location(), e);
  }
}

}  // namespace custodian::admincenter
