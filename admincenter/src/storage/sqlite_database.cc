#include <SQLiteCpp/Exception.h>

#include "admincenter/storage/sqlite.h"
#include "schema/migrations.h"

namespace custodian::admincenter {
namespace {

// A writer waits this long for another writer before giving up (503).
constexpr int kBusyTimeoutMs = 5000;

void Configure(SQLite::Database& db) {
  db.setBusyTimeout(kBusyTimeoutMs);
  db.exec("PRAGMA foreign_keys = ON");
  // FULL: the WAL is synced at every commit, so an acknowledged write
  // survives a crash of the process or the machine.
  db.exec("PRAGMA synchronous = FULL");
}

}  // namespace

std::unique_ptr<SqliteDatabase> SqliteDatabase::Open(const std::string& path, bool create,
                                                     std::string* error) {
  try {
    const int flags = SQLite::OPEN_READWRITE | (create ? SQLite::OPEN_CREATE : 0);
    SQLite::Database db(path, flags);
    Configure(db);
    const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") {
      *error = path + ": cannot switch to WAL journaling (got " + mode + ")";
      return nullptr;
    }
    const schema::MigrateResult m = schema::Migrate(db, schema::AdmincenterMigrations());
    if (!m.ok) {
      *error = path + ": " + m.error;
      return nullptr;
    }
    return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(path, m.to_version));
  } catch (const SQLite::Exception& e) {
    *error = path + ": " + e.what();
    return nullptr;
  }
}

SqliteDatabase::SqliteDatabase(std::string path, int schema_version)
    : path_(std::move(path)), schema_version_(schema_version) {
  writer_ = std::thread([this] { WriterLoop(); });
}

SqliteDatabase::~SqliteDatabase() {
  {
    std::lock_guard lock(write_mutex_);
    stopping_ = true;
  }
  write_queued_.notify_all();
  writer_.join();
}

void SqliteDatabase::Submit(Job& job) {
  std::unique_lock lock(write_mutex_);
  write_queue_.push_back(&job);
  write_queued_.notify_one();
  job.committed.wait(lock, [&] { return job.done; });
}

void SqliteDatabase::WriterLoop() {
  // Bounds a batch so that no caller waits behind an unbounded queue.
  constexpr std::size_t kMaxBatch = 256;
  std::unique_ptr<SQLite::Database> db = Connect();
  std::vector<Job*> batch;
  for (;;) {
    {
      std::unique_lock lock(write_mutex_);
      write_queued_.wait(lock, [&] { return stopping_ || !write_queue_.empty(); });
      if (write_queue_.empty()) return;  // stopping, nothing left
      const std::size_t n = std::min(kMaxBatch, write_queue_.size());
      batch.assign(write_queue_.begin(), write_queue_.begin() + static_cast<std::ptrdiff_t>(n));
      write_queue_.erase(write_queue_.begin(),
                         write_queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    std::exception_ptr commit_error;
    try {
      db->exec("BEGIN IMMEDIATE");
      for (Job* job : batch) {
        db->exec("SAVEPOINT write");
        const bool keep = job->run(*db);
        if (!keep) db->exec("ROLLBACK TO write");
        db->exec("RELEASE write");
      }
      db->exec("COMMIT");
    } catch (...) {
      commit_error = std::current_exception();
      try {
        db->exec("ROLLBACK");
      } catch (...) {
      }
    }
    {
      std::lock_guard lock(write_mutex_);
      for (Job* job : batch) {
        job->commit_error = commit_error;
        job->done = true;
        job->committed.notify_one();
      }
    }
  }
}

std::unique_ptr<SQLite::Database> SqliteDatabase::Connect() const {
  auto db = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE);
  Configure(*db);
  return db;
}

SqliteDatabase::Lease::Lease(SqliteDatabase& d) : owner(d) {
  {
    std::lock_guard lock(d.mutex_);
    if (!d.idle_.empty()) {
      db = std::move(d.idle_.back());
      d.idle_.pop_back();
    }
  }
  if (!db) db = d.Connect();
}

std::shared_ptr<SQLite::Database> SqliteDatabase::Borrow() {
  auto lease = std::make_shared<Lease>(*this);
  SQLite::Database* db = lease->db.get();
  // Aliasing constructor: the connection lives as long as its lease.
  return std::shared_ptr<SQLite::Database>(lease, db);
}

SqliteDatabase::Lease::~Lease() {
  std::lock_guard lock(owner.mutex_);
  owner.idle_.push_back(std::move(db));
}

int SqliteDatabase::ReadSchemaVersion() {
  return Read([](SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); });
}

}  // namespace custodian::admincenter
