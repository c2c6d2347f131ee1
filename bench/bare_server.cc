// The ceiling for the admin center's HTTP benchmarks: the same Boost.Beast
// server (admincenter/http_server) with a handler that answers a constant
// at once on the I/O thread — no routing, authentication, JSON or SQLite.
//
//   bare_server PORT [IO_THREADS]
#include <csignal>
#include <iostream>

#include "common/http_server.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bare_server PORT [IO_THREADS]\n";
    return 2;
  }
  custodian::http::ServerOptions options;
  options.port = static_cast<uint16_t>(std::stoi(argv[1]));
  options.io_threads = argc > 2 ? std::stoi(argv[2]) : 2;
  custodian::http::Server server(options, [](custodian::http::Request, custodian::http::Respond r) {
    custodian::http::Response response;
    response.body = R"({"status":"ok"})";
    r(std::move(response));
  });
  std::string error;
  if (!server.Start(&error)) {
    std::cerr << error << "\n";
    return 1;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  server.Stop();
  server.Wait();
  return 0;
}
