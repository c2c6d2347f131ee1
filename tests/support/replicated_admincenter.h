// Two admin-center replicas on a PostgreSQL server of their own, behind
// Debian's HAProxy, as one AdminCenter: what an organisation that scales
// out runs. The proxy balances round robin, so a test's consecutive
// requests land on different replicas, and an enforcer enrolled through it
// parks its polls on either. The first replica's data folder is the key
// folder both mount.
#pragma once

#include "support/admincenter_process.h"
#include "support/haproxy.h"
#include "support/postgres.h"

namespace custodian::testing {

class ReplicatedAdminCenter : public AdminCenter {
 public:
  explicit ReplicatedAdminCenter(const std::string& name)
      : server_(PostgresServer::Own{}),
        database_(server_),
        a_(name + "-a", {"--database", database_.url()}, {"--database", database_.url()}),
        b_(name + "-b", {"--database", database_.url(), "--key-dir", a_.data_dir()},
           AdminCenterProcess::Replica{a_}),
        proxy_(a_.dir(), {a_.port(), b_.port()}) {}

  std::string url() const override { return proxy_.url(); }
  std::filesystem::path dir() const override { return a_.dir(); }
  // Both replicas' folders and the database cluster's files.
  std::vector<std::filesystem::path> state_dirs() const override {
    return {a_.dir(), b_.dir(), server_.state()};
  }
  const std::string& master_token() const override { return a_.master_token(); }
  int Kill(int signal) override {
    const int status = a_.Kill(signal);
    b_.Kill(signal);
    return status;
  }

 private:
  PostgresServer server_;
  PostgresScratch database_;
  AdminCenterProcess a_, b_;
  Haproxy proxy_;
};

// The admin center of the end-to-end tests: replicas when the environment
// sets CUSTODIAN_TEST_REPLICATED=1 (ctest runs them both ways), else one
// process on SQLite.
inline std::unique_ptr<AdminCenter> AdminCenterUnderTest(const std::string& name) {
  const char* replicated = std::getenv("CUSTODIAN_TEST_REPLICATED");
  if (replicated && std::string(replicated) == "1") {
    return std::make_unique<ReplicatedAdminCenter>(name);
  }
  return std::make_unique<AdminCenterProcess>(name);
}

}  // namespace custodian::testing
