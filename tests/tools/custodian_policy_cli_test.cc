// `custodian policy lint|explain` as a user runs it: the real binary, its
// exit codes (DESIGN.md §3: like grep) and what it prints.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/policy_fixture.h"

namespace custodian::cli {
namespace {

struct CliRun {
  int exit_code;
  std::string output;  // stdout and stderr
};

CliRun Custodian(const std::string& args) {
  const std::string command = std::string(CUSTODIAN_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class PolicyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custodian-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::string Standard() const {
    return custodian::testing::CorpusDir() + "/policies/standard.json";
  }

  std::filesystem::path dir_;
};

constexpr const char* kRequest = R"({"action":"unattended.request","technician_id":"t-anna",
  "session":{"type":"instant_chat","mode":"%s","active":true},
  "endpoint":{"os":"windows","time_zone":"America/New_York"},
  "credential_mode":"at_setup","schedule":{"kind":"days","days":%d,"time_reference":"customer"}})";

std::string RequestText(const char* mode, int days) {
  char buf[512];
  std::snprintf(buf, sizeof buf, kRequest, mode, days);
  return buf;
}

TEST_F(PolicyCli, LintAcceptsAValidPolicy) {
  const CliRun r = Custodian("policy lint " + Standard());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("valid (5 groups, 5 technicians)"), std::string::npos) << r.output;
}

TEST_F(PolicyCli, LintListsEveryErrorWithPointersAndExits2) {
  const std::string file = Write("bad.json", R"({"groups":[{"id":"a","name":"A","parent_id":"x",
      "permissions":{"fly":true}}],"technicians":[{"id":"t","group_id":"a","time_zone":"Mars/Base"}]})");
  const CliRun r = Custodian("policy lint " + file);
  EXPECT_EQ(r.exit_code, 2);
  for (const char* pointer :
       {"/groups/0/permissions/fly", "/groups/0/parent_id", "/technicians/0/time_zone"}) {
    EXPECT_NE(r.output.find(pointer), std::string::npos) << pointer << "\n" << r.output;
  }
  const CliRun json = Custodian("policy lint --json " + file);
  EXPECT_EQ(json.exit_code, 2);
  const auto v = web::json::value::parse(json.output);
  EXPECT_FALSE(v.at("valid").as_bool());
  EXPECT_EQ(v.at("errors").size(), 3u);
}

TEST_F(PolicyCli, ExplainExitsZeroOnAllowWithTheDecision) {
  const CliRun r =
      Custodian("policy explain --policy " + Standard() + " --request " +
                Write("r.json", RequestText("full", 7)) + " --now 2026-03-01T10:00:00Z");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const auto v = web::json::value::parse(r.output);
  EXPECT_EQ(v.at("effect").as_string(), "allow");
  EXPECT_EQ(v.at("obligations").at("effective_schedule").at("end").as_string(),
            "2026-03-08T09:00:00Z");
}

TEST_F(PolicyCli, ExplainExitsOneOnDenyWithEveryReason) {
  const CliRun r =
      Custodian("policy explain --policy " + Standard() + " --request " +
                Write("r.json", RequestText("chat_only", 20)) + " --now 2026-03-01T10:00:00Z");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const auto v = web::json::value::parse(r.output);
  ASSERT_EQ(v.at("reasons").size(), 2u);
  EXPECT_EQ(v.at("reasons").at(0).at("rule").as_string(), "R2");
  EXPECT_EQ(v.at("reasons").at(1).at("code").as_string(), "duration_exceeds_cap");
}

TEST_F(PolicyCli, ExplainExitsTwoOnBadInput) {
  const std::string request = Write("r.json", RequestText("full", 7));
  const CliRun bad_request =
      Custodian("policy explain --policy " + Standard() + " --request " +
                Write("bad.json", R"({"action":"unattended.request","x":1})"));
  EXPECT_EQ(bad_request.exit_code, 2);
  EXPECT_NE(bad_request.output.find("/x: unknown key"), std::string::npos) << bad_request.output;
  const CliRun bad_now =
      Custodian("policy explain --policy " + Standard() + " --request " + request + " --now soon");
  EXPECT_EQ(bad_now.exit_code, 2);
  EXPECT_NE(bad_now.output.find("--now"), std::string::npos);
  const CliRun missing =
      Custodian("policy explain --policy /nonexistent.json --request " + request);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("/nonexistent.json: cannot be read"), std::string::npos);
}

TEST_F(PolicyCli, BadFlagsExitTwoAndHelpAndVersionExitZero) {
  EXPECT_EQ(Custodian("policy explain --frobnicate").exit_code, 2);
  EXPECT_EQ(Custodian("").exit_code, 2);
  EXPECT_EQ(Custodian("nonsense").exit_code, 2);
  for (const char* help :
       {"--help", "policy --help", "policy lint --help", "policy explain --help"}) {
    const CliRun r = Custodian(help);
    EXPECT_EQ(r.exit_code, 0) << help;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << help << r.output;
  }
  const CliRun version = Custodian("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find('.'), std::string::npos);
}

// Plain `custodian`, or a command it does not have, shows what there is
// (with the nearest name) instead of "A subcommand is required".
TEST_F(PolicyCli, AMissingOrMisspeltCommandListsTheCommands) {
  CliRun r = Custodian("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("custodian: a command is required"), std::string::npos) << r.output;
  for (const char* listed : {"groups", "unattended", "audit", "completion"}) {
    EXPECT_NE(r.output.find(std::string("\n  ") + listed + " "), std::string::npos)
        << listed << r.output;
  }
  r = Custodian("grops");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(R"(unknown command "grops"; did you mean "groups"?)"), std::string::npos)
      << r.output;
  r = Custodian("groups sett");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(R"(custodian groups: unknown command "sett"; did you mean "set"?)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("effective"), std::string::npos) << "lists the group commands";
  r = Custodian("groups");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("custodian groups: a command is required"), std::string::npos);
  r = Custodian("xyzzy");
  EXPECT_EQ(r.output.find("did you mean"), std::string::npos) << "nothing near: " << r.output;
  // Flags that take names list them, and a name outside the list is refused here.
  r = Custodian("groups create --help");
  EXPECT_NE(r.output.find("--auth-modes TEXT:{at_connection,at_setup}"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("unattended_access"), std::string::npos);
  r = Custodian("groups set g --allow remote_contrl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("remote_contrl not in {remote_control,"), std::string::npos) << r.output;
}

// The completion script, run by a real bash: commands, options, and the
// values an option lists.
TEST_F(PolicyCli, BashCompletesCommandsOptionsAndListedValues) {
  auto complete = [](const std::string& words, int cword) {
    const std::string script =
        std::string("eval \"$(") + CUSTODIAN_BINARY + " completion bash)\"; COMP_WORDS=(" + words +
        "); COMP_CWORD=" + std::to_string(cword) + "; _custodian; echo \"${COMPREPLY[*]}\"";
    FILE* pipe = popen(("bash -c '" + script + "' 2>&1").c_str(), "r");
    std::string out;
    std::array<char, 4096> buf;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    pclose(pipe);
    return out;
  };
  EXPECT_EQ(complete("custodian gr", 1), "groups grants\n");
  EXPECT_EQ(complete("custodian groups s", 2), "show set\n");
  EXPECT_EQ(complete("custodian groups create --au", 3), "--auth-modes\n");
  EXPECT_EQ(complete("custodian groups set g-a --allow re", 5),
            "remote_control reboot request_windows_credentials\n");
  EXPECT_EQ(complete("custodian groups set g-a --lock unattended.", 5),
            "unattended.auth_modes unattended.max_days\n");
  EXPECT_EQ(complete("custodian completion", 2), "--help bash zsh\n");  // at an empty word
  const CliRun zsh = Custodian("completion zsh");
  EXPECT_EQ(zsh.exit_code, 0);
  EXPECT_NE(zsh.output.find("bashcompinit"), std::string::npos);
  EXPECT_EQ(Custodian("completion fish").exit_code, 2);
}

}  // namespace
}  // namespace custodian::cli
