// The enforcer's workflows in-process (R1–R15), with a clock the test moves
// and fakes for the two OS dependencies (the administrator-credential
// verifier and the OS action): every flow and its denials as the endpoint
// settles them, the events it reports with their reasons, the customer's
// prompts in English and German, and the timers that end grants, windows
// and requests.
#include "enforcer/workflows.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "common/crypto.h"
#include "enforcer/agent.h"
#include "enforcer/local_api.h"
#include "policy/system_time_zones.h"
#include "support/bundles.h"
#include "support/process.h"

namespace custodian::enforcer {
namespace {

using web::json::value;

const policy::Instant kStart = *policy::ParseRfc3339("2026-11-23T09:30:00Z");  // 10:30 Berlin
constexpr const char* kPassword = "s3cret-Passw0rd!";

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
    agent_ = std::make_unique<Agent>(*store_, *holder_, wall, "http://127.0.0.1:1", "e-test", "x");
    api_ = std::make_unique<LocalApi>(*store_, *holder_, *agent_, *workflows_, wall, "local");
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

TEST_F(WorkflowsTest, AtConnectionRequestIsConfirmedAndEveryConnectNeedsAdministratorCredentials) {
  OpenSession("s-1");
  Request("r-1", "s-1", "at_connection", R"({"kind":"days","days":7})");
  EXPECT_EQ(Last("unattended.request_received").at("details").at("request_id").as_string(), "r-1");
  auto [status, prompts] = Local("GET", "/v1/prompts");
  ASSERT_EQ(status, 200u);
  ASSERT_EQ(prompts.at("items").size(), 1u);
  const value& p = prompts.at("items").at(0);
  EXPECT_EQ(p.at("kind").as_string(), "unattended_access");
  EXPECT_EQ(p.at("asks").size(), 0u);  // R7: just a confirmation
  EXPECT_NE(p.at("message").as_string().find("7 days"), std::string::npos);
  EXPECT_EQ(p.at("message").as_string().rfind("Technician Tina asks", 0), 0u);
  const value de = Local("GET", "/v1/prompts", "", "de-AT").second;
  EXPECT_NE(de.at("items").at(0).at("message").as_string().find("unbeaufsichtigten Zugriff"),
            std::string::npos);
  EXPECT_NE(de.at("items").at(0).at("message").as_string().find("7 Tage"), std::string::npos);
  // Consent carries nothing else.
  EXPECT_EQ(Local("POST", "/v1/prompts/r-1/approve", R"({"password":"x"})").first, 400u);
  const std::string grant = Approve("r-1");
  const value approved = Last("unattended.request_approved");
  EXPECT_EQ(approved.at("details").at("grant_id").as_string(), grant);
  const value schedule = approved.at("details").at("effective_schedule");
  EXPECT_EQ(schedule.at("start").as_string(), "2026-11-23T09:30:00Z");
  EXPECT_EQ(schedule.at("end").as_string(), "2026-11-30T09:30:00Z");
  EXPECT_EQ(Local("GET", "/v1/prompts").second.at("items").size(), 0u);
  // R8: the attended session ends; the grant lives on.
  Command("session.end", R"({"session_id":"s-1"})");
  now_ += std::chrono::hours(30);
  Connect("c-1", grant);
  EXPECT_EQ(Connection("c-1").at("state").as_string(), "awaiting_credentials");
  EXPECT_EQ(Local("POST", "/v1/connections/c-1/credentials",
                  R"({"user_name":"administrator","password":"wrong"})")
                .first,
            403u);
  EXPECT_EQ(Last("connection.credentials_rejected").at("outcome").as_string(), "failure");
  EXPECT_EQ(Local("POST", "/v1/connections/c-1/credentials",
                  R"({"user_name":"administrator","password":"right"})")
                .first,
            200u);
  EXPECT_EQ(Connection("c-1").at("state").as_string(), "active");
  EXPECT_FALSE(Last("connection.started").is_null());
  // Three wrong answers refuse the connection.
  Connect("c-2", grant);
  for (int i = 0; i < 3; ++i) {
    Local("POST", "/v1/connections/c-2/credentials", R"({"user_name":"x","password":"y"})");
  }
  EXPECT_EQ(Connection("c-2").at("state").as_string(), "denied");
}

// R7: the customer consents to exactly what approving creates — the
// clamped duration, the range's local start and end, no end date, the daily
// window — in their own time and zone, in English and German.
TEST_F(WorkflowsTest, ThePromptStatesExactlyTheScheduleThatApprovingCreates) {
  const std::string envelope =
      testing::SignedBundle(key_, 2, kStart, kStart + std::chrono::hours(24 * 90), value::parse(R"({
        "settings":{"unattended":{"request_ttl_minutes":30,"cap_behavior":"clamp"}},
        "groups":[{"id":"g","name":"G","permissions":{"unattended_access":true}}],
        "technicians":[{"id":"t-1","group_id":"g","time_zone":"America/New_York"}]})"));
  ASSERT_EQ(holder_->Offer(envelope, store_->Now(now_)), BundleHolder::Outcome::kAccepted);
  struct Case {
    std::string mode, schedule, english, german, end;  // end: the grant's, "" for none
  };
  const std::vector<Case> cases = {
      {"at_connection", R"({"kind":"days","days":7})",
       "from now until 2026-11-30 10:30 (7 days); times in Europe/Berlin",
       "ab jetzt bis 30.11.2026 10:30 (7 Tage); Zeiten in Europe/Berlin", "2026-11-30T09:30:00Z"},
      // Clamped to the 14 days of R6: the prompt says 14, not the 20 asked.
      {"at_setup", R"({"kind":"days","days":20})",
       "from now until 2026-12-07 10:30 (14 days); times in Europe/Berlin",
       "ab jetzt bis 07.12.2026 10:30 (14 Tage)", "2026-12-07T09:30:00Z"},
      {"at_connection",
       R"({"kind":"range","start":"2026-12-01","end":"2026-12-03","time_reference":"customer"})",
       "from 2026-12-01 00:00 until 2026-12-04 00:00 (3 days); times in Europe/Berlin",
       "ab 01.12.2026 00:00 bis 04.12.2026 00:00 (3 Tage)", "2026-12-03T23:00:00Z"},
      {"at_connection", R"({"kind":"unlimited"})", "from now, with no end date; times in",
       "ab jetzt, ohne Enddatum", ""},
      // A daily window in the technician's zone says which zone it is.
      {"at_connection",
       R"({"kind":"days","days":3,"daily":{"from":"09:00","to":"17:00"},"time_reference":"technician"})",
       "(3 days), daily 09:00–17:00 (America/New_York time); times in Europe/Berlin",
       "täglich 09:00–17:00 (Zeitzone America/New_York)", "2026-11-26T09:30:00Z"},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string id = "r-" + std::to_string(++n), session = "s-" + std::to_string(n);
    OpenSession(session);
    Request(id, session, c.mode, c.schedule);
    const value en = Local("GET", "/v1/prompts").second.at("items").at(0);
    const value de = Local("GET", "/v1/prompts", "", "de").second.at("items").at(0);
    EXPECT_NE(en.at("message").as_string().find(c.english), std::string::npos)
        << c.schedule << "\n"
        << en.at("message").as_string();
    EXPECT_NE(de.at("message").as_string().find(c.german), std::string::npos)
        << c.schedule << "\n"
        << de.at("message").as_string();
    Approve(id, c.mode == "at_setup" ? R"({"user_name":"anna","password":"pw"})" : "{}");
    const value grant = Last("unattended.request_approved").at("details").at("effective_schedule");
    EXPECT_EQ(grant.at("end").is_null() ? "" : grant.at("end").as_string(), c.end) << c.schedule;
    EXPECT_EQ(en.at("effective_schedule").at("end"), grant.at("end")) << c.schedule;
    Command("session.end", R"({"session_id":")" + session + R"("})");
  }
}

TEST_F(WorkflowsTest, TheEndpointRefusesWhatItsOwnPolicyForbidsAndSaysWhy) {
  // R2: from a chat-only session.
  OpenSession("s-chat", "instant_chat");
  Request("r-chat", "s-chat", "at_connection", R"({"kind":"days","days":7})");
  const value chat = Last("unattended.request_refused");
  EXPECT_EQ(chat.at("details").at("request_id").as_string(), "r-chat");
  EXPECT_EQ(chat.at("outcome").as_string(), "denied");
  EXPECT_EQ(ReasonCodes(chat), std::vector<std::string>{"session_type_blocked"});
  EXPECT_EQ(chat.at("reasons").at(0).at("rule").as_string(), "R2");
  // R6: customer credentials for 20 days, and unlimited.
  OpenSession("s-1");
  Request("r-20", "s-1", "at_setup", R"({"kind":"days","days":20})");
  EXPECT_EQ(ReasonCodes(Last("unattended.request_refused")),
            std::vector<std::string>{"duration_exceeds_cap"});
  Request("r-unl", "s-1", "at_setup", R"({"kind":"unlimited"})");
  EXPECT_EQ(ReasonCodes(Last("unattended.request_refused")),
            std::vector<std::string>{"unlimited_not_allowed"});
  // Nothing refused is ever prompted.
  EXPECT_EQ(Local("GET", "/v1/prompts").second.at("items").size(), 0u);
  EXPECT_EQ(Local("POST", "/v1/prompts/r-20/approve", "{}").first, 409u);
  // A session this endpoint never saw is not an active session.
  Request("r-ghost", "s-ghost", "at_connection", R"({"kind":"days","days":1})");
  EXPECT_EQ(ReasonCodes(Last("unattended.request_refused")),
            std::vector<std::string>{"session_not_active"});
}

TEST_F(WorkflowsTest, TheCustomerDeniesOrLetsTheRequestExpire) {
  OpenSession("s-1");
  Request("r-1", "s-1", "at_connection", R"({"kind":"days","days":3})");
  EXPECT_EQ(Local("POST", "/v1/prompts/r-1/deny").first, 200u);
  EXPECT_EQ(Last("unattended.request_denied").at("details").at("request_id").as_string(), "r-1");
  EXPECT_EQ(Local("POST", "/v1/prompts/r-1/approve", "{}").first, 409u);
  // request_ttl_minutes (30 in the bundle) caps the admin center's expiry.
  Request("r-2", "s-1", "at_connection", R"({"kind":"days","days":3})");
  now_ += std::chrono::minutes(29);
  workflows_->Sweep();
  EXPECT_TRUE(Last("unattended.request_expired").is_null());
  now_ += std::chrono::minutes(1);
  const auto next = workflows_->Sweep();
  EXPECT_EQ(Last("unattended.request_expired").at("details").at("request_id").as_string(), "r-2");
  EXPECT_FALSE(next);  // nothing left to wait for
  EXPECT_EQ(Local("POST", "/v1/prompts/r-2/approve", "{}").first, 409u);
}

TEST_F(WorkflowsTest, AGrantEndingMidSessionEndsTheSessionAfterAWarning) {
  OpenSession("s-1");
  Request("r-1", "s-1", "at_connection", R"({"kind":"days","days":1})");
  const std::string grant = Approve("r-1");
  Connect("c-1", grant);
  Local("POST", "/v1/connections/c-1/credentials",
        R"({"user_name":"administrator","password":"right"})");
  ASSERT_EQ(Connection("c-1").at("state").as_string(), "active");
  EXPECT_EQ(workflows_->Sweep(), kStart + std::chrono::hours(24) - std::chrono::minutes(5));
  now_ = kStart + std::chrono::hours(24) - std::chrono::minutes(4);
  workflows_->Sweep();
  const value warning = Last("connection.warning");
  EXPECT_EQ(warning.at("details").at("ends_at").as_string(), "2026-11-24T09:30:00Z");
  EXPECT_EQ(warning.at("details").at("reason").as_string(), "grant_expired");
  EXPECT_EQ(Connection("c-1").at("state").as_string(), "active");
  now_ = kStart + std::chrono::hours(24);
  workflows_->Sweep();
  EXPECT_EQ(Connection("c-1").at("state").as_string(), "ended");
  EXPECT_EQ(Connection("c-1").at("end_reason").as_string(), "grant_expired");
  EXPECT_EQ(Last("grant.expired").at("details").at("grant_id").as_string(), grant);
  // And it cannot be used again.
  Connect("c-2", grant);
  EXPECT_EQ(ReasonCodes(Last("connection.denied")), std::vector<std::string>{"grant_expired"});
}

TEST_F(WorkflowsTest, TheDailyWindowClosingEndsTheSession) {
  // 10:30 in Berlin; the window is 09:00–11:00 Berlin time.
  OpenSession("s-1");
  Request("r-1", "s-1", "at_connection",
          R"({"kind":"days","days":7,"time_reference":"customer",)"
          R"("daily":{"from":"09:00","to":"11:00"}})");
  const std::string grant = Approve("r-1");
  Connect("c-1", grant);
  Local("POST", "/v1/connections/c-1/credentials",
        R"({"user_name":"administrator","password":"right"})");
  ASSERT_EQ(Connection("c-1").at("state").as_string(), "active");
  now_ = *policy::ParseRfc3339("2026-11-23T09:56:00Z");  // 10:56 Berlin
  workflows_->Sweep();
  EXPECT_EQ(Last("connection.warning").at("details").at("reason").as_string(), "window_closed");
  now_ = *policy::ParseRfc3339("2026-11-23T10:00:00Z");  // 11:00 Berlin
  workflows_->Sweep();
  EXPECT_EQ(Connection("c-1").at("end_reason").as_string(), "window_closed");
  // Outside the window a connect is refused; inside the next one it works.
  Connect("c-2", grant);
  EXPECT_EQ(ReasonCodes(Last("connection.denied")),
            std::vector<std::string>{"outside_time_window"});
  now_ = *policy::ParseRfc3339("2026-11-24T08:30:00Z");  // 09:30 Berlin, next day
  Connect("c-3", grant);
  EXPECT_EQ(Connection("c-3").at("state").as_string(), "awaiting_credentials");
}

TEST_F(WorkflowsTest, APermissionWithdrawnAfterApprovalRefusesTheConnect) {
  OpenSession("s-1");
  Request("r-1", "s-1", "at_connection", R"({"kind":"days","days":7})");
  const std::string grant = Approve("r-1");
  Accept(2, R"({"request_windows_credentials":true})");  // unattended_access withdrawn
  Connect("c-1", grant);
  const value denied = Last("connection.denied");
  EXPECT_EQ(ReasonCodes(denied), std::vector<std::string>{"permission_missing"});
  EXPECT_EQ(denied.at("reasons").at(0).at("rule").as_string(), "R1");
}

TEST_F(WorkflowsTest, TheCustomerOrTheAdminCenterRevokesAGrant) {
  OpenSession("s-1");
  Request("r-1", "s-1", "at_connection", R"({"kind":"unlimited"})");
  const std::string g1 = Approve("r-1");
  Connect("c-1", g1);
  Local("POST", "/v1/connections/c-1/credentials",
        R"({"user_name":"administrator","password":"right"})");
  EXPECT_EQ(Local("POST", "/v1/grants/" + g1 + "/revoke").first, 200u);
  EXPECT_EQ(Last("grant.revoked").at("details").at("by").as_string(), "customer");
  EXPECT_EQ(Connection("c-1").at("end_reason").as_string(), "grant_revoked");
  EXPECT_EQ(Local("POST", "/v1/grants/" + g1 + "/revoke").first, 409u);
  Connect("c-2", g1);
  EXPECT_EQ(ReasonCodes(Last("connection.denied")), std::vector<std::string>{"grant_revoked"});
  Request("r-2", "s-1", "at_connection", R"({"kind":"days","days":2})");
  const std::string g2 = Approve("r-2");
  Command("grant.revoke", R"({"grant_id":")" + g2 + R"(","by":"admin"})");
  EXPECT_EQ(Last("grant.revoked").at("details").at("by").as_string(), "admin");
}

TEST_F(WorkflowsTest, CustomerCredentialsUnlockOnlyWhileStoredAndLeaveWithTheSession) {
  // R13: screen viewing first.
  OpenSession("s-1", "applet", false);
  Command("credentials.request",
          R"({"request_id":"cr-1","session_id":"s-1","technician_id":"t-1"})");
  EXPECT_EQ(ReasonCodes(Last("credentials.refused")),
            std::vector<std::string>{"screen_viewing_inactive"});
  Command("session.update", R"({"session_id":"s-1","screen_viewing":true})");
  Command("credentials.request",
          R"({"request_id":"cr-2","session_id":"s-1","technician_id":"t-1"})");
  const value prompts = Local("GET", "/v1/prompts").second;
  ASSERT_EQ(prompts.at("items").size(), 1u);
  const value& p = prompts.at("items").at(0);
  EXPECT_EQ(p.at("kind").as_string(), "windows_credentials");
  EXPECT_EQ(p.at("prefill").at("user_name").as_string(), "anna");  // R14
  EXPECT_EQ(p.at("prefill").at("domain").as_string(), "HOME");
  EXPECT_EQ(p.at("asks").serialize(), R"(["password"])");
  // R14: only the password.
  EXPECT_EQ(
      Local("POST", "/v1/prompts/cr-2/approve", R"({"user_name":"other","password":"x"})").first,
      400u);
  auto [status, stored] = Local("POST", "/v1/prompts/cr-2/approve",
                                std::string(R"({"password":")") + kPassword + R"("})", "de");
  ASSERT_EQ(status, 200u) << stored.serialize();
  EXPECT_NE(stored.at("notice").as_string().find("jederzeit widerrufen"), std::string::npos);
  // R10: unlock hands the password to the OS action, and only there.
  Command("credentials.apply", R"({"operation_id":"op-1","session_id":"s-1",)"
                               R"("technician_id":"t-1","operation":"unlock"})");
  ASSERT_EQ(os_.calls.size(), 1u);
  EXPECT_EQ(os_.calls[0].operation, "unlock");
  EXPECT_EQ(os_.calls[0].user, "anna");
  EXPECT_EQ(os_.calls[0].domain, "HOME");
  EXPECT_EQ(os_.calls[0].secret, kPassword);
  EXPECT_EQ(Last("credentials.applied").at("outcome").as_string(), "success");
  os_.fail = true;
  Command("credentials.apply", R"({"operation_id":"op-2","session_id":"s-1",)"
                               R"("technician_id":"t-1","operation":"restart"})");
  EXPECT_EQ(Last("credentials.applied").at("outcome").as_string(), "failure");
  os_.fail = false;
  // R12: the customer revokes; apply is refused.
  const auto revoked = Local("POST", "/v1/sessions/s-1/credentials/revoke", "", "en");
  EXPECT_EQ(revoked.first, 200u);
  EXPECT_EQ(Last("credentials.revoked").at("details").at("by").as_string(), "customer");
  Command("credentials.apply", R"({"operation_id":"op-3","session_id":"s-1",)"
                               R"("technician_id":"t-1","operation":"unlock"})");
  EXPECT_EQ(ReasonCodes(Last("credentials.apply_denied")),
            std::vector<std::string>{"credentials_not_stored"});
  EXPECT_EQ(os_.calls.size(), 2u);
  // Stored again, then the session ends: wiped (R11).
  Command("credentials.request",
          R"({"request_id":"cr-3","session_id":"s-1","technician_id":"t-1"})");
  Local("POST", "/v1/prompts/cr-3/approve", std::string(R"({"password":")") + kPassword + R"("})");
  Command("session.end", R"({"session_id":"s-1"})");
  EXPECT_EQ(Last("credentials.wiped").at("details").at("reason").as_string(), "session_end");
  Command("credentials.apply", R"({"operation_id":"op-4","session_id":"s-1",)"
                               R"("technician_id":"t-1","operation":"unlock"})");
  const std::vector<std::string> after_end = ReasonCodes(Last("credentials.apply_denied"));
  EXPECT_NE(std::find(after_end.begin(), after_end.end(), "credentials_not_stored"),
            after_end.end());
  EXPECT_EQ(os_.calls.size(), 2u);
}

TEST_F(WorkflowsTest, AnUnansweredCredentialPromptExpires) {
  OpenSession("s-1");
  Command("credentials.request",
          R"({"request_id":"cr-1","session_id":"s-1","technician_id":"t-1"})");
  EXPECT_EQ(workflows_->Sweep(), kStart + std::chrono::minutes(30));  // request_ttl_minutes
  now_ += std::chrono::minutes(30);
  workflows_->Sweep();
  EXPECT_EQ(Last("credentials.expired").at("details").at("reason").as_string(), "unanswered");
  EXPECT_EQ(Local("GET", "/v1/prompts").second.at("items").size(), 0u);
  EXPECT_EQ(Local("POST", "/v1/prompts/cr-1/approve", R"({"password":"x"})").first, 409u);
}

TEST_F(WorkflowsTest, ALongOsActionHoldsUpNeitherTheCustomerNorTheTimers) {
  OpenSession("s-1");
  Command("credentials.request",
          R"({"request_id":"cr-1","session_id":"s-1","technician_id":"t-1"})");
  Local("POST", "/v1/prompts/cr-1/approve", std::string(R"({"password":")") + kPassword + "\"}");
  std::promise<void> release;
  const std::shared_future<void> held = release.get_future().share();
  os_.hold = &held;
  std::thread apply([&] {
    Command("credentials.apply", R"({"operation_id":"op-1","session_id":"s-1",)"
                                 R"("technician_id":"t-1","operation":"restart"})");
  });
  // While the restart runs, the customer's prompt and the timers answer.
  auto prompts = std::async(std::launch::async, [&] { return Local("GET", "/v1/prompts"); });
  auto sweep = std::async(std::launch::async, [&] { return workflows_->Sweep(); });
  const bool answered = prompts.wait_for(std::chrono::seconds(10)) == std::future_status::ready &&
                        sweep.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  apply.join();
  EXPECT_TRUE(answered) << "the local API or the timer waited for the OS action";
  EXPECT_EQ(prompts.get().first, 200u);
  EXPECT_EQ(Last("credentials.applied").at("outcome").as_string(), "success");
  os_.hold = nullptr;
}

TEST_F(WorkflowsTest, CredentialsAreOnlyForWindowsEndpoints) {
  Make("linux");
  OpenSession("s-1");
  Command("credentials.request",
          R"({"request_id":"cr-1","session_id":"s-1","technician_id":"t-1"})");
  EXPECT_EQ(ReasonCodes(Last("credentials.refused")),
            std::vector<std::string>{"platform_not_supported"});
}

TEST_F(WorkflowsTest, AtSetupCredentialsLogOnUnattendedAndAreErasedWithTheGrant) {
  OpenSession("s-1");
  Request("r-1", "s-1", "at_setup", R"({"kind":"days","days":14})");
  const value p = Local("GET", "/v1/prompts").second.at("items").at(0);
  EXPECT_EQ(p.at("asks").serialize(), R"(["user_name","password"])");  // R7
  EXPECT_EQ(Local("POST", "/v1/prompts/r-1/approve", "{}").first, 400u);
  const std::string grant =
      Approve("r-1", std::string(R"({"user_name":"anna","password":")") + kPassword + R"("})");
  Connect("c-1", grant);
  ASSERT_EQ(os_.calls.size(), 1u);
  EXPECT_EQ(os_.calls[0].operation, "logon");
  EXPECT_EQ(os_.calls[0].user, "anna");
  EXPECT_EQ(os_.calls[0].secret, kPassword);
  EXPECT_EQ(Connection("c-1").at("state").as_string(), "active");
  // A logon the OS refuses is a failed connection, not a policy denial.
  os_.fail = true;
  Connect("c-fail", grant);
  EXPECT_EQ(Connection("c-fail").at("state").as_string(), "denied");
  EXPECT_EQ(Last("connection.denied").at("outcome").as_string(), "failure");
  EXPECT_EQ(Last("connection.denied").at("details").at("failure").as_string(), "the OS refused");
  os_.fail = false;
  now_ += std::chrono::hours(24 * 14);
  workflows_->Sweep();
  EXPECT_EQ(Connection("c-1").at("end_reason").as_string(), "grant_expired");
  Connect("c-2", grant);
  EXPECT_EQ(os_.calls.size(), 2u);  // nothing left to log on with
}

TEST_F(WorkflowsTest, ARestartWipesSessionCredentials) {
  OpenSession("s-1");
  Command("credentials.request",
          R"({"request_id":"cr-1","session_id":"s-1","technician_id":"t-1"})");
  Local("POST", "/v1/prompts/cr-1/approve", std::string(R"({"password":")") + kPassword + R"("})");
  Make("windows");  // a new process: the session key is gone
  workflows_->Start();
  workflows_->Stop();
  EXPECT_EQ(Last("credentials.wiped").at("details").at("reason").as_string(), "restart");
  Command("credentials.apply", R"({"operation_id":"op-1","session_id":"s-1",)"
                               R"("technician_id":"t-1","operation":"unlock"})");
  EXPECT_EQ(ReasonCodes(Last("credentials.apply_denied")),
            std::vector<std::string>{"credentials_not_stored"});
  EXPECT_TRUE(os_.calls.empty());
}

TEST_F(WorkflowsTest, UnknownCommandsAndMalformedAnswersChangeNothing) {
  EXPECT_FALSE(workflows_->OnCommand(policy::ParseCommand("format.disk", value::object())));
  EXPECT_EQ(Local("POST", "/v1/prompts/none/approve", "{}").first, 404u);
  EXPECT_EQ(Local("POST", "/v1/prompts/none/approve", "{").first, 400u);
  EXPECT_EQ(Local("POST", "/v1/connections/none/credentials", "{}").first, 400u);
  EXPECT_EQ(Local("POST", "/v1/sessions/none/credentials/revoke").first, 404u);
}

}  // namespace
}  // namespace custodian::enforcer
