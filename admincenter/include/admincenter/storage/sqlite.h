// The SQLite engine of the admin center's storage (DESIGN.md §8), the
// embedded default: tests of the engine itself and OpenStorage use it;
// services see only admincenter/storage.h. Its repositories are the
// engine-neutral ones of storage/sql.h on a sql::SqliteConnection.
//
// SqliteDatabase: the data file, in WAL mode with synchronous=FULL
// so that an acknowledged write survives kill -9 and power loss, a busy
// timeout, foreign keys, and migrations at open.
//
// Thread safety: reads get a connection of their own from a pool. Writes
// go to one writer thread that commits concurrent writes together
// (GroupCommit, storage/group_commit.h) in BEGIN IMMEDIATE transactions.
#pragma once

#include <SQLiteCpp/Database.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "admincenter/storage.h"
#include "admincenter/storage/group_commit.h"
#include "admincenter/storage/pool.h"
#include "schema/sqlite_sql.h"

namespace custodian::admincenter {

class SqliteDatabase {
 public:
  // Opens (creating when `create`) and migrates the database at `path`.
  // Returns nullptr and sets `*error` on failure, e.g. a schema newer than
  // this binary.
  static std::unique_ptr<SqliteDatabase> Open(const std::string& path, bool create,
                                              std::string* error);

  // Runs `f` with a connection of its own; reads see committed data.
  template <typename F>
  auto Read(F&& f) {
    Pool<SQLite::Database>::Lease lease(pool_);
    return f(*lease);
  }

  // A connection of one's own for as long as the pointer lives, e.g. to
  // stream a long export chunk by chunk; it returns to the pool after.
  std::shared_ptr<SQLite::Database> Borrow() { return pool_.Borrow(); }

  // Runs `f` on the writer thread inside a transaction and returns its
  // result after the commit. If `f` throws, or returns an object whose
  // ok() is false, its changes are rolled back (to its savepoint); if the
  // commit fails, Write throws SQLite::Exception even for an `f` that
  // succeeded. `f` must not call Write itself.
  template <typename F>
  auto Write(F&& f) {
    std::optional<std::invoke_result_t<F&, SQLite::Database&>> result;
    writer_->Run([&](sql::Connection& c) {
      result.emplace(f(static_cast<sql::SqliteConnection&>(c).database()));
      return KeepsChanges(*result);
    });
    return std::move(*result);
  }

  ~SqliteDatabase();
  const std::string& path() const { return path_; }
  int schema_version() const { return schema_version_; }
  // The version the database itself reports: a read that proves the
  // storage answers (GET /healthz).
  int ReadSchemaVersion();

 private:
  SqliteDatabase(std::string path, int schema_version);
  std::unique_ptr<SQLite::Database> Connect() const;

  std::string path_;
  int schema_version_;
  Pool<SQLite::Database> pool_;

  std::unique_ptr<GroupCommit> writer_;
};

// The Storage on `db`: each unit of work gets the repositories of
// storage/sql.h on its connection, and SQLite's exceptions become
// StorageError.
class SqliteStorage : public Storage {
 public:
  explicit SqliteStorage(std::unique_ptr<SqliteDatabase> db) : db_(std::move(db)) {}
  SqliteDatabase& database() { return *db_; }

  std::unique_ptr<AuditCursor> ExportAudit(const AuditQuery& query) override;
  int schema_version() const override { return db_->schema_version(); }
  int ReadSchemaVersion() override;
  const std::string& location() const override { return db_->path(); }

 protected:
  void RunRead(const std::function<void(Repositories&)>& f) override;
  void RunWrite(const std::function<bool(Repositories&)>& f) override;

 private:
  std::unique_ptr<SqliteDatabase> db_;
};

}  // namespace custodian::admincenter
