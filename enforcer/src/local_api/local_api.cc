#include "enforcer/local_api.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "common/cookies.h"
#include "common/problem.h"
#include "common/text.h"
#include "policy/codec.h"
#include "policy/engine.h"

namespace custodian::enforcer {

using web::json::value;

namespace {

using policy::workflow::StateName;

value Str(std::string_view s) { return value::string(std::string(s)); }
value At(const std::optional<policy::Instant>& t) {
  return t ? Str(policy::FormatRfc3339(*t)) : value::null();
}
value Text(const std::string& s) { return s.empty() ? value::null() : Str(s); }

http::Response Json(const value& body) {
  http::Response r;
  r.body = body.serialize();
  return r;
}

template <typename T>
http::Response Answer(const Result<T>& result, value (*encode)(const T&)) {
  return result.ok() ? Json(encode(result.value())) : ToResponse(result.problem());
}

// What the customer's form shows filled in (R14).
value Prefill(const Prompt& p) {
  value prefill = value::object(true);
  prefill["user_name"] = Str(p.prefill_user_name);
  prefill["domain"] = Str(p.prefill_domain);
  return prefill;
}

value EncodePrompt(const Prompt& p) {
  value o = value::object(true);
  o["id"] = Str(p.id);
  const bool unattended = p.kind == Prompt::Kind::kUnattendedAccess;
  o["kind"] = Str(unattended ? "unattended_access" : "windows_credentials");
  o["technician_id"] = Str(p.technician_id);
  o["session_id"] = Str(p.session_id);
  if (unattended) {
    const bool at_setup = p.credential_mode == policy::AuthMode::kAtSetup;
    o["credential_mode"] = Str(policy::AuthModeName(p.credential_mode));
    o["schedule"] = policy::EncodeSchedule(p.schedule);
    o["asks"] = at_setup ? value::array({Str("user_name"), Str("password")}) : value::array();
    if (at_setup) o["prefill"] = Prefill(p);  // R14
    if (p.effective_schedule) {
      o["effective_schedule"] = policy::EncodeEffectiveSchedule(*p.effective_schedule);
    }
    o["expires_at"] = Str(policy::FormatRfc3339(p.expires_at));
  } else {
    o["asks"] = value::array({Str("password")});
    o["prefill"] = Prefill(p);  // R14
  }
  o["technician_name"] = Str(p.technician_name);
  o["message"] = Str(p.message);
  return o;
}

value EncodeSession(const SessionRow& s) {
  value o = value::object(true);
  o["id"] = Str(s.id);
  o["technician_id"] = Str(s.technician_id);
  o["type"] = Str(policy::SessionTypeName(s.session.type));
  o["mode"] = s.session.type == policy::SessionType::kInstantChat
                  ? Str(s.session.chat_only ? "chat_only" : "full")
                  : value::null();
  o["screen_viewing"] = value::boolean(s.session.screen_viewing);
  o["active"] = value::boolean(s.session.active);
  o["opened_at"] = At(s.opened_at);
  o["ended_at"] = At(s.ended_at);
  return o;
}

value EncodeGrant(const GrantRow& g) {
  value o = value::object(true);
  o["id"] = Str(g.id);
  o["request_id"] = Str(g.request_id);
  o["technician_id"] = Str(g.grant.technician_id);
  o["technician_name"] = Str(g.technician_name);
  o["credential_mode"] = Str(policy::AuthModeName(g.grant.credential_mode));
  o["effective_schedule"] = policy::EncodeGrantSchedule(g.grant.schedule);
  o["state"] = Str(StateName(g.grant.state));
  o["user_name"] = Text(g.user_name);
  o["created_at"] = At(g.created_at);
  o["ended_at"] = At(g.ended_at);
  o["ended_by"] = Text(g.ended_by);
  return o;
}

value EncodeConnection(const ConnectionRow& c) {
  value o = value::object(true);
  o["id"] = Str(c.id);
  o["grant_id"] = Str(c.grant_id);
  o["technician_id"] = Str(c.technician_id);
  o["state"] = Str(StateName(c.state));
  o["failed_attempts"] = value::number(c.failed_attempts);
  o["warned"] = value::boolean(c.warned);
  o["started_at"] = At(c.started_at);
  o["ended_at"] = At(c.ended_at);
  o["end_reason"] = Text(c.end_reason);
  return o;
}

template <typename T>
value Array(const std::vector<T>& items, value (*encode)(const T&)) {
  value a = value::array();
  for (std::size_t i = 0; i < items.size(); ++i) a[i] = encode(items[i]);
  return a;
}

value EncodeOverview(const Overview& o) {
  value out = value::object(true);
  out["sessions"] = Array(o.sessions, EncodeSession);
  out["grants"] = Array(o.grants, EncodeGrant);
  out["connections"] = Array(o.connections, EncodeConnection);
  value held = value::array();
  for (std::size_t i = 0; i < o.credential_sessions.size(); ++i) {
    held[i] = Str(o.credential_sessions[i]);
  }
  out["credential_sessions"] = held;
  return out;
}

// An approval answers the grant it created; everything else its state
// (and the notice the customer reads, R12/R15).
value EncodeSettled(const Settled& s) {
  if (s.grant) return EncodeGrant(*s.grant);
  value o = value::object(true);
  o["state"] = Str(StateName(s.state));
  if (!s.notice.empty()) o["notice"] = Str(s.notice);
  return o;
}

Problem Unsupported() {
  return {ErrorKind::kUnsupportedMediaType, "send the body as application/json", {}, {}};
}

}  // namespace

LocalApi::LocalApi(Store& store, BundleHolder& bundles, Agent& agent, Workflows& workflows,
                   WallClock wall, std::string token, std::optional<http::WebFiles> window)
    : store_(store),
      bundles_(bundles),
      agent_(agent),
      workflows_(workflows),
      wall_(std::move(wall)),
      token_(std::move(token)),
      window_(std::move(window)) {}

LocalApi::~LocalApi() { Drain(); }

void LocalApi::Drain() { worker_.join(); }

std::string LocalApi::Origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string LocalApi::WindowUrl() {
  return Origin() + "/#code=" + sessions_.IssueCode(store_.Now(wall_()));
}

void LocalApi::Handle(http::Request request, http::Respond respond) {
  boost::asio::post(
      worker_, [this, request = std::move(request), respond = std::move(respond)]() mutable {
        http::Response response = Serve(request);
        // A body may have carried a password: leave no copy behind.
        OPENSSL_cleanse(request.body.data(), request.body.size());
        const bool file =
            std::any_of(response.headers.begin(), response.headers.end(),
                        [](const auto& h) { return h.first == "Content-Security-Policy"; });
        if (!file) http::AddWebHeaders(response);
        if (!response.body.empty() && response.content_type == "application/json") {
          response.headers.push_back({"Cache-Control", "no-store"});
        }
        respond(std::move(response));
      });
}

http::Response LocalApi::Serve(const http::Request& request) {
  try {
    return Route(request);
  } catch (const StorageError& e) {
    return ToResponse(Problem{ErrorKind::kUnavailable, e.what(), {}, {}});
  }
}

bool LocalApi::HostAllowed(const http::Request& request) const {
  const std::string port = std::to_string(port_);
  const std::string& host = request.Header("host");
  return port_ != 0 && (host == "127.0.0.1:" + port || host == "localhost:" + port);
}

bool LocalApi::OriginAllowed(const http::Request& request, bool required) const {
  const std::string& origin = request.Header("origin");
  if (origin.empty()) return !required;
  const std::string port = std::to_string(port_);
  return origin == "http://127.0.0.1:" + port || origin == "http://localhost:" + port;
}

LocalApi::Caller LocalApi::Authenticate(const http::Request& request) {
  const std::string& auth = request.Header("authorization");
  if (!auth.empty()) {
    const std::string want = "Bearer " + token_;
    const bool ok =
        auth.size() == want.size() && CRYPTO_memcmp(auth.data(), want.data(), want.size()) == 0;
    return ok ? Caller::kToken : Caller::kNone;
  }
  const auto secret = http::ReadCookie(request, kWindowCookieName);
  const std::string& csrf = request.Header("x-csrf-token");
  if (secret && !csrf.empty() && sessions_.Check(*secret, csrf, store_.Now(wall_()))) {
    return Caller::kWindow;
  }
  return Caller::kNone;
}

http::Response LocalApi::Route(const http::Request& request) {
  using boost::beast::http::verb;
  if (!HostAllowed(request)) {
    return ToResponse({ErrorKind::kForbidden,
                       "this API answers only to its own address, " + Origin() + " (Host)",
                       {},
                       {}});
  }
  const bool api = request.path == "/v1" || request.path.starts_with("/v1/");
  if (!api) {
    if (request.method != verb::get) return ToResponse({ErrorKind::kMethodNotAllowed, "", {}, {}});
    if (!window_) return ToResponse(NotFound("the customer window is not installed"));
    return window_->Get(request.path, request.Header("if-none-match"));
  }
  if (request.path == "/v1/window/session") return WindowSession(request);
  const Caller caller = Authenticate(request);
  if (caller == Caller::kNone) {
    return ToResponse({ErrorKind::kUnauthenticated,
                       "send the token of the local-api-token file, or open the customer's "
                       "window with `enforcer prompt`",
                       {},
                       {}});
  }
  const bool get = request.method == verb::get;
  if (!OriginAllowed(request, caller == Caller::kWindow && !get)) {
    return ToResponse(
        {ErrorKind::kForbidden, "requests from other origins are refused (Origin)", {}, {}});
  }
  if (caller == Caller::kToken) {
    if (request.path == "/v1/status" && get) {
      http::Response r;
      r.body = agent_.Status().serialize();
      return r;
    }
    if (request.path == "/v1/decisions" && request.method == verb::post) return Decide(request);
    if (request.path == "/v1/window/codes" && request.method == verb::post) {
      value out = value::object(true);
      out["url"] = Str(WindowUrl());
      out["expires_in_seconds"] =
          value::number(static_cast<int64_t>(std::chrono::seconds(kWindowCodeLifetime).count()));
      http::Response r = Json(out);
      r.status = 201;
      return r;
    }
  }
  return Customer(request, caller);
}

// The routes of the customer (and, with the token, of the session agent).
http::Response LocalApi::Customer(const http::Request& request, Caller caller) {
  using boost::beast::http::verb;
  const bool get = request.method == verb::get;
  const bool post = request.method == verb::post;
  const Language language =
      request.Header("accept-language").starts_with("de") ? Language::kGerman : Language::kEnglish;
  if (request.path == "/v1/prompts" && get) {
    value out = value::object(true);
    out["items"] = Array(workflows_.Prompts(language), EncodePrompt);
    return Json(out);
  }
  if (request.path == "/v1/overview" && get) {
    value out = EncodeOverview(workflows_.GetOverview());
    out["time_zone"] = Str(store_.Get("time_zone").value_or("UTC"));  // the customer's
    return Json(out);
  }
  const std::vector<std::string> s = http::PathSegments(request.path);
  const bool routed = post && s.size() >= 4 && s[0] == "v1" && !s[2].empty();
  if (!routed) return ToResponse(NotFound("no such route"));
  if (!request.body.empty() && !request.Header("content-type").starts_with("application/json")) {
    return ToResponse(Unsupported());
  }
  // Answers may carry a password: read into wiped memory, never into a
  // JSON value (secret_form.h).
  SecretForm body = ReadSecretForm(request.body);
  if (!body.errors.empty()) return ToResponse(Invalid(body.errors));
  if (s.size() == 4 && s[1] == "prompts" && (s[3] == "approve" || s[3] == "deny")) {
    return Answer(workflows_.Answer(s[2], s[3] == "approve", body, language), EncodeSettled);
  }
  if (s.size() == 4 && s[1] == "grants" && s[3] == "revoke") {
    return Answer(workflows_.RevokeGrant(s[2]), EncodeSettled);
  }
  if (s.size() == 5 && s[1] == "sessions" && s[3] == "credentials" && s[4] == "revoke") {
    return Answer(workflows_.RevokeCredentials(s[2], language), EncodeSettled);
  }
  // The remote session's login screen, never the customer's window.
  if (caller == Caller::kToken && s.size() == 4 && s[1] == "connections" && s[3] == "credentials") {
    return Answer(workflows_.PresentAdminCredentials(s[2], body), EncodeSettled);
  }
  return ToResponse(NotFound("no such route"));
}

http::Response LocalApi::WindowSession(const http::Request& request) {
  using boost::beast::http::verb;
  // Only the window's own page may open or end its session.
  if (!OriginAllowed(request, true)) {
    return ToResponse(
        {ErrorKind::kForbidden, "requests from other origins are refused (Origin)", {}, {}});
  }
  if (request.method == verb::delete_) {
    if (Authenticate(request) != Caller::kWindow) {
      return ToResponse({ErrorKind::kUnauthenticated, "no window session", {}, {}});
    }
    sessions_.End(*http::ReadCookie(request, kWindowCookieName));
    http::Response r;
    r.status = 204;
    r.headers.push_back({"Set-Cookie", http::ClearedCookieHeader(kWindowCookieName, false)});
    return r;
  }
  if (request.method != verb::post) return ToResponse({ErrorKind::kMethodNotAllowed, "", {}, {}});
  if (!request.Header("content-type").starts_with("application/json")) {
    return ToResponse(Unsupported());
  }
  std::error_code ec;
  const value in = value::parse(request.body, ec);
  if (ec || !in.is_object() || !in.has_string_field("code") || in.size() != 1) {
    return ToResponse(Invalid({{"/code", "send {\"code\": the code of the one-time URL}"}}));
  }
  const policy::Instant now = store_.Now(wall_());
  const auto issued = sessions_.Exchange(in.at("code").as_string(), now);
  if (!issued) {
    return ToResponse({ErrorKind::kUnauthenticated,
                       "this link was used already or has expired; run `enforcer prompt` for "
                       "a new one",
                       {},
                       {}});
  }
  value out = value::object(true);
  out["csrf_token"] = Str(issued->csrf);
  out["expires_at"] = Str(policy::FormatRfc3339(now + kWindowSessionLifetime));
  http::Response r = Json(out);
  r.status = 201;
  r.headers.push_back({"Set-Cookie", http::SetCookieHeader(kWindowCookieName, issued->secret,
                                                           kWindowSessionLifetime, false)});
  return r;
}

http::Response LocalApi::Decide(const http::Request& request) {
  if (!request.Header("content-type").starts_with("application/json")) {
    return ToResponse(Unsupported());
  }
  auto parsed = policy::ParseRequest(request.body);
  if (!parsed.ok()) return ToResponse(Invalid(parsed.errors));
  const policy::Instant now = store_.Now(wall_());
  std::optional<int64_t> version;
  const policy::Decision d = bundles_.Decide(*parsed.value, now, &version);
  const std::string text = policy::SerializeDecision(d);
  EventInput e;
  e.action = "decision";
  e.target = std::string(policy::ActionName(parsed.value->action)) +
             " technician:" + parsed.value->technician_id;
  e.outcome = d.effect == policy::Effect::kAllow ? "success" : "denied";
  const value decision = value::parse(text);
  e.reasons = decision.at("reasons");
  e.details["policy_version"] = version ? value::number(*version) : value::null();
  store_.Append(e, now);
  agent_.EventsAppended();
  http::Response r;
  r.body = text;
  return r;
}

}  // namespace custodian::enforcer
