// Idle connections kept for reuse, for every engine: a read takes one (or
// opens a new one), and gives it back when done unless it is no longer fit
// for use (a PostgreSQL connection the server closed).
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace custodian::admincenter {

template <typename T>
class Pool {
 public:
  using Connect = std::function<std::unique_ptr<T>()>;
  using Fit = std::function<bool(T&)>;
  explicit Pool(
      Connect connect, Fit fit = [](T&) { return true; })
      : connect_(std::move(connect)), fit_(std::move(fit)) {}

  // A connection for as long as the lease lives.
  class Lease {
   public:
    explicit Lease(Pool& pool) : pool_(pool), connection_(pool.Take()) {}
    ~Lease() { pool_.Give(std::move(connection_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    T& operator*() const { return *connection_; }

   private:
    Pool& pool_;
    std::unique_ptr<T> connection_;
  };

  // A connection for as long as the pointer lives, e.g. for an export that
  // streams chunk by chunk; it returns to the pool after.
  std::shared_ptr<T> Borrow() {
    auto lease = std::make_shared<Lease>(*this);
    // Aliasing constructor: the connection lives as long as its lease.
    return std::shared_ptr<T>(lease, &**lease);
  }

 private:
  std::unique_ptr<T> Take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<T> c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return connect_();
  }
  void Give(std::unique_ptr<T> c) {
    if (!c || !fit_(*c)) return;
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(c));
  }

  Connect connect_;
  Fit fit_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> idle_;
};

}  // namespace custodian::admincenter
