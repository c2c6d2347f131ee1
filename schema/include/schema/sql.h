// The SQL the repositories speak, whatever the engine: a connection that
// prepares statements, statements that bind parameters and step through
// rows, and rows read by column. SQLite (schema/sqlite_sql.h) and
// PostgreSQL (admincenter/storage/postgres.h) implement it, so that each
// repository's queries are written once (admincenter/src/storage/sql_*.cc).
//
// The text is the common dialect of both engines: parameters are `?` (the
// next one) or `?N` (the N-th, from 1, which may repeat); upserts are
// `INSERT … ON CONFLICT … DO …`. An engine's failure throws (SQLite's
// exception, or StorageError for PostgreSQL); each engine's Storage turns
// what it throws into StorageError before it leaves src/storage/.
//
// Thread safety: none; a connection and its statements belong to one unit
// of work at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace custodian::sql {

// The current row of a statement: columns by name or by position (from 0).
// Text of a NULL column reads as "".
class Row {
 public:
  virtual ~Row() = default;
  virtual bool IsNull(const char* column) const = 0;
  virtual std::string Text(const char* column) const = 0;
  virtual int64_t Int64(const char* column) const = 0;
  virtual bool IsNull(int i) const = 0;
  // Valid until the next Step().
  virtual std::string_view View(int i) const = 0;
  virtual int64_t Int64(int i) const = 0;
  std::string Text(int i) const { return std::string(View(i)); }
};

class Statement : public Row {
 public:
  // Parameter `i` (from 1). Bytes are binary (a hash), text is UTF-8.
  virtual void Bind(int i, std::string_view text) = 0;
  virtual void Bind(int i, int64_t value) = 0;
  virtual void BindBytes(int i, std::string_view bytes) = 0;
  virtual void BindNull(int i) = 0;
  // Runs the statement the first time, then moves to the next row; false
  // after the last.
  virtual bool Step() = 0;
  // Runs a statement that returns no rows and returns how many rows it
  // changed; the statement can then be bound and run again.
  virtual int64_t Run() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual std::unique_ptr<Statement> Prepare(std::string_view sql) = 0;
  // A statement whose rows arrive as they are stepped through rather than
  // all at once (a long export); nothing else may run on the connection
  // until it is destroyed. SQLite's statements always stream.
  virtual std::unique_ptr<Statement> PrepareStream(std::string_view sql) { return Prepare(sql); }
  // Runs statements without parameters (several, separated by `;`).
  virtual void Execute(std::string_view sql) = 0;
  // Starts a read-only transaction that sees one snapshot throughout (for a
  // long export), ended by Execute("COMMIT").
  virtual void BeginSnapshot() = 0;
  // Tells whoever listens on `channel` (other processes on the same
  // database) `payload`, once the current transaction commits; nothing if
  // it rolls back. An engine without listeners (SQLite) ignores it.
  virtual void Notify(std::string_view /*channel*/, std::string_view /*payload*/) {}
};

// Binds `values` to parameters 1, 2, … of `q` in order; std::nullopt-like
// absence is spelled with sql::Null.
struct NullValue {};
inline constexpr NullValue Null{};

inline void BindOne(Statement& q, int i, std::string_view v) { q.Bind(i, v); }
inline void BindOne(Statement& q, int i, const std::string& v) { q.Bind(i, std::string_view(v)); }
inline void BindOne(Statement& q, int i, const char* v) { q.Bind(i, std::string_view(v)); }
inline void BindOne(Statement& q, int i, int64_t v) { q.Bind(i, v); }
inline void BindOne(Statement& q, int i, int v) { q.Bind(i, static_cast<int64_t>(v)); }
inline void BindOne(Statement& q, int i, NullValue) { q.BindNull(i); }

template <typename... T>
Statement& BindAll(Statement& q, const T&... values) {
  int i = 1;
  (BindOne(q, i++, values), ...);
  return q;
}

}  // namespace custodian::sql
