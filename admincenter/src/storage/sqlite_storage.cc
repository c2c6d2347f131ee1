// Storage on SQLite: a unit of work is the SQL repositories on one of its
// connections, and SQLite's exceptions leave here as StorageError.
#include <SQLiteCpp/Exception.h>

#include "admincenter/storage/postgres.h"
#include "admincenter/storage/sql.h"
#include "admincenter/storage/sqlite.h"
#include "schema/sqlite_sql.h"

namespace custodian::admincenter {
namespace {

[[noreturn]] void Fail(const std::string& path, const SQLite::Exception& e) {
  throw StorageError(path + ": " + e.what());
}

// A cursor whose SQLite failures leave as StorageError.
class CheckedCursor : public AuditCursor {
 public:
  CheckedCursor(std::unique_ptr<AuditCursor> cursor, std::string path)
      : cursor_(std::move(cursor)), path_(std::move(path)) {}
  const ChainHead& head() const override { return cursor_->head(); }
  bool Next(StoredEvent& row) override {
    try {
      return cursor_->Next(row);
    } catch (const SQLite::Exception& e) {
      Fail(path_, e);
    }
  }

 private:
  std::unique_ptr<AuditCursor> cursor_;
  std::string path_;
};

}  // namespace

void SqliteStorage::RunRead(const std::function<void(Repositories&)>& f) {
  try {
    db_->Read([&](SQLite::Database& c) {
      sql::SqliteConnection connection(c);
      SqlRepositories tx(connection);
      f(tx);
      return true;
    });
  } catch (const SQLite::Exception& e) {
    Fail(db_->path(), e);
  }
}

void SqliteStorage::RunWrite(const std::function<bool(Repositories&)>& f) {
  try {
    db_->Write([&](SQLite::Database& c) {
      sql::SqliteConnection connection(c);
      SqlRepositories tx(connection);
      return f(tx);
    });
  } catch (const SQLite::Exception& e) {
    Fail(db_->path(), e);
  }
}

std::unique_ptr<AuditCursor> SqliteStorage::ExportAudit(const AuditQuery& query) {
  try {
    std::shared_ptr<SQLite::Database> db = db_->Borrow();
    // The connection keeps its lease on the database for as long as it lives.
    std::shared_ptr<sql::Connection> connection(new sql::SqliteConnection(*db),
                                                [db](sql::Connection* c) { delete c; });
    return std::make_unique<CheckedCursor>(SqlAuditCursor(std::move(connection), query),
                                           db_->path());
  } catch (const SQLite::Exception& e) {
    Fail(db_->path(), e);
  }
}

int SqliteStorage::ReadSchemaVersion() {
  try {
    return db_->ReadSchemaVersion();
  } catch (const SQLite::Exception& e) {
    Fail(db_->path(), e);
  }
}

std::unique_ptr<Storage> OpenStorage(const std::string& location, bool create, std::string* error) {
  if (IsPostgresUrl(location)) {
    auto pg = PostgresDatabase::Open(location, create, error);
    if (!pg) return nullptr;
    return std::make_unique<PostgresStorage>(std::move(pg));
  }
  auto db = SqliteDatabase::Open(location, create, error);
  if (!db) return nullptr;
  return std::make_unique<SqliteStorage>(std::move(db));
}

}  // namespace custodian::admincenter
