// Debian's HAProxy in front of admin-center replicas for the tests that
// run them as a user would.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "support/process.h"

namespace custodian::testing {

// A free loopback port (bound, read and released).
inline uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

// HAProxy (Debian's) in front of the replicas, as an operator would run it:
// round robin, health checks on /healthz, a connection that fails tried on
// another server.
class Haproxy {
 public:
  Haproxy(const std::filesystem::path& dir, const std::vector<uint16_t>& servers)
      : port_(FreePort()) {
    const std::string config = (dir / "haproxy.cfg").string();
    std::ofstream cfg(config);
    cfg << "global\n  maxconn 2000\n"
        << "defaults\n  mode http\n  timeout connect 1s\n  timeout client 90s\n"
        << "  timeout server 90s\n  retries 3\n  option redispatch\n"
        << "frontend custodian\n  bind 127.0.0.1:" << port_ << "\n  default_backend replicas\n"
        << "backend replicas\n  balance roundrobin\n  option httpchk GET /healthz\n"
        << "  http-check expect status 200\n  default-server inter 200ms fall 2 rise 1\n";
    for (std::size_t i = 0; i < servers.size(); ++i) {
      cfg << "  server r" << i << " 127.0.0.1:" << servers[i] << " check\n";
    }
    cfg.close();
    pid_ = Spawn({"/usr/sbin/haproxy", "-db", "-f", config}, (dir / "haproxy.out").string(),
                 (dir / "haproxy.err").string());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline &&
           HttpCall(url(), "GET", "/healthz", std::nullopt).status != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~Haproxy() { StopProcess(pid_, SIGTERM); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace custodian::testing
