// The web console as the admin center serves it: its files with a strict
// Content-Security-Policy, the app's routes falling back to index.html
// while the API keeps its 404s, ETags; and browser sessions: an HttpOnly,
// SameSite=Strict cookie (Secure under TLS), the CSRF token every state
// change needs, sign-out, and a session that ended answered clearly.
#include <gtest/gtest.h>

#include "support/admincenter_process.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;
using custodian::testing::HttpResult;

constexpr char kIndex[] =
    "<!doctype html><title>Custodian</title><script type=module "
    "src=/assets/index-3f2a.js></script>";
constexpr char kScript[] = "console.log('custodian')";

// A console folder as Vite builds it.
std::filesystem::path ConsoleFolder() {
  const auto dir = custodian::testing::FreshTestDir("custodian-console");
  std::filesystem::create_directories(dir / "assets");
  std::ofstream(dir / "index.html") << kIndex;
  std::ofstream(dir / "assets" / "index-3f2a.js") << kScript;
  std::ofstream(dir / "favicon.svg") << "<svg xmlns='http://www.w3.org/2000/svg'/>";
  return dir;
}

TEST(Console, ServesItsFilesUnderAStrictContentSecurityPolicy) {
  const auto dir = ConsoleFolder();
  AdminCenterProcess ac("console", {"--console-dir", dir.string()});
  const HttpResult index = ac.Request("GET", "/", std::nullopt);
  ASSERT_EQ(index.status, 200u);
  EXPECT_EQ(index.body, kIndex);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  const std::string csp = index.headers.at("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;  // no inline script or style
  EXPECT_EQ(index.headers.at("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(index.headers.at("Cache-Control"), "no-cache");

  const HttpResult script = ac.Request("GET", "/assets/index-3f2a.js", std::nullopt);
  ASSERT_EQ(script.status, 200u);
  EXPECT_EQ(script.body, kScript);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(script.headers.at("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(ac.Request("GET", "/favicon.svg", std::nullopt).content_type, "image/svg+xml");

  // Revalidation by ETag.
  const std::string etag = index.headers.at("ETag");
  const HttpResult again =
      ac.Request("GET", "/", std::nullopt, "", "application/json", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  std::filesystem::remove_all(dir);
}

TEST(Console, TheAppsRoutesFallBackToIndexButTheApiKeepsItsNotFound) {
  const auto dir = ConsoleFolder();
  AdminCenterProcess ac("console-routes", {"--console-dir", dir.string()});
  for (const char* route : {"/groups", "/groups/g-support", "/audit"}) {
    const HttpResult r = ac.Request("GET", route, std::nullopt);
    EXPECT_EQ(r.status, 200u) << route;
    EXPECT_EQ(r.body, kIndex) << route;
  }
  // A file that is not there is not the app: 404, not index.html.
  EXPECT_EQ(ac.Request("GET", "/assets/gone-1234.js", std::nullopt).status, 404u);
  // The API's unknown routes answer as the API does.
  const HttpResult api = ac.Request("GET", "/v1/no-such-thing", std::nullopt);
  EXPECT_EQ(api.status, 404u);
  EXPECT_EQ(api.content_type, "application/problem+json");
  EXPECT_EQ(ac.Request("POST", "/groups", std::nullopt, "{}").status, 404u);
  std::filesystem::remove_all(dir);
}

TEST(Console, WithoutItsFilesTheRootSaysTheConsoleIsNotInstalled) {
  AdminCenterProcess ac("console-none", {"--console-dir", "none"});
  const HttpResult r = ac.Request("GET", "/", std::nullopt);
  EXPECT_EQ(r.status, 404u);
  EXPECT_NE(r.body.find("console is not installed"), std::string::npos) << r.body;
}

TEST(Console, AConsoleFolderThatIsNamedButEmptyStopsTheStart) {
  const auto dir = custodian::testing::FreshTestDir("custodian-console-empty");
  const auto run = custodian::testing::RunCommand(std::string(CUSTODIAN_ADMINCENTER) +
                                                  " run --data-dir " + (dir / "none").string() +
                                                  " --console-dir " + dir.string() + " 2>&1");
  EXPECT_NE(run.exit_code, 0);
  std::filesystem::remove_all(dir);
}

class ConsoleSession : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ac_ = new AdminCenterProcess("console-session");
    ac_->Request("POST", "/v1/auditors", ac_->master_token(),
                 R"({"name":"tom","password":"a long enough password"})");
  }
  static void TearDownTestSuite() { delete ac_; }

  // Signs in; the Set-Cookie header and the answer.
  static std::pair<std::string, web::json::value> SignIn(const std::string& name) {
    const HttpResult r =
        ac_->Request("POST", "/v1/console/session", std::nullopt,
                     R"({"name":")" + name + R"(","password":"a long enough password"})");
    EXPECT_EQ(r.status, 201u) << r.body;
    return {r.headers.count("Set-Cookie") ? r.headers.at("Set-Cookie") : "", r.json()};
  }
  // "custodian_session=…" of a Set-Cookie header.
  static std::string CookieOf(const std::string& set_cookie) {
    return set_cookie.substr(0, set_cookie.find(';'));
  }
  static HttpResult WithCookie(const std::string& method, const std::string& path,
                               const std::string& cookie, const std::string& body = "",
                               std::map<std::string, std::string> headers = {}) {
    headers["Cookie"] = cookie;
    return ac_->Request(method, path, std::nullopt, body, "application/json", headers);
  }

  inline static AdminCenterProcess* ac_ = nullptr;
};

TEST_F(ConsoleSession, SigningInSetsAnHttpOnlyStrictCookieAndShowsNoToken) {
  ac_->Request("POST", "/v1/admins", ac_->master_token(),
               R"({"name":"ann","password":"a long enough password","scopes":[]})");
  const auto [set_cookie, body] = SignIn("ann");
  EXPECT_TRUE(set_cookie.starts_with("custodian_session=tok_")) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos) << set_cookie;
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "plain HTTP: " << set_cookie;
  EXPECT_NE(set_cookie.find("; Max-Age=4320"), std::string::npos) << "12 h: " << set_cookie;
  // The secret is in the cookie only, never in what script can read.
  const std::string secret = CookieOf(set_cookie).substr(CookieOf(set_cookie).find('.') + 1);
  EXPECT_EQ(body.serialize().find(secret), std::string::npos);
  EXPECT_FALSE(body.has_field("token"));
  EXPECT_EQ(body.at("principal").at("name").as_string(), "ann");
  EXPECT_FALSE(body.at("csrf_token").as_string().empty());

  const HttpResult me = WithCookie("GET", "/v1/console/session", CookieOf(set_cookie));
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(me.json().at("csrf_token").as_string(), body.at("csrf_token").as_string());
  EXPECT_EQ(me.headers.at("Cache-Control"), "no-store");
}

TEST_F(ConsoleSession, EveryStateChangeNeedsTheSessionsCsrfToken) {
  const auto [set_cookie, body] = SignIn("tom");
  const std::string cookie = CookieOf(set_cookie);
  const std::string csrf = body.at("csrf_token").as_string();
  EXPECT_EQ(WithCookie("GET", "/v1/audit/checkpoint", cookie).status, 200u);  // reads need none
  const std::string change = R"({"password":"another long password","current_password":)"
                             R"("a long enough password"})";
  const HttpResult none = WithCookie("POST", "/v1/me/password", cookie, change);
  EXPECT_EQ(none.status, 403u);
  EXPECT_NE(none.body.find("CSRF"), std::string::npos) << none.body;
  EXPECT_EQ(
      WithCookie("POST", "/v1/me/password", cookie, change, {{"X-CSRF-Token", "x" + csrf}}).status,
      403u);
  // Another session's token is not this one's.
  const auto [other_cookie, other] = SignIn("tom");
  EXPECT_EQ(WithCookie("POST", "/v1/me/password", cookie, change,
                       {{"X-CSRF-Token", other.at("csrf_token").as_string()}})
                .status,
            403u);
  // Refused attempts are in the audit log.
  const HttpResult audit =
      ac_->Request("GET", "/v1/audit/events?action=authz.denied", ac_->master_token());
  EXPECT_NE(audit.body.find("/v1/me/password"), std::string::npos) << audit.body;
  // With it, the change is made; then the password is put back.
  EXPECT_EQ(WithCookie("POST", "/v1/me/password", cookie, change, {{"X-CSRF-Token", csrf}}).status,
            204u);
  EXPECT_EQ(WithCookie("POST", "/v1/me/password", cookie,
                       R"({"password":"a long enough password","current_password":)"
                       R"("another long password"})",
                       {{"X-CSRF-Token", csrf}})
                .status,
            204u);
}

TEST_F(ConsoleSession, SigningOutEndsTheSessionAndItsCookieIsThenRefusedClearly) {
  const auto [set_cookie, body] = SignIn("tom");
  const std::string cookie = CookieOf(set_cookie);
  const std::string csrf = body.at("csrf_token").as_string();
  EXPECT_EQ(WithCookie("DELETE", "/v1/console/session", cookie).status, 403u);  // no CSRF token
  const HttpResult out =
      WithCookie("DELETE", "/v1/console/session", cookie, "", {{"X-CSRF-Token", csrf}});
  EXPECT_EQ(out.status, 204u) << out.body;
  EXPECT_TRUE(out.headers.at("Set-Cookie").starts_with("custodian_session=; Max-Age=0"));
  const HttpResult after = WithCookie("GET", "/v1/audit/checkpoint", cookie);
  EXPECT_EQ(after.status, 401u);
  EXPECT_NE(after.body.find("expired or ended; sign in again"), std::string::npos) << after.body;
  EXPECT_TRUE(after.headers.at("Set-Cookie").starts_with("custodian_session=; Max-Age=0"));
  // An anonymous route still answers, as if no cookie had come.
  EXPECT_EQ(WithCookie("GET", "/healthz", cookie).status, 200u);
  // And signing in again with the old cookie still there works.
  const HttpResult again = WithCookie("POST", "/v1/console/session", cookie,
                                      R"({"name":"tom","password":"a long enough password"})");
  EXPECT_EQ(again.status, 201u) << again.body;
}

TEST_F(ConsoleSession, ATokenRevokedElsewhereEndsTheSession) {
  const auto [set_cookie, body] = SignIn("tom");
  const std::string cookie = CookieOf(set_cookie);
  const std::string token_id =
      cookie.substr(cookie.find('=') + 1, cookie.find('.') - cookie.find('=') - 1);
  EXPECT_EQ(ac_->Request("DELETE", "/v1/tokens/" + token_id, ac_->master_token()).status, 204u);
  EXPECT_EQ(WithCookie("GET", "/v1/console/session", cookie).status, 401u);
}

TEST_F(ConsoleSession, AskingWithoutASessionIsAnsweredNotSignedInAndNotAudited) {
  const auto audited = [] {
    return ac_->Request("GET", "/v1/audit/events?action=authz.denied", ac_->master_token()).body;
  };
  const std::string before = audited();
  const HttpResult r = ac_->Request("GET", "/v1/console/session", std::nullopt);
  EXPECT_EQ(r.status, 401u);
  EXPECT_NE(r.body.find("not signed in"), std::string::npos) << r.body;
  EXPECT_EQ(audited().find("GET /v1/console/session"), before.find("GET /v1/console/session"));
}

TEST_F(ConsoleSession, AWrongPasswordSetsNoCookie) {
  const HttpResult r = ac_->Request("POST", "/v1/console/session", std::nullopt,
                                    R"({"name":"tom","password":"not the password"})");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.headers.count("Set-Cookie"), 0u);
}

TEST(ConsoleSessionTls, TheCookieIsSecureUnderTls) {
  const auto dir = custodian::testing::FreshTestDir("custodian-console-tls");
  ASSERT_TRUE(custodian::testing::MakeSelfSignedCertificate(dir, "ec"));
  AdminCenterProcess ac("console-tls", {"--tls-certificate", (dir / "cert.pem").string(),
                                        "--tls-key", (dir / "key.pem").string()});
  ac.Request("POST", "/v1/auditors", ac.master_token(),
             R"({"name":"aud","password":"a long enough password"})");
  const HttpResult r = ac.Request("POST", "/v1/console/session", std::nullopt,
                                  R"({"name":"aud","password":"a long enough password"})");
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_NE(r.headers.at("Set-Cookie").find("; Secure"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace custodian::admincenter
