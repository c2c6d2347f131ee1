#include "admincenter/storage/group_commit.h"

namespace custodian::admincenter {

GroupCommit::GroupCommit(Connect connect, std::string begin)
    : connect_(std::move(connect)), begin_(std::move(begin)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  writer_.join();
}

void GroupCommit::Run(const std::function<bool(sql::Connection&)>& f) {
  Job job;
  job.run = &f;
  std::unique_lock lock(mutex_);
  queue_.push_back(&job);
  queued_.notify_one();
  job.committed.wait(lock, [&] { return job.done; });
  lock.unlock();
  if (job.error) std::rethrow_exception(job.error);
}

std::exception_ptr GroupCommit::Commit(const std::vector<Job*>& batch) {
  try {
    if (!connection_) connection_ = connect_();
    sql::Connection& db = *connection_;
    db.Execute(begin_);
    for (Job* job : batch) {
      db.Execute("SAVEPOINT write");
      bool keep = false;
      try {
        keep = (*job->run)(db);
      } catch (...) {
        job->error = std::current_exception();
      }
      if (!keep) db.Execute("ROLLBACK TO write");
      db.Execute("RELEASE write");
    }
    db.Execute("COMMIT");
    return nullptr;
  } catch (...) {
    std::exception_ptr failed = std::current_exception();
    try {
      if (connection_) connection_->Execute("ROLLBACK");
    } catch (...) {
    }
    // Whatever state it is in, the next batch starts on a new connection.
    connection_.reset();
    return failed;
  }
}

void GroupCommit::WriterLoop() {
  // Bounds a batch so that no caller waits behind an unbounded queue.
  constexpr std::size_t kMaxBatch = 256;
  std::vector<Job*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      const std::size_t n = std::min(kMaxBatch, queue_.size());
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    const std::exception_ptr failed = Commit(batch);
    {
      std::lock_guard lock(mutex_);
      for (Job* job : batch) {
        // A job that failed by itself says so; the others share the batch's failure.
        if (failed && !job->error) job->error = failed;
        job->done = true;
        job->committed.notify_one();
      }
    }
  }
}

}  // namespace custodian::admincenter
