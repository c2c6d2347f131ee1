// The PostgreSQL engine of the admin center's storage (DESIGN.md §8,
// docs/decisions.md "PostgreSQL through libpq"), for several stateless
// replicas on one database: `admincenter init|run --database
// postgresql://…`. Its repositories are the engine-neutral ones of
// storage/sql.h on a PgConnection.
//
// What holds across replicas: every write transaction first takes one
// transaction-scoped advisory lock (kWriteLock), so that writes on all
// replicas are serialised as SQLite serialises them on one node — the
// audit chain's head, bundle versions and every read-modify-write see the
// last committed write, and a change still commits together with its audit
// event. Writes of one replica share a commit (GroupCommit). Migrations run
// under a session-level advisory lock (kMigrationLock), so replicas that
// start together migrate once.
//
// Failures (the server down, a connection lost, a constraint) are thrown as
// StorageError; a connection that failed is not reused, so that the
// storage serves again as soon as the server answers.
//
// Thread safety: PostgresDatabase's and PostgresStorage's methods may be
// called from any thread; a PgConnection belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "admincenter/storage.h"
#include "admincenter/storage/group_commit.h"
#include "admincenter/storage/pool.h"
#include "schema/sql.h"

struct pg_conn;

namespace custodian::admincenter {

// The advisory lock keys (any two distinct bigints; these spell "cust-w"
// and "cust-m" so that an operator recognises them in pg_locks).
inline constexpr int64_t kWriteLock = 0x637573742d77;
inline constexpr int64_t kMigrationLock = 0x637573742d6d;

// One libpq connection.
class PgConnection : public sql::Connection {
 public:
  // Connects to `url` (libpq's URI form). Throws StorageError when it
  // cannot, with the server's reason and without the password.
  static std::unique_ptr<PgConnection> Connect(const std::string& url);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  std::unique_ptr<sql::Statement> Prepare(std::string_view sql) override;
  std::unique_ptr<sql::Statement> PrepareStream(std::string_view sql) override;
  void Execute(std::string_view sql) override;
  void BeginSnapshot() override;
  // NOTIFY: delivered to every listening session when the write commits.
  void Notify(std::string_view channel, std::string_view payload) override;

  // Connected, and outside any transaction: fit to be reused.
  bool Idle() const;
  // The libpq handle, for LISTEN and its socket.
  pg_conn* handle() { return conn_; }

  // Statements prepared on this connection: text -> name.
  using Prepared = std::unordered_map<std::string, std::string>;

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
  Prepared prepared_;
};

class PostgresDatabase {
 public:
  // Connects to `url` and migrates its schema (creating it when `create`;
  // otherwise a database without the schema is refused as not
  // initialised). Returns nullptr and sets `*error` on failure, e.g. a
  // schema newer than this binary or a server that does not answer.
  static std::unique_ptr<PostgresDatabase> Open(const std::string& url, bool create,
                                                std::string* error);
  ~PostgresDatabase();

  // Runs `f` with a connection of its own; reads see committed data.
  template <typename F>
  auto Read(F&& f) {
    Pool<PgConnection>::Lease lease(pool_);
    return f(*lease);
  }
  std::shared_ptr<PgConnection> Borrow() { return pool_.Borrow(); }
  // Runs `f` inside a write transaction that holds kWriteLock, as
  // GroupCommit::Run does.
  void Write(const std::function<bool(sql::Connection&)>& f) { writer_->Run(f); }

  const std::string& url() const { return url_; }
  const std::string& location() const { return location_; }  // without password
  int schema_version() const { return schema_version_; }
  int ReadSchemaVersion();

 private:
  PostgresDatabase(std::string url, int schema_version);
  std::unique_ptr<PgConnection> Connect() const { return PgConnection::Connect(url_); }

  std::string url_;
  std::string location_;
  int schema_version_;
  Pool<PgConnection> pool_;
  std::unique_ptr<GroupCommit> writer_;
};

// Listens for the changes every replica announces (kChangeChannel) on a
// connection of its own and calls `f` with each, on a thread of its own.
// When the connection is lost, or cannot be made, it calls `f` with
// kEverything at once and then every second until it listens again (and
// once more then): caches are then at most a second stale and parked polls
// look again, the polling fallback. Destroying it stops the calls.
class PgChangeFeed {
 public:
  PgChangeFeed(std::string url, std::function<void(const Change&)> f);
  ~PgChangeFeed();
  PgChangeFeed(const PgChangeFeed&) = delete;
  PgChangeFeed& operator=(const PgChangeFeed&) = delete;

 private:
  void Loop();
  // Calls f_, which must not stop the feed by throwing.
  void Tell(const Change& change);
  // Waits until `fd` is readable (or only the timeout, for fd -1); false
  // when stopping.
  bool Wait(int fd, int timeout_ms);

  std::string url_;
  std::function<void(const Change&)> f_;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
};

// The Storage on a PostgresDatabase; what fails leaves as StorageError
// naming the database (without its password).
class PostgresStorage : public Storage {
 public:
  explicit PostgresStorage(std::unique_ptr<PostgresDatabase> db) : db_(std::move(db)) {}
  PostgresDatabase& database() { return *db_; }

  std::unique_ptr<AuditCursor> ExportAudit(const AuditQuery& query) override;
  int schema_version() const override { return db_->schema_version(); }
  int ReadSchemaVersion() override;
  const std::string& location() const override { return db_->location(); }
  // Starts (or, with an empty `f`, stops) a PgChangeFeed.
  void Watch(std::function<void(const Change&)> f) override;
  bool shared() const override { return true; }
  // Reads change_counters (one query) and tells `f` of every kind whose
  // counter moved since the last call.
  void CatchUp() override;
  ~PostgresStorage() override;

 protected:
  void RunRead(const std::function<void(Repositories&)>& f) override;
  void RunWrite(const std::function<bool(Repositories&)>& f) override;

 private:
  std::unique_ptr<PostgresDatabase> db_;
  std::unique_ptr<PgChangeFeed> feed_;
  // What Watch was given, and the counters CatchUp last read; `f` is
  // called under the lock, so a request that finds the counters unchanged
  // knows that what another found changed is already forgotten.
  std::mutex watch_mutex_;
  std::function<void(const Change&)> watch_;
  std::map<std::string, int64_t> seen_;
};

}  // namespace custodian::admincenter
