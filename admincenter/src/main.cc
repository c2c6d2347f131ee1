// admincenter: `init` creates the data directory (database, signing key,
// first master admin); `run` serves the REST API until SIGTERM.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "admincenter/audit.h"
#include "admincenter/auth.h"
#include "admincenter/config.h"
#include "admincenter/daemon.h"
#include "admincenter/storage.h"
#include "admincenter/storage/move.h"
#include "common/cli.h"
#include "common/crypto.h"
#include "common/files.h"
#include "common/http_server.h"
#include "common/logging.h"
#include "policy/system_time_zones.h"

extern char** environ;

namespace {

using custodian::logging::Event;

namespace ac = custodian::admincenter;
namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
using ac::kSigningKeyFile;

custodian::policy::Instant Now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

int Init(const ac::Config& config, const std::string& admin_name,
         const std::optional<std::string>& password_file) {
  const std::string& data_dir = config.data_dir;
  const std::string key_dir = ac::KeyDirectory(config);
  std::error_code ec;
  for (const std::string& dir : {data_dir, key_dir}) {
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  std::string error;
  std::optional<std::string> password;
  if (password_file) {
    password = custodian::ReadFile(*password_file);
    if (!password) {
      std::cerr << *password_file << ": cannot be read\n";
      return kExitUsage;
    }
    while (!password->empty() && (password->back() == '\n' || password->back() == '\r')) {
      password->pop_back();
    }
  }
  const std::string location = ac::DatabaseLocation(config);
  auto storage = ac::OpenStorage(location, true, &error);
  if (!storage) {
    std::cerr << error << "\n";
    return kExitFailure;
  }
  const bool initialised = storage->Read(
      [](ac::Repositories& tx) { return !tx.principals().List(ac::Role::kMasterAdmin).empty(); });
  if (initialised) {
    std::cerr << storage->location() << ": already initialised (a master admin exists)\n";
    return kExitFailure;
  }
  const auto key = custodian::crypto::GenerateEd25519();
  const fs::path key_path = fs::path(key_dir) / kSigningKeyFile;
  if (!fs::exists(key_path) &&
      !custodian::WriteNewFile(key_path.string(), key.private_pem, 0600, &error)) {
    std::cerr << error << "\n";
    return kExitFailure;
  }
  const std::string hash = password ? ac::HashPassword(*password) : "";
  const auto token = storage->Write([&](ac::Repositories& tx) {
    const auto now = Now();
    const std::string ts = custodian::policy::FormatRfc3339(now);
    tx.policy().SaveSettings(custodian::policy::GlobalSettings{}, now);
    const std::string id = custodian::crypto::NewId("p-");
    ac::PrincipalRepository& principals = tx.principals();
    ac::Principal master;
    master.id = id;
    master.name = admin_name;
    master.role = ac::Role::kMasterAdmin;
    principals.Insert(master, hash, now);
    ac::AuditEvent e;
    e.actor_kind = "system";
    e.actor_id = "admincenter init";
    e.action = "master_admin.create";
    e.target = "principal:" + id;
    e.outcome = "success";
    e.Detail("name", admin_name);
    ac::AppendAudit(tx.audit(), e, now);
    const auto t = principals.IssueToken(id, now, ac::kInitialTokenLifetime);
    e.action = "token.issue";
    e.Detail("token_id", t.id);
    ac::AppendAudit(tx.audit(), e, now);
    return t;
  });
  std::cout << token.secret << std::endl;
  return kExitOk;
}

// `move-to-postgres`: the data directory's SQLite file into PostgreSQL.
int Move(const std::string& data_dir, const std::string& url) {
  if (!ac::IsPostgresUrl(url)) {
    std::cerr << "--database: must be a PostgreSQL URL (postgresql://…)\n";
    return kExitUsage;
  }
  const std::string file = (fs::path(data_dir) / ac::kDatabaseFile).string();
  if (!fs::exists(file)) {
    std::cerr << file << ": missing\n";
    return kExitUsage;
  }
  std::string error;
  const auto report = ac::MoveToPostgres(file, url, &error);
  if (!report) {
    std::cerr << error << "\n";
    return kExitFailure;
  }
  for (const auto& [table, rows] : report->rows) std::cout << table << ": " << rows << " rows\n";
  std::cout << "audit chain: " << report->head.seq << " events, head " << report->head.hash << "\n";
  return kExitOk;
}

int Run(ac::Config config) {
  custodian::logging::SetUp("admincenter", *custodian::logging::ParseLevel(config.log_level));
  const auto listen = ac::ParseListen(config.listen);
  if (!listen) {
    std::cerr << "--listen: \"" << config.listen << "\" is not HOST:PORT\n";
    return kExitUsage;
  }
  const bool tls = config.tls_certificate || config.tls_key;
  if (!tls && !ac::IsLoopback(listen->first) && !config.allow_insecure_http) {
    std::cerr << "--listen: plain HTTP is served only on loopback; give --tls-certificate and "
                 "--tls-key, or --allow-insecure-http\n";
    return kExitUsage;
  }
  std::string error;
  // Every connection and every parked long-poll holds a descriptor: allow
  // as many as the hard limit does.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  // Keep descriptors for the database, its WAL, key files and logs, so that
  // a connection flood meets the cap, not the limit.
  constexpr std::size_t kReservedDescriptors = 64;
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY &&
      files.rlim_cur > kReservedDescriptors + 16) {
    config.max_connections =
        std::min<std::size_t>(config.max_connections, files.rlim_cur - kReservedDescriptors);
  }
  auto daemon = ac::Daemon::Start(config, Now, &error);
  if (!daemon) {
    std::cerr << error << "\n";
    return kExitFailure;
  }
  spdlog::info(Event("listening", daemon->url()));
  custodian::logging::Flush();  // callers wait for this line
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGTERM, SIGINT);
  signals.async_wait(
      [&](const boost::system::error_code&, int) { spdlog::info(Event("stopping")); });
  signals_ioc.run();
  daemon->Stop();
  spdlog::info(Event("stopped"));
  custodian::logging::Shutdown();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // The database and the key hold secrets' hashes and a private key: files
  // this process creates are for its owner only.
  ::umask(077);
  CLI::App app("admincenter: the Custodian admin center", "admincenter");
  app.set_version_flag("--version", "admincenter " CUSTODIAN_VERSION);
  app.require_subcommand(1);

  ac::Config init_config;
  std::string admin_name = "admin";
  std::optional<std::string> password_file;
  CLI::App* init = app.add_subcommand(
      "init", "Create the database, the signing key and the first master admin; print its token");
  init->add_option("--data-dir", init_config.data_dir, "Data directory (created with mode 0700)")
      ->required();
  init->add_option("--database", init_config.database,
                   "PostgreSQL URL (postgresql://…) instead of SQLite in the data directory")
      ->envname("CUSTODIAN_ADMINCENTER_DATABASE");
  init->add_option("--key-dir", init_config.key_dir,
                   "Folder for the signing keys (default: the data directory)")
      ->envname("CUSTODIAN_ADMINCENTER_KEY_DIR");
  init->add_option("--admin-name", admin_name, "Name of the first master admin");
  init->add_option("--admin-password-file", password_file,
                   "File holding its password (otherwise it logs in with the printed token only)");

  std::string move_dir, move_url;
  CLI::App* move = app.add_subcommand(
      "move-to-postgres",
      "Copy a stopped admin center's SQLite database, audit chain intact, into PostgreSQL");
  move->add_option("--data-dir", move_dir, "Data directory holding admincenter.db")->required();
  move->add_option("--database", move_url, "The empty PostgreSQL database (postgresql://…)")
      ->required();

  ac::Config config;
  std::optional<std::string> config_file, data_dir, database, key_dir, console_dir, listen,
      tls_cert, tls_key;
  std::optional<int> io_threads, worker_threads, write_threads;
  bool insecure = false;
  CLI::App* run = app.add_subcommand("run", "Serve the REST API until SIGTERM");
  run->add_option("--data-dir", data_dir, "Data directory made by `admincenter init`");
  run->add_option("--database", database,
                  "PostgreSQL URL shared by replicas (default: SQLite in the data directory)");
  run->add_option("--key-dir", key_dir, "Folder of the signing keys (default: the data directory)");
  run->add_option("--console-dir", console_dir,
                  "The web console's built files (default: ../share/custodian/console "
                  "beside this program, when there)");
  run->add_option("--listen", listen, "HOST:PORT (default 127.0.0.1:8443)");
  run->add_option("--config", config_file, "JSON configuration file");
  run->add_option("--tls-certificate", tls_cert, "PEM certificate chain: serve HTTPS");
  run->add_option("--tls-key", tls_key, "PEM private key of the certificate");
  run->add_option("--io-threads", io_threads, "Event-loop threads");
  run->add_option("--worker-threads", worker_threads, "Threads for reads and decisions");
  run->add_option("--write-threads", write_threads,
                  "Threads for writes and logins (concurrent writes share a commit)");
  run->add_flag("--allow-insecure-http", insecure, "Allow plain HTTP on a non-loopback address");
  std::optional<std::string> log_level;
  run->add_option("--log-level", log_level, "The lowest level logged (default: info)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  if (auto stop = custodian::ParseCommandLine(app, argc, argv)) return *stop;
  if (*move) return Move(move_dir, move_url);
  if (*init) {
    if (!init_config.database.empty() && !ac::IsPostgresUrl(init_config.database)) {
      std::cerr << "--database: must be a PostgreSQL URL (postgresql://…)\n";
      return kExitUsage;
    }
    return Init(init_config, admin_name, password_file);
  }

  std::vector<custodian::policy::FieldError> errors;
  if (config_file) {
    auto text = custodian::ReadFile(*config_file);
    if (!text) {
      std::cerr << *config_file << ": cannot be read\n";
      return kExitUsage;
    }
    errors = ac::ApplyConfigFile(*text, config);
  }
  for (auto& e : ac::ApplyEnvironment(environ, config)) errors.push_back(std::move(e));
  for (const auto& e : errors) {
    std::cerr << (config_file ? *config_file : "environment") << ": " << e.pointer << ": "
              << e.message << "\n";
  }
  if (!errors.empty()) return kExitUsage;
  if (data_dir) config.data_dir = *data_dir;
  if (database) config.database = *database;
  if (key_dir) config.key_dir = *key_dir;
  if (console_dir) config.console_dir = *console_dir;
  if (!config.database.empty() && !ac::IsPostgresUrl(config.database)) {
    std::cerr << "--database: must be a PostgreSQL URL (postgresql://…)\n";
    return kExitUsage;
  }
  if (listen) config.listen = *listen;
  if (tls_cert) config.tls_certificate = *tls_cert;
  if (tls_key) config.tls_key = *tls_key;
  if (io_threads) config.io_threads = *io_threads;
  if (worker_threads) config.worker_threads = *worker_threads;
  if (write_threads) config.write_threads = *write_threads;
  if (insecure) config.allow_insecure_http = true;
  if (log_level) config.log_level = *log_level;
  if (config.data_dir.empty()) {
    std::cerr << "--data-dir is required (flag, config file or CUSTODIAN_ADMINCENTER_DATA_DIR)\n";
    return kExitUsage;
  }
  return Run(config);
}
