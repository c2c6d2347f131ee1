// Long-poll scale (issues 4 and 13): parks N command long-polls on one
// admin center or spread over its replicas, reports the servers' RSS and
// threads while they wait, then queues a command (always through the first
// replica) for one endpoint after another and measures how long each takes
// to reach its parked poll: on the same replica, and across replicas.
//
//   longpoll_bench PORT[,PORT…] MASTER_TOKEN SERVER_PID[,PID…] [N] [PROBES]
//
// One thread drives all N connections asynchronously (Boost.Beast); setup
// and probes use blocking calls on the main thread.
#include <cpprest/json.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>  // before Boost.Asio's awaitable.hpp, which uses std::exchange
#include <vector>

#include "bench_http.h"

// asio, beast, http, tcp, Clock, Blocking, Parked, RaiseFileLimit
using namespace custodian::bench;

namespace {

struct Poll : std::enable_shared_from_this<Poll> {
  Poll(asio::io_context& ioc, std::string id, std::string token)
      : stream(ioc), endpoint_id(std::move(id)), endpoint_token(std::move(token)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::empty_body> req;
  http::response<http::string_body> res;
  std::string endpoint_id, endpoint_token;
  std::function<void(Poll&)> on_command;

  void Start(uint16_t port) {
    req = {http::verb::get, "/v1/endpoints/" + endpoint_id + "/commands?wait=60", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + endpoint_token);
    stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                         [self = shared_from_this()](beast::error_code ec) {
                           if (!ec) self->Send();
                         });
  }
  void Send() {
    http::async_write(stream, req, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->res = {};
      http::async_read(self->stream, self->buffer, self->res,
                       [self](beast::error_code rec, std::size_t) {
                         if (rec) return;
                         if (self->res.result() == http::status::ok) {
                           self->on_command(*self);  // measured; this poll ends here
                         } else {
                           self->Send();  // 204 at the timeout: poll again
                         }
                       });
    });
  }
};

long StatusField(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

std::vector<int> Numbers(const std::string& list) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    out.push_back(std::stoi(list.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

long Sum(const std::vector<int>& pids, const std::string& field) {
  long total = 0;
  for (int pid : pids) total += StatusField(pid, field);
  return total;
}

void Report(const std::string& what, std::vector<double> ms) {
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  const std::size_t p99 = std::min(ms.size() - 1, ms.size() * 99 / 100);
  std::cout << "command to its parked poll, " << what << " (" << ms.size()
            << " probes, queued with a durable commit): median " << ms[ms.size() / 2] << " ms, p99 "
            << ms[p99] << " ms, max " << ms.back() << " ms\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: longpoll_bench PORT[,PORT…] MASTER_TOKEN SERVER_PID[,PID…] [N] [PROBES]\n";
    return 2;
  }
  const std::vector<int> ports = Numbers(argv[1]);
  const auto port = static_cast<uint16_t>(ports.front());
  const std::string master = argv[2];
  const std::vector<int> server_pids = Numbers(argv[3]);
  const int n = argc > 4 ? std::stoi(argv[4]) : 5000;
  const int probes = argc > 5 ? std::stoi(argv[5]) : 20;
  RaiseFileLimit();

  Blocking setup(port);
  std::vector<std::pair<std::string, std::string>> endpoints;  // id, token
  const auto enroll_start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto code = web::json::value::parse(
        setup.Call(http::verb::post, "/v1/enrollment-codes", master, "{}").body());
    const auto e = web::json::value::parse(setup
                                               .Call(http::verb::post, "/v1/enroll", "",
                                                     R"({"code":")" + code.at("code").as_string() +
                                                         R"(","name":"bench-)" + std::to_string(i) +
                                                         R"(","os":"linux","time_zone":"UTC"})")
                                               .body());
    endpoints.emplace_back(e.at("endpoint_id").as_string(), e.at("token").as_string());
  }
  std::cout << "enrolled " << n << " endpoints in "
            << std::chrono::duration<double>(Clock::now() - enroll_start).count() << " s\n";
  const long rss_before = Sum(server_pids, "VmRSS");
  const long threads_before = Sum(server_pids, "Threads");

  asio::io_context ioc;
  std::mutex m;
  std::condition_variable cv;
  std::vector<Clock::time_point> arrived(endpoints.size());
  std::vector<std::shared_ptr<Poll>> polls;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    auto p = std::make_shared<Poll>(ioc, endpoints[i].first, endpoints[i].second);
    p->on_command = [&, i](Poll&) {
      std::lock_guard lock(m);
      arrived[i] = Clock::now();
      cv.notify_all();
    };
    p->Start(static_cast<uint16_t>(ports[i % ports.size()]));
    polls.push_back(p);
  }
  std::thread io([&] { ioc.run(); });
  std::vector<std::unique_ptr<Blocking>> metrics;
  for (int p : ports) metrics.push_back(std::make_unique<Blocking>(static_cast<uint16_t>(p)));
  long parked = 0;
  for (int i = 0; i < 600 && parked < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    parked = 0;
    for (auto& b : metrics) parked += Parked(*b);
  }
  const long rss_parked = Sum(server_pids, "VmRSS");
  std::cout << "parked long-polls: " << parked << " on " << ports.size() << " replica(s)\n"
            << "server RSS (all replicas): " << rss_before / 1024.0 << " MiB before, "
            << rss_parked / 1024.0 << " MiB with them parked, "
            << (rss_parked - rss_before) * 1024.0 / std::max(1L, parked) << " bytes per poll\n"
            << "server threads: " << threads_before << " before, " << Sum(server_pids, "Threads")
            << " with them parked\n";

  std::vector<double> same, across;
  for (int k = 0; k < probes; ++k) {
    // Endpoint i's poll is parked on replica i % replicas.
    const std::size_t i =
        static_cast<std::size_t>(k) * endpoints.size() / static_cast<std::size_t>(probes) + k % 2;
    if (i >= endpoints.size()) continue;
    std::vector<double>& ms = i % ports.size() == 0 ? same : across;
    const auto sent = Clock::now();
    setup.Call(http::verb::post, "/v1/endpoints/" + endpoints[i].first + "/commands", master,
               R"({"type":"sync"})");
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, std::chrono::seconds(10),
                     [&] { return arrived[i] != Clock::time_point{}; })) {
      std::cout << "probe " << k << ": no answer within 10 s\n";
      continue;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(arrived[i] - sent).count());
  }
  Report("on the replica that queued it", same);
  Report("across replicas", across);
  ioc.stop();
  io.join();
  return same.size() + across.size() == static_cast<std::size_t>(probes) && parked >= n ? 0 : 1;
}
