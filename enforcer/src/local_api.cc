#include "enforcer/local_api.h"

#include <openssl/crypto.h>

#include <boost/asio/post.hpp>

#include "common/text.h"
#include "policy/codec.h"
#include "policy/engine.h"

namespace custodian::enforcer {

using web::json::value;

namespace {

http::Response ToResponse(const Reply& reply) {
  http::Response r;
  r.status = reply.status;
  if (reply.status >= 400) r.content_type = "application/problem+json";
  r.body = reply.body.serialize();
  return r;
}

http::Response Problem(unsigned status, const std::string& title, const std::string& detail,
                       const std::vector<policy::FieldError>& errors = {}) {
  return ToResponse(ProblemReply(status, title, detail, errors));
}

}  // namespace

LocalApi::LocalApi(Store& store, BundleHolder& bundles, Agent& agent, Workflows& workflows,
                   WallClock wall, std::string token)
    : store_(store),
      bundles_(bundles),
      agent_(agent),
      workflows_(workflows),
      wall_(std::move(wall)),
      token_(std::move(token)) {}

LocalApi::~LocalApi() { Drain(); }

void LocalApi::Drain() { worker_.join(); }

void LocalApi::Handle(http::Request request, http::Respond respond) {
  boost::asio::post(worker_,
                    [this, request = std::move(request), respond = std::move(respond)]() mutable {
                      http::Response response = Serve(request);
                      // A body may have carried a password: leave no copy behind.
                      OPENSSL_cleanse(request.body.data(), request.body.size());
                      respond(std::move(response));
                    });
}

http::Response LocalApi::Serve(const http::Request& request) {
  const std::string& auth = request.Header("authorization");
  const std::string want = "Bearer " + token_;
  if (auth.size() != want.size() || CRYPTO_memcmp(auth.data(), want.data(), want.size()) != 0) {
    return Problem(401, "Unauthorized", "send the token of the local-api-token file");
  }
  if (request.path == "/v1/status" && request.method == boost::beast::http::verb::get) {
    http::Response r;
    r.body = agent_.Status().serialize();
    return r;
  }
  using boost::beast::http::verb;
  const bool get = request.method == verb::get;
  const bool post = request.method == verb::post;
  if (request.path == "/v1/decisions" && post) return Decide(request);
  const Language language =
      request.Header("accept-language").starts_with("de") ? Language::kGerman : Language::kEnglish;
  if (request.path == "/v1/prompts" && get) {
    http::Response r;
    r.body = workflows_.Prompts(language).serialize();
    return r;
  }
  if (request.path == "/v1/overview" && get) {
    http::Response r;
    r.body = workflows_.Overview().serialize();
    return r;
  }
  const std::vector<std::string> s = http::PathSegments(request.path);
  const bool routed = post && s.size() >= 4 && s[0] == "v1" && !s[2].empty();
  if (!routed) return Problem(404, "Not found", "no such route");
  if (!request.body.empty() && !request.Header("content-type").starts_with("application/json")) {
    return Problem(415, "Unsupported media type", "send the body as application/json");
  }
  // Answers may carry a password: read into wiped memory, never into a
  // JSON value (secret_form.h).
  SecretForm body = ReadSecretForm(request.body);
  if (!body.errors.empty()) {
    return Problem(400, "Invalid request", "the body is not a JSON object of strings", body.errors);
  }
  if (s.size() == 4 && s[1] == "prompts" && (s[3] == "approve" || s[3] == "deny")) {
    return ToResponse(workflows_.Answer(s[2], s[3] == "approve", body, language));
  }
  if (s.size() == 4 && s[1] == "grants" && s[3] == "revoke") {
    return ToResponse(workflows_.RevokeGrant(s[2]));
  }
  if (s.size() == 5 && s[1] == "sessions" && s[3] == "credentials" && s[4] == "revoke") {
    return ToResponse(workflows_.RevokeCredentials(s[2], language));
  }
  if (s.size() == 4 && s[1] == "connections" && s[3] == "credentials") {
    return ToResponse(workflows_.PresentAdminCredentials(s[2], body));
  }
  return Problem(404, "Not found", "no such route");
}

http::Response LocalApi::Decide(const http::Request& request) {
  if (!request.Header("content-type").starts_with("application/json")) {
    return Problem(415, "Unsupported media type", "send the body as application/json");
  }
  auto parsed = policy::ParseRequest(request.body);
  if (!parsed.ok()) return Problem(400, "Invalid request", "the request is invalid", parsed.errors);
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
