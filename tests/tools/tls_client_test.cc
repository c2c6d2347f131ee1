// The CLI and the enforcer reach the admin center only as they should
// (issue "Integrity under attack", finding 15): plain http:// to another
// host is refused before anything is sent; a self-signed admin center is
// reached through --ca-file or a pinned certificate, and not without.
#include <gtest/gtest.h>

#include <fstream>

#include "support/admincenter_process.h"

namespace custodian::testing {
namespace {

class TlsClients : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("custodian-tls-clients-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    cert_ = (dir_ / "cert.pem").string();
    const std::string key = (dir_ / "key.pem").string();
    ASSERT_TRUE(MakeSelfSignedCertificate(dir_, "ec"));
    const CommandRun fp =
        RunCommand("openssl x509 -noout -fingerprint -sha256 -in " + cert_ + " | cut -d= -f2");
    pin_ = fp.output.substr(0, fp.output.find('\n'));
    ac_ = new AdminCenterProcess("tlsac", {"--tls-certificate", cert_, "--tls-key", key});
    token_file_ = (dir_ / "token").string();
    std::ofstream(token_file_) << ac_->master_token();
  }
  static void TearDownTestSuite() {
    delete ac_;
    std::filesystem::remove_all(dir_);
  }
  static CommandRun Cli(const std::string& args) {
    return RunCommand("env -u CUSTODIAN_TOKEN -u CUSTODIAN_URL CUSTODIAN_CONFIG=/nonexistent " +
                      std::string(CUSTODIAN_BINARY) + " " + args + " --token-file " + token_file_);
  }

  static std::filesystem::path dir_;
  static std::string cert_, pin_, token_file_;
  static AdminCenterProcess* ac_;
};
std::filesystem::path TlsClients::dir_;
std::string TlsClients::cert_, TlsClients::pin_, TlsClients::token_file_;
AdminCenterProcess* TlsClients::ac_ = nullptr;

TEST_F(TlsClients, TheCliTrustsASelfSignedAdminCenterOnlyThroughACaFileOrAPin) {
  const std::string url = " --url https://127.0.0.1:" + std::to_string(ac_->port());
  ASSERT_EQ(pin_.size(), 95u) << pin_;  // 32 bytes as XX:XX:…
  EXPECT_EQ(Cli("groups list" + url).exit_code, 3);
  const CommandRun with_ca = Cli("groups list" + url + " --ca-file " + cert_);
  EXPECT_EQ(with_ca.exit_code, 0) << with_ca.output;
  const CommandRun pinned = Cli("groups list" + url + " --pin-sha256 " + pin_);
  EXPECT_EQ(pinned.exit_code, 0) << pinned.output;
  EXPECT_EQ(Cli("groups list" + url + " --pin-sha256 " + std::string(64, '0')).exit_code, 3);
  EXPECT_EQ(Cli("groups list" + url + " --pin-sha256 nothex").exit_code, 2);
}

TEST_F(TlsClients, PlainHttpToAnotherHostIsRefusedBeforeAnythingIsSent) {
  const CommandRun cli = Cli("groups list --url http://10.1.2.3:8443");
  EXPECT_EQ(cli.exit_code, 2) << cli.output;
  EXPECT_NE(cli.output.find("plain http:// is refused"), std::string::npos) << cli.output;
  const CommandRun enroll =
      RunCommand(std::string(CUSTODIAN_ENFORCER) +
                 " enroll --admin-center http://10.1.2.3:8443 --code x --state-dir " +
                 (dir_ / "never").string());
  EXPECT_EQ(enroll.exit_code, 2) << enroll.output;
  EXPECT_NE(enroll.output.find("plain http:// is refused"), std::string::npos) << enroll.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "never" / "endpoint-token"));
}

TEST_F(TlsClients, AnEnforcerEnrolledWithAPinKeepsUsingIt) {
  const std::string code = ac_->Request("POST", "/v1/enrollment-codes", ac_->master_token(), "{}")
                               .json()
                               .at("code")
                               .as_string();
  const std::string state = (dir_ / "pc").string();
  const std::string url = "https://127.0.0.1:" + std::to_string(ac_->port());
  EXPECT_EQ(RunCommand(std::string(CUSTODIAN_ENFORCER) + " enroll --admin-center " + url +
                       " --code " + code + " --state-dir " + state)
                .exit_code,
            1)
      << "not without the pin";
  const CommandRun enroll = RunCommand(std::string(CUSTODIAN_ENFORCER) + " enroll --admin-center " +
                                       url + " --code " + code + " --state-dir " + state +
                                       " --pin-sha256 " + pin_ + " --os linux --name pc");
  ASSERT_EQ(enroll.exit_code, 0) << enroll.output;
  pid_t run = Spawn({CUSTODIAN_ENFORCER, "run", "--state-dir", state, "--poll-interval", "1"},
                    (dir_ / "run.out").string(), (dir_ / "run.err").string());
  // The bundle poll is the endpoint's heartbeat: it arrives over the pin.
  // (A generous bound: under the sanitizers each TLS handshake takes
  // seconds.)
  EXPECT_TRUE(Eventually(
      [&] {
        const auto items =
            ac_->Request("GET", "/v1/endpoints", ac_->master_token()).json().at("items");
        return items.size() == 1 && !items.at(0).at("bundle_version").is_null();
      },
      std::chrono::seconds(120)))
      << Slurp((dir_ / "run.err").string());
  StopProcess(run, SIGTERM);
}

}  // namespace
}  // namespace custodian::testing
