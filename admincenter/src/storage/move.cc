// MoveToPostgres: every row of a SQLite data file into a PostgreSQL
// database migrated to the same schema, in one transaction on each side,
// checked afterwards row count by row count and by the audit chain's head.
#include "admincenter/storage/move.h"

#include <SQLiteCpp/Database.h>

#include "admincenter/storage/postgres.h"
#include "admincenter/storage/sql.h"
#include "admincenter/storage/sqlite.h"
#include "schema/sqlite_sql.h"

namespace custodian::admincenter {
namespace {

// The tables in an order in which every row's references exist before it
// (groups' own parent_id is set in a second pass). leases are not moved:
// they name processes of the old node; nor are change_counters: the new
// database's replicas count from its own start.
constexpr const char* kTables[] = {
    "settings",
    "policy_state",
    "groups",
    "principals",
    "admin_scopes",
    "tokens",
    "audit_events",
    "audit_checkpoints",
    "signing_keys",
    "policy_bundles",
    "enrollment_codes",
    "endpoints",
    "endpoint_commands",
    "endpoint_events",
    "sessions",
    "unattended_requests",
    "grants",
    "connections",
    "credential_requests",
    "credential_operations",
};

struct Column {
  std::string name;
  enum class Type { kText, kInteger, kBytes } type;
};

// The columns of `table` as PostgreSQL has them.
std::vector<Column> ColumnsOf(sql::Connection& pg, const std::string& table) {
  auto q = pg.Prepare(
      "SELECT column_name, data_type FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position");
  sql::BindAll(*q, table);
  std::vector<Column> out;
  while (q->Step()) {
    const std::string type = q->Text(1);
    out.push_back({q->Text(0), type == "bytea"                         ? Column::Type::kBytes
                               : type == "integer" || type == "bigint" ? Column::Type::kInteger
                                                                       : Column::Type::kText});
  }
  return out;
}

int64_t Count(sql::Connection& db, const std::string& table) {
  auto q = db.Prepare("SELECT COUNT(*) FROM " + table);
  q->Step();
  return q->Int64(0);
}

void CopyTable(SQLite::Database& from, sql::Connection& to, const std::string& table) {
  const std::vector<Column> columns = ColumnsOf(to, table);
  if (columns.empty()) throw StorageError("PostgreSQL has no table " + table);
  std::string names, marks;
  for (const Column& c : columns) {
    names += (names.empty() ? "" : ", ") + c.name;
    marks += marks.empty() ? "?" : ", ?";
  }
  // groups reference their parents, which may have been made later.
  const bool groups = table == "groups";
  SQLite::Statement rows(from, "SELECT " + names + " FROM " + table + " ORDER BY rowid");
  auto insert = to.Prepare("INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ")");
  while (rows.executeStep()) {
    for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
      const SQLite::Column v = rows.getColumn(i);
      if (v.isNull() || (groups && columns[static_cast<std::size_t>(i)].name == "parent_id")) {
        insert->BindNull(i + 1);
        continue;
      }
      switch (columns[static_cast<std::size_t>(i)].type) {
        case Column::Type::kInteger:
          insert->Bind(i + 1, v.getInt64());
          break;
        case Column::Type::kBytes:
          insert->BindBytes(i + 1, std::string_view(static_cast<const char*>(v.getBlob()),
                                                    static_cast<std::size_t>(v.getBytes())));
          break;
        case Column::Type::kText:
          insert->Bind(i + 1,
                       std::string_view(v.getText(), static_cast<std::size_t>(v.getBytes())));
          break;
      }
    }
    insert->Run();
  }
  if (groups) {
    SQLite::Statement parents(from, "SELECT id, parent_id FROM groups WHERE parent_id IS NOT NULL");
    auto set = to.Prepare("UPDATE groups SET parent_id = ? WHERE id = ?");
    while (parents.executeStep()) {
      sql::BindAll(*set, parents.getColumn(1).getString(), parents.getColumn(0).getString()).Run();
    }
  }
}

ChainHead HeadOf(sql::Connection& db) { return SqlAuditRepository(db)->Head(); }

}  // namespace

std::optional<MoveReport> MoveToPostgres(const std::string& sqlite_path, const std::string& url,
                                         std::string* error) {
  // Migrates the file to the newest version first, so that its tables are
  // the ones PostgreSQL's schema mirrors.
  if (!SqliteDatabase::Open(sqlite_path, false, error)) return std::nullopt;
  auto target = PostgresDatabase::Open(url, true, error);
  if (!target) return std::nullopt;
  const std::string where = target->location();
  try {
    SQLite::Database source(sqlite_path, SQLite::OPEN_READONLY);
    sql::SqliteConnection from(source);
    from.BeginSnapshot();  // one consistent state of the file
    MoveReport report;
    target->Write([&](sql::Connection& to) {
      // Into an empty database only: never merge two chains.
      if (Count(to, "principals") != 0 || Count(to, "audit_events") != 0) {
        throw StorageError(where + ": not empty (it has principals or audit events)");
      }
      to.Execute("DELETE FROM policy_state; DELETE FROM settings");
      for (const char* table : kTables) {
        CopyTable(source, to, table);
        const int64_t copied = Count(to, table);
        if (copied != Count(from, table)) {
          throw StorageError(std::string(table) + ": the copy does not have every row");
        }
        report.rows[table] = copied;
      }
      to.Execute(
          "SELECT setval(pg_get_serial_sequence('endpoint_commands', 'seq'), "
          "COALESCE((SELECT MAX(seq) FROM endpoint_commands), 0) + 1, false)");
      report.head = HeadOf(to);
      const ChainHead was = HeadOf(from);
      if (report.head.seq != was.seq || report.head.hash != was.hash) {
        throw StorageError("the audit chain's head differs after the copy");
      }
      return true;
    });
    from.Execute("COMMIT");
    return report;
  } catch (const StorageError& e) {
    *error = e.what();
  } catch (const SQLite::Exception& e) {
    *error = sqlite_path + ": " + e.what();
  }
  return std::nullopt;
}

}  // namespace custodian::admincenter
