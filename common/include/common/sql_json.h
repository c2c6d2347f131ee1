// The workflow tables of both daemons, row by row: rows as JSON objects
// keyed by column name (text columns named in `json_columns` hold JSON and
// are parsed, those in `bool_columns` hold 0/1), and rows of text inserted
// by column name. Header-only, so that only the targets that link
// SQLiteCpp include it.
#pragma once

#include <SQLiteCpp/Statement.h>
#include <cpprest/json.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace custodian {

inline web::json::value RowJson(SQLite::Statement& q, const std::set<std::string>& json_columns,
                                const std::set<std::string>& bool_columns) {
  using web::json::value;
  value row = value::object(true);
  for (int i = 0; i < q.getColumnCount(); ++i) {
    const std::string name = q.getColumnName(i);
    const SQLite::Column c = q.getColumn(i);
    if (c.isNull()) {
      row[name] = value::null();
    } else if (json_columns.contains(name)) {
      row[name] = value::parse(c.getString());
    } else if (bool_columns.contains(name)) {
      row[name] = value::boolean(c.getInt() != 0);
    } else if (c.isInteger()) {
      row[name] = value::number(c.getInt64());
    } else {
      row[name] = value::string(c.getString());
    }
  }
  return row;
}

// Every row `q` yields, as an array.
inline web::json::value RowsJson(SQLite::Statement& q, const std::set<std::string>& json_columns,
                                 const std::set<std::string>& bool_columns) {
  web::json::value rows = web::json::value::array();
  std::size_t n = 0;
  while (q.executeStep()) rows[n++] = RowJson(q, json_columns, bool_columns);
  return rows;
}

// Inserts one row of text values, column by column, into `table`.
inline void InsertRow(SQLite::Database& db, const std::string& table,
                      const std::vector<std::pair<std::string, std::string>>& row) {
  std::string names, marks;
  for (const auto& [name, v] : row) {
    names += (names.empty() ? "" : ", ") + name;
    marks += marks.empty() ? "?" : ", ?";
  }
  SQLite::Statement q(db, "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ")");
  int i = 1;
  for (const auto& [name, v] : row) q.bind(i++, v);
  q.exec();
}

}  // namespace custodian
