// Access workflows end to end (R1–R15): a real admin center and real
// enforcers on loopback. The technician works through the admin center's
// API, the customer and the local session agent through the enforcer's
// local API. Only the OS is faked: the administrator-credential verifier
// and the OS action are small scripts (which keep a hash of what they were
// given, never the secret), and the enforcer's clock can be moved through
// CUSTODIAN_TEST_CLOCK_OFFSET_FILE (SIGHUP makes its timers look again).
//
// The last test is the secret canary: one unique password goes through
// every flow that takes one, and afterwards it is nowhere — not in logs,
// audit exports, either database or its WAL, nor any file of the state
// directories — in clear, UTF-16LE, base64 (any alignment) or hex.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/crypto.h"
#include "policy/system_time_zones.h"
#include "policy/workflow.h"
#include "support/enforcer_process.h"
#include "support/fake_os.h"

namespace custodian::testing {
namespace {

using web::json::value;

constexpr const char* kCanary = "Canary-7f3a9c21-Pa55w0rd!";
constexpr const char* kAdminPassword = "Canary-7f3a9c21-Pa55w0rd!";  // the same one, on purpose

std::vector<std::string> Codes(const value& reasons) {
  std::vector<std::string> out;
  for (const value& r : reasons.as_array()) out.push_back(r.at("code").as_string());
  return out;
}

class Workflows : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ac_ = new AdminCenterProcess("workflows");
    const std::string m = ac_->master_token();
    ac_->Request("POST", "/v1/groups", m,
                 R"({"id":"g-sup","name":"Support","permissions":{"unattended_access":true,)"
                 R"("request_windows_credentials":true},"unattended":{"max_days":30}})");
    ac_->Request("POST", "/v1/technicians", m,
                 R"({"name":"tina","password":"correct horse battery","group_id":"g-sup",)"
                 R"("time_zone":"Europe/Berlin"})");
    ac_->Request("POST", "/v1/admins", m,
                 R"({"name":"alice","password":"correct horse battery","scopes":["g-sup"]})");
    tina_ = new std::string(Login("tina"));
    alice_ = new std::string(Login("alice"));
    os_ = new FakeOs(MakeFakeOs(ac_->dir(), kAdminPassword));
  }
  static void TearDownTestSuite() {
    delete os_;
    delete ac_;
    delete tina_;
    delete alice_;
  }

  static std::string Login(const std::string& name) {
    return ac_
        ->Request("POST", "/v1/tokens", std::nullopt,
                  R"({"name":")" + name + R"(","password":"correct horse battery"})")
        .json()
        .at("token")
        .as_string();
  }

  // An enforcer of its own for each test, with its own clock.
  std::unique_ptr<EnforcerProcess> Enforcer(const std::string& name, const std::string& os) {
    const auto dir = ac_->dir();
    clock_file_ = (dir / (name + ".clock")).string();
    std::ofstream(clock_file_) << 0;
    const std::string config = os_->Config(name);
    ::setenv("CUSTODIAN_TEST_CLOCK_OFFSET_FILE", clock_file_.c_str(), 1);
    auto e = std::make_unique<EnforcerProcess>(
        *ac_, name, os,
        std::vector<std::string>{"--poll-interval", "1", "--command-wait", "5", "--config",
                                 config});
    ::unsetenv("CUSTODIAN_TEST_CLOCK_OFFSET_FILE");
    EXPECT_TRUE(e->WaitFor([](const value& s) { return !s.at("policy").at("version").is_null(); }))
        << e->log();
    return e;
  }
  // Moves the enforcer's clock `seconds` ahead of real time and wakes its timers.
  void SetClock(EnforcerProcess& e, int64_t seconds) {
    std::ofstream(clock_file_) << seconds;
    e.Signal(SIGHUP);
  }

  HttpResult Tech(const std::string& method, const std::string& path,
                  const std::string& body = "") {
    return ac_->Request(method, path, *tina_, body);
  }
  std::string OpenSession(const EnforcerProcess& e, const std::string& type,
                          const std::string& extra = "") {
    HttpResult r =
        Tech("POST", "/v1/sessions",
             R"({"endpoint_id":")" + e.id() + R"(","type":")" + type + "\"" + extra + "}");
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json().at("id").as_string();
  }
  // The item `id` of an admin-center list, as the technician sees it.
  value Central(const std::string& list, const std::string& id) {
    const value items = Tech("GET", list).json().at("items");
    for (const value& i : items.as_array()) {
      if (i.at("id").as_string() == id) return i;
    }
    return value::null();
  }
  // Waits until the admin center shows `id` of `list` in `state`.
  bool CentralState(const std::string& list, const std::string& id, const std::string& state) {
    if (Eventually([&] {
          const value item = Central(list, id);
          return item.is_object() && item.at("state").as_string() == state;
        })) {
      return true;
    }
    ADD_FAILURE() << list << " " << id << " never became " << state << ": "
                  << Central(list, id).serialize();
    return false;
  }
  // Waits for the enforcer's prompt `id` and returns it.
  value Prompt(EnforcerProcess& e, const std::string& id) {
    value found = value::null();
    Eventually([&] {
      HttpResult r = e.Local("GET", "/v1/prompts");
      if (r.status != 200) return false;
      const value prompts = r.json();
      for (const value& p : prompts.at("items").as_array()) {
        if (p.at("id").as_string() == id) found = p;
      }
      return found.is_object();
    });
    if (found.is_null()) ADD_FAILURE() << "no prompt " << id;
    return found;
  }
  // Requests unattended access from `session` and returns the request (201).
  value RequestUnattended(const std::string& session, const std::string& mode,
                          const std::string& schedule) {
    HttpResult r = Tech("POST", "/v1/sessions/" + session + "/unattended-requests",
                        R"({"credential_mode":")" + mode + R"(","schedule":)" + schedule + "}");
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json();
  }
  // Approved by the customer; the grant id once the admin center knows it.
  std::string Approve(EnforcerProcess& e, const std::string& request, const std::string& answer) {
    Prompt(e, request);
    HttpResult r = e.Local("POST", "/v1/prompts/" + request + "/approve", answer);
    EXPECT_EQ(r.status, 200u) << r.body;
    CentralState("/v1/unattended-requests", request, "approved");
    const std::string grant =
        Central("/v1/unattended-requests", request).at("grant_id").as_string();
    CentralState("/v1/grants", grant, "active");
    return grant;
  }
  std::string Connect(const std::string& grant) {
    HttpResult r = Tech("POST", "/v1/grants/" + grant + "/connect");
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json().at("id").as_string();
  }
  // An at_connection grant, requested from a new session and confirmed by
  // the customer.
  std::string ApprovedGrant(EnforcerProcess& e, const std::string& schedule) {
    const std::string session = OpenSession(e, "applet");
    const std::string request =
        RequestUnattended(session, "at_connection", schedule).at("id").as_string();
    return Approve(e, request, "{}");
  }
  // An at_connection grant in use: approved, connected, credentials shown.
  std::pair<std::string, std::string> ActiveConnection(EnforcerProcess& e,
                                                       const std::string& schedule) {
    const std::string grant = ApprovedGrant(e, schedule);
    const std::string connection = Connect(grant);
    CentralState("/v1/connections", connection, "awaiting_credentials");
    EXPECT_EQ(e.Local("POST", "/v1/connections/" + connection + "/credentials",
                      R"({"user_name":"administrator","password":")" + std::string(kAdminPassword) +
                          R"("})")
                  .status,
              200u);
    CentralState("/v1/connections", connection, "active");
    return {grant, connection};
  }
  // Windows credentials asked for in `session`, given by the customer with
  // kCanary and reported stored; the request's id.
  std::string StoredCredentials(EnforcerProcess& e, const std::string& session) {
    const std::string request = Tech("POST", "/v1/sessions/" + session + "/credential-requests")
                                    .json()
                                    .at("id")
                                    .as_string();
    Prompt(e, request);
    EXPECT_EQ(e.Local("POST", "/v1/prompts/" + request + "/approve",
                      std::string(R"({"password":")") + kCanary + "\"}")
                  .status,
              200u);
    CentralState("/v1/credential-requests", request, "stored");
    return request;
  }
  std::string OsActions() { return Slurp(os_->actions_log.string()); }

  static AdminCenterProcess* ac_;
  static FakeOs* os_;
  static std::string* tina_;
  static std::string* alice_;
  std::string clock_file_;
};
AdminCenterProcess* Workflows::ac_ = nullptr;
FakeOs* Workflows::os_ = nullptr;
std::string* Workflows::tina_ = nullptr;
std::string* Workflows::alice_ = nullptr;

TEST_F(Workflows, ChatOnlyAndMobileAppletSessionsCannotAskForUnattendedAccess) {
  auto e = Enforcer("pc-r2", "windows");
  for (const auto& [type, extra] : std::vector<std::pair<std::string, std::string>>{
           {"instant_chat", R"(,"mode":"chat_only")"}, {"mobile_applet", ""}}) {
    const std::string session = OpenSession(*e, type, extra);
    HttpResult r =
        Tech("POST", "/v1/sessions/" + session + "/unattended-requests",
             R"({"credential_mode":"at_connection","schedule":{"kind":"days","days":7}})");
    EXPECT_EQ(r.status, 403u) << type;
    EXPECT_EQ(Codes(r.json().at("reasons")), std::vector<std::string>{"session_type_blocked"});
    EXPECT_EQ(r.json().at("reasons").at(0).at("rule").as_string(), "R2");
  }
  // A full instant chat may.
  const std::string full = OpenSession(*e, "instant_chat", R"(,"mode":"full")");
  RequestUnattended(full, "at_connection", R"({"kind":"days","days":7})");
}

TEST_F(Workflows, CustomerCredentialsForMoreThanTwoWeeksOrUnlimitedAreRefused) {
  auto e = Enforcer("pc-r6", "windows");
  const std::string session = OpenSession(*e, "applet");
  for (const auto& [schedule, code] : std::vector<std::pair<std::string, std::string>>{
           {R"({"kind":"days","days":20})", "duration_exceeds_cap"},
           {R"({"kind":"unlimited"})", "unlimited_not_allowed"}}) {
    HttpResult r = Tech("POST", "/v1/sessions/" + session + "/unattended-requests",
                        R"({"credential_mode":"at_setup","schedule":)" + schedule + "}");
    EXPECT_EQ(r.status, 403u) << r.body;
    EXPECT_EQ(Codes(r.json().at("reasons")), std::vector<std::string>{code});
    EXPECT_EQ(r.json().at("reasons").at(0).at("rule").as_string(), "R6");
  }
  // 20 days are fine with administrator credentials at each connection.
  RequestUnattended(session, "at_connection", R"({"kind":"days","days":20})");
}

TEST_F(Workflows, CustomerCredentialsForSevenDaysLogOnEveryUnattendedConnect) {
  auto e = Enforcer("pc-setup", "windows");
  const std::string session = OpenSession(*e, "applet");
  const value pending = RequestUnattended(
      session, "at_setup", R"({"kind":"days","days":7,"time_reference":"customer"})");
  EXPECT_EQ(pending.at("state").as_string(), "pending");
  EXPECT_EQ(pending.at("decision").at("obligations").at("customer_prompt").as_string(),
            "windows_credentials");
  const std::string request = pending.at("id").as_string();
  const value prompt = Prompt(*e, request);
  EXPECT_EQ(prompt.at("asks").serialize(), R"(["user_name","password"])");  // R7
  const std::string grant =
      Approve(*e, request, std::string(R"({"user_name":"anna","password":")") + kCanary + "\"}");
  const value g = Central("/v1/grants", grant);
  EXPECT_EQ(g.at("credential_mode").as_string(), "at_setup");
  EXPECT_FALSE(g.at("effective_schedule").at("end").is_null());
  // R8: the attended session ends, the grant stays.
  EXPECT_EQ(Tech("POST", "/v1/sessions/" + session + "/end").status, 200u);
  const std::string connection = Connect(grant);
  CentralState("/v1/connections", connection, "active");
  EXPECT_NE(OsActions().find("logon anna HOME " + Sha256Hex(kCanary)), std::string::npos);
}

TEST_F(Workflows, AdministratorCredentialsAreCheckedOnTheEndpointAtEveryConnect) {
  auto e = Enforcer("pc-conn", "windows");
  auto [grant, connection] = ActiveConnection(*e, R"({"kind":"days","days":3})");
  // A wrong password is rejected there, and reported.
  const std::string second = Connect(grant);
  CentralState("/v1/connections", second, "awaiting_credentials");
  EXPECT_EQ(e->Local("POST", "/v1/connections/" + second + "/credentials",
                     R"({"user_name":"administrator","password":"wrong"})")
                .status,
            403u);
  EXPECT_EQ(Central("/v1/connections", second).at("state").as_string(), "awaiting_credentials");
}

TEST_F(Workflows, TheCustomerDeniesAndTheRequestExpires) {
  auto e = Enforcer("pc-deny", "windows");
  const std::string session = OpenSession(*e, "applet");
  const std::string denied =
      RequestUnattended(session, "at_connection", R"({"kind":"days","days":3})")
          .at("id")
          .as_string();
  Prompt(*e, denied);
  EXPECT_EQ(e->Local("POST", "/v1/prompts/" + denied + "/deny").status, 200u);
  CentralState("/v1/unattended-requests", denied, "denied");
  const std::string unanswered =
      RequestUnattended(session, "at_connection", R"({"kind":"days","days":3})")
          .at("id")
          .as_string();
  Prompt(*e, unanswered);
  SetClock(*e, 61 * 60);  // past request_ttl_minutes (60)
  CentralState("/v1/unattended-requests", unanswered, "expired");
  EXPECT_EQ(e->Local("POST", "/v1/prompts/" + unanswered + "/approve", "{}").status, 409u);
}

TEST_F(Workflows, AGrantEndingMidSessionEndsTheUnattendedSession) {
  auto e = Enforcer("pc-end", "windows");
  auto [grant, connection] = ActiveConnection(*e, R"({"kind":"days","days":1})");
  SetClock(*e, 24 * 3600 - 4 * 60);  // inside the warning
  EXPECT_TRUE(Eventually([&] {
    return ac_->Request("GET", "/v1/audit/events?action=connection.warning", ac_->master_token())
               .body.find(connection) != std::string::npos;
  })) << "no warning before the end";
  EXPECT_EQ(Central("/v1/connections", connection).at("state").as_string(), "active");
  SetClock(*e, 24 * 3600 + 1);
  CentralState("/v1/connections", connection, "ended");
  EXPECT_EQ(Central("/v1/connections", connection).at("end_reason").as_string(), "grant_expired");
  CentralState("/v1/grants", grant, "expired");
  // The admin center refuses further connects too.
  HttpResult again = Tech("POST", "/v1/grants/" + grant + "/connect");
  EXPECT_EQ(again.status, 403u);
}

TEST_F(Workflows, TheDailyWindowClosingEndsTheUnattendedSession) {
  auto e = Enforcer("pc-window", "windows");
  // A window around now in the customer's zone (the endpoint's).
  const auto* berlin = policy::SystemTimeZones::Get().Find("Europe/Berlin");
  const auto now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
  auto hhmm = [&](std::chrono::minutes delta) {
    const auto local =
        berlin->ToLocal(std::chrono::time_point_cast<std::chrono::seconds>(now + delta));
    const auto day = date::floor<date::days>(local);
    const date::hh_mm_ss<std::chrono::seconds> t(local - day);
    char buf[6];
    std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(t.hours().count()),
                  static_cast<int>(t.minutes().count()));
    return std::string(buf);
  };
  const std::string schedule = R"({"kind":"days","days":7,"time_reference":"customer",)"
                               R"("daily":{"from":")" +
                               hhmm(std::chrono::minutes(-30)) + R"(","to":")" +
                               hhmm(std::chrono::minutes(30)) + R"("}})";
  auto [grant, connection] = ActiveConnection(*e, schedule);
  SetClock(*e, 31 * 60);
  CentralState("/v1/connections", connection, "ended");
  EXPECT_EQ(Central("/v1/connections", connection).at("end_reason").as_string(), "window_closed");
  EXPECT_EQ(Central("/v1/grants", grant).at("state").as_string(), "active");  // only the window
}

TEST_F(Workflows, APermissionWithdrawnAfterApprovalRefusesTheConnect) {
  auto e = Enforcer("pc-r1", "windows");
  const std::string grant = ApprovedGrant(*e, R"({"kind":"days","days":3})");
  EXPECT_EQ(ac_->Request("PATCH", "/v1/groups/g-sup", ac_->master_token(),
                         R"({"permissions":{"unattended_access":false}})")
                .status,
            200u);
  HttpResult r = Tech("POST", "/v1/grants/" + grant + "/connect");
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(Codes(r.json().at("reasons")), std::vector<std::string>{"permission_missing"});
  ac_->Request("PATCH", "/v1/groups/g-sup", ac_->master_token(),
               R"({"permissions":{"unattended_access":true}})");
}

TEST_F(Workflows, TheEndpointsDenyWinsAndIsReported) {
  auto e = Enforcer("pc-wins", "windows");
  const std::string grant = ApprovedGrant(*e, R"({"kind":"days","days":1})");
  // The endpoint's clock is two days on (its timers not yet woken): the
  // admin center allows the connect, the endpoint refuses it.
  std::ofstream(clock_file_) << 2 * 24 * 3600;
  const std::string connection = Connect(grant);
  CentralState("/v1/connections", connection, "denied");
  EXPECT_EQ(Codes(Central("/v1/connections", connection).at("reasons")),
            std::vector<std::string>{"grant_expired"});
}

TEST_F(Workflows, EachPartyCanRevokeAndTheEndpointFollowsAtOnce) {
  auto e = Enforcer("pc-revoke", "windows");
  auto grant_on_endpoint = [&](const std::string& grant) {
    HttpResult r = e->Local("GET", "/v1/overview");
    if (r.status != 200) {
      ADD_FAILURE() << "GET /v1/overview: " << r.status << " " << r.body;
      return value::null();
    }
    const value overview = r.json();
    for (const value& g : overview.at("grants").as_array()) {
      if (g.at("id").as_string() == grant) return g;
    }
    return value::null();
  };
  auto wait_revoked = [&](const std::string& grant, const std::string& by) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 400; ++i) {
      const value g = grant_on_endpoint(grant);
      if (g.is_object() && g.at("state").as_string() == "revoked") {
        EXPECT_EQ(g.at("ended_by").as_string(), by);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        RecordProperty("revoke_by_" + by + "_ms", std::to_string(ms));
        std::cerr << "revocation by " << by << " reached the endpoint in " << ms << " ms\n";
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the endpoint never saw the revocation by " << by;
  };
  // The technician.
  auto [g1, c1] = ActiveConnection(*e, R"({"kind":"days","days":3})");
  EXPECT_EQ(Tech("POST", "/v1/grants/" + g1 + "/revoke").status, 200u);
  wait_revoked(g1, "technician");
  CentralState("/v1/connections", c1, "ended");
  // An admin.
  auto [g2, c2] = ActiveConnection(*e, R"({"kind":"days","days":3})");
  EXPECT_EQ(ac_->Request("POST", "/v1/grants/" + g2 + "/revoke", *alice_).status, 200u);
  wait_revoked(g2, "admin");
  // The customer, through the local API: reported centrally.
  auto [g3, c3] = ActiveConnection(*e, R"({"kind":"days","days":3})");
  EXPECT_EQ(e->Local("POST", "/v1/grants/" + g3 + "/revoke").status, 200u);
  CentralState("/v1/grants", g3, "revoked");
  EXPECT_EQ(Central("/v1/grants", g3).at("ended_by").as_string(), "customer");
  CentralState("/v1/connections", c3, "ended");
  EXPECT_EQ(Tech("POST", "/v1/grants/" + g3 + "/connect").status, 403u);
}

TEST_F(Workflows, WindowsCredentialsNeedScreenViewingAndAWindowsEndpoint) {
  auto e = Enforcer("pc-noscreen", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":false)");
  HttpResult r = Tech("POST", "/v1/sessions/" + session + "/credential-requests");
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(Codes(r.json().at("reasons")), std::vector<std::string>{"screen_viewing_inactive"});
  EXPECT_EQ(r.json().at("reasons").at(0).at("rule").as_string(), "R13");
  auto linux_pc = Enforcer("pc-linux", "linux");
  const std::string other = OpenSession(*linux_pc, "applet", R"(,"screen_viewing":true)");
  r = Tech("POST", "/v1/sessions/" + other + "/credential-requests");
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(Codes(r.json().at("reasons")), std::vector<std::string>{"platform_not_supported"});
}

TEST_F(Workflows, WindowsCredentialsUnlockUntilTheCustomerRevokesThem) {
  auto e = Enforcer("pc-creds", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":true)");
  HttpResult r = Tech("POST", "/v1/sessions/" + session + "/credential-requests");
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string request = r.json().at("id").as_string();
  const value prompt = Prompt(*e, request);
  EXPECT_EQ(prompt.at("prefill").at("user_name").as_string(), "anna");  // R14
  EXPECT_EQ(prompt.at("prefill").at("domain").as_string(), "HOME");
  HttpResult stored = e->Local("POST", "/v1/prompts/" + request + "/approve",
                               std::string(R"({"password":")") + kCanary + "\"}");
  ASSERT_EQ(stored.status, 200u) << stored.body;
  EXPECT_NE(stored.json().at("notice").as_string().find("revoke"), std::string::npos);  // R15
  CentralState("/v1/credential-requests", request, "stored");
  HttpResult apply =
      Tech("POST", "/v1/sessions/" + session + "/credentials/apply", R"({"operation":"unlock"})");
  ASSERT_EQ(apply.status, 201u) << apply.body;
  CentralState("/v1/credential-requests", request, "stored");
  Eventually([&] { return OsActions().find("unlock anna HOME") != std::string::npos; });
  EXPECT_NE(OsActions().find("unlock anna HOME " + Sha256Hex(kCanary)), std::string::npos);
  // R12: the customer revokes; applying is refused.
  EXPECT_EQ(e->Local("POST", "/v1/sessions/" + session + "/credentials/revoke").status, 200u);
  CentralState("/v1/credential-requests", request, "revoked");
  HttpResult after =
      Tech("POST", "/v1/sessions/" + session + "/credentials/apply", R"({"operation":"restart"})");
  EXPECT_EQ(after.status, 403u);
  EXPECT_EQ(Codes(after.json().at("reasons")), std::vector<std::string>{"credentials_not_stored"});
  // Stored again and the session ends: wiped.
  const std::string again = StoredCredentials(*e, session);
  Tech("POST", "/v1/sessions/" + session + "/end");
  CentralState("/v1/credential-requests", again, "wiped");
}

// Both daemons speak policy/workflow.h's vocabulary: every workflow event
// either side records in a flow that touches each entity is one of its
// events, on the side that owns it, and every state the admin center lists
// is one its entity can be in. A name written outside the vocabulary fails
// here.
TEST_F(Workflows, EveryWorkflowEventAndStateEitherSideRecordsIsTheSharedVocabularys) {
  auto e = Enforcer("pc-words", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":false)");
  EXPECT_EQ(Tech("PATCH", "/v1/sessions/" + session, R"({"screen_viewing":true})").status, 200u);
  // Unattended access: approved, connected after one wrong password, revoked.
  const std::string request =
      RequestUnattended(session, "at_connection", R"({"kind":"days","days":3})")
          .at("id")
          .as_string();
  const std::string grant = Approve(*e, request, "{}");
  const std::string connection = Connect(grant);
  CentralState("/v1/connections", connection, "awaiting_credentials");
  EXPECT_EQ(e->Local("POST", "/v1/connections/" + connection + "/credentials",
                     R"({"user_name":"administrator","password":"wrong"})")
                .status,
            403u);
  EXPECT_EQ(e->Local("POST", "/v1/connections/" + connection + "/credentials",
                     R"({"user_name":"administrator","password":")" + std::string(kAdminPassword) +
                         R"("})")
                .status,
            200u);
  CentralState("/v1/connections", connection, "active");
  EXPECT_EQ(Tech("POST", "/v1/grants/" + grant + "/revoke").status, 200u);
  CentralState("/v1/connections", connection, "ended");
  // Denied by the customer.
  const std::string denied =
      RequestUnattended(session, "at_connection", R"({"kind":"days","days":1})")
          .at("id")
          .as_string();
  Prompt(*e, denied);
  EXPECT_EQ(e->Local("POST", "/v1/prompts/" + denied + "/deny").status, 200u);
  CentralState("/v1/unattended-requests", denied, "denied");
  // Windows credentials: stored, applied, revoked, refused to apply.
  const std::string credentials = StoredCredentials(*e, session);
  EXPECT_EQ(
      Tech("POST", "/v1/sessions/" + session + "/credentials/apply", R"({"operation":"unlock"})")
          .status,
      201u);
  EXPECT_TRUE(Eventually([&] {
    return ac_->Request("GET", "/v1/audit/events?action=credentials.applied", ac_->master_token())
               .body.find(session) != std::string::npos;
  }));
  EXPECT_EQ(e->Local("POST", "/v1/sessions/" + session + "/credentials/revoke").status, 200u);
  CentralState("/v1/credential-requests", credentials, "revoked");
  EXPECT_EQ(Tech("POST", "/v1/sessions/" + session + "/end").status, 200u);
  CentralState("/v1/sessions", session, "ended");
  Eventually([&] { return e->Status().at("events_unsent").as_integer() == 0; });

  using policy::workflow::Side;
  std::set<std::string> seen;
  std::istringstream lines(
      ac_->Request("GET", "/v1/audit/events?format=jsonl", ac_->master_token()).body);
  for (std::string line; std::getline(lines, line);) {
    const value ev = value::parse(line);
    if (!ev.has_field("action")) continue;  // the trailer
    const std::string action = ev.at("action").as_string();
    const std::string prefix = action.substr(0, action.find('.'));
    if (prefix != "session" && prefix != "unattended" && prefix != "grant" &&
        prefix != "connection" && prefix != "credentials") {
      continue;
    }
    const auto event = policy::workflow::ParseEvent(action);
    ASSERT_TRUE(event) << action << " is no event of policy/workflow.h";
    const bool by_endpoint = ev.at("actor").at("kind").as_string() == "endpoint";
    EXPECT_EQ(policy::workflow::SideOf(*event), by_endpoint ? Side::kEndpoint : Side::kAdminCenter)
        << action;
    seen.insert(action);
  }
  EXPECT_GE(seen.size(), 20u);
  for (const char* expected : {"credentials.applied", "connection.credentials_rejected",
                               "unattended.request_denied", "grant.revoked", "session.updated"}) {
    EXPECT_TRUE(seen.contains(expected)) << expected;
  }
  const std::pair<const char*, policy::workflow::Entity> lists[] = {
      {"/v1/sessions", policy::workflow::Entity::kSession},
      {"/v1/unattended-requests", policy::workflow::Entity::kUnattendedRequest},
      {"/v1/grants", policy::workflow::Entity::kGrant},
      {"/v1/connections", policy::workflow::Entity::kConnection},
      {"/v1/credential-requests", policy::workflow::Entity::kCredentialRequest}};
  for (const auto& [list, entity] : lists) {
    const auto states = policy::workflow::StatesOf(entity);
    const value items = Tech("GET", list).json().at("items");  // held: a temporary would die
    for (const value& item : items.as_array()) {
      const auto state = policy::workflow::ParseState(item.at("state").as_string());
      ASSERT_TRUE(state) << list << ": " << item.serialize();
      EXPECT_NE(std::find(states.begin(), states.end(), *state), states.end())
          << list << ": " << item.serialize();
    }
  }
  // The endpoint's own record of the same words.
  const value connections = e->Local("GET", "/v1/overview").json().at("connections");
  for (const value& c : connections.as_array()) {
    EXPECT_TRUE(policy::workflow::ParseState(c.at("state").as_string())) << c.serialize();
  }
}

// kill -9 of the enforcer: what it acknowledged survives (the grant, its
// sealed at_setup credentials under the machine key), what lived only in
// its memory does not (session credentials), and both are reported.
TEST_F(Workflows, AnEnforcerCrashKeepsGrantsAndWipesSessionCredentials) {
  auto e = Enforcer("pc-crash", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":true)");
  const std::string request =
      RequestUnattended(session, "at_setup", R"({"kind":"days","days":7})").at("id").as_string();
  const std::string grant =
      Approve(*e, request, std::string(R"({"user_name":"anna","password":")") + kCanary + "\"}");
  const std::string creds = StoredCredentials(*e, session);
  e->Kill(SIGKILL);
  e->Start();
  CentralState("/v1/credential-requests", creds, "wiped");
  HttpResult apply =
      Tech("POST", "/v1/sessions/" + session + "/credentials/apply", R"({"operation":"unlock"})");
  EXPECT_EQ(apply.status, 403u) << apply.body;
  // The grant and its sealed credentials are still there.
  const std::string connection = Connect(grant);
  CentralState("/v1/connections", connection, "active");
  EXPECT_NE(OsActions().find("logon anna HOME " + Sha256Hex(kCanary)), std::string::npos);
}

// The secret canary: one password through every flow that takes one — the
// customer's at_setup approval and the logon it allows, administrator
// credentials at an at_connection connect, session credentials stored,
// applied and revoked — then looked for in every file both daemons left:
// logs, audit exports in all formats, both databases and their WAL files,
// the state directories; while running and after they stopped.
// How often `needle` occurs in the readable memory of process `pid`
// (/proc/PID/maps and /proc/PID/mem; the test runs as the same user).
std::size_t CopiesInMemory(pid_t pid, const std::string& needle) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  const int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
  std::size_t copies = 0;
  for (std::string line; std::getline(maps, line);) {
    unsigned long start = 0, end = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, perms) != 3 || perms[0] != 'r') {
      continue;
    }
    if (line.find("[vvar]") != std::string::npos || line.find("[vsyscall]") != std::string::npos) {
      continue;
    }
    // Sanitizer shadow memory: terabytes reserved, never a heap or a stack.
    if (end - start > (1UL << 30)) continue;
    std::string region(end - start, '\0');
    const ssize_t n = ::pread(mem, region.data(), region.size(), static_cast<off_t>(start));
    if (n <= 0) continue;
    region.resize(static_cast<std::size_t>(n));
    for (auto at = region.find(needle); at != std::string::npos; at = region.find(needle, at + 1)) {
      ++copies;
    }
  }
  ::close(mem);
  return copies;
}

// Finding 17: the customer's password is read into locked, wiped memory and
// nowhere else; no copy lingers in the enforcer once it has answered, nor
// after the customer revoked it.
TEST_F(Workflows, TheCustomersPasswordLeavesNoCopyInTheEnforcersMemory) {
  auto e = Enforcer("pc-memory", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":true)");
  const std::string setup =
      RequestUnattended(session, "at_setup", R"({"kind":"days","days":7})").at("id").as_string();
  Approve(*e, setup, std::string(R"({"user_name":"anna","password":")") + kCanary + "\"}");
  EXPECT_EQ(CopiesInMemory(e->pid(), kCanary), 0u) << "after approving with credentials";
  StoredCredentials(*e, session);
  EXPECT_EQ(CopiesInMemory(e->pid(), kCanary), 0u) << "while credentials are stored";
  e->Local("POST", "/v1/sessions/" + session + "/credentials/revoke");
  EXPECT_EQ(CopiesInMemory(e->pid(), kCanary), 0u) << "after the customer revoked them";
}

TEST_F(Workflows, TheSecretCanaryIsNowhere) {
  auto e = Enforcer("pc-canary", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":true)");
  const std::string setup =
      RequestUnattended(session, "at_setup", R"({"kind":"days","days":7})").at("id").as_string();
  const std::string setup_grant =
      Approve(*e, setup, std::string(R"({"user_name":"anna","password":")") + kCanary + "\"}");
  CentralState("/v1/connections", Connect(setup_grant), "active");
  auto [grant, connection] = ActiveConnection(*e, R"({"kind":"days","days":3})");  // kAdminPassword
  const std::string creds = StoredCredentials(*e, session);
  Tech("POST", "/v1/sessions/" + session + "/credentials/apply", R"({"operation":"unlock"})");
  Eventually([&] { return OsActions().find("unlock anna HOME") != std::string::npos; });
  ASSERT_NE(OsActions().find("unlock anna HOME " + Sha256Hex(kCanary)), std::string::npos);
  e->Local("POST", "/v1/sessions/" + session + "/credentials/revoke");
  CentralState("/v1/credential-requests", creds, "revoked");
  Tech("POST", "/v1/grants/" + setup_grant + "/revoke");
  CentralState("/v1/grants", setup_grant, "revoked");
  // Exports in every format, kept beside the logs and databases.
  for (const char* format : {"jsonl", "csv", "cef"}) {
    HttpResult r =
        ac_->Request("GET", std::string("/v1/audit/events?format=") + format, ac_->master_token());
    ASSERT_EQ(r.status, 200u);
    ASSERT_NE(r.body.find(connection), std::string::npos);  // the flows are in it
    std::ofstream(ac_->dir() / (std::string("export.") + format)) << r.body;
  }
  const std::string canary = kCanary;
  std::vector<std::pair<std::string, std::string>> needles = {{"clear", canary}};
  std::string utf16;
  for (char c : canary) utf16 += std::string{c, '\0'};
  needles.push_back({"UTF-16LE", utf16});
  std::string hex_lower, hex_upper;
  for (unsigned char c : canary) {
    static const char* lo = "0123456789abcdef";
    static const char* up = "0123456789ABCDEF";
    hex_lower += {lo[c >> 4], lo[c & 15]};
    hex_upper += {up[c >> 4], up[c & 15]};
  }
  needles.push_back({"hex", hex_lower});
  needles.push_back({"HEX", hex_upper});
  // Base64 at each of the three alignments: the groups that hold only the
  // canary's bytes are the same wherever it sits in a longer text.
  for (const std::string& text : {canary, utf16}) {
    for (int shift = 0; shift < 3; ++shift) {
      const std::string b64 = crypto::Base64(std::string(shift, 'x') + text);
      needles.push_back({"base64", b64.substr(4, b64.size() - 8)});
      const std::string url = crypto::Base64Url(std::string(shift, 'x') + text);
      needles.push_back({"base64url", url.substr(4, url.size() - 8)});
    }
  }
  std::set<std::string> kinds;
  auto scan = [&](const char* when) {
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(ac_->dir())) {
      if (!entry.is_regular_file()) continue;
      const std::string name = entry.path().filename().string();
      kinds.insert(name.ends_with("-wal") ? "wal" : name.ends_with(".db") ? "db" : name);
      const std::string content = Slurp(entry.path().string());
      ++files;
      for (const auto& [encoding, needle] : needles) {
        EXPECT_EQ(content.find(needle), std::string::npos)
            << when << ": the canary (" << encoding << ") is in " << entry.path();
      }
    }
    return files;
  };
  EXPECT_GT(scan("while running"), 20u);
  EXPECT_TRUE(kinds.contains("wal") && kinds.contains("db") && kinds.contains("vault.key") &&
              kinds.contains("export.cef"));
  e.reset();
  ac_->Kill(SIGTERM);
  scan("after stopping");
}

}  // namespace
}  // namespace custodian::testing
