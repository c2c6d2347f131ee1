// Push (issue 15): how long a policy edit takes to be in force on N
// enforcers, each simulated in this process speaking the enforcer's real
// protocol: enrolled with a code, it fetches the signed bundle and checks
// its Ed25519 signature against the keys enrollment pinned, then parks a
// command long-poll saying which version it applied
// (?wait=30&bundle=V); when the answer names a newer bundle it fetches it
// after a random delay below the answer's fetch_within_ms, checks it, and
// parks again. The admin edits (PATCH of a group's permission, a durable
// write) ROUNDS times; for each round, the time from sending the edit to
// each endpoint holding a verified newer bundle.
//
//   push_bench PORT MASTER_TOKEN [N] [ROUNDS] [stampede]
//
// With "stampede" the endpoints ignore fetch_within_ms and fetch at once,
// to compare with the spread the admin center asks for.
//
// One thread drives all N endpoints asynchronously (Boost.Beast, one
// keep-alive connection each); setup and edits are blocking calls on the
// main thread.
#include <cpprest/json.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>  // before Boost.Asio's awaitable.hpp, which uses std::exchange
#include <vector>

#include "bench_http.h"
#include "common/crypto.h"
#include "common/key_list.h"

// asio, beast, http, tcp, Clock, Blocking, Parked, RaiseFileLimit
using namespace custodian::bench;
using web::json::value;

namespace {

// What every simulated endpoint reports to the measurement.
struct Tally {
  std::mutex m;
  std::vector<int64_t> held;               // by endpoint
  std::vector<Clock::time_point> applied;  // when it last applied a newer bundle
  std::vector<Clock::time_point> fetches;  // every bundle fetched (200)
  std::atomic<int64_t> failures{0};        // signature or protocol failures
  bool stampede = false;                   // fetch at once, whatever the hint says
};

// The bundle's version if `envelope` is signed by one of `keys`.
std::optional<int64_t> Verified(const std::string& envelope,
                                const std::vector<custodian::crypto::PublicKey>& keys) {
  std::error_code ec;
  const value e = value::parse(envelope, ec);
  if (ec || !e.has_string_field("bundle")) return std::nullopt;
  const auto bytes = custodian::crypto::FromBase64(e.at("bundle").as_string());
  if (!bytes) return std::nullopt;
  for (const value& s : e.at("signatures").as_array()) {
    const auto sig = custodian::crypto::FromBase64(s.at("signature").as_string());
    for (const auto& k : keys) {
      if (sig && k.key_id == s.at("key_id").as_string() &&
          custodian::crypto::VerifyEd25519(k.public_raw, *bytes, *sig)) {
        return value::parse(*bytes).at("version").as_number().to_int64();
      }
    }
  }
  return std::nullopt;
}

struct Endpoint : std::enable_shared_from_this<Endpoint> {
  Endpoint(asio::io_context& ioc, std::size_t i, std::string endpoint_id, std::string bearer,
           std::vector<custodian::crypto::PublicKey> pinned, uint16_t server_port, Tally& sink)
      : stream(ioc),
        timer(ioc),
        index(i),
        id(std::move(endpoint_id)),
        token(std::move(bearer)),
        keys(std::move(pinned)),
        port(server_port),
        tally(sink),
        random(static_cast<unsigned>(i)) {}
  beast::tcp_stream stream;
  asio::steady_timer timer;
  beast::flat_buffer buffer;
  http::request<http::empty_body> req;
  http::response<http::string_body> res;
  std::size_t index;
  std::string id, token;
  std::vector<custodian::crypto::PublicKey> keys;
  uint16_t port;
  Tally& tally;
  std::mt19937 random;
  int64_t held = 0;
  bool connected = false;

  void Connect(std::function<void()> then) {
    stream.close();
    stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                         [self = shared_from_this(), then](beast::error_code ec) {
                           self->connected = !ec;
                           if (ec) return self->Later([then] { then(); }, 200);
                           then();
                         });
  }
  void Later(std::function<void()> f, int64_t ms) {
    timer.expires_after(std::chrono::milliseconds(ms));
    timer.async_wait([f](beast::error_code ec) {
      if (!ec) f();
    });
  }
  void Exchange(const std::string& target, std::function<void()> then) {
    if (!connected)
      return Connect([self = shared_from_this(), target, then] { self->Exchange(target, then); });
    req = {http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token);
    if (target == "/v1/policy/bundle" && held > 0) {
      req.set(http::field::if_none_match, "\"" + std::to_string(held) + "\"");
    }
    stream.expires_after(std::chrono::seconds(90));
    http::async_write(stream, req,
                      [self = shared_from_this(), target, then](beast::error_code ec, std::size_t) {
                        if (ec) return self->Retry(target, then);
                        self->res = {};
                        http::async_read(self->stream, self->buffer, self->res,
                                         [self, target, then](beast::error_code rec, std::size_t) {
                                           if (rec) return self->Retry(target, then);
                                           if (self->res.need_eof()) self->connected = false;
                                           then();
                                         });
                      });
  }
  void Retry(const std::string& target, std::function<void()> then) {
    connected = false;
    Later([self = shared_from_this(), target, then] { self->Exchange(target, then); }, 200);
  }

  void Fetch() {
    Exchange("/v1/policy/bundle", [self = shared_from_this()] {
      if (self->res.result() == http::status::ok) {
        const auto version = Verified(self->res.body(), self->keys);
        if (!version) {
          ++self->tally.failures;
        } else {
          self->held = *version;
          std::lock_guard lock(self->tally.m);
          self->tally.fetches.push_back(Clock::now());
          if (*version > self->tally.held[self->index]) {
            self->tally.held[self->index] = *version;
            self->tally.applied[self->index] = Clock::now();
          }
        }
      }
      self->Poll();
    });
  }
  void Poll() {
    Exchange("/v1/endpoints/" + id + "/commands?wait=30&bundle=" + std::to_string(held),
             [self = shared_from_this()] {
               if (self->res.result() != http::status::ok) return self->Poll();  // 204
               const value answer = value::parse(self->res.body());
               if (!answer.has_field("bundle")) return self->Poll();  // commands: none here
               const int64_t within =
                   self->tally.stampede
                       ? 0
                       : answer.at("bundle").at("fetch_within_ms").as_number().to_int64();
               const int64_t delay =
                   within > 0 ? std::uniform_int_distribution<int64_t>(0, within - 1)(self->random)
                              : 0;
               self->Later([self] { self->Fetch(); }, delay);
             });
  }
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: push_bench PORT MASTER_TOKEN [N] [ROUNDS] [stampede]\n";
    return 2;
  }
  const auto port = static_cast<uint16_t>(std::stoi(argv[1]));
  const std::string master = argv[2];
  const int n = argc > 3 ? std::stoi(argv[3]) : 1000;
  const int rounds = argc > 4 ? std::stoi(argv[4]) : 5;
  RaiseFileLimit();

  Blocking setup(port);
  setup.Call(http::verb::post, "/v1/groups", master,
             R"({"id":"g-push","name":"Push","permissions":{"unattended_access":true}})");
  Tally tally;
  tally.stampede = argc > 5 && std::string(argv[5]) == "stampede";
  tally.held.assign(static_cast<std::size_t>(n), 0);
  tally.applied.assign(static_cast<std::size_t>(n), Clock::time_point{});
  asio::io_context ioc;
  std::vector<std::shared_ptr<Endpoint>> endpoints;
  const auto enroll_start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto code =
        value::parse(setup.Call(http::verb::post, "/v1/enrollment-codes", master, "{}").body());
    const auto e =
        value::parse(setup
                         .Call(http::verb::post, "/v1/enroll", "",
                               R"({"code":")" + code.at("code").as_string() + R"(","name":"push-)" +
                                   std::to_string(i) + R"(","os":"windows","time_zone":"UTC"})")
                         .body());
    endpoints.push_back(std::make_shared<Endpoint>(
        ioc, static_cast<std::size_t>(i), e.at("endpoint_id").as_string(),
        e.at("token").as_string(), custodian::crypto::ParseKeyList(e.at("policy_keys")), port,
        tally));
  }
  std::cout << "enrolled " << n << " endpoints in "
            << std::chrono::duration<double>(Clock::now() - enroll_start).count() << " s\n";
  for (auto& e : endpoints) e->Fetch();
  std::thread io([&] { ioc.run(); });

  // Every endpoint holds a verified bundle and has parked its poll.
  auto all_hold_more_than = [&](int64_t v) {
    std::lock_guard lock(tally.m);
    return std::all_of(tally.held.begin(), tally.held.end(), [v](int64_t h) { return h > v; });
  };
  for (int i = 0; i < 1200 && (!all_hold_more_than(0) || Parked(setup) < n); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cout << "all hold a bundle, " << Parked(setup) << " polls parked\n";

  std::vector<double> latencies;
  double worst_round = 0;
  std::size_t peak_fetches = 0;
  for (int r = 0; r < rounds; ++r) {
    int64_t base;
    {
      std::lock_guard lock(tally.m);
      base = *std::max_element(tally.held.begin(), tally.held.end());
      tally.fetches.clear();
    }
    const auto sent = Clock::now();
    const auto patched = setup.Call(http::verb::patch, "/v1/groups/g-push", master,
                                    std::string(R"({"permissions":{"unattended_access":)") +
                                        (r % 2 == 0 ? "false" : "true") + "}}");
    if (patched.result() != http::status::ok) {
      std::cerr << "PATCH answered " << patched.result_int() << "\n";
      return 1;
    }
    bool done = false;
    for (int i = 0; i < 600 && !(done = all_hold_more_than(base)); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::lock_guard lock(tally.m);
    if (!done) std::cout << "round " << r << ": not every endpoint got it within 12 s\n";
    double round_max = 0;
    for (const auto& t : tally.applied) {
      const double ms = std::chrono::duration<double, std::milli>(t - sent).count();
      latencies.push_back(ms);
      round_max = std::max(round_max, ms);
    }
    worst_round = std::max(worst_round, round_max);
    // The busiest 100 ms of bundle fetches in this round.
    std::sort(tally.fetches.begin(), tally.fetches.end());
    for (std::size_t a = 0, b = 0; b < tally.fetches.size(); ++b) {
      while (tally.fetches[b] - tally.fetches[a] > std::chrono::milliseconds(100)) ++a;
      peak_fetches = std::max(peak_fetches, b - a + 1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all parked again
  }
  std::cout << (tally.stampede ? "stampede: " : "spread: ")
            << "edit to verified bundle in force on " << n << " endpoints, " << rounds
            << " rounds: median " << Percentile(latencies, 0.5) << " ms, p99 "
            << Percentile(latencies, 0.99) << " ms, max " << worst_round << " ms\n"
            << "busiest 100 ms: " << peak_fetches << " bundle fetches (" << peak_fetches * 10
            << "/s)\n"
            << "signature or protocol failures: " << tally.failures << "\n";
  ioc.stop();
  io.join();
  return tally.failures == 0 ? 0 : 1;
}
