// sql::Connection on SQLite (SQLiteCpp), for both daemons' repositories,
// and sql::Row over a SQLiteCpp statement of one's own (for code that
// prepares its statements with SQLiteCpp directly, such as the enforcer's
// store). SQLite's own exceptions pass through; the storage that owns the
// database turns them into StorageError.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string_view>

#include "schema/sql.h"

namespace custodian::sql {

// A row of `q`, which must outlive it.
class SqliteRow : public Row {
 public:
  explicit SqliteRow(SQLite::Statement& q) : q_(q) {}
  bool IsNull(const char* column) const override;
  std::string Text(const char* column) const override;
  int64_t Int64(const char* column) const override;
  bool IsNull(int i) const override;
  std::string_view View(int i) const override;
  int64_t Int64(int i) const override;

 private:
  SQLite::Statement& q_;
};

// A connection on `db`: one that must outlive it, or one of its own.
class SqliteConnection : public Connection {
 public:
  explicit SqliteConnection(SQLite::Database& db) : db_(db) {}
  explicit SqliteConnection(std::unique_ptr<SQLite::Database> db)
      : owned_(std::move(db)), db_(*owned_) {}
  SQLite::Database& database() { return db_; }

  std::unique_ptr<Statement> Prepare(std::string_view sql) override;
  void Execute(std::string_view sql) override;
  void BeginSnapshot() override;

 private:
  std::unique_ptr<SQLite::Database> owned_;
  SQLite::Database& db_;
};

}  // namespace custodian::sql
