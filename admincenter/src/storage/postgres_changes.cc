// PgChangeFeed: LISTEN on a connection of its own, with the polling
// fallback while it cannot listen.
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "admincenter/storage/postgres.h"
#include "admincenter/storage/sql.h"
#include "common/logging.h"

namespace custodian::admincenter {
namespace {

constexpr int kRetryMs = 1000;

}  // namespace

void PgChangeFeed::Tell(const Change& change) {
  try {
    f_(change);
  } catch (const std::exception& e) {
    // What it forgets it reads again later; the feed itself must go on.
    spdlog::warn(logging::Line("change_feed", {{"error", e.what()}}));
  }
}

PgChangeFeed::PgChangeFeed(std::string url, std::function<void(const Change&)> f)
    : url_(std::move(url)), f_(std::move(f)) {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw StorageError("cannot make a pipe for the feed");
  thread_ = std::thread([this] { Loop(); });
}

PgChangeFeed::~PgChangeFeed() {
  const char stop = 1;
  (void)!::write(stop_pipe_[1], &stop, 1);
  thread_.join();
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

bool PgChangeFeed::Wait(int fd, int timeout_ms) {
  pollfd fds[2] = {{stop_pipe_[0], POLLIN, 0}, {fd, POLLIN, 0}};
  ::poll(fds, fd < 0 ? 1 : 2, timeout_ms);
  return (fds[0].revents & POLLIN) == 0;
}

void PgChangeFeed::Loop() {
  const Change everything{Change::Kind::kEverything, ""};
  for (;;) {
    std::unique_ptr<PgConnection> c;
    try {
      c = PgConnection::Connect(url_);
      c->Execute(std::string("LISTEN ") + kChangeChannel);
    } catch (const StorageError&) {
      Tell(everything);
      if (!Wait(-1, kRetryMs)) return;
      continue;
    }
    // What changed before it listened was not heard.
    Tell(everything);
    pg_conn* conn = c->handle();
    for (;;) {
      if (!Wait(PQsocket(conn), kRetryMs)) return;
      if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) break;
      while (PGnotify* n = PQnotifies(conn)) {
        if (auto change = DecodeChange(n->extra)) Tell(*change);
        PQfreemem(n);
      }
    }
    Tell(everything);  // lost: look again, and poll until it listens again
  }
}

void PostgresStorage::Watch(std::function<void(const Change&)> f) {
  {
    std::lock_guard lock(watch_mutex_);
    watch_ = f;
    seen_.clear();
  }
  feed_.reset();
  if (f) feed_ = std::make_unique<PgChangeFeed>(db_->url(), std::move(f));
}

PostgresStorage::~PostgresStorage() { feed_.reset(); }

}  // namespace custodian::admincenter
