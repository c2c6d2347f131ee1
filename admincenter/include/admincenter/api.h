// The REST API of DESIGN.md §5 as one route table: method, path pattern,
// the roles allowed, and a thin adapter from HTTP to a Service call. The
// table is also the source of the OpenAPI document and of the authorization
// matrix test.
//
// Api::Handle runs on an I/O thread and only matches the route and posts
// work: authentication, the database and Argon2 run on worker threads, which
// answer through the server's Respond callback. Reads and writes have pools
// of their own, because writers spend their time waiting for the group
// commit.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "admincenter/distribution.h"
#include "admincenter/service.h"
#include "admincenter/workflows.h"
#include "common/http_server.h"
#include "common/web_files.h"

namespace custodian::admincenter {

using web::json::value;

// Who may call a route.
enum RoleBit : uint8_t {
  kAnonymous = 1,
  kTechnicianRole = 2,
  kAuditorRole = 4,
  kAdminRole = 8,
  kMasterAdminRole = 16,
  kEndpointRole = 32,
};
uint8_t RoleBitOf(const std::optional<Principal>& p);

struct Call {
  const http::Request& request;
  std::map<std::string, std::string> params;  // from the path pattern
  std::optional<Principal> principal;         // set unless the route is anonymous
  value body;                                 // parsed JSON when the route takes a body
  Service& service;
  Distribution& distribution;
  Workflows& workflows;

  const Principal& who() const { return *principal; }
};

struct Route {
  boost::beast::http::verb method;
  std::string pattern;  // "/v1/groups/{id}"
  uint8_t roles;
  std::string summary;
  bool takes_body = false;
  unsigned success_status = 200;
  std::function<Result<value>(Call&)> handler;
  // Or streams (audit export); returns the response to send.
  std::function<http::Response(Call&)> raw_handler;
  // Or answers with JSON text it wrote itself, taking the body as text
  // (checked for content type and UTF-8, not parsed).
  std::function<Result<std::string>(Call&)> text_handler = nullptr;
  // Or answers now, or returns nullopt having kept `later` to answer with
  // (a parked long-poll).
  std::function<std::optional<http::Response>(Call&, http::Respond later)> parking_handler =
      nullptr;
  // Writes to the database (runs on the write pool); set by ApiRoutes from
  // the method, except for routes that only read (what-if decisions).
  bool writes = false;
  // Answerable from memory alone (the cached policy and a cached token):
  // then it is served on the I/O thread itself, saving two thread hops.
  bool from_cache = false;
  // The resource has an entity tag (http::EntityTag of its JSON): a JSON
  // answer carries it as ETag, and a write takes If-Match (412 when it is
  // stale); set by ApiRoutes.
  bool tagged = false;
  // Names in ApiSchemas() of the JSON request and success bodies ("" for
  // none, or a body that is not JSON); set by ApiRoutes.
  std::string request_schema = "";
  std::string response_schema = "";
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool path_known = false;  // some route has this path (for 405)
  std::string allow;        // the methods it has, for Allow ("GET, HEAD, PATCH")
};

class Api {
 public:
  Api(Service& service, Distribution& distribution, Workflows& workflows, int read_threads,
      int write_threads);
  ~Api();

  void Handle(http::Request request, http::Respond respond);
  const std::vector<Route>& routes() const { return routes_; }
  RouteMatch Match(boost::beast::http::verb method, const std::string& path) const;
  value OpenApi() const;
  std::string Metrics() const;
  // Answers every parked long-poll (graceful shutdown).
  void WakeParked();
  // Waits for queued work to finish (graceful shutdown).
  void Drain();
  // Serves the web console at / (none: / answers 404), and whether the
  // server speaks TLS (then the session cookie is Secure).
  void ServeConsole(std::optional<http::WebFiles> console, bool tls) {
    console_ = std::move(console);
    tls_ = tls;
  }
  // Where /metrics reads the server's connection figures.
  void SetServerStats(std::function<http::Server::Stats()> stats) {
    server_stats_ = std::move(stats);
  }

 private:
  // Authenticates (unless `caller` is already set), authorizes and runs the
  // route; leaves the authenticated principal in `caller`. Returns nullopt
  // when a parking route keeps `later` to answer with.
  // What answering the request being served needs (borrowed).
  struct Answer {
    std::chrono::steady_clock::time_point start;
    const std::string& route;
    const std::string& method;
    const http::Respond& respond;
  };
  std::optional<http::Response> Process(const http::Request& request, RouteMatch match,
                                        std::optional<Principal>& caller, const Answer& answer);
  // Records, logs and sends the response: now, or later for a parked request.
  void Finish(const Answer& answer, const std::optional<Principal>& who, http::Response response);
  // GET /v1/endpoints/{id}/commands?wait=S: answers now, or parks.
  std::optional<http::Response> PollCommands(Call& c, http::Respond later);
  // Parks a poll until `answer` has something or `deadline` passes (then
  // 204); `seen` is the endpoint's wake version read before `answer` last
  // looked.
  void Park(const std::string& id, uint64_t seen, std::chrono::steady_clock::time_point deadline,
            std::function<std::optional<http::Response>()> answer, http::Respond later);
  // Processes, logs and answers; on whichever thread calls it.
  void Serve(RouteMatch match, const http::Request& request, const http::Respond& respond,
             std::optional<Principal> caller);
  // The caller, when the request can be answered from memory right now (a
  // cached token allowed on a cached-policy route); nullopt otherwise.
  std::optional<Principal> CachedCaller(const RouteMatch& match, const http::Request& request);
  void Observe(const std::string& route, unsigned status, double seconds);
  // /v1/console/session: sign in, who am I, sign out (console_session.cc).
  http::Response ConsoleSession(Call& c);
  // Authenticates by the console's session cookie: the principal, or the
  // refusal to answer with (expired, or a state change without its CSRF
  // token); nothing when the request has no usable cookie.
  std::variant<std::monostate, Principal, http::Response> CookieCaller(const http::Request& request,
                                                                       const Route& route);

  Service& service_;
  Distribution& distribution_;
  Workflows& workflows_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> route_segments_;  // parallel to routes_
  boost::asio::thread_pool readers_;                      // reads: as many as cores
  boost::asio::thread_pool writers_;    // writes: many, mostly waiting for commits
  boost::asio::thread_pool logins_{2};  // logins: Argon2 is bounded to two at once anyway

  mutable std::mutex metrics_mutex_;
  std::map<std::pair<std::string, unsigned>, uint64_t> requests_;
  std::vector<uint64_t> latency_buckets_;
  double latency_sum_ = 0;
  std::atomic<uint64_t> database_errors_{0};
  uint64_t latency_count_ = 0;
  std::function<http::Server::Stats()> server_stats_;
  std::optional<http::WebFiles> console_;
  bool tls_ = false;
};

// The route table (handlers are stateless; Api adds the streaming ones).
std::vector<Route> ApiRoutes();
// The JSON schemas of the request and response bodies, by name.
value ApiSchemas();
// The OpenAPI 3 document of a route table (served at /v1/openapi.json and
// kept in admincenter/openapi.json).
value OpenApiDocument(const std::vector<Route>& routes);

}  // namespace custodian::admincenter
