#include "schema/sqlite_sql.h"

#include <string>

namespace custodian::sql {
namespace {

// The columns of a SQLiteCpp statement, for SqliteRow and SqliteStatement.
bool ColumnIsNull(SQLite::Statement& q, int i) { return q.getColumn(i).isNull(); }
std::string_view ColumnView(SQLite::Statement& q, int i) {
  const SQLite::Column c = q.getColumn(i);
  if (c.isNull()) return {};
  return {c.getText(), static_cast<std::size_t>(c.getBytes())};
}

class SqliteStatement : public Statement {
 public:
  SqliteStatement(SQLite::Database& db, std::string_view sql) : q_(db, std::string(sql)) {}

  bool IsNull(const char* column) const override { return IsNull(q_.getColumnIndex(column)); }
  std::string Text(const char* column) const override {
    return std::string(View(q_.getColumnIndex(column)));
  }
  int64_t Int64(const char* column) const override { return Int64(q_.getColumnIndex(column)); }
  bool IsNull(int i) const override { return ColumnIsNull(q_, i); }
  std::string_view View(int i) const override { return ColumnView(q_, i); }
  int64_t Int64(int i) const override { return q_.getColumn(i).getInt64(); }

  void Bind(int i, std::string_view text) override {
    // SQLiteCpp binds a pointer and length as a BLOB; text must stay TEXT
    // so that comparisons with TEXT columns hold.
    q_.bind(i, std::string(text));
  }
  void Bind(int i, int64_t value) override { q_.bind(i, value); }
  void BindBytes(int i, std::string_view bytes) override {
    q_.bind(i, bytes.data(), static_cast<int>(bytes.size()));
  }
  void BindNull(int i) override { q_.bind(i); }

  bool Step() override { return q_.executeStep(); }
  int64_t Run() override {
    const int changed = q_.exec();
    q_.reset();
    return changed;
  }

 private:
  mutable SQLite::Statement q_;
};

}  // namespace

bool SqliteRow::IsNull(const char* column) const { return q_.getColumn(column).isNull(); }
std::string SqliteRow::Text(const char* column) const {
  return std::string(ColumnView(q_, q_.getColumnIndex(column)));
}
int64_t SqliteRow::Int64(const char* column) const { return q_.getColumn(column).getInt64(); }
bool SqliteRow::IsNull(int i) const { return ColumnIsNull(q_, i); }
std::string_view SqliteRow::View(int i) const { return ColumnView(q_, i); }
int64_t SqliteRow::Int64(int i) const { return q_.getColumn(i).getInt64(); }

std::unique_ptr<Statement> SqliteConnection::Prepare(std::string_view sql) {
  return std::make_unique<SqliteStatement>(db_, sql);
}

void SqliteConnection::Execute(std::string_view sql) { db_.exec(std::string(sql)); }

void SqliteConnection::BeginSnapshot() {
  // A read transaction in WAL mode sees the snapshot of its first read.
  db_.exec("BEGIN");
}

}  // namespace custodian::sql
