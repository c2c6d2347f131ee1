// The fixture of the enforcer's in-process workflow tests
// (workflows_test.cc, workflows_credentials_test.cc): a real state
// directory and bundle, a clock the test moves, and fakes for the two OS
// dependencies (the administrator-credential verifier and the OS action).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "common/crypto.h"
#include "enforcer/agent.h"
#include "enforcer/local_api.h"
#include "enforcer/workflows.h"
#include "policy/system_time_zones.h"
#include "support/bundles.h"
#include "support/process.h"

namespace custodian::enforcer::workflows_test {

using web::json::value;

inline const policy::Instant kStart =
    *policy::ParseRfc3339("2026-11-23T09:30:00Z");  // 10:30 Berlin
inline constexpr const char* kPassword = "s3cret-Passw0rd!";

class FakeVerifier : public AdminVerifier {
 public:
  bool Verify(const std::string& user, const SecretBytes& password) override {
    return user == "administrator" && password.view() == "right";
  }
};

class FakeOs : public OsActions {
 public:
  struct Call {
    std::string operation, user, domain, secret;
  };
  bool Run(const std::string& operation, const std::string& user, const std::string& domain,
           const SecretBytes& secret, std::string* detail) override {
    if (hold) hold->wait();  // an action that takes long
    calls.push_back({operation, user, domain, std::string(secret.view())});
    if (fail) *detail = "the OS refused";
    return !fail;
  }
  std::vector<Call> calls;
  bool fail = false;
  std::shared_future<void> const* hold = nullptr;
};

class WorkflowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("custodian-workflows");
    std::string error;
    store_ = testing::EnrolledStore(dir_, key_, &error);
    ASSERT_TRUE(store_) << error;
    holder_ = std::make_unique<BundleHolder>(*store_, policy::SystemTimeZones::Get());
    Accept(1, R"({"unattended_access":true,"request_windows_credentials":true})");
    Make("windows");
  }
  void TearDown() override {
    api_.reset();
    workflows_.reset();
    agent_.reset();
    holder_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Make(const std::string& os) {
    api_.reset();
    workflows_.reset();
    agent_.reset();
    auto wall = [this] { return now_; };
    WorkflowOptions o;
    o.endpoint_id = "e-test";
    o.os = os;
    o.time_zone = "Europe/Berlin";
    o.windows_user = "anna";
    o.windows_domain = "HOME";
    o.warning_minutes = 5;
    std::string error;
    auto machine = Vault::FromKeyFile(dir_ / kVaultKeyFile, &error);
    ASSERT_TRUE(machine) << error;
    workflows_ = std::make_unique<Workflows>(*store_, *holder_, policy::SystemTimeZones::Get(),
                                             wall, std::move(*machine), verifier_, os_, o, nullptr);
    std::string unused;
    agent_ = std::make_unique<Agent>(*store_, *holder_, wall,
                                     *http::Failover::Parse("http://127.0.0.1:1", {}, &unused),
                                     "e-test", "x");
    api_ = std::make_unique<LocalApi>(*store_, *holder_, *agent_, *workflows_, wall, "local",
                                      std::nullopt);
    api_->SetPort(1);
  }

  void Accept(int64_t version, const std::string& permissions) {
    const std::string envelope =
        testing::SignedBundle(key_, version, kStart, kStart + std::chrono::hours(24 * 90),
                              value::parse(
                                  R"({"settings":{"unattended":{"request_ttl_minutes":30}},
            "groups":[{"id":"g","name":"G","permissions":)" +
                                  permissions + R"(}],
            "technicians":[{"id":"t-1","group_id":"g","time_zone":"Europe/Berlin"}]})"));
    ASSERT_EQ(holder_->Offer(envelope, store_->Now(now_)), BundleHolder::Outcome::kAccepted);
  }

  // The local API, as the customer's prompt or the session agent uses it.
  std::pair<unsigned, value> Local(const std::string& method, const std::string& path,
                                   const std::string& body = "", const std::string& lang = "en") {
    http::Request r;
    r.method = method == "GET" ? boost::beast::http::verb::get : boost::beast::http::verb::post;
    r.method_name = method;
    r.path = path;
    r.body = body;
    r.headers["authorization"] = "Bearer local";
    r.headers["host"] = "127.0.0.1:1";
    r.headers["content-type"] = "application/json";
    r.headers["accept-language"] = lang;
    std::promise<http::Response> answer;
    api_->Handle(r, [&](http::Response response) { answer.set_value(std::move(response)); });
    http::Response got = answer.get_future().get();
    return {got.status, value::parse(got.body)};
  }

  void Command(const std::string& type, const std::string& json) {
    ASSERT_TRUE(workflows_->OnCommand(policy::ParseCommand(type, value::parse(json)))) << type;
  }
  void OpenSession(const std::string& id, const std::string& type = "applet", bool screen = true) {
    Command("session.open",
            R"({"session_id":")" + id + R"(","technician_id":"t-1","session":{"type":")" + type +
                R"(",)" + (type == "instant_chat" ? R"("mode":"chat_only",)" : "") +
                R"("active":true,"screen_viewing":)" + (screen ? "true" : "false") + "}}");
  }
  void Request(const std::string& id, const std::string& session, const std::string& mode,
               const std::string& schedule) {
    Command("unattended.request",
            R"({"request_id":")" + id + R"(","session_id":")" + session +
                R"(","technician_id":"t-1","technician_name":"Tina","credential_mode":")" + mode +
                R"(","schedule":)" + schedule + R"(,"expires_at":"2030-01-01T00:00:00Z"})");
  }
  void Connect(const std::string& id, const std::string& grant) {
    Command("unattended.connect", R"({"connection_id":")" + id + R"(","grant_id":")" + grant +
                                      R"(","technician_id":"t-1"})");
  }
  // The newest event with `action`, or null.
  value Last(const std::string& action) {
    value found = value::null();
    for (const value& e : store_->Events()) {
      if (e.at("action").as_string() == action) found = e;
    }
    return found;
  }
  std::vector<std::string> ReasonCodes(const value& event) {
    std::vector<std::string> codes;
    for (const value& r : event.at("reasons").as_array()) codes.push_back(r.at("code").as_string());
    return codes;
  }
  // The connection `id` as the endpoint holds it ({} when it has none).
  value Connection(const std::string& id) {
    const value overview = Local("GET", "/v1/overview").second;
    for (const value& c : overview.at("connections").as_array()) {
      if (c.at("id").as_string() == id) return c;
    }
    ADD_FAILURE() << "no connection " << id;
    return value::parse(R"({"state":"","end_reason":""})");
  }
  // Approves request `id` and returns the grant id.
  std::string Approve(const std::string& id, const std::string& body = "{}") {
    auto [status, grant] = Local("POST", "/v1/prompts/" + id + "/approve", body);
    EXPECT_EQ(status, 200u) << grant.serialize();
    return grant.has_field("id") ? grant.at("id").as_string() : "";
  }

  std::filesystem::path dir_;
  crypto::Ed25519KeyPair key_ = crypto::GenerateEd25519();
  policy::Instant now_ = kStart;
  std::unique_ptr<Store> store_;
  std::unique_ptr<BundleHolder> holder_;
  FakeVerifier verifier_;
  FakeOs os_;
  std::unique_ptr<Workflows> workflows_;
  std::unique_ptr<Agent> agent_;
  std::unique_ptr<LocalApi> api_;
};

}  // namespace custodian::enforcer::workflows_test
