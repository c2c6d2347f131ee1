#include <SQLiteCpp/Exception.h>

#include "admincenter/storage/sqlite.h"
#include "schema/migrations.h"

namespace custodian::admincenter {
namespace {

// A writer waits this long for another writer before giving up (503).
constexpr int kBusyTimeoutMs = 5000;

void Configure(SQLite::Database& db) {
  db.setBusyTimeout(kBusyTimeoutMs);
  db.exec("PRAGMA foreign_keys = ON");
  // FULL: the WAL is synced at every commit, so an acknowledged write
  // survives a crash of the process or the machine.
  db.exec("PRAGMA synchronous = FULL");
}

}  // namespace

std::unique_ptr<SqliteDatabase> SqliteDatabase::Open(const std::string& path, bool create,
                                                     std::string* error) {
  try {
    const int flags = SQLite::OPEN_READWRITE | (create ? SQLite::OPEN_CREATE : 0);
    SQLite::Database db(path, flags);
    Configure(db);
    const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") {
      *error = path + ": cannot switch to WAL journaling (got " + mode + ")";
      return nullptr;
    }
    const schema::MigrateResult m = schema::Migrate(db, schema::AdmincenterMigrations());
    if (!m.ok) {
      *error = path + ": " + m.error;
      return nullptr;
    }
    return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(path, m.to_version));
  } catch (const SQLite::Exception& e) {
    *error = path + ": " + e.what();
    return nullptr;
  }
}

SqliteDatabase::SqliteDatabase(std::string path, int schema_version)
    : path_(std::move(path)), schema_version_(schema_version), pool_([this] { return Connect(); }) {
  writer_ = std::make_unique<GroupCommit>(
      [this] { return std::make_unique<sql::SqliteConnection>(Connect()); }, "BEGIN IMMEDIATE");
}

SqliteDatabase::~SqliteDatabase() = default;

std::unique_ptr<SQLite::Database> SqliteDatabase::Connect() const {
  auto db = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE);
  Configure(*db);
  return db;
}

int SqliteDatabase::ReadSchemaVersion() {
  return Read([](SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); });
}

}  // namespace custodian::admincenter
