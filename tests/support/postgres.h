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
  static PostgresServer& Shared() {
    static PostgresServer server;
    return server;
  }
  const std::string& url() const { return url_; }
  const std::filesystem::path& state() const { return state_; }
  // Runs postgres.sh `command` (e.g. "restart") on this server.
  void Control(const std::string& command) const {
    const std::string line = std::string(CUSTODIAN_POSTGRES_SCRIPT) + " " + command + " " +
                             state_.string() + " >/dev/null";
    if (std::system(line.c_str()) != 0) ADD_FAILURE() << "failed: " << line;
  }

 private:
  PostgresServer() {
    if (const char* shared = std::getenv("CUSTODIAN_TEST_POSTGRES")) {
      state_ = shared;
    } else {
      state_ =
          std::filesystem::temp_directory_path() / ("custodian-pg-" + std::to_string(getpid()));
      owned_ = true;
      Control("start");
    }
    std::ifstream in(state_ / "url");
    std::getline(in, url_);
    if (url_.empty()) ADD_FAILURE() << "no PostgreSQL server: " << (state_ / "url");
  }
  ~PostgresServer() {
    if (owned_) Control("stop");
  }

  std::filesystem::path state_;
  std::string url_;
  bool owned_ = false;
};

// A new, empty database on the shared server, dropped with the object.
class PostgresScratch {
 public:
  PostgresScratch() {
    static std::atomic<int> n{0};
    name_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(n++) + "_" +
            crypto::Hex(crypto::RandomBytes(4));
    Admin("CREATE DATABASE " + name_);
    url_ = PostgresServer::Shared().url() + "/" + name_;
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
  static void Admin(const std::string& statement) {
    admincenter::PgConnection::Connect(PostgresServer::Shared().url() + "/postgres")
        ->Execute(statement);
  }
  std::string name_;
  std::string url_;
};

}  // namespace custodian::testing
