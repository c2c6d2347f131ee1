// A real PostgreSQL server for the tests (tests/support/postgres.sh), and
// fresh databases on it. Under ctest the fixture "postgres" starts one
// server for the whole run and CUSTODIAN_TEST_POSTGRES names its state
// folder; a test binary run by hand starts its own and stops it at exit.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "admincenter/storage/postgres.h"
#include "common/crypto.h"

#ifndef CUSTODIAN_POSTGRES_SCRIPT
#error "CUSTODIAN_POSTGRES_SCRIPT must name tests/support/postgres.sh"
#endif

namespace custodian::testing {

// The server's base URL (postgresql://custodian@127.0.0.1:PORT), and the
// state folder postgres.sh keeps it in.
class PostgresServer {
 public:
  // The server the tests share.
  static PostgresServer& Shared() {
    static PostgresServer server(std::getenv("CUSTODIAN_TEST_POSTGRES"));
    return server;
  }
  // A server of one's own, e.g. for a test that restarts it, which would
  // disturb the tests that share one; stopped with the object.
  struct Own {};
  explicit PostgresServer(Own) : PostgresServer(nullptr) {}
  ~PostgresServer() {
    if (owned_) Control("stop");
  }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  const std::string& url() const { return url_; }
  const std::filesystem::path& state() const { return state_; }
  // Runs postgres.sh `command` (e.g. "restart") on this server.
  void Control(const std::string& command) const {
    const std::string line = std::string(CUSTODIAN_POSTGRES_SCRIPT) + " " + command + " " +
                             state_.string() + " >/dev/null";
    if (std::system(line.c_str()) != 0) ADD_FAILURE() << "failed: " << line;
  }

 private:
  // The server in `state` (started by ctest's fixture), or (nullptr) one
  // started here.
  explicit PostgresServer(const char* state) {
    static std::atomic<int> n{0};
    if (state) {
      state_ = state;
    } else {
      state_ = std::filesystem::temp_directory_path() /
               ("custodian-pg-" + std::to_string(getpid()) + "-" + std::to_string(n++));
      owned_ = true;
      Control("start");
    }
    std::ifstream in(state_ / "url");
    std::getline(in, url_);
    if (url_.empty()) ADD_FAILURE() << "no PostgreSQL server: " << (state_ / "url");
  }

  std::filesystem::path state_;
  std::string url_;
  bool owned_ = false;
};

// A new, empty database on `server`, dropped with the object.
class PostgresScratch {
 public:
  explicit PostgresScratch(const PostgresServer& server = PostgresServer::Shared())
      : server_(server) {
    static std::atomic<int> n{0};
    name_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(n++) + "_" +
            crypto::Hex(crypto::RandomBytes(4));
    Admin("CREATE DATABASE " + name_);
    url_ = server_.url() + "/" + name_;
  }
  ~PostgresScratch() {
    try {
      Admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The server is being stopped; its folder goes with it.
    }
  }
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  void Admin(const std::string& statement) const {
    admincenter::PgConnection::Connect(server_.url() + "/postgres")->Execute(statement);
  }
  const PostgresServer& server_;
  std::string name_;
  std::string url_;
};

}  // namespace custodian::testing
