// Access workflows end to end (R1–R15): a real admin center and real
// enforcers on loopback. The technician works through the admin center's
// API, the customer and the local session agent through the enforcer's
// local API. Only the OS is faked: the administrator-credential verifier
// and the OS action are small scripts (which keep a hash of what they were
// given, never the secret), and the enforcer's clock can be moved through
// CUSTODIAN_TEST_CLOCK_OFFSET_FILE (SIGHUP makes its timers look again).
#include <gtest/gtest.h>

#include "workflows/workflows_fixture.h"

namespace custodian::testing {
namespace {

using web::json::value;

TEST_F(Workflows, ChatOnlyAndMobileAppletSessionsCannotAskForUnattendedAccess) {
  auto e = Enforcer("pc-r2", "windows");
  for (const auto& [type, extra] : std::vector<std::pair<std::string, std::string>>{
           {"instant_chat", R"(,"mode":"chat_only")"}, {"mobile_applet", ""}}) {
    const std::string session = OpenSession(*e, type, extra);
    HttpResult r =
        Tech("POST", "/v1/sessions/" + session + "/unattended-requests",
             R"({"credential_mode":"at_connection","schedule":{"kind":"days","days":7}})");
    EXPECT_EQ(r.status, 403u) << type;
    // A policy denial has its own problem type (RFC 9457), apart from a
    // principal's missing rights.
    EXPECT_EQ(r.json().at("type").as_string(), "tag:custodian.dev,2026:problem/policy-denied");
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

TEST_F(Workflows, APreviewAnswersAsTheRequestWouldAndSendsNothing) {
  auto e = Enforcer("pc-preview", "windows");
  const std::string session = OpenSession(*e, "applet");
  const std::string path = "/v1/sessions/" + session + "/unattended-requests";
  const std::string too_long =
      R"({"credential_mode":"at_setup","schedule":{"kind":"days","days":20}})";
  HttpResult preview = Tech("POST", path + "/preview", too_long);
  ASSERT_EQ(preview.status, 200u) << preview.body;
  EXPECT_EQ(preview.json().at("effect").as_string(), "deny");
  EXPECT_EQ(Codes(preview.json().at("reasons")), std::vector<std::string>{"duration_exceeds_cap"});
  EXPECT_EQ(preview.json().at("reasons").at(0).at("rule").as_string(), "R6");
  HttpResult sent = Tech("POST", path, too_long);
  EXPECT_EQ(sent.status, 403u);
  EXPECT_EQ(Codes(sent.json().at("reasons")), Codes(preview.json().at("reasons")));
  preview = Tech("POST", path + "/preview",
                 R"({"credential_mode":"at_setup","schedule":{"kind":"days","days":7}})");
  EXPECT_EQ(preview.json().at("effect").as_string(), "allow") << preview.body;
  // Nothing was asked of the customer, stored or recorded for the previews.
  const value requests = Tech("GET", "/v1/unattended-requests").json();
  for (const value& r : requests.at("items").as_array()) {
    EXPECT_NE(r.at("session_id").as_string(), session);
  }
  const std::string audit =
      ac_->Request("GET", "/v1/audit/events?action=unattended.request", ac_->master_token()).body;
  std::size_t mentions = 0;
  for (std::size_t at = audit.find(session); at != std::string::npos;
       at = audit.find(session, at + 1)) {
    ++mentions;
  }
  EXPECT_EQ(mentions, 1u) << "only the refused request: " << audit;
  EXPECT_EQ(e->Local("GET", "/v1/prompts").json().at("items").size(), 0u);
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
}  // namespace
}  // namespace custodian::testing
