// enforcer: the endpoint daemon (DESIGN.md §6).
//   enforcer enroll --admin-center URL --code CODE --state-dir DIR
//   enforcer run --state-dir DIR [--config FILE] [--poll-interval S]
//   enforcer prompt --state-dir DIR [--print]
//   enforcer status --state-dir DIR [--json]
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <iostream>

#include "common/cli.h"
#include "common/crypto.h"
#include "common/files.h"
#include "common/http_client.h"
#include "common/logging.h"
#include "enforcer/config.h"
#include "enforcer/daemon.h"
#include "enforcer/enrollment.h"
#include "enforcer/os.h"
#include "enforcer/storage/store.h"
#include "enforcer/window_sessions.h"
#include "policy/system_time_zones.h"

namespace fs = std::filesystem;
namespace en = custodian::enforcer;

namespace {

using custodian::logging::Event;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// The wall clock. For tests only: CUSTODIAN_TEST_CLOCK_OFFSET_FILE names a
// file holding seconds to add, read at every reading, so that a test can
// move a running enforcer's time (and wake its timers with SIGHUP).
custodian::policy::Instant Wall() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  static const char* offset_file = std::getenv("CUSTODIAN_TEST_CLOCK_OFFSET_FILE");
  if (!offset_file) return now;
  const auto text = custodian::ReadFile(offset_file);
  try {
    return now + std::chrono::seconds(text ? std::stoll(*text) : 0);
  } catch (const std::exception&) {
    return now;
  }
}

// The machine's zone: TZ, then /etc/timezone, else UTC.
std::string LocalZone() {
  if (const char* tz = std::getenv("TZ"); tz && *tz) return tz[0] == ':' ? tz + 1 : tz;
  if (auto text = custodian::ReadFile("/etc/timezone")) {
    std::string z = *text;
    while (!z.empty() && (z.back() == '\n' || z.back() == ' ')) z.pop_back();
    if (!z.empty()) return z;
  }
  return "UTC";
}

int Enroll(const fs::path& dir, const en::EnrollRequest& request) {
  // stdout is the endpoint id alone; the steps' log lines (info) are for
  // the daemon, and warnings go to stderr as JSON.
  custodian::logging::SetUp("enforcer", spdlog::level::warn);
  en::EnrollError error;
  const auto endpoint_id = en::Enroll(dir, request, Wall, &error);
  custodian::logging::Shutdown();
  if (!endpoint_id) {
    std::cerr << error.message << "\n";
    return error.usage ? kExitUsage : kExitFailure;
  }
  std::cout << *endpoint_id << std::endl;
  return kExitOk;
}

int Run(const fs::path& dir, const std::optional<std::string>& config_file, en::Config config) {
  custodian::logging::SetUp("enforcer", *custodian::logging::ParseLevel(config.log_level));
  std::string error;
  auto daemon = en::Daemon::Start(dir, config, Wall, &error);
  if (!daemon) {
    std::cerr << error << "\n";
    return kExitFailure;
  }
  spdlog::info(
      Event("listening", "http://" + daemon->address() + ":" + std::to_string(daemon->port())));
  custodian::logging::Flush();
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal != SIGHUP) {
          spdlog::info(Event("stopping"));
          return;  // run() returns: nothing else waits on the context
        }
        en::Config next = config;
        const auto errors = config_file ? en::ApplyConfigFile(*config_file, next)
                                        : std::vector<custodian::policy::FieldError>{};
        daemon->Wake();  // the clock may have moved
        if (errors.empty()) {
          config = next;
          daemon->Reconfigure(config);
          spdlog::set_level(*custodian::logging::ParseLevel(config.log_level));
          spdlog::info(Event("reloaded"));
        } else {
          spdlog::error(
              Event("reload_failed", errors.front().pointer + ": " + errors.front().message));
        }
        custodian::logging::Flush();
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  signals_ioc.run();
  daemon->Stop();
  spdlog::info(Event("stopped"));
  custodian::logging::Shutdown();
  return kExitOk;
}

// One call of the running enforcer's local API in `dir` (its address from
// local-api-url, its token from local-api-token): the answer's body when
// its status is `expected`; nullopt after saying why on stderr.
std::optional<web::json::value> CallLocalApi(const fs::path& dir, const web::http::method& method,
                                             const std::string& path, unsigned expected) {
  const auto token = custodian::ReadFile((dir / en::kLocalTokenFile).string());
  const auto url = custodian::ReadFile((dir / en::kLocalApiUrlFile).string());
  if (!token || !url) {
    std::cerr << dir.string() << ": no running enforcer here, or its token cannot be read ("
              << en::kLocalTokenFile << " is readable by the enforcer's user only)\n";
    return std::nullopt;
  }
  std::string base = *url;
  while (!base.empty() && (base.back() == '\n' || base.back() == ' ')) base.pop_back();
  try {
    web::http::client::http_client client(base);
    web::http::http_request request(method);
    request.set_request_uri(path);
    request.headers().add("Authorization", "Bearer " + *token);
    web::http::http_response response = client.request(request).get();
    const auto body = response.extract_json(true).get();
    if (response.status_code() != expected) {
      std::cerr << base << ": " << response.status_code() << " "
                << (body.has_string_field("detail") ? body.at("detail").as_string() : "") << "\n";
      return std::nullopt;
    }
    return body;
  } catch (const std::exception& e) {
    std::cerr << base << ": the enforcer does not answer (" << e.what() << ")\n";
    return std::nullopt;
  }
}

// `enforcer prompt`: a one-time URL of the customer's window, from the
// running daemon (through the local API's token), opened in the desktop's
// browser when there is one, printed otherwise.
int Prompt(const fs::path& dir, bool print) {
  const auto answer = CallLocalApi(dir, web::http::methods::POST, "/v1/window/codes", 201);
  if (!answer || !answer->has_string_field("url")) return kExitFailure;
  const std::string window = answer->at("url").as_string();
  const bool desktop = std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
  if (!print && desktop) {
    // xdg-open hands it to the browser, which spends the code at once.
    const std::vector<std::string> argv = {"/usr/bin/xdg-open", window};
    std::string detail;
    if (fs::exists(argv.front()) && en::RunWithSecretOnStdin(argv, en::SecretBytes(0), &detail)) {
      return kExitOk;
    }
  }
  std::cout << "Open within " << std::chrono::minutes(en::kWindowCodeLifetime).count()
            << " minutes, once: " << window << std::endl;
  return kExitOk;
}

// `enforcer status` (issue 16.10): what GET /v1/status says, without curl
// and the token file by hand; --json for the document itself.
int Status(const fs::path& dir, bool json) {
  const auto s = CallLocalApi(dir, web::http::methods::GET, "/v1/status", 200);
  if (!s) return kExitFailure;
  if (json) {
    std::cout << s->serialize() << std::endl;
    return kExitOk;
  }
  auto text = [&](const web::json::value& v) {
    return v.is_string() ? v.as_string() : v.is_null() ? std::string("-") : v.serialize();
  };
  const auto& policy = s->at("policy");
  std::cout << "endpoint      " << text(s->at("endpoint_id")) << "\n"
            << "admin center  " << text(s->at("admin_center")) << "\n"
            << "policy        "
            << (policy.at("version").is_null() ? std::string("none yet")
                                               : "version " + text(policy.at("version")))
            << (policy.at("expired").as_bool() ? " (expired: every decision is a deny)" : "");
  if (policy.has_field("expires_at")) std::cout << ", expires " << text(policy.at("expires_at"));
  std::cout << "\n"
            << "last sync     " << text(s->at("last_sync"));
  if (!s->at("last_sync_error").is_null())
    std::cout << " (" << text(s->at("last_sync_error")) << ")";
  std::cout << "\n"
            << "unsent events " << text(s->at("events_unsent")) << std::endl;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // It holds the customer's credentials in memory: no core dump, and no
  // other process of this user may read its memory (ptrace, /proc/PID/mem).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ::umask(077);  // the state directory holds tokens and the bundle: owner only
  // cpprestsdk's HTTP client runs on its own thread pool (40 threads unless
  // told otherwise); the enforcer's few requests need two.
  crossplat::threadpool::initialize_with_threads(2);
  CLI::App app("enforcer: the Custodian endpoint daemon", "enforcer");
  app.set_version_flag("--version", "enforcer " CUSTODIAN_VERSION);
  app.require_subcommand(1);

  std::string url, code, enroll_dir, name, os = "linux", zone = LocalZone();
  CLI::App* enroll = app.add_subcommand("enroll", "Enroll with a one-time code from an admin");
  enroll
      ->add_option("--admin-center", url,
                   "Admin center URL, e.g. https://ac.example:8443; replicas separated by commas")
      ->required();
  enroll->add_option("--code", code, "Enrollment code")->required();
  enroll->add_option("--state-dir", enroll_dir, "State directory (created, mode 0700)")->required();
  enroll->add_option("--name", name, "Endpoint name (default: host name)");
  enroll->add_option("--os", os, "Operating system to declare")
      ->check(CLI::IsMember({"windows", "linux", "macos"}));
  enroll->add_option("--time-zone", zone, "IANA time zone (default: the machine's)");
  custodian::http::ClientTls tls;
  enroll->add_option("--ca-file", tls.ca_file, "PEM CA certificates to trust for the admin center")
      ->check(CLI::ExistingFile);
  enroll->add_option("--pin-sha256", tls.pinned_sha256,
                     "Accept exactly the admin center certificate with this SHA-256 fingerprint");
  enroll->add_flag("--allow-insecure-http", tls.allow_insecure_http,
                   "Allow plain http:// to a host other than loopback (tokens travel in clear)");

  std::string run_dir;
  std::optional<std::string> config_file;
  std::optional<int> poll_interval, command_wait;
  std::optional<std::string> local_listen;
  CLI::App* run = app.add_subcommand("run", "Enforce until SIGTERM; SIGHUP reloads --config");
  run->add_option("--state-dir", run_dir, "State directory made by `enforcer enroll`")->required();
  run->add_option("--config", config_file, "JSON configuration file")->check(CLI::ExistingFile);
  run->add_option("--poll-interval", poll_interval, "Seconds between bundle polls")
      ->check(CLI::Range(1, 3600));
  run->add_option("--command-wait", command_wait, "Seconds a command long-poll waits")
      ->check(CLI::Range(1, 60));
  run->add_option("--local-api", local_listen, "127.0.0.1:PORT of the local API (0: any)");
  std::optional<std::string> log_level;
  run->add_option("--log-level", log_level, "The lowest level logged (default: info)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  std::string prompt_dir;
  bool print = false;
  CLI::App* prompt =
      app.add_subcommand("prompt", "Open the customer's window (a one-time URL) in the browser");
  prompt->add_option("--state-dir", prompt_dir, "State directory of the running enforcer")
      ->required();
  prompt->add_flag("--print", print, "Print the URL instead of opening it");

  std::string status_dir;
  bool status_json = false;
  CLI::App* status = app.add_subcommand("status", "What the running enforcer holds and knows");
  status->add_option("--state-dir", status_dir, "State directory of the running enforcer")
      ->required();
  status->add_flag("--json", status_json, "The status document as the local API gives it");

  if (auto stop = custodian::ParseCommandLine(app, argc, argv)) return *stop;
  if (*prompt) return Prompt(prompt_dir, print);
  if (*status) return Status(status_dir, status_json);
  if (*enroll) {
    if (name.empty()) name = en::HostName();
    return Enroll(enroll_dir, en::EnrollRequest{url, code, name, os, zone, tls});
  }
  en::Config config;
  if (config_file) {
    const auto errors = en::ApplyConfigFile(*config_file, config);
    for (const auto& e : errors)
      std::cerr << *config_file << ": " << e.pointer << ": " << e.message << "\n";
    if (!errors.empty()) return kExitUsage;
  }
  if (poll_interval) config.poll_interval_seconds = *poll_interval;
  if (command_wait) config.command_wait_seconds = *command_wait;
  if (log_level) config.log_level = *log_level;
  if (local_listen) {
    if (!local_listen->starts_with("127.0.0.1:")) {
      std::cerr << "--local-api: must be 127.0.0.1:PORT (loopback only)\n";
      return kExitUsage;
    }
    config.local_api_listen = *local_listen;
  }
  return Run(run_dir, config_file, config);
}
