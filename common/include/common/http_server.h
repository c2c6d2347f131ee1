// An asynchronous HTTP/1.1 server on Boost.Beast (DESIGN.md §2: not
// cpprestsdk's listener). It knows nothing of routes or JSON: it reads a
// request within limits, hands it to one Handler and writes whatever that
// handler answers, whenever and from whichever thread it answers.
//
// What it refuses before any handler sees it (RFC 9112, DESIGN.md §9):
// a Transfer-Encoding other than exactly "chunked" (501: a body it cannot
// frame must never be read as the next request), Content-Length together
// with Transfer-Encoding, a repeated Authorization, Content-Length, Content-
// Type or Host header (400), and a path, query or header value that is not
// valid UTF-8 (400). Connections are capped (max_connections); accept
// errors such as running out of descriptors back off instead of spinning.
//
// Threads: `io_threads` run the event loop and must never block; a handler
// that needs the database posts the work elsewhere and calls `respond`
// later (a long-poll parks the same way). TLS is used when certificate and
// key files are given.
//
// Shutdown: Stop() closes the listening socket, closes idle connections and
// lets each in-flight request finish and be answered before its connection
// closes; Wait() returns when nothing is left.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace custodian::http {

struct Request {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string method_name;
  std::string target;                             // as sent: path and query
  std::string path;                               // percent-decoded path without the query
  std::multimap<std::string, std::string> query;  // percent-decoded
  std::map<std::string, std::string> headers;     // names in lower case
  std::string body;
  std::string remote_address;

  // The value of a header (lower-case name), or "".
  const std::string& Header(const std::string& lower_case_name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is streamed with chunked transfer encoding in
  // constant memory: the server calls `stream` for each next piece, and
  // `stream` answers through the sink, from any thread, exactly once per
  // call (`more` false with the last piece). Producing may therefore happen
  // off the I/O threads, e.g. reading rows on a database worker.
  using ChunkSink = std::function<void(std::string chunk, bool more)>;
  std::function<void(ChunkSink)> stream;
};

// Answers a request. May be called from any thread, exactly once.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request, Respond)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (see Server::port())
  int io_threads = 2;
  std::size_t body_limit = 1 << 20;
  std::size_t header_limit = 16 << 10;
  // To read one request from its first byte, header and body; and to write
  // each piece of an answer.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{75};  // to wait for the first byte of the next request
  // Connections served at once; one more is closed as soon as it is
  // accepted (counted in rejected_connections), so that a flood cannot
  // exhaust the process's descriptors. Keep it below the open-file limit.
  std::size_t max_connections = 10000;
  std::optional<std::string> tls_certificate_file;  // PEM; with the key: HTTPS
  std::optional<std::string> tls_key_file;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the I/O threads. On failure returns false and says why.
  bool Start(std::string* error);
  uint16_t port() const;
  bool tls() const;

  struct Stats {
    std::size_t open_connections = 0;
    uint64_t rejected_connections = 0;  // over max_connections
    uint64_t accept_errors = 0;         // e.g. out of descriptors; accepting backs off
  };
  Stats stats() const;
  void Stop();
  void Wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What the server does with one request's bytes before its handler sees
// them: the Request, or the answer that refuses it (400, 413, 431, 501).
// Sessions run the same steps on their streams; this is for tests and the
// fuzzer (fuzz/http_request_fuzz.cc).
std::variant<Request, Response> ParseRawRequest(std::string_view bytes,
                                                const ServerOptions& options);

// Percent-decodes `s`; nullopt when it has a bad escape.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);

// The segments of a path after its leading '/': "/v1/a/b" -> {v1, a, b}.
std::vector<std::string> PathSegments(const std::string& path);

}  // namespace custodian::http
