// The enforcer's workflows in-process (R1–R8): unattended access as the
// endpoint settles it — requests, the customer's prompts in English and
// German, connects, revocations, and the timers that end grants, windows
// and requests.
#include <gtest/gtest.h>

#include "enforcer/workflows_fixture.h"

namespace custodian::enforcer {
namespace {

using namespace workflows_test;  // NOLINT: the fixture of these tests
using web::json::value;

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

}  // namespace
}  // namespace custodian::enforcer
