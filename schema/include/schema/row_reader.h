// Reading typed values out of the current row of a statement (sql::Row, any
// engine), for both daemons' repositories: a column that does not read back as its type
// (a damaged or hand-edited database) throws StorageError naming the table
// and column, never a value made up.
#pragma once

#include <optional>
#include <string>

#include "policy/time.h"
#include "policy/workflow.h"
#include "schema/sql.h"
#include "schema/storage_error.h"

namespace custodian::schema {

class RowReader {
 public:
  RowReader(const sql::Row& q, std::string table) : q_(q), table_(std::move(table)) {}

  const std::string& table() const { return table_; }
  // NULL reads as "".
  std::string Text(const char* column) const { return q_.Text(column); }
  bool Flag(const char* column) const { return q_.Int64(column) != 0; }
  int Int(const char* column) const { return static_cast<int>(q_.Int64(column)); }
  int64_t Int64(const char* column) const { return q_.Int64(column); }
  bool IsNull(const char* column) const { return q_.IsNull(column); }
  policy::Instant At(const char* column) const {
    auto t = policy::ParseRfc3339(Text(column));
    if (!t) Damaged(table_, column);
    return *t;
  }
  std::optional<policy::Instant> MaybeAt(const char* column) const {
    if (q_.IsNull(column)) return std::nullopt;
    return At(column);
  }
  policy::workflow::State State(const char* column = "state") const {
    auto s = policy::workflow::ParseState(Text(column));
    if (!s) Damaged(table_, column);
    return *s;
  }
  // A value of a closed set, read by `parse` ("at_setup", "applet", …).
  template <typename E>
  E Enum(const char* column, std::optional<E> (*parse)(std::string_view)) const {
    auto e = parse(Text(column));
    if (!e) Damaged(table_, column);
    return *e;
  }

 private:
  const sql::Row& q_;
  std::string table_;
};

}  // namespace custodian::schema
