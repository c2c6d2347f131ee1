// The route table of the admin center's API: every route with its roles,
// schemas and handler; it drives the server, the OpenAPI document and the
// authorization matrix test.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <sstream>

#include "admincenter/api.h"
#include "admincenter/audit_export.h"
#include "admincenter/audit_repository.h"
#include "admincenter/distribution_codec.h"
#include "admincenter/group_codec.h"
#include "admincenter/principal_codec.h"
#include "admincenter/workflow_codec.h"
#include "common/gzip.h"
#include "common/text.h"
#include "http/api_parts.h"

namespace custodian::admincenter {
namespace {

namespace bhttp = boost::beast::http;
using bhttp::verb;
using namespace internal;  // the helpers the server shares

// GET /v1/policy/bundle: the envelope with its version as ETag; 304 when
// the caller holds it already. An endpoint's poll is also its heartbeat.
http::Response BundleResponse(Call& c) {
  Result<BundleEnvelope> b = c.distribution.CurrentBundle();
  if (!b.ok()) return ToResponse(b.problem());
  const std::string etag = "\"" + std::to_string(b.value().version) + "\"";
  const std::string& held = c.request.Header("if-none-match");
  if (c.who().role == Role::kEndpoint) {
    std::optional<int64_t> version;
    if (held.size() > 2 && held.front() == '"' && held.back() == '"') {
      version = text::ParseDecimal(std::string_view(held).substr(1, held.size() - 2));
    }
    c.distribution.Seen(c.who(), version);
  }
  // gzip where the caller accepts it, with the weak ETag a recoding gets
  // (RFC 9110 §8.8.1); If-None-Match compares weakly, so either matches.
  const bool gzip = b.value().gzip && AcceptsGzip(c.request.Header("accept-encoding"));
  http::Response r;
  r.headers.push_back({"ETag", gzip ? "W/" + etag : etag});
  r.headers.push_back({"Cache-Control", "no-cache"});
  r.headers.push_back({"Vary", "Accept-Encoding"});
  if (held == etag || held == "W/" + etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  if (gzip) {
    r.headers.push_back({"Content-Encoding", "gzip"});
    r.body = *b.value().gzip;
  } else {
    r.body = *b.value().envelope;
  }
  return r;
}

// A service's typed answer, encoded for the wire.
template <typename T>
Result<value> Json(const Result<T>& r) {
  if (!r.ok()) return r.problem();
  return Encode(r.value());
}
template <typename T>
Result<value> Json(const std::vector<T>& records) {
  return Items(records);
}
template <typename T>
Result<value> Json(const Result<std::vector<T>>& r) {
  if (!r.ok()) return r.problem();
  return Json(r.value());
}
// The body decoded (every problem with its pointer), then `run` with it.
template <typename In, typename Run>
Result<value> WithBody(const Result<In>& in, Run run) {
  if (!in.ok()) return in.problem();
  return Json(run(in.value()));
}

}  // namespace

std::vector<Route> ApiRoutes() {
  auto principal_routes = [](std::vector<Route>& routes, const std::string& path, Role kind,
                             uint8_t roles) {
    routes.push_back({verb::post, path, roles, "Create a " + std::string(RoleName(kind)), true, 201,
                      [kind](Call& c) {
                        return WithBody(DecodePrincipalInput(kind, c.body, c.service.zones()),
                                        [&](const PrincipalInput& in) {
                                          return c.service.CreatePrincipal(c.who(), kind, in);
                                        });
                      },
                      nullptr});
    routes.push_back(
        {verb::get, path, roles, "List " + std::string(RoleName(kind)) + "s", false, 200,
         [kind](Call& c) { return Json(c.service.ListPrincipals(c.who(), kind)); }, nullptr});
    routes.push_back({verb::patch, path + "/{id}", roles,
                      "Disable, enable or set the password of a " + std::string(RoleName(kind)),
                      true, 200,
                      [kind](Call& c) {
                        return WithBody(DecodePrincipalPatch(c.body), [&](const PrincipalPatch& p) {
                          return c.service.UpdatePrincipal(c.who(), kind, c.params.at("id"), p);
                        });
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
               201,
               [](Call& c) {
                 return WithBody(DecodeLogin(c.body), [&](const LoginInput& in) {
                   return c.service.Login(in, c.request.remote_address);
                 });
               },
               nullptr});
  r.push_back({verb::delete_, "/v1/tokens/{id}", kAnyPrincipal, "Revoke a token", false, 204,
               [](Call& c) { return Json(c.service.RevokeToken(c.who(), c.params.at("id"))); },
               nullptr});
  // The console's sign-in: a cookie, not a token in the answer (Api adds
  // the handlers, console_session.cc).
  r.push_back({verb::post, "/v1/console/session", kEveryone,
               "Sign in to the console: name and password to a session cookie", true, 201, nullptr,
               nullptr});
  // Anonymous callers may ask (a console page loading before sign-in): 401,
  // and not an authorization refusal for the audit log.
  r.push_back({verb::get, "/v1/console/session", kAnonymous | kAnyPrincipal,
               "The signed-in principal and the session's CSRF token (401: not signed in)", false,
               200, nullptr, nullptr});
  r.push_back({verb::delete_, "/v1/console/session", kAnyPrincipal,
               "Sign out: the session's token is revoked and its cookie cleared", false, 204,
               nullptr, nullptr});
  r.push_back({verb::post, "/v1/me/password", kAnyPrincipal,
               "Set one's own password (the current one too, once one is set)", true, 204,
               [](Call& c) {
                 return WithBody(DecodePasswordChange(c.body), [&](const PasswordChange& in) {
                   return c.service.SetOwnPassword(c.who(), in);
                 });
               },
               nullptr});
  principal_routes(r, "/v1/admins", Role::kAdmin, kMasterAdminRole);
  principal_routes(r, "/v1/technicians", Role::kTechnician, kAnyAdmin);
  principal_routes(r, "/v1/auditors", Role::kAuditor, kMasterAdminRole);
  r.push_back({verb::get, "/v1/groups", kAnyAdmin | kAuditorRole, "List groups", false, 200,
               [](Call& c) { return Json(c.service.ListGroups(c.who())); }, nullptr});
  r.push_back({verb::post, "/v1/groups", kAnyAdmin, "Create a group", true, 201,
               [](Call& c) {
                 return WithBody(DecodeGroupInput(c.body), [&](const policy::Group& g) {
                   return c.service.CreateGroup(c.who(), g);
                 });
               },
               nullptr});
  r.push_back({verb::get, "/v1/groups/{id}", kAnyAdmin | kAuditorRole, "Read a group", false, 200,
               [](Call& c) { return Json(c.service.GetGroup(c.who(), c.params.at("id"))); },
               nullptr});
  r.push_back({verb::patch, "/v1/groups/{id}", kAnyAdmin,
               "Change, move, inherit or lock settings of a group (JSON merge patch)", true, 200,
               [](Call& c) {
                 return WithBody(DecodeGroupPatch(c.body), [&](const GroupPatch& p) {
                   return c.service.PatchGroup(c.who(), c.params.at("id"), p,
                                               c.request.Header("if-match"));
                 });
               },
               nullptr});
  r.push_back({verb::delete_, "/v1/groups/{id}", kAnyAdmin, "Delete an empty group", false, 204,
               [](Call& c) {
                 return Json(c.service.RemoveGroup(c.who(), c.params.at("id"),
                                                   c.request.Header("if-match")));
               },
               nullptr});
  r.push_back({verb::get, "/v1/groups/{id}/effective", kAnyAdmin | kAuditorRole,
               "Effective settings of a group, with provenance", false, 200,
               [](Call& c) { return Json(c.service.Effective(c.who(), c.params.at("id"))); },
               nullptr});
  r.push_back({verb::get, "/v1/settings", kAnyAdmin | kAuditorRole, "Global settings", false, 200,
               [](Call& c) { return Json(c.service.GetSettings()); }, nullptr});
  r.push_back({verb::put, "/v1/settings", kMasterAdminRole, "Replace the global settings", true,
               200,
               [](Call& c) {
                 return WithBody(DecodeSettings(c.body), [&](const policy::GlobalSettings& s) {
                   return c.service.PutSettings(c.who(), s, c.request.Header("if-match"));
                 });
               },
               nullptr});
  // The whole document: not for admins scoped to part of the tree.
  r.push_back({verb::get, "/v1/policy/document", kMasterAdminRole | kAuditorRole,
               "The current policy document", false, 200,
               [](Call& c) { return Json(c.service.PolicyDocument()); }, nullptr});
  Route decisions{verb::post, "/v1/decisions",
                  kAnyAdmin,  "What-if decision on the current policy (optional ?now=RFC3339)",
                  true,       200,
                  nullptr,    nullptr};
  decisions.text_handler = [](Call& c) -> Result<std::string> {
    std::optional<policy::Instant> now;
    auto it = c.request.query.find("now");
    if (it != c.request.query.end()) {
      now = policy::ParseRfc3339(it->second);
      if (!now) return InvalidQuery("/now", "query parameter now must be RFC 3339");
    }
    return c.service.Decide(c.request.body, now);
  };
  r.push_back(std::move(decisions));
  // Distribution (DESIGN.md §4, §6). Endpoints belong to no group: any
  // admin may enroll and command them.
  r.push_back({verb::post, "/v1/enrollment-codes", kAnyAdmin,
               "Create a one-time enrollment code for an endpoint (shown once)", true, 201,
               [](Call& c) {
                 return WithBody(DecodeEnrollmentCodeInput(c.body), [&](int ttl_minutes) {
                   return c.distribution.CreateEnrollmentCode(c.who(), ttl_minutes);
                 });
               },
               nullptr});
  r.push_back({verb::post, "/v1/enroll", kEveryone,
               "Enroll an endpoint with a code: its id, token and the policy keys", true, 201,
               [](Call& c) {
                 return WithBody(DecodeEnrollInput(c.body, c.service.zones()),
                                 [&](const EnrollInput& in) { return c.distribution.Enroll(in); });
               },
               nullptr});
  r.push_back({verb::get, "/v1/endpoints", kAnyAdmin | kAuditorRole,
               "Enrolled endpoints with last contact and bundle version", false, 200,
               [](Call& c) { return Json(c.distribution.ListEndpoints(c.who())); }, nullptr});
  // The whole tree: for endpoints, and master admins who see it anyway.
  r.push_back({verb::get, "/v1/policy/bundle", kEndpointRole | kMasterAdminRole,
               "The signed policy bundle (ETag; If-None-Match answers 304)", false, 200, nullptr,
               [](Call& c) { return BundleResponse(c); }});
  r.push_back({verb::get, "/v1/policy/keys", kAnyPrincipal | kEndpointRole,
               "The policy signing keys and their states", false, 200,
               [](Call& c) { return Json(c.distribution.keys().List()); }, nullptr});
  r.push_back({verb::post, "/v1/policy/keys", kMasterAdminRole,
               "Rotate: a new key signs; the old one stays listed until retired", false, 201,
               [](Call& c) { return Json(c.distribution.keys().Rotate(c.who(), c.service.Now())); },
               nullptr});
  r.push_back(
      {verb::delete_, "/v1/policy/keys/{id}", kMasterAdminRole, "Retire a listed key", false, 204,
       [](Call& c) {
         return Json(c.distribution.keys().Retire(c.who(), c.params.at("id"), c.service.Now()));
       },
       nullptr});
  r.push_back({verb::post, "/v1/endpoints/{id}/commands", kAnyAdmin,
               "Queue a command for an endpoint (type: sync)", true, 201,
               [](Call& c) {
                 return WithBody(DecodeCommandInput(c.body), [&](const std::string& type) {
                   return c.distribution.QueueCommand(c.who(), c.params.at("id"), type);
                 });
               },
               nullptr});
  r.push_back({verb::get, "/v1/endpoints/{id}/commands", kEndpointRole,
               "Long-poll (?wait=S, at most 60) for the endpoint's unacknowledged commands; 204 "
               "when none came. With ?bundle=V (the version applied, 0 for none) it also "
               "reports that version, and answers at once with the current one in `bundle` "
               "while V is another (push)",
               false, 200, nullptr, nullptr});
  r.push_back({verb::post, "/v1/endpoints/{id}/commands/ack", kEndpointRole,
               "Acknowledge commands: they are not delivered again", true, 200,
               [](Call& c) {
                 return WithBody(
                     DecodeCommandAck(c.body), [&](const std::vector<std::string>& ids) {
                       return c.distribution.AckCommands(c.who(), c.params.at("id"), ids);
                     });
               },
               nullptr});
  r.push_back({verb::post, "/v1/endpoints/{id}/time", kEndpointRole,
               "The admin center's time, signed over the endpoint's nonce (clock recovery)", true,
               200,
               [](Call& c) { return c.distribution.TimeProof(c.who(), c.params.at("id"), c.body); },
               nullptr});
  r.push_back(
      {verb::post, "/v1/endpoints/{id}/events", kEndpointRole,
       "Upload a batch of the endpoint's hash-chained events (idempotent by event id)", true, 200,
       [](Call& c) {
         return WithBody(DecodeEventBatch(c.body), [&](const std::vector<ChainRecord>& records) {
           return c.distribution.ReceiveEvents(c.who(), c.params.at("id"), records);
         });
       },
       nullptr});
  // Workflows (R1–R15). Technicians act on their own sessions and grants;
  // who sees what is decided by Workflows.
  constexpr uint8_t kOverseers = kAnyAdmin | kAuditorRole;
  r.push_back({verb::post, "/v1/sessions", kTechnicianRole,
               "Open a support session on an endpoint (type, mode, screen viewing)", true, 201,
               [](Call& c) {
                 return WithBody(DecodeSessionInput(c.body), [&](const SessionInput& in) {
                   return c.workflows.OpenSession(c.who(), in);
                 });
               },
               nullptr});
  r.push_back({verb::get, "/v1/sessions", kTechnicianRole | kOverseers, "List support sessions",
               false, 200, [](Call& c) { return Json(c.workflows.ListSessions(c.who())); },
               nullptr});
  r.push_back({verb::patch, "/v1/sessions/{id}", kTechnicianRole, "Switch screen viewing on or off",
               true, 200,
               [](Call& c) {
                 return WithBody(DecodeSessionPatch(c.body), [&](bool screen_viewing) {
                   return c.workflows.UpdateSession(c.who(), c.params.at("id"), screen_viewing);
                 });
               },
               nullptr});
  r.push_back(
      {verb::post, "/v1/sessions/{id}/end", kTechnicianRole, "End a support session", false, 200,
       [](Call& c) { return Json(c.workflows.EndSession(c.who(), c.params.at("id"))); }, nullptr});
  r.push_back({verb::post, "/v1/sessions/{id}/unattended-requests", kTechnicianRole,
               "Request unattended access from a session: 201 pending, or 403 with every reason",
               true, 201,
               [](Call& c) {
                 return WithBody(DecodeUnattendedInput(c.body), [&](const UnattendedInput& in) {
                   return c.workflows.RequestUnattended(c.who(), c.params.at("id"), in);
                 });
               },
               nullptr});
  r.push_back({verb::post, "/v1/sessions/{id}/unattended-requests/preview", kTechnicianRole,
               "What requesting unattended access would be answered now (nothing is sent)", true,
               200,
               [](Call& c) -> Result<value> {
                 Result<UnattendedInput> in = DecodeUnattendedInput(c.body);
                 if (!in.ok()) return in.problem();
                 Result<policy::Decision> d =
                     c.workflows.PreviewUnattended(c.who(), c.params.at("id"), in.value());
                 if (!d.ok()) return d.problem();
                 return EncodeDecisionValue(d.value());
               },
               nullptr});
  r.push_back({verb::get, "/v1/unattended-requests", kTechnicianRole | kOverseers,
               "List unattended-access requests", false, 200,
               [](Call& c) { return Json(c.workflows.ListRequests(c.who())); }, nullptr});
  r.push_back({verb::get, "/v1/grants", kTechnicianRole | kOverseers,
               "List unattended-access grants", false, 200,
               [](Call& c) { return Json(c.workflows.ListGrants(c.who())); }, nullptr});
  r.push_back({verb::post, "/v1/grants/{id}/revoke", kTechnicianRole | kAnyAdmin,
               "Revoke a grant (its technician or an admin)", false, 200,
               [](Call& c) { return Json(c.workflows.RevokeGrant(c.who(), c.params.at("id"))); },
               nullptr});
  r.push_back({verb::post, "/v1/grants/{id}/connect", kTechnicianRole,
               "Connect unattended with a grant: 201 requested, or 403 with every reason", false,
               201, [](Call& c) { return Json(c.workflows.Connect(c.who(), c.params.at("id"))); },
               nullptr});
  r.push_back({verb::get, "/v1/connections", kTechnicianRole | kOverseers,
               "List unattended connections", false, 200,
               [](Call& c) { return Json(c.workflows.ListConnections(c.who())); }, nullptr});
  r.push_back(
      {verb::post, "/v1/sessions/{id}/credential-requests", kTechnicianRole,
       "Ask the customer for their Windows credentials for this session (R9, R13)", false, 201,
       [](Call& c) { return Json(c.workflows.RequestCredentials(c.who(), c.params.at("id"))); },
       nullptr});
  r.push_back({verb::get, "/v1/credential-requests", kTechnicianRole | kOverseers,
               "List credential requests and what became of them (never the secret)", false, 200,
               [](Call& c) { return Json(c.workflows.ListCredentialRequests(c.who())); }, nullptr});
  r.push_back({verb::post, "/v1/sessions/{id}/credentials/apply", kTechnicianRole,
               "Restart or unlock with the stored credentials (R10)", true, 201,
               [](Call& c) {
                 return WithBody(DecodeCredentialApply(c.body), [&](policy::Operation op) {
                   return c.workflows.ApplyCredentials(c.who(), c.params.at("id"), op);
                 });
               },
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
      {"POST /v1/console/session", {"Login", "ConsoleSession"}},
      {"GET /v1/console/session", {"", "ConsoleSession"}},
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
      {"POST /v1/sessions/{id}/unattended-requests/preview",
       {"UnattendedRequestInput", "Decision"}},
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
    route.writes = (route.method != verb::get && route.pattern != "/v1/decisions" &&
                    !route.pattern.ends_with("/preview")) ||
                   route.pattern == "/v1/audit/checkpoint";  // keeps what it signs
    route.from_cache = route.pattern == "/v1/decisions" ||
                       (route.method == verb::get && route.pattern.starts_with("/v1/groups")) ||
                       (route.method == verb::get && route.pattern == "/v1/settings") ||
                       (route.method == verb::get && route.pattern == "/v1/policy/document");
    // GET answers with the resource's ETag, writes take If-Match.
    route.tagged = route.pattern == "/v1/groups/{id}" || route.pattern == "/v1/settings";
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

}  // namespace custodian::admincenter
