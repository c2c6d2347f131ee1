// The enforcer's local API in-process, with a clock the test controls:
// decisions come from the bundle in force, fail closed with policy_expired
// once it has expired (also when the clock is turned back afterwards), and
// without any bundle; each decision is an event of the endpoint's chain.
#include "enforcer/local_api.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <map>

#include "common/crypto.h"
#include "enforcer/agent.h"
#include "enforcer/bundle.h"
#include "enforcer/storage/store.h"
#include "policy/system_time_zones.h"
#include "support/bundles.h"
#include "support/process.h"

namespace custodian::enforcer {
namespace {

using web::json::value;

const policy::Instant kIssued = *policy::ParseRfc3339("2026-11-23T12:00:00Z");

class LocalApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("custodian-local-api");
    std::string error;
    store_ = testing::EnrolledStore(dir_, key_, &error);
    ASSERT_TRUE(store_) << error;
    holder_ = std::make_unique<BundleHolder>(*store_, policy::SystemTimeZones::Get());
    auto wall = [this] { return now_; };
    std::string unused;
    agent_ = std::make_unique<Agent>(*store_, *holder_, wall,
                                     *http::Failover::Parse("http://127.0.0.1:1", {}, &unused),
                                     "e-test", "x");
    verifier_ = CommandVerifier({"/bin/false"});
    os_ = CommandOsActions({});
    workflows_ = std::make_unique<Workflows>(*store_, *holder_, policy::SystemTimeZones::Get(),
                                             wall, Vault::WithRandomKey(), *verifier_, *os_,
                                             WorkflowOptions{}, nullptr);
    api_ = std::make_unique<LocalApi>(*store_, *holder_, *agent_, *workflows_, wall, "local-secret",
                                      std::nullopt);
    api_->SetPort(kPort);
  }
  void TearDown() override {
    api_.reset();
    workflows_.reset();
    agent_.reset();
    holder_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Accept(int64_t version, std::chrono::hours lifetime) {
    const std::string envelope = testing::SignedBundle(
        key_, version, kIssued, kIssued + lifetime, value::parse(R"({"groups":[{"id":"g","name":"G",
        "permissions":{"unattended_access":true}}],
        "technicians":[{"id":"t-1","group_id":"g","time_zone":"Europe/Berlin"}]})"));
    ASSERT_EQ(holder_->Offer(envelope, store_->Now(now_)), BundleHolder::Outcome::kAccepted);
  }

  http::Response Call(const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& token = "local-secret") {
    return Send(method, path, body, {{"authorization", "Bearer " + token}});
  }
  // A request as a browser on this origin sends it, with `headers` over
  // the defaults (an empty value drops one).
  http::Response Send(const std::string& method, const std::string& path, const std::string& body,
                      std::map<std::string, std::string> headers) {
    using boost::beast::http::verb;
    http::Request r;
    r.method = method == "GET" ? verb::get : method == "DELETE" ? verb::delete_ : verb::post;
    r.method_name = method;
    r.path = path;
    r.body = body;
    r.headers["host"] = "127.0.0.1:" + std::to_string(kPort);
    r.headers["content-type"] = "application/json";
    for (auto& [k, v] : headers) r.headers[k] = v;
    std::erase_if(r.headers, [](const auto& h) { return h.second.empty(); });
    std::promise<http::Response> answer;
    api_->Handle(r, [&](http::Response response) { answer.set_value(std::move(response)); });
    return answer.get_future().get();
  }
  value Decide() {
    return value::parse(
        Call("POST", "/v1/decisions",
             R"({"action":"unattended.request","technician_id":"t-1",)"
             R"("session":{"type":"applet","active":true},)"
             R"("endpoint":{"os":"windows","time_zone":"Europe/Berlin"},)"
             R"("credential_mode":"at_connection","schedule":{"kind":"days","days":3,)"
             R"("time_reference":"customer"}})")
            .body);
  }

  static constexpr uint16_t kPort = 47613;
  static constexpr char kOrigin[] = "http://127.0.0.1:47613";
  std::filesystem::path dir_;
  crypto::Ed25519KeyPair key_ = crypto::GenerateEd25519();
  policy::Instant now_ = kIssued + std::chrono::hours(1);
  std::unique_ptr<Store> store_;
  std::unique_ptr<BundleHolder> holder_;
  std::unique_ptr<Agent> agent_;
  std::unique_ptr<AdminVerifier> verifier_;
  std::unique_ptr<OsActions> os_;
  std::unique_ptr<Workflows> workflows_;
  std::unique_ptr<LocalApi> api_;
};

TEST_F(LocalApiTest, DecidesFromTheBundleAndFailsClosedAfterItExpires) {
  EXPECT_EQ(Decide().at("reasons").at(0).at("code").as_string(), "policy_expired")
      << "no bundle yet";
  Accept(1, std::chrono::hours(24));
  EXPECT_EQ(Decide().at("effect").as_string(), "allow");
  now_ = kIssued + std::chrono::hours(25);
  const value expired = Decide();
  EXPECT_EQ(expired.at("effect").as_string(), "deny");
  EXPECT_NE(expired.serialize().find("policy_expired"), std::string::npos);
  EXPECT_NE(expired.serialize().find("R16"), std::string::npos);
  now_ = kIssued + std::chrono::hours(2);  // the clock turned back
  EXPECT_EQ(Decide().at("effect").as_string(), "deny") << "turning the clock back does not help";
  const value status = value::parse(Call("GET", "/v1/status").body);
  EXPECT_TRUE(status.at("policy").at("expired").as_bool());
  // Every decision is on the chain.
  std::size_t decisions = 0;
  for (const value& e : store_->Events()) decisions += e.at("action").as_string() == "decision";
  EXPECT_EQ(decisions, 4u);
}

TEST_F(LocalApiTest, WantsItsTokenAndAValidRequest) {
  EXPECT_EQ(Call("GET", "/v1/status", "", "wrong").status, 401u);
  EXPECT_EQ(Call("GET", "/v1/status", "", "local-secre").status, 401u);
  EXPECT_EQ(Call("GET", "/v1/nothing").status, 404u);
  const http::Response bad = Call("POST", "/v1/decisions", R"({"action":"fly"})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("/action"), std::string::npos) << bad.body;
}

// The customer's window: a one-time code from the token holder, spent by
// its first exchange for a cookie and a CSRF token, both needed on every
// request; other origins and other Host names are refused.
struct WindowSession {
  std::string cookie;  // "custodian_window=…"
  std::string csrf;
};

std::string CodeOf(const std::string& url) { return url.substr(url.find("#code=") + 6); }

TEST_F(LocalApiTest, AOneTimeCodeOpensOneWindowSession) {
  const http::Response issued = Call("POST", "/v1/window/codes");
  ASSERT_EQ(issued.status, 201u) << issued.body;
  const std::string url = value::parse(issued.body).at("url").as_string();
  EXPECT_TRUE(url.starts_with(std::string(kOrigin) + "/#code=")) << url;
  const std::string code = R"({"code":")" + CodeOf(url) + R"("})";
  // Not without the window's own Origin, and that attempt does not spend it.
  EXPECT_EQ(Send("POST", "/v1/window/session", code, {{"origin", "http://evil.example"}}).status,
            403u);
  EXPECT_EQ(Send("POST", "/v1/window/session", code, {}).status, 403u);
  const http::Response opened = Send("POST", "/v1/window/session", code, {{"origin", kOrigin}});
  ASSERT_EQ(opened.status, 201u) << opened.body;
  std::string set_cookie;
  for (const auto& [k, v] : opened.headers) {
    if (k == "Set-Cookie") set_cookie = v;
  }
  EXPECT_TRUE(set_cookie.starts_with("custodian_window=")) << set_cookie;
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(opened.body.find(set_cookie.substr(17, set_cookie.find(';') - 17)), std::string::npos)
      << "the cookie's secret is not in the body";
  const std::string csrf = value::parse(opened.body).at("csrf_token").as_string();
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  auto with = [&](std::map<std::string, std::string> h) {
    h.emplace("cookie", cookie);
    return h;
  };
  // Spent: a second use is refused.
  const http::Response again = Send("POST", "/v1/window/session", code, {{"origin", kOrigin}});
  EXPECT_EQ(again.status, 401u);
  EXPECT_NE(again.body.find("enforcer prompt"), std::string::npos) << again.body;
  // Cookie and CSRF token together, reads too.
  EXPECT_EQ(Send("GET", "/v1/prompts", "", with({{"x-csrf-token", csrf}})).status, 200u);
  EXPECT_EQ(Send("GET", "/v1/overview", "", with({{"x-csrf-token", csrf}})).status, 200u);
  EXPECT_EQ(Send("GET", "/v1/prompts", "", with({})).status, 401u) << "the cookie alone";
  EXPECT_EQ(Send("GET", "/v1/prompts", "", {{"x-csrf-token", csrf}}).status, 401u)
      << "the token alone";
  EXPECT_EQ(Send("GET", "/v1/prompts", "", with({{"x-csrf-token", csrf + "x"}})).status, 401u);
  // A state change from this origin only, and it must say so.
  EXPECT_EQ(Send("POST", "/v1/grants/g-none/revoke", "{}",
                 with({{"x-csrf-token", csrf}, {"origin", "http://127.0.0.1:1"}}))
                .status,
            403u);
  EXPECT_EQ(Send("POST", "/v1/grants/g-none/revoke", "{}", with({{"x-csrf-token", csrf}})).status,
            403u)
      << "no Origin";
  EXPECT_EQ(Send("POST", "/v1/grants/g-none/revoke", "{}",
                 with({{"x-csrf-token", csrf}, {"origin", kOrigin}}))
                .status,
            404u)
      << "allowed through, and no such grant";
  // The token's routes stay the token's.
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/status"},
           {"POST", "/v1/decisions"},
           {"POST", "/v1/window/codes"},
           {"POST", "/v1/connections/c-1/credentials"}}) {
    const http::Response r =
        Send(method, path, "{}", with({{"x-csrf-token", csrf}, {"origin", kOrigin}}));
    EXPECT_TRUE(r.status == 404u || r.status == 405u) << method << " " << path << " " << r.status;
  }
  // Signing out ends it.
  EXPECT_EQ(
      Send("DELETE", "/v1/window/session", "", with({{"x-csrf-token", csrf}, {"origin", kOrigin}}))
          .status,
      204u);
  EXPECT_EQ(Send("GET", "/v1/prompts", "", with({{"x-csrf-token", csrf}})).status, 401u);
}

TEST_F(LocalApiTest, AWindowCodeExpiresAfterTwoMinutes) {
  const std::string url = value::parse(Call("POST", "/v1/window/codes").body).at("url").as_string();
  now_ += kWindowCodeLifetime;
  EXPECT_EQ(Send("POST", "/v1/window/session", R"({"code":")" + CodeOf(url) + R"("})",
                 {{"origin", kOrigin}})
                .status,
            401u);
}

TEST_F(LocalApiTest, OnlyItsOwnHostNameIsAnswered) {
  // DNS rebinding: a page of evil.example whose name now resolves to
  // 127.0.0.1 sends its own name as Host.
  EXPECT_EQ(Send("GET", "/v1/status", "",
                 {{"authorization", "Bearer local-secret"}, {"host", "evil.example:47613"}})
                .status,
            403u);
  EXPECT_EQ(Send("GET", "/", "", {{"host", "evil.example:47613"}}).status, 403u);
  EXPECT_EQ(Send("GET", "/v1/status", "",
                 {{"authorization", "Bearer local-secret"}, {"host", "localhost:47613"}})
                .status,
            200u);
  // Without a window installed, / says so.
  const http::Response page = Send("GET", "/", "", {});
  EXPECT_EQ(page.status, 404u);
  EXPECT_NE(page.body.find("not installed"), std::string::npos) << page.body;
}

}  // namespace
}  // namespace custodian::enforcer
