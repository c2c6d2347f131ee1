#include <SQLiteCpp/Transaction.h>

#include "schema/migrations.h"

namespace custodian::schema {

MigrateResult Migrate(SQLite::Database& db, std::span<const Migration> migrations) {
  MigrateResult r;
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  try {
    r.from_version = db.execAndGet("PRAGMA user_version").getInt();
    r.to_version = r.from_version;
    if (r.from_version > newest) {
      r.error = "the database is at schema version " + std::to_string(r.from_version) +
                ", newer than this binary knows (" + std::to_string(newest) +
                "); run a newer binary or restore a backup";
      return r;
    }
    for (const Migration& m : migrations) {
      if (m.version <= r.to_version) continue;
      SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec(std::string(m.sql));
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      txn.commit();
      r.to_version = m.version;
    }
    r.ok = true;
  } catch (const SQLite::Exception& e) {
    r.error =
        "migration to schema version " + std::to_string(r.to_version + 1) + " failed: " + e.what();
  }
  return r;
}

}  // namespace custodian::schema
