#include "admincenter/waiters.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace custodian::admincenter {

struct Waiters::Parked {
  explicit Parked(boost::asio::io_context& ioc) : timer(ioc) {}
  std::string key;
  boost::asio::steady_timer timer;
  Wake wake;
  bool fired = false;  // under mutex_
};

Waiters::Waiters() : work_(ioc_.get_executor()), thread_([this] { ioc_.run(); }) {}

Waiters::~Waiters() {
  Stop();
  work_.reset();
  thread_.join();
}

uint64_t Waiters::Version(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(key);
  return it == slots_.end() ? 0 : it->second.version;
}

void Waiters::Fire(const std::shared_ptr<Parked>& p, bool notified) {
  boost::asio::post(ioc_, [p, notified] { p->wake(notified); });
}

void Waiters::Park(const std::string& key, uint64_t seen, std::chrono::milliseconds timeout,
                   Wake wake) {
  auto p = std::make_shared<Parked>(ioc_);
  p->key = key;
  p->wake = std::move(wake);
  std::lock_guard lock(mutex_);
  Slot& slot = slots_[key];
  if (stopped_ || slot.version != seen) {
    p->fired = true;
    Fire(p, !stopped_);
    return;
  }
  slot.parked.push_back(p);
  ++parked_;
  p->timer.expires_after(timeout);
  p->timer.async_wait([this, p](const boost::system::error_code&) {
    std::lock_guard timer_lock(mutex_);
    if (p->fired) return;  // woken by Notify or Stop
    p->fired = true;
    auto& list = slots_[p->key].parked;
    list.erase(std::remove(list.begin(), list.end(), p), list.end());
    --parked_;
    Fire(p, false);
  });
}

void Waiters::Notify(const std::string& key) {
  std::lock_guard lock(mutex_);
  WakeSlot(slots_[key]);
}

void Waiters::NotifyAll() {
  std::lock_guard lock(mutex_);
  for (auto& [key, slot] : slots_) WakeSlot(slot);
}

void Waiters::WakeSlot(Slot& slot) {
  ++slot.version;
  for (auto& p : slot.parked) {
    p->fired = true;
    --parked_;
    // The timer's handler runs with "aborted" and finds `fired` set.
    boost::asio::post(ioc_, [p] { p->timer.cancel(); });
    Fire(p, true);
  }
  slot.parked.clear();
}

void Waiters::Stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  for (auto& [key, slot] : slots_) {
    for (auto& p : slot.parked) {
      p->fired = true;
      boost::asio::post(ioc_, [p] { p->timer.cancel(); });
      Fire(p, false);
    }
    slot.parked.clear();
  }
  parked_ = 0;
}

std::size_t Waiters::parked() {
  std::lock_guard lock(mutex_);
  return parked_;
}

}  // namespace custodian::admincenter
