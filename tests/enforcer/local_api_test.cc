// The enforcer's local API in-process, with a clock the test controls:
// decisions come from the bundle in force, fail closed with policy_expired
// once it has expired (also when the clock is turned back afterwards), and
// without any bundle; each decision is an event of the endpoint's chain.
#include "enforcer/local_api.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

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
    api_ =
        std::make_unique<LocalApi>(*store_, *holder_, *agent_, *workflows_, wall, "local-secret");
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
    http::Request r;
    r.method = method == "GET" ? boost::beast::http::verb::get : boost::beast::http::verb::post;
    r.method_name = method;
    r.path = path;
    r.body = body;
    r.headers["authorization"] = "Bearer " + token;
    r.headers["content-type"] = "application/json";
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

}  // namespace
}  // namespace custodian::enforcer
