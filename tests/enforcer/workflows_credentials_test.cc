// The enforcer's workflows in-process (R3, R7, R9–R15): Windows and
// at_setup credentials — stored, applied, revoked, expired, wiped with the
// session or a restart — and what a long OS action must not hold up.
#include <gtest/gtest.h>

#include <future>

#include "enforcer/workflows_fixture.h"

namespace custodian::enforcer {
namespace {

using namespace workflows_test;  // NOLINT: the fixture of these tests
using web::json::value;

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
