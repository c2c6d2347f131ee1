// What the C++ load drivers in bench/ share: a blocking HTTP/1.1 client on
// one keep-alive connection (setup, probes, edits), the admin center's
// count of parked long-polls, and the file-descriptor limit raised for
// thousands of connections.
#pragma once

#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <string>
#include <utility>  // before Boost.Asio's awaitable.hpp, which uses std::exchange

namespace custodian::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Blocking {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  explicit Blocking(uint16_t port) {
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  http::response<http::string_body> Call(http::verb method, const std::string& target,
                                         const std::string& token, const std::string& body = "") {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (method != http::verb::get) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res;
  }
};

// custodian_parked_long_polls from /metrics (-1 when it is not there).
inline long Parked(Blocking& b) {
  const std::string metrics = b.Call(http::verb::get, "/metrics", "").body();
  const auto at = metrics.find("\ncustodian_parked_long_polls ");
  return at == std::string::npos ? -1 : std::stol(metrics.substr(at + 29));
}

inline void RaiseFileLimit() {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
}

}  // namespace custodian::bench
