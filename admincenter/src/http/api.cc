#include "admincenter/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <sstream>

#include "admincenter/audit_export.h"
#include "admincenter/audit_repository.h"
#include "admincenter/distribution_codec.h"
#include "admincenter/workflow_codec.h"
#include "common/entity_tag.h"
#include "common/text.h"
#include "http/api_parts.h"
#include "http/console_session.h"

namespace custodian::admincenter {
namespace {

namespace bhttp = boost::beast::http;
using bhttp::verb;
using namespace internal;  // the helpers the route table shares

// Upper bounds (seconds) of the latency histogram buckets.
const std::vector<double> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,   0.25,   0.5,   1,    2.5};

bool MatchSegments(const std::vector<std::string>& want, const std::vector<std::string>& got,
                   std::map<std::string, std::string>& params) {
  if (want.size() != got.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      if (got[i].empty()) return false;
      params[want[i].substr(1, want[i].size() - 2)] = got[i];
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

Api::Api(Service& service, Distribution& distribution, Workflows& workflows, int read_threads,
         int write_threads)
    : service_(service),
      distribution_(distribution),
      workflows_(workflows),
      routes_(ApiRoutes()),
      readers_(static_cast<std::size_t>(std::max(1, read_threads))),
      writers_(static_cast<std::size_t>(std::max(1, write_threads))),
      latency_buckets_(kLatencyBuckets.size(), 0) {
  for (Route& route : routes_) {
    route_segments_.push_back(http::PathSegments(route.pattern));  // split once, not per request
    if (route.pattern == "/v1/audit/events") {
      route.raw_handler = [this](Call& c) { return ExportAudit(c.service, c.request, readers_); };
    }
    if (route.pattern == "/v1/console/session") {
      route.raw_handler = [this](Call& c) { return ConsoleSession(c); };
    }
    if (route.pattern == "/v1/endpoints/{id}/commands" && route.method == verb::get) {
      route.parking_handler = [this](Call& c, http::Respond later) {
        return PollCommands(c, std::move(later));
      };
    }
  }
}

Api::~Api() {
  WakeParked();
  Drain();
}

void Api::WakeParked() { distribution_.waiters().Stop(); }

std::optional<http::Response> Api::PollCommands(Call& c, http::Respond later) {
  int wait = 0;
  if (auto it = c.request.query.find("wait"); it != c.request.query.end()) {
    const auto w = text::ParseDecimal(it->second, kMaxWaitSeconds);
    if (!w) {
      return ToResponse(InvalidQuery("/wait", "query parameter wait must be seconds from 0 to " +
                                                  std::to_string(kMaxWaitSeconds)));
    }
    wait = static_cast<int>(*w);
  }
  // The bundle the endpoint applied (0: none), when it says (push).
  std::optional<int64_t> held;
  if (auto it = c.request.query.find("bundle"); it != c.request.query.end()) {
    held = text::ParseDecimal(it->second);
    if (!held) {
      return ToResponse(InvalidQuery(
          "/bundle", "query parameter bundle must be the version of the bundle held (0: none)"));
    }
  }
  const Principal who = c.who();
  const std::string id = c.params.at("id");
  // An endpoint that holds an older bundle is told at once, before its
  // commands: it fetches the bundle and polls again with the new version.
  auto answer = [this, who, id, held]() {
    if (held) {
      const auto newer = distribution_.NewerBundle(who, id, *held);
      if (!newer.ok()) return std::optional(ToResponse(newer.problem()));
      if (newer.value().has_value()) {
        value hint = value::object(true);
        hint["version"] = value::number(newer.value()->version);
        hint["fetch_within_ms"] =
            value::number(static_cast<int64_t>(newer.value()->fetch_within.count()));
        value out = value::object(true);
        out["items"] = value::array();
        out["bundle"] = hint;
        return std::optional(Json(200, out));
      }
    }
    const Result<std::vector<CommandRecord>> r = distribution_.PendingCommands(who, id);
    if (!r.ok()) return std::optional(ToResponse(r.problem()));
    if (r.value().empty()) return std::optional<http::Response>();
    return std::optional(Json(200, Items(r.value())));
  };
  // Read the version before looking, so a command queued (or a bundle
  // published) in between wakes the park at once.
  const uint64_t seen = distribution_.waiters().Version(id);
  if (auto now = answer(); now || wait == 0) return now ? *now : Json(204, value::null());
  Park(id, seen, std::chrono::steady_clock::now() + std::chrono::seconds(wait), answer,
       std::move(later));
  return std::nullopt;
}

void Api::Park(const std::string& id, uint64_t seen, std::chrono::steady_clock::time_point deadline,
               std::function<std::optional<http::Response>()> answer, http::Respond later) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  distribution_.waiters().Park(
      id, seen, std::max(left, std::chrono::milliseconds(0)),
      [this, id, deadline, answer = std::move(answer), later = std::move(later)](bool notified) {
        boost::asio::post(readers_, [this, id, deadline, answer, later, notified] {
          // Woken with nothing for this endpoint (every poll is woken by
          // a publish, or a feed's catch-up): park again for the time left.
          // The deadline or a shutdown (not notified) answers 204.
          const uint64_t again = distribution_.waiters().Version(id);
          std::optional<http::Response> now = answer();
          if (now || !notified || std::chrono::steady_clock::now() >= deadline) {
            later(now.value_or(Json(204, value::null())));
            return;
          }
          Park(id, again, deadline, answer, later);
        });
      });
}

void Api::Drain() {
  readers_.join();
  writers_.join();
  logins_.join();
}

RouteMatch Api::Match(verb method, const std::string& path) const {
  RouteMatch m;
  const std::vector<std::string> got = http::PathSegments(path);
  // HEAD wherever GET (RFC 9110 §9.3.2); the server leaves out the body.
  const verb wanted = method == verb::head ? verb::get : method;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    std::map<std::string, std::string> params;
    if (!MatchSegments(route_segments_[i], got, params)) continue;
    m.path_known = true;
    if (routes_[i].method == wanted) {
      m.route = &routes_[i];
      m.params = std::move(params);
      return m;
    }
  }
  // 405: what the path has (RFC 9110 §15.5.6 wants them in Allow).
  for (std::size_t i = 0; m.path_known && i < routes_.size(); ++i) {
    std::map<std::string, std::string> params;
    if (!MatchSegments(route_segments_[i], got, params)) continue;
    const std::string name(bhttp::to_string(routes_[i].method));
    m.allow += (m.allow.empty() ? "" : ", ") + name + (name == "GET" ? ", HEAD" : "");
  }
  return m;
}

void Api::Handle(http::Request request, http::Respond respond) {
  // Matching is cheap and pure, so it runs here on the I/O thread, and so
  // does a request that memory alone can answer. Everything else goes to a
  // pool: writes wait for the group commit on threads of their own, so that
  // waiting writers never hold up reads.
  RouteMatch match = Match(request.method, request.path);
  if (auto caller = CachedCaller(match, request)) {
    Service::PinnedSnapshot pin(service_.CachedSnapshot());
    Serve(std::move(match), request, respond, std::move(caller));
    return;
  }
  const bool writes = match.route && match.route->writes;
  // Logins wait for Argon2 (bounded, see auth.cc) on threads of their own,
  // so that a flood of them holds up neither reads nor writes.
  const bool login =
      match.route && match.route->method == verb::post &&
      (match.route->pattern == "/v1/tokens" || match.route->pattern == "/v1/console/session");
  boost::asio::post(login    ? logins_
                    : writes ? writers_
                             : readers_,
                    [this, match = std::move(match), request = std::move(request),
                     respond = std::move(respond)]() mutable {
                      Serve(std::move(match), request, respond, std::nullopt);
                    });
}

std::optional<Principal> Api::CachedCaller(const RouteMatch& match, const http::Request& request) {
  // Replicas must catch up first (a query), which is not for this thread.
  if (!match.route || !match.route->from_cache || service_.storage().shared() ||
      !service_.CachedSnapshot()) {
    return std::nullopt;
  }
  const std::string& auth = request.Header("authorization");
  if (!auth.starts_with("Bearer ")) return std::nullopt;
  // An unknown or refused caller takes the slow path: refusals are audited.
  auto principal = service_.CachedPrincipal(auth.substr(7));
  if (!principal || !(match.route->roles & RoleBitOf(principal))) return std::nullopt;
  return principal;
}

void Api::Finish(const Answer& a, const std::optional<Principal>& who, http::Response r) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - a.start).count();
  Observe(a.route, r.status, seconds);
  const std::string principal = who ? ",\"principal\":\"" + who->id + "\"" : "";
  // Formatted directly: every value comes from a safe alphabet (an HTTP
  // method token, a route pattern, a generated id), so nothing needs escaping.
  spdlog::info(
      R"({{"event":"request","method":"{}","route":"{}","status":{},"latency_ms":{:.3f}{}}})",
      a.method, a.route, r.status, seconds * 1000, principal);
  a.respond(std::move(r));
}

void Api::Serve(RouteMatch match, const http::Request& request, const http::Respond& respond,
                std::optional<Principal> caller) {
  static const std::string kUnmatched = "unmatched";
  const Answer answer{std::chrono::steady_clock::now(),
                      match.route ? match.route->pattern : kUnmatched, request.method_name,
                      respond};
  std::optional<http::Response> response;
  try {
    response = Process(request, std::move(match), caller, answer);
  } catch (const std::exception& e) {
    ++database_errors_;  // StorageError (busy beyond the timeout, I/O) is all that throws here
    spdlog::error(R"({{"event":"handler_error","error":{}}})", value::string(e.what()).serialize());
    response = ToResponse(Problem{ErrorKind::kUnavailable,
                                  "the request could not be completed; "
                                  "nothing was changed",
                                  {},
                                  {}});
  }
  if (response) Finish(answer, caller, std::move(*response));
}

std::optional<http::Response> Api::Process(const http::Request& request, RouteMatch m,
                                           std::optional<Principal>& caller, const Answer& answer) {
  if (!m.route) {
    const bool read = request.method == verb::get || request.method == verb::head;
    if (!m.path_known && read && http::WebFiles::Serves(request.path)) {
      if (console_) return console_->Get(request.path, request.Header("if-none-match"));
      if (request.path == "/") return ToResponse(NotFound("the web console is not installed"));
    }
    if (!m.path_known) return ToResponse(NotFound("no such route"));
    http::Response refused = ToResponse(Problem{
        ErrorKind::kMethodNotAllowed, request.method_name + " is not one of " + m.allow, {}, {}});
    refused.headers.push_back({"Allow", m.allow});
    return refused;
  }
  const Route& route = *m.route;
  // What another replica acknowledged before this request arrived governs
  // it: its caller, its policy, its keys.
  if (!caller) service_.storage().CatchUp();
  std::optional<Principal>& principal = caller;  // already known on the cached path
  const std::string& auth = request.Header("authorization");
  if (!principal && auth.empty()) {
    auto by_cookie = CookieCaller(request, route);
    if (auto* refusal = std::get_if<http::Response>(&by_cookie)) return std::move(*refusal);
    if (auto* who = std::get_if<Principal>(&by_cookie)) principal = std::move(*who);
  }
  if (!principal && !auth.empty()) {
    if (auth.starts_with("Bearer ")) principal = service_.Authenticate(auth.substr(7));
    if (!principal) {
      service_.AuditRefusal(std::nullopt, request.method_name, request.path, "failure",
                            request.remote_address);
      return ToResponse(
          Problem{ErrorKind::kUnauthenticated, "the token is unknown, expired or revoked", {}, {}});
    }
  }
  if (!(route.roles & RoleBitOf(principal))) {
    service_.AuditRefusal(principal, request.method_name, request.path, "denied",
                          request.remote_address);
    if (!principal) return ToResponse(Problem{ErrorKind::kUnauthenticated, "", {}, {}});
    return ToResponse(
        Problem{ErrorKind::kForbidden,
                std::string(principal->role == Role::kAuditor || principal->role == Role::kAdmin ||
                                    principal->role == Role::kEndpoint
                                ? "an "
                                : "a ") +
                    RoleName(principal->role) + " may not call this route",
                {},
                {}});
  }
  Call call{request,  std::move(m.params), principal, value::null(),
            service_, distribution_,       workflows_};
  if (route.takes_body) {
    // A PATCH is a JSON merge patch (RFC 7396), under either name.
    const std::string& type = request.Header("content-type");
    const bool patch = route.method == verb::patch;
    if (!type.starts_with("application/json") &&
        !(patch && type.starts_with("application/merge-patch+json"))) {
      return ToResponse(Problem{ErrorKind::kUnsupportedMediaType,
                                patch ? "send the body as application/merge-patch+json (or "
                                        "application/json)"
                                      : "send the body as application/json",
                                {},
                                {}});
    }
    if (!text::IsValidUtf8(request.body)) {
      return ToResponse(Invalid("", "the body is not valid UTF-8"));
    }
    if (!route.text_handler) {
      std::string error;
      std::optional<value> parsed = text::ParseJson(request.body, &error);
      if (!parsed) return ToResponse(Invalid("", "the body is not valid JSON: " + error));
      call.body = std::move(*parsed);
      // Escapes can still spell what UTF-8 cannot ("\ud800"), and numbers
      // can overflow (1e400): nothing of that kind gets further.
      std::vector<policy::FieldError> errors;
      for (auto& p : text::JsonTextProblems(call.body)) {
        errors.push_back({std::move(p.pointer), std::move(p.message)});
      }
      if (!errors.empty()) return ToResponse(Invalid(std::move(errors)));
    }
  }
  http::Response response;
  if (route.pattern == "/healthz") {
    const int version = service_.storage().ReadSchemaVersion();
    value h = value::object(true);
    const std::optional<std::string> broken = service_.seal().broken();
    // Degraded, not down: the service still answers and records; what it
    // no longer does is sign, and monitoring should page someone.
    h["status"] = value::string(broken ? "degraded" : "ok");
    h["schema_version"] = value::number(version);
    h["audit_chain"] = value::string(broken ? "broken: " + *broken : "intact");
    response = Json(200, h);
  } else if (route.pattern == "/metrics") {
    response.body = Metrics();
    response.content_type = "text/plain; version=0.0.4";
  } else if (route.pattern == "/v1/openapi.json") {
    response = Json(200, OpenApi());
  } else if (route.parking_handler) {
    // Only a parked request pays for copying what answering needs.
    return route.parking_handler(
        call, [this, start = answer.start, route_name = answer.route, method = answer.method,
               respond = answer.respond, who = principal](http::Response r) {
          Finish({start, route_name, method, respond}, who, std::move(r));
        });
  } else if (route.raw_handler) {
    response = route.raw_handler(call);
  } else if (route.text_handler) {
    Result<std::string> result = route.text_handler(call);
    if (result.ok()) {
      response.status = route.success_status;
      response.body = std::move(result.value());
    } else {
      response = ToResponse(result.problem());
    }
  } else {
    Result<value> result = route.handler(call);
    response = result.ok()
                   ? Json(result.value().is_null() ? 204 : route.success_status, result.value())
                   : ToResponse(result.problem());
    if (route.tagged && result.ok() && !result.value().is_null()) {
      response.headers.push_back({"ETag", http::EntityTag(result.value())});
    }
  }
  return response;
}

std::variant<std::monostate, Principal, http::Response> Api::CookieCaller(
    const http::Request& request, const Route& route) {
  const std::optional<SessionCookie> cookie = ReadSessionCookie(request);
  // Signing in again ignores the session it replaces.
  if (!cookie || (route.pattern == "/v1/console/session" && route.method == verb::post)) {
    return std::monostate{};
  }
  std::optional<Principal> who = service_.Authenticate(cookie->secret);
  if (!who) {
    // An anonymous route is answered as if no cookie had come.
    if (route.roles & kAnonymous) return std::monostate{};
    service_.AuditRefusal(std::nullopt, request.method_name, request.path, "failure",
                          request.remote_address);
    http::Response r = ToResponse(Problem{ErrorKind::kUnauthenticated,
                                          "the console session has expired or ended; sign in again",
                                          {},
                                          {}});
    r.headers.push_back({"Set-Cookie", ClearedSessionCookieHeader(tls_)});
    return r;
  }
  const bool safe = request.method == verb::get || request.method == verb::head;
  if (!safe && request.Header(kCsrfHeader) != CsrfToken(cookie->secret)) {
    service_.AuditRefusal(who, request.method_name, request.path, "denied", request.remote_address);
    return ToResponse(Problem{ErrorKind::kForbidden,
                              "the CSRF token is missing or wrong: send the one "
                              "GET /v1/console/session gives in X-CSRF-Token",
                              {},
                              {}});
  }
  return *who;
}

void Api::Observe(const std::string& route, unsigned status, double seconds) {
  std::lock_guard lock(metrics_mutex_);
  ++requests_[{route, status}];
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++latency_buckets_[i];
  }
  latency_sum_ += seconds;
  ++latency_count_;
}

std::string Api::Metrics() const {
  std::ostringstream out;
  std::lock_guard lock(metrics_mutex_);
  out << "# HELP custodian_http_requests_total Requests by route and status.\n"
      << "# TYPE custodian_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "custodian_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << "\n";
  }
  out << "# HELP custodian_http_request_seconds Request latency.\n"
      << "# TYPE custodian_http_request_seconds histogram\n";
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    out << "custodian_http_request_seconds_bucket{le=\"" << kLatencyBuckets[i] << "\"} "
        << latency_buckets_[i] << "\n";
  }
  out << "custodian_http_request_seconds_bucket{le=\"+Inf\"} " << latency_count_ << "\n"
      << "custodian_http_request_seconds_sum " << latency_sum_ << "\n"
      << "custodian_http_request_seconds_count " << latency_count_ << "\n";
  const auto& c = service_.counters();
  out << "# HELP custodian_decisions_total What-if decisions by effect.\n"
      << "# TYPE custodian_decisions_total counter\n"
      << "custodian_decisions_total{effect=\"allow\"} " << c.decisions_allow << "\n"
      << "custodian_decisions_total{effect=\"deny\"} " << c.decisions_deny << "\n";
  out << "# HELP custodian_parked_long_polls Command long-polls waiting now.\n"
      << "# TYPE custodian_parked_long_polls gauge\n"
      << "custodian_parked_long_polls " << distribution_.waiters().parked() << "\n";
  out << "# HELP custodian_database_errors_total Requests failed by a database error.\n"
      << "# TYPE custodian_database_errors_total counter\n"
      << "custodian_database_errors_total " << database_errors_ << "\n";
  const int64_t events =
      service_.storage().Read([](Repositories& tx) { return tx.audit().Head().seq; });
  out << "# HELP custodian_audit_chain_intact 1 while the stored audit chain verifies.\n"
      << "# TYPE custodian_audit_chain_intact gauge\n"
      << "custodian_audit_chain_intact " << (service_.seal().broken() ? 0 : 1) << "\n";
  if (server_stats_) {
    const http::Server::Stats st = server_stats_();
    out << "# HELP custodian_http_open_connections Connections open now.\n"
        << "# TYPE custodian_http_open_connections gauge\n"
        << "custodian_http_open_connections " << st.open_connections << "\n"
        << "# HELP custodian_http_rejected_connections_total Connections closed at accept: over "
           "max_connections.\n"
        << "# TYPE custodian_http_rejected_connections_total counter\n"
        << "custodian_http_rejected_connections_total " << st.rejected_connections << "\n"
        << "# HELP custodian_http_accept_errors_total Failed accepts (e.g. out of descriptors).\n"
        << "# TYPE custodian_http_accept_errors_total counter\n"
        << "custodian_http_accept_errors_total " << st.accept_errors << "\n";
  }
  out << "# HELP custodian_audit_events Events in the audit log.\n"
      << "# TYPE custodian_audit_events gauge\n"
      << "custodian_audit_events " << events << "\n";
  return out.str();
}

value Api::OpenApi() const { return OpenApiDocument(routes_); }

}  // namespace custodian::admincenter
