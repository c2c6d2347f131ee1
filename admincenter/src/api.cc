#include "admincenter/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <sstream>

#include "admincenter/audit_export.h"
#include "admincenter/audit_repository.h"
#include "common/text.h"

namespace custodian::admincenter {
namespace {

namespace bhttp = boost::beast::http;
using bhttp::verb;

constexpr uint8_t kAnyAdmin = kAdminRole | kMasterAdminRole;
constexpr int kMaxWaitSeconds = 60;
constexpr uint8_t kAnyPrincipal = kTechnicianRole | kAuditorRole | kAdminRole | kMasterAdminRole;
constexpr uint8_t kEveryone = kAnonymous | kAnyPrincipal | kEndpointRole;
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

http::Response Json(unsigned status, const value& body) {
  http::Response r;
  r.status = status;
  if (status == 204) {
    r.content_type.clear();
  } else {
    r.body = body.serialize();
  }
  return r;
}

value Ref(const std::string& schema) {
  value v = value::object(true);
  v["$ref"] = value::string("#/components/schemas/" + schema);
  return v;
}

value Text() {
  value v = value::object(true);
  v["type"] = value::string("string");
  return v;
}

value Object() {
  value v = value::object(true);
  v["type"] = value::string("object");
  return v;
}

value Content(const std::string& media_type, value schema) {
  value media = value::object(true);
  media["schema"] = std::move(schema);
  value content = value::object(true);
  content[media_type] = media;
  return content;
}

// GET /v1/policy/bundle: the envelope with its version as ETag; 304 when
// the caller holds it already. An endpoint's poll is also its heartbeat.
http::Response BundleResponse(Call& c) {
  Result<BundleEnvelope> b = c.distribution.CurrentBundle();
  if (!b.ok()) return ToResponse(b.problem());
  const std::string etag = "\"" + std::to_string(b.value().version) + "\"";
  const std::string& held = c.request.Header("if-none-match");
  if (c.who().role == Role::kEndpoint) {
    std::optional<int64_t> version;
    if (held.size() > 2 && held.size() < 22 && held.front() == '"' && held.back() == '"' &&
        std::all_of(held.begin() + 1, held.end() - 1,
                    [](char ch) { return ch >= '0' && ch <= '9'; })) {
      version = std::stoll(held.substr(1, held.size() - 2));
    }
    c.distribution.Seen(c.who(), version);
  }
  http::Response r;
  r.headers.push_back({"ETag", etag});
  r.headers.push_back({"Cache-Control", "no-cache"});
  if (held == etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.body = b.value().envelope;
  return r;
}

}  // namespace

std::vector<Route> ApiRoutes() {
  auto principal_routes = [](std::vector<Route>& routes, const std::string& path, Role kind,
                             uint8_t roles) {
    routes.push_back({verb::post, path, roles, "Create a " + std::string(RoleName(kind)), true, 201,
                      [kind](Call& c) { return c.service.CreatePrincipal(c.who(), kind, c.body); },
                      nullptr});
    routes.push_back({verb::get, path, roles, "List " + std::string(RoleName(kind)) + "s", false,
                      200, [kind](Call& c) { return c.service.ListPrincipals(c.who(), kind); },
                      nullptr});
    routes.push_back({verb::patch, path + "/{id}", roles,
                      "Disable, enable or set the password of a " + std::string(RoleName(kind)),
                      true, 200,
                      [kind](Call& c) {
                        return c.service.UpdatePrincipal(c.who(), kind, c.params.at("id"), c.body);
                      },
                      nullptr});
  };
  std::vector<Route> r;
  r.push_back({verb::get, "/healthz", kEveryone, "Liveness and database check", false, 200, nullptr,
               nullptr});
  r.push_back(
      {verb::get, "/metrics", kEveryone, "Prometheus metrics", false, 200, nullptr, nullptr});
  r.push_back({verb::get, "/v1/openapi.json", kEveryone, "This API as OpenAPI 3", false, 200,
               nullptr, nullptr});
  r.push_back({verb::post, "/v1/tokens", kEveryone, "Log in: name and password to a token", true,
               201, [](Call& c) { return c.service.Login(c.body, c.request.remote_address); },
               nullptr});
  r.push_back({verb::delete_, "/v1/tokens/{id}", kAnyPrincipal, "Revoke a token", false, 204,
               [](Call& c) { return c.service.RevokeToken(c.who(), c.params.at("id")); }, nullptr});
  r.push_back({verb::post, "/v1/me/password", kAnyPrincipal,
               "Set one's own password (the current one too, once one is set)", true, 204,
               [](Call& c) { return c.service.SetOwnPassword(c.who(), c.body); }, nullptr});
  principal_routes(r, "/v1/admins", Role::kAdmin, kMasterAdminRole);
  principal_routes(r, "/v1/technicians", Role::kTechnician, kAnyAdmin);
  principal_routes(r, "/v1/auditors", Role::kAuditor, kMasterAdminRole);
  r.push_back({verb::get, "/v1/groups", kAnyAdmin | kAuditorRole, "List groups", false, 200,
               [](Call& c) { return c.service.ListGroups(c.who()); }, nullptr});
  r.push_back({verb::post, "/v1/groups", kAnyAdmin, "Create a group", true, 201,
               [](Call& c) { return c.service.CreateGroup(c.who(), c.body); }, nullptr});
  r.push_back({verb::get, "/v1/groups/{id}", kAnyAdmin | kAuditorRole, "Read a group", false, 200,
               [](Call& c) { return c.service.GetGroup(c.who(), c.params.at("id")); }, nullptr});
  r.push_back({verb::patch, "/v1/groups/{id}", kAnyAdmin,
               "Change, move, inherit or lock settings of a group (JSON merge patch)", true, 200,
               [](Call& c) { return c.service.PatchGroup(c.who(), c.params.at("id"), c.body); },
               nullptr});
  r.push_back({verb::delete_, "/v1/groups/{id}", kAnyAdmin, "Delete an empty group", false, 204,
               [](Call& c) { return c.service.RemoveGroup(c.who(), c.params.at("id")); }, nullptr});
  r.push_back({verb::get, "/v1/groups/{id}/effective", kAnyAdmin | kAuditorRole,
               "Effective settings of a group, with provenance", false, 200,
               [](Call& c) { return c.service.Effective(c.who(), c.params.at("id")); }, nullptr});
  r.push_back({verb::get, "/v1/settings", kAnyAdmin | kAuditorRole, "Global settings", false, 200,
               [](Call& c) { return c.service.GetSettings(); }, nullptr});
  r.push_back({verb::put, "/v1/settings", kMasterAdminRole, "Replace the global settings", true,
               200, [](Call& c) { return c.service.PutSettings(c.who(), c.body); }, nullptr});
  // The whole document: not for admins scoped to part of the tree.
  r.push_back({verb::get, "/v1/policy/document", kMasterAdminRole | kAuditorRole,
               "The current policy document", false, 200,
               [](Call& c) { return c.service.PolicyDocument(); }, nullptr});
  Route decisions{verb::post, "/v1/decisions",
                  kAnyAdmin,  "What-if decision on the current policy (optional ?now=RFC3339)",
                  true,       200,
                  nullptr,    nullptr};
  decisions.text_handler = [](Call& c) -> Result<std::string> {
    std::optional<policy::Instant> now;
    auto it = c.request.query.find("now");
    if (it != c.request.query.end()) {
      now = policy::ParseRfc3339(it->second);
      if (!now) return Invalid("/now", "query parameter now must be RFC 3339");
    }
    return c.service.Decide(c.request.body, now);
  };
  r.push_back(std::move(decisions));
  // Distribution (DESIGN.md §4, §6). Endpoints belong to no group: any
  // admin may enroll and command them.
  r.push_back({verb::post, "/v1/enrollment-codes", kAnyAdmin,
               "Create a one-time enrollment code for an endpoint (shown once)", true, 201,
               [](Call& c) { return c.distribution.CreateEnrollmentCode(c.who(), c.body); },
               nullptr});
  r.push_back({verb::post, "/v1/enroll", kEveryone,
               "Enroll an endpoint with a code: its id, token and the policy keys", true, 201,
               [](Call& c) { return c.distribution.Enroll(c.body); }, nullptr});
  r.push_back({verb::get, "/v1/endpoints", kAnyAdmin | kAuditorRole,
               "Enrolled endpoints with last contact and bundle version", false, 200,
               [](Call& c) { return c.distribution.ListEndpoints(c.who()); }, nullptr});
  // The whole tree: for endpoints, and master admins who see it anyway.
  r.push_back({verb::get, "/v1/policy/bundle", kEndpointRole | kMasterAdminRole,
               "The signed policy bundle (ETag; If-None-Match answers 304)", false, 200, nullptr,
               [](Call& c) { return BundleResponse(c); }});
  r.push_back({verb::get, "/v1/policy/keys", kAnyPrincipal | kEndpointRole,
               "The policy signing keys and their states", false, 200,
               [](Call& c) -> Result<value> { return c.distribution.keys().List(); }, nullptr});
  r.push_back({verb::post, "/v1/policy/keys", kMasterAdminRole,
               "Rotate: a new key signs; the old one stays listed until retired", false, 201,
               [](Call& c) { return c.distribution.keys().Rotate(c.who(), c.service.Now()); },
               nullptr});
  r.push_back({verb::delete_, "/v1/policy/keys/{id}", kMasterAdminRole, "Retire a listed key",
               false, 204,
               [](Call& c) {
                 return c.distribution.keys().Retire(c.who(), c.params.at("id"), c.service.Now());
               },
               nullptr});
  r.push_back(
      {verb::post, "/v1/endpoints/{id}/commands", kAnyAdmin,
       "Queue a command for an endpoint (type: sync)", true, 201,
       [](Call& c) { return c.distribution.QueueCommand(c.who(), c.params.at("id"), c.body); },
       nullptr});
  r.push_back({verb::get, "/v1/endpoints/{id}/commands", kEndpointRole,
               "Long-poll (?wait=S, at most 60) for the endpoint's unacknowledged commands; 204 "
               "when none came",
               false, 200, nullptr, nullptr});
  r.push_back(
      {verb::post, "/v1/endpoints/{id}/commands/ack", kEndpointRole,
       "Acknowledge commands: they are not delivered again", true, 200,
       [](Call& c) { return c.distribution.AckCommands(c.who(), c.params.at("id"), c.body); },
       nullptr});
  r.push_back({verb::post, "/v1/endpoints/{id}/time", kEndpointRole,
               "The admin center's time, signed over the endpoint's nonce (clock recovery)", true,
               200,
               [](Call& c) { return c.distribution.TimeProof(c.who(), c.params.at("id"), c.body); },
               nullptr});
  r.push_back(
      {verb::post, "/v1/endpoints/{id}/events", kEndpointRole,
       "Upload a batch of the endpoint's hash-chained events (idempotent by event id)", true, 200,
       [](Call& c) { return c.distribution.ReceiveEvents(c.who(), c.params.at("id"), c.body); },
       nullptr});
  // Workflows (R1–R15). Technicians act on their own sessions and grants;
  // who sees what is decided by Workflows.
  constexpr uint8_t kOverseers = kAnyAdmin | kAuditorRole;
  r.push_back({verb::post, "/v1/sessions", kTechnicianRole,
               "Open a support session on an endpoint (type, mode, screen viewing)", true, 201,
               [](Call& c) { return c.workflows.OpenSession(c.who(), c.body); }, nullptr});
  r.push_back({verb::get, "/v1/sessions", kTechnicianRole | kOverseers, "List support sessions",
               false, 200, [](Call& c) { return c.workflows.ListSessions(c.who()); }, nullptr});
  r.push_back(
      {verb::patch, "/v1/sessions/{id}", kTechnicianRole, "Switch screen viewing on or off", true,
       200, [](Call& c) { return c.workflows.UpdateSession(c.who(), c.params.at("id"), c.body); },
       nullptr});
  r.push_back({verb::post, "/v1/sessions/{id}/end", kTechnicianRole, "End a support session", false,
               200, [](Call& c) { return c.workflows.EndSession(c.who(), c.params.at("id")); },
               nullptr});
  r.push_back(
      {verb::post, "/v1/sessions/{id}/unattended-requests", kTechnicianRole,
       "Request unattended access from a session: 201 pending, or 403 with every reason", true, 201,
       [](Call& c) { return c.workflows.RequestUnattended(c.who(), c.params.at("id"), c.body); },
       nullptr});
  r.push_back({verb::get, "/v1/unattended-requests", kTechnicianRole | kOverseers,
               "List unattended-access requests", false, 200,
               [](Call& c) { return c.workflows.ListRequests(c.who()); }, nullptr});
  r.push_back({verb::get, "/v1/grants", kTechnicianRole | kOverseers,
               "List unattended-access grants", false, 200,
               [](Call& c) { return c.workflows.ListGrants(c.who()); }, nullptr});
  r.push_back({verb::post, "/v1/grants/{id}/revoke", kTechnicianRole | kAnyAdmin,
               "Revoke a grant (its technician or an admin)", false, 200,
               [](Call& c) { return c.workflows.RevokeGrant(c.who(), c.params.at("id")); },
               nullptr});
  r.push_back({verb::post, "/v1/grants/{id}/connect", kTechnicianRole,
               "Connect unattended with a grant: 201 requested, or 403 with every reason", false,
               201, [](Call& c) { return c.workflows.Connect(c.who(), c.params.at("id")); },
               nullptr});
  r.push_back({verb::get, "/v1/connections", kTechnicianRole | kOverseers,
               "List unattended connections", false, 200,
               [](Call& c) { return c.workflows.ListConnections(c.who()); }, nullptr});
  r.push_back({verb::post, "/v1/sessions/{id}/credential-requests", kTechnicianRole,
               "Ask the customer for their Windows credentials for this session (R9, R13)", false,
               201,
               [](Call& c) { return c.workflows.RequestCredentials(c.who(), c.params.at("id")); },
               nullptr});
  r.push_back({verb::get, "/v1/credential-requests", kTechnicianRole | kOverseers,
               "List credential requests and what became of them (never the secret)", false, 200,
               [](Call& c) { return c.workflows.ListCredentialRequests(c.who()); }, nullptr});
  r.push_back(
      {verb::post, "/v1/sessions/{id}/credentials/apply", kTechnicianRole,
       "Restart or unlock with the stored credentials (R10)", true, 201,
       [](Call& c) { return c.workflows.ApplyCredentials(c.who(), c.params.at("id"), c.body); },
       nullptr});
  r.push_back({verb::get, "/v1/audit/events", kAuditorRole | kMasterAdminRole,
               "Export audit events (since, until, actor, action, target; format=jsonl|csv|cef)",
               false, 200, nullptr, nullptr});
  r.push_back({verb::get, "/v1/audit/checkpoint", kAuditorRole | kMasterAdminRole,
               "The signed head of the audit chain", false, 200,
               [](Call& c) { return c.service.Checkpoint(); }, nullptr});
  // Bodies by route: {request, success response}.
  const std::map<std::string, std::pair<std::string, std::string>> schemas = {
      {"GET /healthz", {"", "Health"}},
      {"POST /v1/tokens", {"Login", "Token"}},
      {"POST /v1/me/password", {"PasswordChange", ""}},
      {"POST /v1/admins", {"PrincipalInput", "Principal"}},
      {"GET /v1/admins", {"", "PrincipalList"}},
      {"PATCH /v1/admins/{id}", {"PrincipalPatch", "Principal"}},
      {"POST /v1/technicians", {"PrincipalInput", "Principal"}},
      {"GET /v1/technicians", {"", "PrincipalList"}},
      {"PATCH /v1/technicians/{id}", {"PrincipalPatch", "Principal"}},
      {"POST /v1/auditors", {"PrincipalInput", "Principal"}},
      {"GET /v1/auditors", {"", "PrincipalList"}},
      {"PATCH /v1/auditors/{id}", {"PrincipalPatch", "Principal"}},
      {"GET /v1/groups", {"", "GroupList"}},
      {"POST /v1/groups", {"GroupInput", "Group"}},
      {"GET /v1/groups/{id}", {"", "Group"}},
      {"PATCH /v1/groups/{id}", {"GroupPatch", "Group"}},
      {"GET /v1/groups/{id}/effective", {"", "Effective"}},
      {"GET /v1/settings", {"", "Settings"}},
      {"PUT /v1/settings", {"Settings", "Settings"}},
      {"GET /v1/policy/document", {"", "PolicyDocument"}},
      {"POST /v1/decisions", {"DecisionRequest", "Decision"}},
      {"GET /v1/audit/checkpoint", {"", "Checkpoint"}},
      {"POST /v1/enrollment-codes", {"EnrollmentCodeInput", "EnrollmentCode"}},
      {"POST /v1/enroll", {"EnrollInput", "Enrollment"}},
      {"GET /v1/endpoints", {"", "EndpointList"}},
      {"GET /v1/policy/bundle", {"", "BundleEnvelope"}},
      {"GET /v1/policy/keys", {"", "KeyList"}},
      {"POST /v1/policy/keys", {"", "Key"}},
      {"POST /v1/endpoints/{id}/commands", {"CommandInput", "Command"}},
      {"GET /v1/endpoints/{id}/commands", {"", "CommandList"}},
      {"POST /v1/endpoints/{id}/commands/ack", {"CommandAck", "CommandAckResult"}},
      {"POST /v1/endpoints/{id}/events", {"EventBatch", "EventBatchResult"}},
      {"POST /v1/endpoints/{id}/time", {"TimeProofInput", "TimeProof"}},
      {"POST /v1/sessions", {"SessionInput", "Session"}},
      {"GET /v1/sessions", {"", "SessionList"}},
      {"PATCH /v1/sessions/{id}", {"SessionPatch", "Session"}},
      {"POST /v1/sessions/{id}/end", {"", "Session"}},
      {"POST /v1/sessions/{id}/unattended-requests",
       {"UnattendedRequestInput", "UnattendedRequest"}},
      {"GET /v1/unattended-requests", {"", "UnattendedRequestList"}},
      {"GET /v1/grants", {"", "GrantList"}},
      {"POST /v1/grants/{id}/revoke", {"", "Grant"}},
      {"POST /v1/grants/{id}/connect", {"", "Connection"}},
      {"GET /v1/connections", {"", "ConnectionList"}},
      {"POST /v1/sessions/{id}/credential-requests", {"", "CredentialRequest"}},
      {"GET /v1/credential-requests", {"", "CredentialRequestList"}},
      {"POST /v1/sessions/{id}/credentials/apply", {"CredentialApplyInput", "CredentialOperation"}},
  };
  for (Route& route : r) {
    auto s = schemas.find(std::string(bhttp::to_string(route.method)) + " " + route.pattern);
    if (s != schemas.end()) std::tie(route.request_schema, route.response_schema) = s->second;
    route.writes = (route.method != verb::get && route.pattern != "/v1/decisions") ||
                   route.pattern == "/v1/audit/checkpoint";  // keeps what it signs
    route.from_cache = route.pattern == "/v1/decisions" ||
                       (route.method == verb::get && route.pattern.starts_with("/v1/groups")) ||
                       (route.method == verb::get && route.pattern == "/v1/settings") ||
                       (route.method == verb::get && route.pattern == "/v1/policy/document");
  }
  return r;
}

uint8_t RoleBitOf(const std::optional<Principal>& p) {
  if (!p) return kAnonymous;
  switch (p->role) {
    case Role::kMasterAdmin:
      return kMasterAdminRole;
    case Role::kAdmin:
      return kAdminRole;
    case Role::kTechnician:
      return kTechnicianRole;
    case Role::kAuditor:
      return kAuditorRole;
    case Role::kEndpoint:
      return kEndpointRole;
  }
  return kAnonymous;
}

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
    const std::string& w = it->second;
    const bool digits = !w.empty() && w.size() <= 2 && std::all_of(w.begin(), w.end(), [](char ch) {
      return ch >= '0' && ch <= '9';
    });
    if (!digits || std::stoi(w) > kMaxWaitSeconds) {
      return ToResponse(Invalid("/wait", "query parameter wait must be seconds from 0 to " +
                                             std::to_string(kMaxWaitSeconds)));
    }
    wait = std::stoi(w);
  }
  const Principal who = c.who();
  const std::string id = c.params.at("id");
  auto answer = [](const Result<value>& r) {
    if (!r.ok()) return ToResponse(r.problem());
    if (r.value().at("items").size() == 0) return Json(204, value::null());
    return Json(200, r.value());
  };
  // Read the version before looking, so a command queued in between wakes
  // the park at once.
  const uint64_t seen = distribution_.waiters().Version(id);
  Result<value> now = distribution_.PendingCommands(who, id);
  if (!now.ok() || now.value().at("items").size() > 0 || wait == 0) return answer(now);
  distribution_.waiters().Park(id, seen, std::chrono::seconds(wait),
                               [this, who, id, answer, later = std::move(later)](bool) {
                                 boost::asio::post(readers_, [this, who, id, answer, later] {
                                   later(answer(distribution_.PendingCommands(who, id)));
                                 });
                               });
  return std::nullopt;
}

void Api::Drain() {
  readers_.join();
  writers_.join();
  logins_.join();
}

RouteMatch Api::Match(verb method, const std::string& path) const {
  RouteMatch m;
  const std::vector<std::string> got = http::PathSegments(path);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    std::map<std::string, std::string> params;
    if (!MatchSegments(route_segments_[i], got, params)) continue;
    m.path_known = true;
    if (routes_[i].method == method) {
      m.route = &routes_[i];
      m.params = std::move(params);
      return m;
    }
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
      match.route && match.route->pattern == "/v1/tokens" && match.route->method == verb::post;
  boost::asio::post(login    ? logins_
                    : writes ? writers_
                             : readers_,
                    [this, match = std::move(match), request = std::move(request),
                     respond = std::move(respond)]() mutable {
                      Serve(std::move(match), request, respond, std::nullopt);
                    });
}

std::optional<Principal> Api::CachedCaller(const RouteMatch& match, const http::Request& request) {
  if (!match.route || !match.route->from_cache || !service_.CachedSnapshot()) return std::nullopt;
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
    ++database_errors_;  // SQLite (busy beyond the timeout, I/O) is all that throws here
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
    return ToResponse(m.path_known ? Problem{ErrorKind::kMethodNotAllowed, "", {}, {}}
                                   : NotFound("no such route"));
  }
  const Route& route = *m.route;
  std::optional<Principal>& principal = caller;  // already known on the cached path
  const std::string& auth = request.Header("authorization");
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
    const std::string& type = request.Header("content-type");
    if (!type.starts_with("application/json")) {
      return ToResponse(
          Problem{ErrorKind::kUnsupportedMediaType, "send the body as application/json", {}, {}});
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
    const int version = service_.db().Read(
        [](SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); });
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
  }
  return response;
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
  const int64_t events = service_.db().Read(
      [](SQLite::Database& db) { return SqliteAuditRepository(db)->Head().seq; });
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

value OpenApiDocument(const std::vector<Route>& routes) {
  value doc = value::object(true);
  doc["openapi"] = value::string("3.0.3");
  value info = value::object(true);
  info["title"] = value::string("Custodian admin center");
  info["version"] = value::string("1");
  doc["info"] = info;
  value paths = value::object(true);
  for (const Route& r : routes) {
    std::string method(bhttp::to_string(r.method));
    for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    value op = value::object(true);
    op["summary"] = value::string(r.summary);
    std::string roles;
    for (auto [bit, name] :
         {std::pair{kAnonymous, "anonymous"}, std::pair{kTechnicianRole, "technician"},
          std::pair{kAuditorRole, "auditor"}, std::pair{kAdminRole, "admin"},
          std::pair{kMasterAdminRole, "master_admin"}, std::pair{kEndpointRole, "endpoint"}}) {
      if (r.roles & bit) roles += (roles.empty() ? "" : ", ") + std::string(name);
    }
    op["x-roles"] = value::string(roles);
    if (!(r.roles & kAnonymous)) {
      value sec = value::array();
      value bearer = value::object(true);
      bearer["bearer"] = value::array();
      sec[0] = bearer;
      op["security"] = sec;
    }
    value params = value::array();
    std::size_t n = 0;
    for (const auto& part : http::PathSegments(r.pattern)) {
      if (part.size() > 2 && part.front() == '{') {
        value p = value::object(true);
        p["name"] = value::string(part.substr(1, part.size() - 2));
        p["in"] = value::string("path");
        p["required"] = value::boolean(true);
        value schema = value::object(true);
        schema["type"] = value::string("string");
        p["schema"] = schema;
        params[n++] = p;
      }
    }
    if (n) op["parameters"] = params;
    if (r.takes_body) {
      value body = value::object(true);
      body["required"] = value::boolean(true);
      body["content"] = Content("application/json", Ref(r.request_schema));
      op["requestBody"] = body;
    }
    value responses = value::object(true);
    value ok = value::object(true);
    ok["description"] = value::string("success");
    if (!r.response_schema.empty()) {
      ok["content"] = Content("application/json", Ref(r.response_schema));
    } else if (r.pattern == "/metrics") {
      ok["content"] = Content("text/plain", Text());
    } else if (r.pattern == "/v1/audit/events") {
      ok["content"] = Content("application/x-ndjson", Text());
      ok["description"] = value::string(
          "JSON Lines, one event per line and a signed trailer; text/csv or text/plain (CEF) "
          "when asked");
    } else if (r.pattern == "/v1/openapi.json") {
      ok["content"] = Content("application/json", Object());
    }
    responses[std::to_string(r.success_status)] = ok;
    value problem = value::object(true);
    problem["description"] = value::string("RFC 7807 problem+json");
    problem["content"] = Content("application/problem+json", Ref("Problem"));
    responses["default"] = problem;
    op["responses"] = responses;
    value item = paths.has_field(r.pattern) ? paths.at(r.pattern) : value::object(true);
    item[method] = op;
    paths[r.pattern] = item;
  }
  doc["paths"] = paths;
  value components = value::object(true);
  value schemes = value::object(true);
  value bearer = value::object(true);
  bearer["type"] = value::string("http");
  bearer["scheme"] = value::string("bearer");
  schemes["bearer"] = bearer;
  components["securitySchemes"] = schemes;
  components["schemas"] = ApiSchemas();
  doc["components"] = components;
  return doc;
}

}  // namespace custodian::admincenter
