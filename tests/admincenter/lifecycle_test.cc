// The admin center process: HTTPS with a certificate, plain HTTP refused off
// loopback, and graceful shutdown on SIGTERM (requests in flight are
// answered, the process exits 0, the database is intact).
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/admincenter_process.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;
using custodian::testing::Spawn;

TEST(Lifecycle, ServesHttpsWithACertificate) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("custodian-cert-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_TRUE(custodian::testing::MakeSelfSignedCertificate(dir, "ec"));
  AdminCenterProcess ac("tls", {"--tls-certificate", cert, "--tls-key", key});
  EXPECT_EQ(ac.url().substr(0, 8), "https://");
  EXPECT_EQ(ac.Request("GET", "/healthz", std::nullopt).status, 200u);
  EXPECT_EQ(ac.Request("GET", "/v1/groups", ac.master_token()).status, 200u);
  std::filesystem::remove_all(dir);
}

// Mozilla "intermediate": TLS 1.2 and 1.3 only, and in TLS 1.2 only
// forward-secret AEAD suites (no RSA key exchange, no CBC, no SHA-1), as
// Debian's sslscan sees the server.
TEST(Lifecycle, OffersOnlyModernTlsProtocolsAndCiphers) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("custodian-scancert-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  // An RSA certificate: it is the one that could offer RSA key exchange.
  ASSERT_TRUE(custodian::testing::MakeSelfSignedCertificate(dir, "rsa"));
  AdminCenterProcess ac("scan", {"--tls-certificate", cert, "--tls-key", key});
  const auto scan = custodian::testing::RunCommand(
      "sslscan --no-colour --no-heartbleed "
      "127.0.0.1:" +
      std::to_string(ac.port()));
  ASSERT_EQ(scan.exit_code, 0) << scan.output;
  int accepted = 0;
  std::istringstream lines(scan.output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string verdict, protocol, bits, unit, cipher;
    words >> verdict >> protocol >> bits >> unit >> cipher;
    if (verdict == "SSLv2" || verdict == "SSLv3" || verdict == "TLSv1.0" || verdict == "TLSv1.1") {
      EXPECT_EQ(protocol, "disabled") << line;
    }
    if (verdict != "Accepted" && verdict != "Preferred") continue;
    ++accepted;
    EXPECT_TRUE(protocol == "TLSv1.2" || protocol == "TLSv1.3") << line;
    if (protocol == "TLSv1.2") {
      EXPECT_TRUE(cipher.starts_with("ECDHE-") || cipher.starts_with("DHE-")) << line;
      EXPECT_TRUE(cipher.find("GCM") != std::string::npos ||
                  cipher.find("CHACHA20") != std::string::npos)
          << line;
    }
  }
  EXPECT_GT(accepted, 0) << scan.output;
  std::filesystem::remove_all(dir);
}

TEST(Lifecycle, RefusesPlainHttpOffLoopback) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("custodian-insecure-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string data = (dir / "data").string();
  int status = 0;
  waitpid(Spawn({CUSTODIAN_ADMINCENTER, "init", "--data-dir", data}, (dir / "o").string(),
                (dir / "e").string()),
          &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  waitpid(Spawn({CUSTODIAN_ADMINCENTER, "run", "--data-dir", data, "--listen", "0.0.0.0:0"},
                (dir / "o").string(), (dir / "e").string()),
          &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(custodian::testing::Slurp((dir / "e").string()).find("only on loopback"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Lifecycle, SigtermAnswersRequestsInFlightAndExitsCleanly) {
  AdminCenterProcess ac("sigterm");
  const std::string password = "correct horse battery";
  ASSERT_EQ(ac.Request("POST", "/v1/auditors", ac.master_token(),
                       R"({"name":"una","password":")" + password + R"("})")
                .status,
            201u);
  // Logins cost an Argon2 hash each, so a burst of them queues on the workers.
  constexpr int kClients = 12;
  std::atomic<int> answered{0}, refused{0}, other{0}, started{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      ++started;
      auto r = ac.TryRequest("POST", "/v1/tokens", std::nullopt,
                             R"({"name":"una","password":")" + password + R"("})");
      if (r.status == 201) {
        ++answered;
      } else if (r.status == 0) {
        ++refused;  // connected after the listener closed
      } else {
        ++other;
      }
    });
  }
  while (started < kClients) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const int status = ac.Kill(SIGTERM);
  for (auto& t : clients) t.join();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ac.log();
  EXPECT_EQ(other, 0) << "a request in flight got an error instead of its answer";
  EXPECT_GT(answered, 0);
  EXPECT_NE(ac.log().find("\"stopped\""), std::string::npos);
  SQLite::Database db(ac.data_dir() + "/admincenter.db", SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
  // Every answered login left its audit event.
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login'").getInt(),
            answered.load());
}

}  // namespace
}  // namespace custodian::admincenter

namespace custodian::admincenter {
namespace {

TEST(FailClosed, AChangeWhoseAuditEventCannotBeWrittenIsRefused) {
  AdminCenterProcess ac("failclosed");
  {
    SQLite::Database db(ac.data_dir() + "/admincenter.db", SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TRIGGER block_audit BEFORE INSERT ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END");
  }
  auto refused = ac.Request("POST", "/v1/groups", ac.master_token(), R"({"id":"g-x","name":"X"})");
  EXPECT_EQ(refused.status, 503u) << refused.body;
  EXPECT_EQ(refused.content_type, "application/problem+json");
  {
    SQLite::Database db(ac.data_dir() + "/admincenter.db", SQLite::OPEN_READWRITE);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM groups").getInt(), 0);
    db.exec("DROP TRIGGER block_audit");
  }
  EXPECT_EQ(
      ac.Request("POST", "/v1/groups", ac.master_token(), R"({"id":"g-x","name":"X"})").status,
      201u);
}

}  // namespace
}  // namespace custodian::admincenter
