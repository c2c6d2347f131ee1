// Numbered, forward-only SQL migrations of the admin center's and the
// enforcer's SQLite databases, and of the admin center's PostgreSQL
// database, compiled into the binaries from schema/<component>/NNNN_name.sql.
//
// Migrate() brings a SQLite database to the newest version one step at a time:
// each migration runs in its own transaction, which also records its version
// (PRAGMA user_version), so a crash leaves the database at a whole version.
// A database newer than the binary is refused, never touched.
#pragma once

#include <SQLiteCpp/Database.h>

#include <span>
#include <string>
#include <string_view>

namespace custodian::schema {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> AdmincenterMigrations();
std::span<const Migration> EnforcerMigrations();
// The admin center's on PostgreSQL (schema/postgres/), applied by the
// PostgreSQL engine itself (admincenter/src/storage/postgres_database.cc).
std::span<const Migration> AdmincenterPostgresMigrations();

struct MigrateResult {
  bool ok = false;
  int from_version = 0;
  int to_version = 0;
  std::string error;  // when !ok: what and why, for the operator
};

// `migrations` must be numbered 1, 2, 3, … in order.
MigrateResult Migrate(SQLite::Database& db, std::span<const Migration> migrations);

}  // namespace custodian::schema
