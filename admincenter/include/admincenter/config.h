// Configuration of `admincenter run`: defaults, then a JSON file
// (--config), then environment variables CUSTODIAN_ADMINCENTER_<KEY>
// (upper case), then command-line flags; each later source overrides the
// earlier ones. Every key, its default and its variable are listed in
// docs/admincenter.md.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "policy/codec.h"

namespace custodian::admincenter {

struct Config {
  std::string data_dir;
  // Where the data is: empty for the embedded SQLite file in data_dir, or
  // a PostgreSQL URL (postgresql://…) that several replicas share.
  std::string database;
  // Where the private signing keys are (their files are named relative to
  // it): data_dir when empty. Replicas on one PostgreSQL database mount one
  // key directory (docs/decisions.md "Keys across replicas").
  std::string key_dir;
  // The web console's built files (web/): beside the executable when
  // empty (../share/custodian/console), served if they are there; "none"
  // serves the API only.
  std::string console_dir;
  std::string listen = "127.0.0.1:8443";
  int io_threads = 2;
  // Threads for reads (database reads, decisions): one per core, at least 2.
  int worker_threads = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  // Threads for writes and logins (Argon2), which mostly wait for the group
  // commit: the more there are, the more concurrent edits share one commit.
  int write_threads = 64;
  std::optional<std::string> tls_certificate;
  std::optional<std::string> tls_key;
  bool allow_insecure_http = false;  // plain HTTP on a non-loopback address
  std::size_t max_body_bytes = 1 << 20;
  // Connections served at once (each holds a descriptor; a parked long-poll
  // is one). Beyond it a new connection is closed at accept, counted in
  // custodian_http_rejected_connections_total. Capped at start to the
  // open-file limit less a reserve for the database and logs.
  std::size_t max_connections = 10000;
  // The lowest level logged: debug, info, warn or error.
  std::string log_level = "info";
};

// The storage location `config` names (OpenStorage's argument), and the
// folder of its signing keys.
std::string DatabaseLocation(const Config& config);
std::string KeyDirectory(const Config& config);

// Applies a JSON configuration document; errors carry JSON pointers.
std::vector<policy::FieldError> ApplyConfigFile(const std::string& text, Config& config);
// Applies CUSTODIAN_ADMINCENTER_* variables from `environ`-style entries.
std::vector<policy::FieldError> ApplyEnvironment(char** environment, Config& config);
// Splits "host:port" ("[::1]:8443" for IPv6); nullopt when malformed.
std::optional<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen);
bool IsLoopback(const std::string& address);

}  // namespace custodian::admincenter
