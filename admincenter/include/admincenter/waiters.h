// Parked long-polls (GET /v1/endpoints/{id}/commands?wait=S): a parked
// request holds no thread, only a timer on one shared timer thread and a
// callback. Notify(key) wakes every request parked on `key`; a request
// that is not woken gets its callback with `false` at its timeout.
//
// No lost wake-ups: read Version(key) *before* looking for work, and pass
// it to Park; if a Notify came in between, Park wakes at once.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace custodian::admincenter {

class Waiters {
 public:
  using Wake = std::function<void(bool notified)>;

  Waiters();
  ~Waiters();
  Waiters(const Waiters&) = delete;
  Waiters& operator=(const Waiters&) = delete;

  uint64_t Version(const std::string& key);
  // Calls `wake` exactly once, on the timer thread.
  void Park(const std::string& key, uint64_t seen, std::chrono::milliseconds timeout, Wake wake);
  void Notify(const std::string& key);
  // Wakes every parked request as Notify would: when what they wait for
  // may have changed unseen (another replica's notifications were lost).
  void NotifyAll();
  // Wakes everything parked (with false) and parks nothing more: shutdown.
  void Stop();
  std::size_t parked();

 private:
  struct Parked;
  struct Slot {
    uint64_t version = 0;
    std::vector<std::shared_ptr<Parked>> parked;
  };
  void Fire(const std::shared_ptr<Parked>& p, bool notified);
  void WakeSlot(Slot& slot);  // mutex_ held

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::mutex mutex_;
  std::map<std::string, Slot> slots_;
  std::size_t parked_ = 0;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace custodian::admincenter
