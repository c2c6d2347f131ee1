// Writes of many callers committed together (group commit), for every SQL
// engine of the admin center: one writer thread with a connection of its
// own runs each queued write in a SAVEPOINT of its own inside one
// transaction and commits once, so that a change and its audit event land
// together or not at all, one durable commit (one fsync) serves many
// writes, and each caller returns only after the commit that holds its
// change.
//
// The engine says how a batch's transaction begins (`begin`): SQLite's
// BEGIN IMMEDIATE takes its one writer lock; on PostgreSQL it also takes
// the lock that serialises writers on every replica. A connection that
// failed is dropped and the next batch connects again, so that a database
// restarted under load serves again once it answers.
//
// Thread safety: Run may be called from any thread.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "schema/sql.h"

namespace custodian::admincenter {

class GroupCommit {
 public:
  using Connect = std::function<std::unique_ptr<sql::Connection>()>;
  GroupCommit(Connect connect, std::string begin);
  // Commits what is queued, then stops.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `f` in the next batch and returns after that batch's commit. If
  // `f` returns false or throws, its changes roll back to its savepoint and
  // what it threw is rethrown; if the batch cannot begin or commit, that
  // failure is thrown (for an `f` that succeeded too).
  void Run(const std::function<bool(sql::Connection&)>& f);

 private:
  struct Job {
    const std::function<bool(sql::Connection&)>* run;
    bool done = false;
    std::exception_ptr error;  // the job's own, or its batch's
    // Its own, so that a commit wakes only the callers it concerns.
    std::condition_variable committed;
  };
  void WriterLoop();
  // Runs `batch` in one transaction; what failed, or nullptr.
  std::exception_ptr Commit(const std::vector<Job*>& batch);

  Connect connect_;
  std::string begin_;
  std::unique_ptr<sql::Connection> connection_;  // the writer thread's

  std::mutex mutex_;
  std::condition_variable queued_;
  std::vector<Job*> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace custodian::admincenter
