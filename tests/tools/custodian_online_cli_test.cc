// The online `custodian` commands against a real admin center: tables on a
// terminal, --json for scripts, problems with their pointers, and the exit
// codes of tools/custodian/online.h. The token comes from a file or the
// environment, never from the command line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <clocale>
#include <ctime>
#include <cwchar>
#include <filesystem>

#include "common/http_server.h"
#include "support/enforcer_process.h"
#include "support/fake_os.h"

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

// Display columns of UTF-8 text, as a terminal shows it.
std::size_t DisplayWidthOf(const std::string& utf8) {
  std::setlocale(LC_CTYPE, "C.UTF-8");
  std::mbstate_t state{};
  std::size_t width = 0;
  const char* p = utf8.data();
  for (std::size_t left = utf8.size(); left > 0;) {
    wchar_t wc = 0;
    const std::size_t n = std::mbrtowc(&wc, p, left, &state);
    if (n == 0 || n > left) return std::string::npos;
    width += static_cast<std::size_t>(std::max(0, ::wcwidth(wc)));
    p += n;
    left -= n;
  }
  return width;
}
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

// Issue 16.5: columns line up by what a terminal shows (a name of
// accented or East Asian letters is as wide as it looks, not its bytes),
// --no-headers, --output json|wide, and `groups show` as a table.
TEST_F(OnlineCli, TablesAlignByDisplayWidthAndTakeOutputAndNoHeaders) {
  ASSERT_EQ(Run("groups create --id g-tbl --name Tables " + Auth()).exit_code, 0);
  ASSERT_EQ(Run("groups create --id g-wide-1 --name Grüße --parent g-tbl " + Auth()).exit_code, 0);
  ASSERT_EQ(
      Run("groups create --id g-wide-2 --name 支援チーム --parent g-tbl --auth-modes at_setup " +
          Auth())
          .exit_code,
      0);
  ASSERT_EQ(Run("groups create --id g-wide-3 --name Plain --parent g-tbl " + Auth()).exit_code, 0);
  // The column after NAME starts at the same display column on every row.
  auto parent_column = [](const std::string& table, const std::string& id) {
    const std::size_t start = table.find("\n" + id + " ") + 1;
    const std::string line = table.substr(start, table.find('\n', start) - start);
    const std::size_t at = line.find("g-tbl");
    return DisplayWidthOf(line.substr(0, at));
  };
  CliRun r = Run("groups list " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(parent_column(r.output, "g-wide-1"), parent_column(r.output, "g-wide-3")) << r.output;
  EXPECT_EQ(parent_column(r.output, "g-wide-2"), parent_column(r.output, "g-wide-3")) << r.output;
  EXPECT_EQ(r.output.find("AUTH MODES"), std::string::npos) << "wide only";
  r = Run("groups list --output wide " + Auth());
  EXPECT_NE(r.output.find("AUTH MODES"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(R"(["at_setup"])"), std::string::npos) << r.output;
  r = Run("groups list --no-headers " + Auth());
  EXPECT_EQ(r.output.find("PERMISSIONS SET"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.rfind("g-", 0), 0u) << r.output;
  r = Run("groups list --output json " + Auth());
  EXPECT_TRUE(web::json::value::parse(r.output).at("items").is_array()) << r.output;
  EXPECT_EQ(Run("groups list --output yaml " + Auth()).exit_code, 2);
  r = Run("groups show g-wide-2 " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(\nname +支援チーム\n)"))) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(unattended\.auth_modes +\["at_setup"\])")))
      << r.output;
}

// Issue 16.1: the config file's token_file is read relative to the
// file's folder, "~/" is home, and a key it does not know (a token pasted
// in, say) is an error with its pointer instead of a silent 401 later.
TEST_F(OnlineCli, TheConfigFileIsCheckedAndItsPathsResolveBesideIt) {
  const auto dir = ac_->dir() / "config-home";
  std::filesystem::create_directories(dir / ".config" / "custodian");
  const std::string config = (dir / ".config" / "custodian" / "config.json").string();
  std::ofstream(dir / ".config" / "custodian" / "token") << ac_->master_token() << "\n";
  std::ofstream(dir / "home-token") << ac_->master_token() << "\n";
  const std::string env = "CUSTODIAN_CONFIG=" + config + " HOME=" + dir.string();
  std::ofstream(config) << R"({"token_file": "token"})";
  CliRun r = Run("groups list", env);
  EXPECT_EQ(r.exit_code, 0) << "relative to the config file: " << r.output;
  std::ofstream(config) << R"({"token_file": "~/home-token"})";
  r = Run("groups list", env);
  EXPECT_EQ(r.exit_code, 0) << "~ is home: " << r.output;
  std::ofstream(config) << R"({"token": "cst_pasted", "url": 8443})";
  r = Run("groups list", env);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(config + ": /token: unknown key"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(config + ": /url: must be a string"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("cst_pasted"), std::string::npos) << "never echoes a token";
}

// Issue 16.1: a login remembers the admin center and the token in a
// profile (0600), later commands need neither --url nor --token-file,
// whoami says who and where, several profiles switch with `profile use`,
// and logout revokes the token.
TEST_F(OnlineCli, LoginRemembersTheServerInAProfileAndLogoutRevokes) {
  const auto dir = ac_->dir() / "profiles-home";
  std::filesystem::create_directories(dir);
  const std::string config = (dir / "config.json").string();
  const std::string password = (dir / "password").string();
  std::ofstream(password) << "a password for pia here\n";
  Run("groups create --id g-pro --name Profiles " + Auth());
  ASSERT_EQ(Run("admins create --name pia --scope g-pro --password-file " + password + " " + Auth())
                .exit_code,
            0);
  // No CUSTODIAN_URL: the profile is the only place the server comes from.
  auto cli = [&](const std::string& args) {
    return RunCommand("env -u CUSTODIAN_TOKEN -u CUSTODIAN_URL CUSTODIAN_CONFIG=" + config + " " +
                      CUSTODIAN_BINARY + " " + args);
  };
  EXPECT_EQ(cli("groups list").exit_code, 2) << "nothing to go on yet";
  CliRun r = cli("login --url " + ac_->url() + " --name pia --password-file " + password);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("in profile default (now current)"), std::string::npos) << r.output;
  struct stat st {};
  ASSERT_EQ(::stat((dir / "profiles" / "default.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir / "profiles").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(r.output.find(Slurp((dir / "profiles" / "default.token").string()).substr(0, 20)),
            std::string::npos)
      << "the token is never printed";
  r = cli("groups list");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("g-pro"), std::string::npos) << r.output;
  r = cli("whoami");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pia (admin, "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("at " + ac_->url() + ", profile default"), std::string::npos) << r.output;
  // A second profile, as the master admin's own login is not at hand:
  // the same admin again, then switch back and forth.
  ASSERT_EQ(
      cli("login --profile spare --url " + ac_->url() + " --name pia --password-file " + password)
          .exit_code,
      0);
  r = cli("profile list");
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(\* +spare +http)"))) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(\n +default +http)"))) << r.output;
  ASSERT_EQ(cli("profile use default").exit_code, 0);
  EXPECT_NE(cli("whoami").output.find("profile default"), std::string::npos);
  EXPECT_EQ(cli("profile use nope").exit_code, 2);
  // logout revokes: the saved token no longer works anywhere.
  const std::string token = Slurp((dir / "profiles" / "default.token").string());
  r = cli("logout");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("revoked"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "profiles" / "default.token"));
  EXPECT_EQ(ac_->Request("GET", "/v1/groups", token.substr(0, token.find('\n'))).status, 401u);
  EXPECT_NE(cli("profile list").output.find("logged out"), std::string::npos);
  EXPECT_EQ(cli("groups list").exit_code, 1) << "no token left: 401";
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

  // An auditor keeps a checkpoint, and later verifies a newer export
  // against it and against the key `keys list` shows.
  const std::string cp = (ac_->dir() / "held-checkpoint.json").string();
  r = Run("audit checkpoint -o " + cp + " " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("checkpoint at event "), std::string::npos) << r.output;
  const std::string key = web::json::value::parse(Run("keys list --json " + Auth()).output)
                              .at("items")
                              .at(0)
                              .at("public_key")
                              .as_string();
  EXPECT_NE(Run("keys list " + Auth()).output.find(key), std::string::npos) << "in the table";
  Run("groups create --id g-after --name After " + Auth());
  const std::string newer = (ac_->dir() / "newer.jsonl").string();
  ASSERT_EQ(Run("audit export -o " + newer + " " + Auth()).exit_code, 0);
  r = Run("audit verify " + newer + " --checkpoint " + cp + " --public-key " + key);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(pinned), consistent with 1 held checkpoint"), std::string::npos)
      << r.output;

  r = Run("audit export --format csv --action group.create " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("seq,", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("group:g-audit"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("auth.login"), std::string::npos) << "filtered to group.create";

  r = Run("audit export --since yesterday " + Auth());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--since yesterday: must be"), std::string::npos) << r.output;
  r = Run("audit export --format xml " + Auth());
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

// --since and --until take an instant, a date (midnight where the auditor
// is) or a span back from now; what the server refuses is named as a
// query parameter, not a body.
TEST_F(OnlineCli, ExportsTakeDatesAndSpansBackFromNow) {
  Run("groups create --id g-span --name Span " + Auth());
  // The filter as the signed trailer (the last line) states it.
  auto filter = [&](const std::string& args, const std::string& env = "") {
    const CliRun r = Run("audit export " + args + " " + Auth(), env);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    const std::string trimmed = r.output.substr(0, r.output.find_last_not_of('\n') + 1);
    std::error_code ec;
    const web::json::value trailer =
        web::json::value::parse(trimmed.substr(trimmed.rfind('\n') + 1), ec);
    return ec ? web::json::value::null() : trailer.at("trailer").at("filter");
  };
  EXPECT_EQ(filter("--since 2026-12-01", "TZ=Europe/Berlin").serialize(),
            R"({"since":"2026-11-30T23:00:00Z"})");
  EXPECT_EQ(filter("--until 2026-07-01", "TZ=America/New_York").serialize(),
            R"({"until":"2026-07-01T04:00:00Z"})");
  // A span: the instant it names is one span before now.
  const std::string since = filter("--since 24h").at("since").as_string();
  std::tm utc{};
  ASSERT_NE(strptime(since.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc), nullptr) << since;
  const int64_t back = std::time(nullptr) - timegm(&utc);
  EXPECT_GE(back, 24 * 3600);
  EXPECT_LT(back, 24 * 3600 + 600) << since;
  for (const char* bad : {"2026-13-01", "2026-02-30", "24", "h", "-5m", "1y"}) {
    const CliRun r = Run(std::string("audit export --since ") + bad + " " + Auth());
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.output;
    EXPECT_NE(r.output.find("must be an RFC 3339 instant"), std::string::npos) << r.output;
  }
  const CliRun wrong = Run("audit export --since 2026-12-01T25:00:00Z " + Auth());
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("a query parameter is invalid"), std::string::npos) << wrong.output;
  EXPECT_NE(wrong.output.find("/since"), std::string::npos) << wrong.output;
}

// Issue 16.7: an export that fails (refused, or the admin center away)
// leaves the file of the last one as it was, and nothing beside it.
TEST_F(OnlineCli, AFailedExportLeavesThePreviousFileAsItWas) {
  const auto dir = ac_->dir() / "exports";
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "kept.jsonl").string();
  ASSERT_EQ(Run("audit export -o " + file + " " + Auth()).exit_code, 0);
  const std::string before = custodian::testing::Slurp(file);
  ASSERT_FALSE(before.empty());
  const std::string wrong = (ac_->dir() / "wrong-token").string();
  std::ofstream(wrong) << "cst_not_a_token\n";
  CliRun r = Run("audit export -o " + file + " --token-file " + wrong);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(custodian::testing::Slurp(file), before) << "refused";
  r = Run("audit export -o " + file + " --url http://127.0.0.1:1 " + Auth());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(custodian::testing::Slurp(file), before) << "unreachable";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1)
      << "no temporary file left";
  // Something to export that the last one lacks (the refusal above may
  // have been folded into an earlier one of the minute).
  ASSERT_EQ(Run("groups create --name Exported " + Auth()).exit_code, 0);
  ASSERT_EQ(Run("audit export -o " + file + " " + Auth()).exit_code, 0);
  EXPECT_GT(custodian::testing::Slurp(file).size(), before.size()) << "replaced when it works";
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

TEST_F(OnlineCli, AdminsSetInheritLockMoveAndDeleteGroups) {
  ASSERT_EQ(Run("groups create --id g-top --name Top " + Auth()).exit_code, 0);
  ASSERT_EQ(Run("groups create --id g-sub --name Sub --parent g-top " + Auth()).exit_code, 0);
  CliRun r =
      Run("groups set g-sub --allow reboot --deny file_transfer --auth-modes at_connection "
          "--max-days 5 --name Subgroup " +
          Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // It reports what it changed, as the group now has it.
  EXPECT_NE(r.output.find("updated group g-sub: name=Subgroup"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("permissions.reboot=true"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(R"(unattended.auth_modes=["at_connection"])"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("unattended.max_days=5"), std::string::npos) << r.output;
  auto show = [&](const std::string& id) {
    return web::json::value::parse(Run("groups show " + id + " --json " + Auth()).output);
  };
  web::json::value g = show("g-sub");
  EXPECT_EQ(g.at("name").as_string(), "Subgroup");
  EXPECT_TRUE(g.at("permissions").at("reboot").as_bool());
  EXPECT_FALSE(g.at("permissions").at("file_transfer").as_bool());
  EXPECT_EQ(g.at("unattended").at("auth_modes").serialize(), R"(["at_connection"])");
  EXPECT_EQ(g.at("unattended").at("max_days").as_integer(), 5);
  // Back to inheritance.
  r = Run("groups set g-sub --inherit reboot --inherit-auth-modes --inherit-max-days " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("permissions.reboot=inherited"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("unattended.auth_modes=inherited"), std::string::npos) << r.output;
  g = show("g-sub");
  EXPECT_FALSE(g.at("permissions").has_field("reboot"));
  EXPECT_FALSE(g.has_field("unattended") && g.at("unattended").has_field("max_days"));
  // Lock a setting on the subtree; a descendant may then not set it.
  ASSERT_EQ(Run("groups set g-top --allow reboot --lock permissions.reboot " + Auth()).exit_code,
            0);
  EXPECT_EQ(show("g-top").at("locked").serialize(), R"(["permissions.reboot"])");
  r = Run("groups set g-sub --deny reboot " + Auth());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("locked"), std::string::npos) << r.output;
  ASSERT_EQ(Run("groups set g-top --unlock permissions.reboot " + Auth()).exit_code, 0);
  EXPECT_FALSE(show("g-top").has_field("locked"));
  // Move, to the top and back.
  r = Run("groups move g-sub --root " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(show("g-sub").at("parent_id").is_null());
  ASSERT_EQ(Run("groups move g-sub --parent g-top " + Auth()).exit_code, 0);
  EXPECT_EQ(show("g-sub").at("parent_id").as_string(), "g-top");
  r = Run("groups move g-top --parent g-sub " + Auth());  // a cycle
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(Run("groups move g-sub " + Auth()).exit_code, 2);
  EXPECT_EQ(Run("groups set g-sub " + Auth()).exit_code, 2);  // nothing to change
  // create takes what set takes.
  r =
      Run("groups create --id g-made --name Made --parent g-top --allow reboot "
          "--auth-modes at_setup --max-days 3 --lock unattended.max_days " +
          Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  g = show("g-made");
  EXPECT_EQ(g.at("unattended").at("auth_modes").serialize(), R"(["at_setup"])");
  EXPECT_EQ(g.at("unattended").at("max_days").as_integer(), 3);
  EXPECT_EQ(g.at("locked").serialize(), R"(["unattended.max_days"])");
  ASSERT_EQ(Run("groups delete g-made " + Auth()).exit_code, 0);
  // Delete: only when empty.
  EXPECT_EQ(Run("groups delete g-top " + Auth()).exit_code, 1);
  ASSERT_EQ(Run("groups delete g-sub " + Auth()).exit_code, 0);
  EXPECT_EQ(Run("groups show g-sub " + Auth()).exit_code, 1);
}

TEST_F(OnlineCli, LoginDisableAndEnable) {
  Run("groups create --id g-l --name Login " + Auth());
  const std::string password = (ac_->dir() / "login-password").string();
  std::ofstream(password) << "correct horse battery staple\n";
  const std::string id =
      web::json::value::parse(Run("technicians create --name lou --group g-l --time-zone UTC "
                                  "--password-file " +
                                  password + " --json " + Auth())
                                  .output)
          .at("id")
          .as_string();
  const std::string token = (ac_->dir() / "lou.token").string();
  CliRun r = Run("login --name lou --password-file " + password + " --token-out " + token);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("logged in as lou (technician)"), std::string::npos) << r.output;
  struct stat st {};
  ASSERT_EQ(::stat(token.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(r.output.find(Slurp(token).substr(0, 20)), std::string::npos) << "token printed";
  EXPECT_EQ(Run("sessions list --token-file " + token).exit_code, 0);
  EXPECT_EQ(Run("groups list --token-file " + token).exit_code, 1);  // not an admin
  r = Run("technicians disable " + id + " " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("lou is disabled"), std::string::npos) << r.output;
  EXPECT_EQ(Run("sessions list --token-file " + token).exit_code, 1);  // revoked at once
  ASSERT_EQ(Run("technicians enable " + id + " " + Auth()).exit_code, 0);
  EXPECT_EQ(Run("login --name lou --password-file " + password + " --token-out " + token).exit_code,
            0);
  EXPECT_EQ(Run("sessions list --token-file " + token).exit_code, 0);
  std::ofstream(password) << "wrong password entirely\n";
  EXPECT_EQ(Run("login --name lou --password-file " + password + " --token-out " + token).exit_code,
            1);
}

TEST_F(OnlineCli, SettingsSetAndKeys) {
  CliRun r =
      Run("settings set unattended.request_ttl_minutes=30 unattended.cap_behavior=clamp " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run("settings show " + Auth());
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(unattended\.request_ttl_minutes +30)")))
      << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(unattended\.cap_behavior +clamp)")));
  r = Run("settings set unattended.request_ttl_minutes=0 " + Auth());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("/unattended/request_ttl_minutes"), std::string::npos) << r.output;
  EXPECT_EQ(Run("settings set nonsense " + Auth()).exit_code, 2);
  Run("settings set unattended.cap_behavior=deny unattended.request_ttl_minutes=60 " + Auth());

  const std::string key = (ac_->dir() / "new-key.pem").string();
  r = Run("keys gen --private-key " + key);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("key_id "), std::string::npos) << r.output;
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(Slurp(key).find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(Run("keys gen --private-key " + key).exit_code, 2);  // never overwrites
  r = Run("keys list " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("active"), std::string::npos) << r.output;
  r = Run("keys rotate " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("new active key"), std::string::npos) << r.output;
  r = Run("keys list " + Auth());
  EXPECT_NE(r.output.find("listed"), std::string::npos) << r.output;
  const std::string old_id = web::json::value::parse(Run("keys list --json " + Auth()).output)
                                 .at("items")
                                 .at(0)
                                 .at("key_id")
                                 .as_string();
  r = Run("keys retire " + old_id + " " + Auth());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(Run("keys list " + Auth()).output.find("retired"), std::string::npos);
}

// Issue 16.8: the routes that had no command. An admin sets a password
// and asks an endpoint to sync; anyone revokes a token; a master admin
// reads the policy document and asks what-if questions of it.
TEST_F(OnlineCli, EveryRouteHasItsCommand) {
  Run("groups create --id g-cmd --name Commands --allow unattended_access --max-days 14 " + Auth());
  const std::string first = (ac_->dir() / "cmd-first").string();
  const std::string second = (ac_->dir() / "cmd-second").string();
  std::ofstream(first) << "first password of kim\n";
  std::ofstream(second) << "second password of kim\n";
  const std::string kim =
      web::json::value::parse(Run("technicians create --name kim --group g-cmd --time-zone "
                                  "Europe/Berlin --password-file " +
                                  first + " --json " + Auth())
                                  .output)
          .at("id")
          .as_string();
  CliRun r = Run("technicians password " + kim + " --password-file " + second + " " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("password of kim set"), std::string::npos) << r.output;
  const std::string token = (ac_->dir() / "kim.token").string();
  EXPECT_EQ(Run("login --name kim --password-file " + first + " --token-out " + token).exit_code,
            1);
  r = Run("login --name kim --password-file " + second + " --token-out " + token);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The token's id is printed (never the token), and revoking it ends it.
  std::smatch id;
  ASSERT_TRUE(std::regex_search(r.output, id, std::regex(R"(token (\S+) in )"))) << r.output;
  EXPECT_EQ(Run("sessions list --token-file " + token).exit_code, 0);
  r = Run("tokens revoke " + id[1].str() + " --token-file " + token);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("revoked"), std::string::npos) << r.output;
  EXPECT_EQ(Run("sessions list --token-file " + token).exit_code, 1);

  // The policy document, to a private file.
  const std::string doc = (ac_->dir() / "policy.json").string();
  ASSERT_EQ(Run("policy show -o " + doc + " " + Auth()).exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat(doc.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(Slurp(doc).find("\"g-cmd\""), std::string::npos);
  // What-if on it: allowed within the cap, denied with every reason past it.
  const std::string request = (ac_->dir() / "what-if.json").string();
  auto ask = [&](int days) {
    std::ofstream(request) << R"({"action":"unattended.request","technician_id":")" << kim
                           << R"(","session":{"type":"applet","active":true},
        "endpoint":{"os":"windows","time_zone":"Europe/Berlin"},"credential_mode":"at_setup",
        "schedule":{"kind":"days","days":)"
                           << days << "}}";
    return Run("policy decide --request " + request + " --now 2026-03-02T10:00:00Z " + Auth());
  };
  r = ask(3);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(web::json::value::parse(r.output).at("effect").as_string(), "allow") << r.output;
  r = ask(20);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("duration_exceeds_cap"), std::string::npos) << r.output;

  // An endpoint is asked to sync: the command waits in its queue.
  const std::string code = Run("enrollment-codes create " + Auth()).output.substr(0, 40);
  const HttpResult enrolled =
      ac_->Request("POST", "/v1/enroll", std::nullopt,
                   R"({"code":")" + code.substr(0, code.find(' ')) +
                       R"(","name":"pc-sync","os":"windows","time_zone":"UTC"})");
  ASSERT_EQ(enrolled.status, 201u) << enrolled.body;
  const std::string endpoint = enrolled.json().at("endpoint_id").as_string();
  r = Run("endpoints sync " + endpoint + " " + Auth());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sync queued for " + endpoint), std::string::npos) << r.output;
  const HttpResult queued = ac_->Request("GET", "/v1/endpoints/" + endpoint + "/commands",
                                         enrolled.json().at("token").as_string());
  ASSERT_EQ(queued.status, 200u) << queued.body;
  EXPECT_EQ(queued.json().at("items").at(0).at("type").as_string(), "sync");
}

// Another admin writes between the CLI's read and its write. A server in
// between forwards every request to the admin center and, just before the
// CLI's write, makes the competing one: the CLI's write names what it read
// (If-Match), is refused with 412, and the other admin's change stands.
TEST_F(OnlineCli, AWriteOverWhatChangedSinceTheReadIsRefused) {
  std::function<void()> meanwhile;  // the other admin, once
  http::Server between({}, [&](http::Request req, http::Respond respond) {
    if (req.method != boost::beast::http::verb::get && meanwhile) std::exchange(meanwhile, {})();
    std::map<std::string, std::string> headers;
    for (const char* h : {"authorization", "if-match"}) {
      if (!req.Header(h).empty()) headers[h] = req.Header(h);
    }
    const HttpResult r = ac_->Request(req.method_name, req.target, std::nullopt, req.body,
                                      req.Header("content-type"), headers);
    http::Response out;
    out.status = r.status;
    out.content_type = r.content_type;
    out.body = r.body;
    if (auto etag = r.headers.find("ETag"); etag != r.headers.end()) {
      out.headers.push_back({"ETag", etag->second});
    }
    respond(std::move(out));
  });
  std::string error;
  ASSERT_TRUE(between.Start(&error)) << error;
  const std::string via = "--url http://127.0.0.1:" + std::to_string(between.port()) + " ";

  meanwhile = [] {
    web::json::value s = ac_->Request("GET", "/v1/settings", ac_->master_token()).json();
    s["unattended"]["request_ttl_minutes"] = web::json::value::number(45);
    ASSERT_EQ(ac_->Request("PUT", "/v1/settings", ac_->master_token(), s.serialize()).status, 200u);
  };
  CliRun r = Run("settings set unattended.request_ttl_minutes=50 " + via + Auth());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("error 412"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("run the command again"), std::string::npos) << r.output;
  EXPECT_TRUE(std::regex_search(Run("settings show " + Auth()).output,
                                std::regex(R"(unattended\.request_ttl_minutes +45)")));
  // Without anyone in between, the same command goes through.
  EXPECT_EQ(Run("settings set unattended.request_ttl_minutes=60 " + via + Auth()).exit_code, 0);

  // A lock replaces the group's whole list: only over the list read.
  ASSERT_EQ(Run("groups create --id g-race --name Race " + Auth()).exit_code, 0);
  meanwhile = [] {
    ASSERT_EQ(ac_->Request("PATCH", "/v1/groups/g-race", ac_->master_token(),
                           R"({"locked":["unattended.max_days"]})")
                  .status,
              200u);
  };
  r = Run("groups set g-race --lock permissions.unattended_access " + via + Auth());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("error 412"), std::string::npos) << r.output;
  const web::json::value group =
      web::json::value::parse(Run("groups show g-race --json " + Auth()).output);
  EXPECT_EQ(group.at("locked").serialize(), R"(["unattended.max_days"])");
  between.Stop();
  between.Wait();
}

// A technician's whole day through the CLI, with a real enforcer on the
// other side; the customer answers through the enforcer's local API.
TEST_F(OnlineCli, TechniciansRunEveryWorkflow) {
  const FakeOs os = MakeFakeOs(ac_->dir(), "admin password");
  Run("groups create --id g-t --name Techs --allow unattended_access "
      "--allow request_windows_credentials " +
      Auth());
  const std::string password = (ac_->dir() / "tia-password").string();
  std::ofstream(password) << "correct horse battery staple\n";
  Run("technicians create --name tia --group g-t --time-zone Europe/Berlin --password-file " +
      password + " " + Auth());
  const std::string token = (ac_->dir() / "tia.token").string();
  ASSERT_EQ(Run("login --name tia --password-file " + password + " --token-out " + token).exit_code,
            0);
  const std::string as_tia = " --token-file " + token;
  EnforcerProcess pc(
      *ac_, "pc-cli", "windows",
      {"--poll-interval", "1", "--command-wait", "5", "--config", os.Config("pc-cli")});
  ASSERT_TRUE(pc.WaitFor(
      [](const web::json::value& s) { return !s.at("policy").at("version").is_null(); }));
  auto first_word = [](const std::string& out) { return out.substr(0, out.find(' ')); };
  // R2: not from a chat-only session.
  CliRun r =
      Run("sessions open --endpoint " + pc.id() + " --type instant_chat --mode chat_only" + as_tia);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string chat = first_word(r.output);
  r = Run("unattended request " + chat + " --mode at_connection --days 7" + as_tia);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("R2 session_type_blocked"), std::string::npos) << r.output;
  r = Run("sessions open --endpoint " + pc.id() + " --type applet" + as_tia);
  const std::string session = first_word(r.output);
  // R6: customer credentials for 20 days.
  r = Run("unattended request " + session + " --mode at_setup --days 20" + as_tia);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("R6 duration_exceeds_cap"), std::string::npos) << r.output;
  EXPECT_EQ(Run("unattended request " + session + " --mode at_setup" + as_tia).exit_code, 2);
  EXPECT_EQ(Run("unattended request " + session + " --mode at_setup --days 3 --unlimited" + as_tia)
                .exit_code,
            2);
  // Every schedule form is accepted.
  r = Run("unattended request " + session +
          " --mode at_connection --unlimited --daily 00:00-23:59 --time-reference customer" +
          as_tia);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("daily 00:00–23:59 Europe/Berlin"), std::string::npos) << r.output;
  r = Run("unattended request " + session + " --mode at_setup --from 2030-01-01 --to 2030-01-05" +
          as_tia);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Run("unattended request " + session + " --mode at_connection --days 7" + as_tia);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pending: the customer is asked to confirm"), std::string::npos);
  const std::string request = first_word(r.output);
  // The customer approves.
  ASSERT_TRUE(Eventually(
      [&] { return pc.Local("POST", "/v1/prompts/" + request + "/approve", "{}").status == 200; }));
  std::string grant;
  ASSERT_TRUE(Eventually([&] {
    const auto list = web::json::value::parse(Run("unattended requests --json" + as_tia).output);
    for (const auto& item : list.at("items").as_array()) {
      if (item.at("id").as_string() == request && item.at("grant_id").is_string()) {
        grant = item.at("grant_id").as_string();
      }
    }
    return !grant.empty();
  }));
  r = Run("unattended requests" + as_tia);
  EXPECT_TRUE(
      std::regex_search(r.output, std::regex(request + R"( +\S+ +at_connection +approved)")))
      << r.output;
  r = Run("grants list" + as_tia);
  EXPECT_NE(r.output.find(grant), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("active"), std::string::npos) << r.output;
  r = Run("grants connect " + grant + as_tia);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("asks for administrator credentials"), std::string::npos) << r.output;
  const std::string connection = first_word(r.output);
  EXPECT_TRUE(Eventually([&] {
    return pc.Local("POST", "/v1/connections/" + connection + "/credentials",
                    R"({"user_name":"administrator","password":"admin password"})")
               .status == 200;
  }));
  EXPECT_TRUE(Eventually([&] {
    return std::regex_search(Run("connections list" + as_tia).output,
                             std::regex(connection + " +" + grant + " +active"));
  })) << Run("connections list" + as_tia).output;
  // R13, then R9–R12 through the CLI.
  r = Run("credentials request " + session + as_tia);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("R13 screen_viewing_inactive"), std::string::npos) << r.output;
  ASSERT_EQ(Run("sessions screen " + session + " on" + as_tia).exit_code, 0);
  EXPECT_EQ(Run("sessions screen " + session + " maybe" + as_tia).exit_code, 2);
  r = Run("credentials request " + session + as_tia);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string creds = first_word(r.output);
  EXPECT_TRUE(Eventually([&] {
    return pc.Local("POST", "/v1/prompts/" + creds + "/approve", R"({"password":"hunter2hunter2"})")
               .status == 200;
  }));
  ASSERT_TRUE(Eventually([&] {
    return std::regex_search(Run("credentials list" + as_tia).output,
                             std::regex(creds + " +" + session + " +stored"));
  })) << Run("credentials list" + as_tia).output;
  r = Run("credentials apply " + session + " --operation unlock" + as_tia);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Run("credentials apply " + session + " --operation format" + as_tia).exit_code, 2);
  Eventually([&] { return !Slurp(os.actions_log.string()).empty(); });
  EXPECT_EQ(Slurp(os.actions_log.string()),
            "unlock anna HOME " + Sha256Hex("hunter2hunter2") + "\n");
  r = Run("grants revoke " + grant + as_tia);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Run("grants revoke " + grant + as_tia).exit_code, 1);  // already
  r = Run("sessions end " + session + as_tia);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Run("sessions list" + as_tia);
  EXPECT_TRUE(std::regex_search(r.output, std::regex(session + R"( .* ended)"))) << r.output;
  EXPECT_EQ(Run("sessions list --json" + as_tia).exit_code, 0);
  // Issue 16.14: the enforcer's log has a line for each step it recorded,
  // and no secret in any.
  ASSERT_TRUE(Eventually([&] {
    return pc.log().find(R"("action":"credentials.applied")") != std::string::npos;
  })) << pc.log();
  const std::string log = pc.log();
  for (const char* step : {"unattended.request_received", "unattended.request_approved",
                           "credentials.stored", "grant.revoked"}) {
    EXPECT_NE(
        log.find(std::string(R"("msg":"event recorded","event":"event_recorded","action":")") +
                 step + "\""),
        std::string::npos)
        << step << "\n"
        << log;
  }
  EXPECT_EQ(log.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace custodian::testing
