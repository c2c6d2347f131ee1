#include "enforcer/local_api.h"

#include <openssl/crypto.h>

#include <boost/asio/post.hpp>

#include "policy/codec.h"
#include "policy/engine.h"

namespace custodian::enforcer {

using web::json::value;

namespace {

http::Response Problem(unsigned status, const std::string& title, const std::string& detail,
                       const std::vector<policy::FieldError>& errors = {}) {
  value p = value::object(true);
  p["type"] = value::string("about:blank");
  p["title"] = value::string(title);
  p["status"] = value::number(static_cast<int>(status));
  p["detail"] = value::string(detail);
  if (!errors.empty()) {
    value list = value::array();
    for (std::size_t i = 0; i < errors.size(); ++i) {
      value e = value::object(true);
      e["pointer"] = value::string(errors[i].pointer);
      e["message"] = value::string(errors[i].message);
      list[i] = e;
    }
    p["errors"] = list;
  }
  http::Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = p.serialize();
  return r;
}

}  // namespace

LocalApi::LocalApi(Store& store, BundleHolder& bundles, Agent& agent, WallClock wall,
                   std::string token)
    : store_(store),
      bundles_(bundles),
      agent_(agent),
      wall_(std::move(wall)),
      token_(std::move(token)) {}

LocalApi::~LocalApi() { Drain(); }

void LocalApi::Drain() { worker_.join(); }

void LocalApi::Handle(http::Request request, http::Respond respond) {
  boost::asio::post(worker_, [this, request = std::move(request), respond = std::move(respond)] {
    respond(Serve(request));
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
  if (request.path == "/v1/decisions" && request.method == boost::beast::http::verb::post) {
    return Decide(request);
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
  auto active = bundles_.active();
  policy::Decision d;
  if (active) {
    d = policy::Decide(active->compiled, *parsed.value, now);
  } else {
    // No bundle ever accepted (or the stored one was refused): fail closed.
    static const policy::CompiledPolicy kNone = [] {
      struct NoZones : policy::TimeZones {
        const policy::TimeZone* Find(std::string_view) const override { return nullptr; }
      };
      static const NoZones zones;
      return policy::CompiledPolicy::Compile(policy::Policy{}, zones, policy::Instant{});
    }();
    d = policy::Decide(kNone, *parsed.value, now);
  }
  const std::string text = policy::SerializeDecision(d);
  EventInput e;
  e.action = "decision";
  e.target = std::string(policy::ActionName(parsed.value->action)) +
             " technician:" + parsed.value->technician_id;
  e.outcome = d.effect == policy::Effect::kAllow ? "success" : "denied";
  const value decision = value::parse(text);
  e.reasons = decision.at("reasons");
  e.details["policy_version"] = active ? value::number(active->version) : value::null();
  store_.Append(e, now);
  agent_.EventsAppended();
  http::Response r;
  r.body = text;
  return r;
}

}  // namespace custodian::enforcer
