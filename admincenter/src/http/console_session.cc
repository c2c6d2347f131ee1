#include "http/console_session.h"

#include "admincenter/api.h"
#include "admincenter/principal_codec.h"
#include "common/cookies.h"
#include "common/crypto.h"
#include "http/api_parts.h"

namespace custodian::admincenter {
namespace internal {

std::optional<SessionCookie> ReadSessionCookie(const http::Request& request) {
  const std::optional<std::string> v = http::ReadCookie(request, kSessionCookieName);
  if (!v) return std::nullopt;
  const std::size_t dot = v->find('.');
  if (dot == std::string::npos) return std::nullopt;
  SessionCookie c{v->substr(0, dot), v->substr(dot + 1)};
  // Token ids and secrets have no dot of their own.
  if (c.token_id.empty() || c.secret.empty() || c.secret.find('.') != std::string::npos) {
    return std::nullopt;
  }
  return c;
}

std::string CsrfToken(const std::string& secret) {
  return crypto::Base64Url(crypto::Sha256("custodian-csrf\n" + secret));
}

std::string SessionCookieHeader(const SessionCookie& cookie, std::chrono::seconds max_age,
                                bool secure) {
  return http::SetCookieHeader(kSessionCookieName, cookie.token_id + "." + cookie.secret, max_age,
                               secure);
}

std::string ClearedSessionCookieHeader(bool secure) {
  return http::ClearedCookieHeader(kSessionCookieName, secure);
}

}  // namespace internal

using namespace internal;
namespace bhttp = boost::beast::http;

http::Response Api::ConsoleSession(Call& c) {
  auto session = [](const Principal& who, const std::optional<std::string>& csrf,
                    const std::optional<policy::Instant>& expires_at) {
    value out = value::object(true);
    if (csrf) out["csrf_token"] = value::string(*csrf);  // none for a bearer token
    if (expires_at) out["expires_at"] = value::string(policy::FormatRfc3339(*expires_at));
    out["principal"] = Encode(who);
    return out;
  };
  const std::optional<SessionCookie> cookie = ReadSessionCookie(c.request);
  if (c.request.method == bhttp::verb::post) {
    Result<LoginInput> in = DecodeLogin(c.body);
    if (!in.ok()) return ToResponse(in.problem());
    Result<LoginResult> login = c.service.Login(in.value(), c.request.remote_address);
    if (!login.ok()) return ToResponse(login.problem());
    const IssuedToken& t = login.value().token;
    http::Response r =
        Json(201, session(login.value().principal, CsrfToken(t.secret), t.expires_at));
    // The cookie lives as long as the token Login has just issued. Not
    // expires_at less a fresh reading of the clock, which reads whole
    // seconds: a second ticking in between made it 43199 now and then.
    r.headers.push_back(
        {"Set-Cookie", SessionCookieHeader({t.id, t.secret}, kLoginTokenLifetime, tls_)});
    r.headers.push_back({"Cache-Control", "no-store"});
    return r;
  }
  if (c.request.method == bhttp::verb::get) {
    if (!c.principal) {
      return ToResponse(Problem{ErrorKind::kUnauthenticated, "not signed in", {}, {}});
    }
    http::Response r =
        Json(200, session(c.who(), cookie ? std::optional(CsrfToken(cookie->secret)) : std::nullopt,
                          std::nullopt));
    r.headers.push_back({"Cache-Control", "no-store"});
    return r;
  }
  // DELETE: a bearer caller has no session here to end.
  if (!cookie) return ToResponse(NotFound("no console session"));
  Result<Done> revoked = c.service.RevokeToken(c.who(), cookie->token_id);
  if (!revoked.ok()) return ToResponse(revoked.problem());
  http::Response r = Json(204, value::null());
  r.headers.push_back({"Set-Cookie", ClearedSessionCookieHeader(tls_)});
  return r;
}

}  // namespace custodian::admincenter
