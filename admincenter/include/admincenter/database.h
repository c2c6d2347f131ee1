// The admin center's SQLite database (DESIGN.md §8): WAL, synchronous=FULL
// so that an acknowledged write survives kill -9 and power loss, a busy
// timeout, foreign keys, and migrations at open.
//
// Thread safety: reads get a connection of their own from a pool. Writes
// go to one writer thread that commits concurrent writes together (group
// commit): it runs each queued write function in its own SAVEPOINT inside
// one BEGIN IMMEDIATE transaction and commits once, so a change and its
// audit event land together or not at all, one fsync serves many writes,
// and each caller returns only after the commit that holds its change.
#pragma once

#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
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

  // Runs `f` on the writer thread inside a transaction and returns its
  // result after the commit. If `f` throws, or returns an object whose
  // ok() is false, its changes are rolled back (to its savepoint); if the
  // commit fails, Write throws SQLite::Exception even for an `f` that
  // succeeded. `f` must not call Write itself.
  template <typename F>
  auto Write(F&& f) {
    using R = std::invoke_result_t<F&, SQLite::Database&>;
    std::optional<R> result;
    std::exception_ptr error;
    Job job;
    job.run = [&](SQLite::Database& db) {
      try {
        result.emplace(f(db));
        return IsOk(*result);
      } catch (...) {
        error = std::current_exception();
        return false;
      }
    };
    Submit(job);
    if (error) std::rethrow_exception(error);
    if (job.commit_error) std::rethrow_exception(job.commit_error);
    return std::move(*result);
  }

  ~Database();
  const std::string& path() const { return path_; }
  int schema_version() const { return schema_version_; }
  // The version the database itself reports: a read that proves the
  // storage answers (GET /healthz).
  int ReadSchemaVersion();

 private:
  struct Lease {
    explicit Lease(Database& d);
    ~Lease();
    Database& owner;
    std::unique_ptr<SQLite::Database> db;
  };
  // One queued write.
  struct Job {
    std::function<bool(SQLite::Database&)> run;  // true: keep its changes
    bool done = false;
    std::exception_ptr commit_error;
    // Its own, so that a commit wakes only the callers it concerns.
    std::condition_variable committed;
  };
  template <typename R>
  static bool IsOk(const R& r) {
    if constexpr (requires { r.ok(); }) {
      return r.ok();
    } else {
      return true;
    }
  }
  // Queues `job` and waits until the writer has committed (or failed) it.
  void Submit(Job& job);
  void WriterLoop();

  Database(std::string path, int schema_version);
  std::unique_ptr<SQLite::Database> Connect() const;

  std::string path_;
  int schema_version_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<SQLite::Database>> idle_;

  std::mutex write_mutex_;
  std::condition_variable write_queued_;
  std::vector<Job*> write_queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace custodian::admincenter
