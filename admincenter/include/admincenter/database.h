// The admin center's SQLite database (DESIGN.md §8): WAL, synchronous=FULL
// so that an acknowledged write survives kill -9 and power loss, a busy
// timeout, foreign keys, and migrations at open.
//
// Thread safety: a Database hands each caller its own connection from a
// pool; a connection is used by one thread at a time. Writes go through
// Write(), which runs the function in a BEGIN IMMEDIATE transaction and
// commits it, so that a change and its audit event land together or not at
// all.
#pragma once

#include <SQLiteCpp/Database.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace custodian::admincenter {

class Database {
 public:
  // Opens (creating when `create`) and migrates the database at `path`.
  // Returns nullptr and sets `*error` on failure, e.g. a schema newer than
  // this binary.
  static std::unique_ptr<Database> Open(const std::string& path, bool create, std::string* error);

  // Runs `f` with a connection of its own; reads see committed data.
  template <typename F>
  auto Read(F&& f) {
    Lease lease(*this);
    return f(*lease.db);
  }

  // A connection of one's own for as long as the pointer lives, e.g. to
  // stream a long export chunk by chunk; it returns to the pool after.
  std::shared_ptr<SQLite::Database> Borrow();

  // Runs `f` inside BEGIN IMMEDIATE … COMMIT. If `f` throws, or returns an
  // object whose ok() is false, the transaction rolls back.
  template <typename F>
  auto Write(F&& f) {
    Lease lease(*this);
    lease.db->exec("BEGIN IMMEDIATE");
    try {
      auto result = f(*lease.db);
      if (IsOk(result)) {
        lease.db->exec("COMMIT");
      } else {
        lease.db->exec("ROLLBACK");
      }
      return result;
    } catch (...) {
      try {
        lease.db->exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }

  const std::string& path() const { return path_; }
  int schema_version() const { return schema_version_; }

 private:
  struct Lease {
    explicit Lease(Database& d);
    ~Lease();
    Database& owner;
    std::unique_ptr<SQLite::Database> db;
  };
  template <typename R>
  static bool IsOk(const R& r) {
    if constexpr (requires { r.ok(); }) {
      return r.ok();
    } else {
      return true;
    }
  }

  Database(std::string path, int schema_version);
  std::unique_ptr<SQLite::Database> Connect() const;

  std::string path_;
  int schema_version_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<SQLite::Database>> idle_;
};

}  // namespace custodian::admincenter
