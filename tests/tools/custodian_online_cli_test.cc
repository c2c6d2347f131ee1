// The online `custodian` commands against a real admin center: tables on a
// terminal, --json for scripts, problems with their pointers, and the exit
// codes of tools/custodian/online.h. The token comes from a file or the
// environment, never from the command line.
#include <gtest/gtest.h>

#include "support/admincenter_process.h"

namespace custodian::testing {
namespace {

using CliRun = CommandRun;

class OnlineCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ac_ = new AdminCenterProcess("online-cli");
    token_file_ = (ac_->dir() / "token").string();
    std::ofstream(token_file_) << ac_->master_token() << "\n";
  }
  static void TearDownTestSuite() { delete ac_; }

  // Runs custodian with CUSTODIAN_URL set and `env` before it.
  static CliRun Run(const std::string& args, const std::string& env = "") {
    return RunCommand("env -u CUSTODIAN_TOKEN CUSTODIAN_CONFIG=/nonexistent CUSTODIAN_URL=" +
                      ac_->url() + " " + env + " " + CUSTODIAN_BINARY + " " + args);
  }
  static std::string Auth() { return "--token-file " + token_file_; }

  static AdminCenterProcess* ac_;
  static std::string token_file_;
};
AdminCenterProcess* OnlineCli::ac_ = nullptr;
std::string OnlineCli::token_file_;

TEST_F(OnlineCli, AdminsManageGroups) {
  CliRun r = Run("groups create --id g-s --name Support --allow unattended_access --max-days 14 " +
                 Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("created group g-s"), std::string::npos) << r.output;
  ASSERT_EQ(Run("groups create --id g-c --name Child --parent g-s " + Auth()).exit_code, 0);

  r = Run("groups list " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("PERMISSIONS SET"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("unattended_access"), std::string::npos) << r.output;

  r = Run("groups tree " + Auth());
  EXPECT_NE(r.output.find("Support (g-s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\n  Child (g-c)"), std::string::npos) << r.output;

  r = Run("groups effective g-c " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(
      std::regex_search(r.output, std::regex(R"(permissions\.unattended_access +true +g-s +-)")))
      << r.output;
  EXPECT_NE(r.output.find("unattended.max_days"), std::string::npos) << r.output;

  r = Run("groups show g-s --json " + Auth());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(web::json::value::parse(r.output).at("id").as_string(), "g-s");

  // The token may come from the environment instead.
  r = Run("groups show g-s --json", "CUSTODIAN_TOKEN=" + ac_->master_token());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(OnlineCli, ProblemsComeWithPointersAndExitCodes) {
  CliRun r = Run("groups create --name X --parent nope --max-days 0 " + Auth());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("error 400"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/unattended/max_days"), std::string::npos) << r.output;

  r = Run("groups show nope " + Auth());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("error 404"), std::string::npos) << r.output;

  const std::string bad = (ac_->dir() / "bad-token").string();
  std::ofstream(bad) << "cst_wrong\n";
  r = Run("groups list --token-file " + bad);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("error 401"), std::string::npos) << r.output;

  r = Run("groups list --url http://127.0.0.1:1 " + Auth());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("cannot be reached"), std::string::npos) << r.output;

  r = Run("groups list --token-file /nonexistent");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = Run("groups list --bogus " + Auth());
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST_F(OnlineCli, EnrollmentCodesAndEndpoints) {
  CliRun r = Run("enrollment-codes create --ttl-minutes 5 " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("enr_", 0), 0u) << r.output;
  const std::string code = r.output.substr(0, r.output.find(' '));
  ac_->Request("POST", "/v1/enroll", std::nullopt,
               R"({"code":")" + code + R"(","name":"pc-9","os":"windows","time_zone":"UTC"})");
  r = Run("endpoints list " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pc-9"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("windows"), std::string::npos) << r.output;
}

TEST_F(OnlineCli, AuditorsExportFilteredLogsThatVerify) {
  Run("groups create --id g-audit --name Audited " + Auth());
  const std::string file = (ac_->dir() / "export.jsonl").string();
  CliRun r = Run("audit export -o " + file + " " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run("audit verify " + file);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the whole chain"), std::string::npos) << r.output;

  r = Run("audit export --format csv --action group.create " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("seq,", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("group:g-audit"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("auth.login"), std::string::npos) << "filtered to group.create";

  r = Run("audit export --since yesterday " + Auth());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("since"), std::string::npos) << r.output;
  r = Run("audit export --format xml " + Auth());
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST_F(OnlineCli, PrincipalsAndSettings) {
  Run("groups create --id g-p --name People " + Auth());
  const std::string password = (ac_->dir() / "password").string();
  std::ofstream(password) << "correct horse battery staple\n";
  CliRun r =
      Run("technicians create --name tess --group g-p --time-zone Europe/Berlin "
          "--password-file " +
          password + " " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("created technician tess"), std::string::npos) << r.output;
  r = Run("admins create --name adele --scope g-p --password-file " + password + " " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Run("auditors create --name aud --password-file " + password + " " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Run("technicians list " + Auth());
  EXPECT_TRUE(
      std::regex_search(r.output, std::regex(R"(tess +technician +g-p +Europe/Berlin +enabled)")))
      << r.output;
  r = Run("admins list " + Auth());
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(adele +admin +g-p)"))) << r.output;
  // The technician logs in with that password: it arrived intact.
  EXPECT_EQ(ac_->Request("POST", "/v1/tokens", std::nullopt,
                         R"({"name":"tess","password":"correct horse battery staple"})")
                .status,
            201u);
  r = Run("technicians create --name tim --group nope --time-zone Mars/Base --password-file " +
          password + " " + Auth());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("/time_zone"), std::string::npos) << r.output;
  r = Run("settings show " + Auth());
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(unattended\.cap_behavior +deny)")))
      << r.output;
  EXPECT_NE(r.output.find("distribution.bundle_ttl_hours"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace custodian::testing
