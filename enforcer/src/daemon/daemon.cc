#include "enforcer/daemon.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/files.h"
#include "common/http_server.h"
#include "common/logging.h"
#include "common/web_files.h"
#include "enforcer/bundle.h"
#include "enforcer/local_api.h"
#include "enforcer/os.h"
#include "enforcer/storage/store.h"
#include "enforcer/vault.h"
#include "enforcer/workflows.h"
#include "policy/system_time_zones.h"

namespace custodian::enforcer {
namespace {

WorkflowOptions OptionsOf(const Config& config, Store& store) {
  WorkflowOptions o;
  o.endpoint_id = store.Get("endpoint_id").value_or("");
  o.os = store.Get("os").value_or("linux");
  o.time_zone = store.Get("time_zone").value_or("UTC");
  o.windows_user = config.windows_user;
  if (o.windows_user.empty()) {
    const char* user = std::getenv("USER");
    o.windows_user = user ? user : "";
  }
  o.windows_domain = config.windows_domain.empty() ? HostName() : config.windows_domain;
  o.warning_minutes = config.warning_minutes;
  return o;
}

// The admin center's TLS settings as enrollment stored them: the CA file is
// the copy in the state directory, so the one used is the one checked.
http::ClientTls StoredTls(Store& store) {
  http::ClientTls tls;
  if (store.Get("admin_center_ca")) tls.ca_file = (store.dir() / kAdminCenterCaFile).string();
  tls.pinned_sha256 = store.Get("admin_center_pin_sha256");
  tls.allow_insecure_http = store.Get("admin_center_insecure_http").value_or("") == "1";
  return tls;
}

// The customer's language as the desktop's locale says (LANG).
Language DesktopLanguage() {
  const char* lang = std::getenv("LANG");
  return lang && std::string_view(lang).starts_with("de") ? Language::kGerman : Language::kEnglish;
}

}  // namespace

// In the order they are built; destroyed in reverse.
struct Daemon::Parts {
  Config config;
  std::unique_ptr<Store> store;
  std::unique_ptr<BundleHolder> bundles;
  std::unique_ptr<Agent> agent;
  std::unique_ptr<AdminVerifier> verifier;
  std::unique_ptr<OsActions> os_actions;
  std::unique_ptr<Workflows> workflows;
  std::unique_ptr<LocalApi> local;
  std::unique_ptr<http::Server> server;
  std::string address;
  // Runs the prompt notifier, one at a time, off the workflows' thread.
  boost::asio::thread_pool notifier{1};
};

std::unique_ptr<Daemon> Daemon::Start(const std::filesystem::path& dir, Config config,
                                      WallClock wall, std::string* error) {
  auto p = std::make_unique<Parts>();
  p->config = std::move(config);
  if (!std::filesystem::exists(dir / kDatabaseFile)) {
    *error = dir.string() + ": not enrolled; run `enforcer enroll` first";
    return nullptr;
  }
  p->store = Store::Open(dir, false, error);
  if (!p->store) return nullptr;
  Store& store = *p->store;
  const auto endpoint_token = ReadFile((dir / kEndpointTokenFile).string());
  const auto local_token = ReadFile((dir / kLocalTokenFile).string());
  const auto endpoint_id = store.Get("endpoint_id");
  const auto url = store.Get("admin_center_url");
  if (!endpoint_token || !local_token || !endpoint_id || !url) {
    *error = dir.string() + ": incomplete state (token files or identity missing)";
    return nullptr;
  }
  const auto& zones = policy::SystemTimeZones::Get();
  p->bundles = std::make_unique<BundleHolder>(store, zones);
  p->bundles->Load(store.Now(wall()));
  const http::ClientTls tls = StoredTls(store);
  auto admin_centers = http::Failover::Parse(*url, tls, error);
  if (!admin_centers) return nullptr;
  p->agent = std::make_unique<Agent>(store, *p->bundles, wall, std::move(*admin_centers),
                                     *endpoint_id, *endpoint_token, tls);
  auto machine_vault = Vault::FromKeyFile(dir / kVaultKeyFile, error);
  if (!machine_vault) return nullptr;
  const Config& c = p->config;
  p->verifier = c.admin_verifier == "command" ? CommandVerifier(c.admin_verifier_command)
                                              : PamVerifier(c.admin_verifier_service);
  p->os_actions = CommandOsActions(c.os_action);
  Agent& agent = *p->agent;
  p->workflows = std::make_unique<Workflows>(
      store, *p->bundles, zones, wall, std::move(*machine_vault), *p->verifier, *p->os_actions,
      OptionsOf(c, store), [&agent] { agent.EventsAppended(); });
  Workflows& workflows = *p->workflows;
  agent.SetCommandHandler(
      [&workflows](const policy::DecodedCommand& command) { return workflows.OnCommand(command); });
  // The customer's window: none when the configuration says "none";
  // required where it names a folder; served if present beside the
  // executable otherwise.
  std::string absent;
  std::error_code exe_error;
  error->clear();
  auto window = http::WebFiles::Configured(
      c.window_dir, "customer", std::filesystem::read_symlink("/proc/self/exe", exe_error), error,
      &absent);
  if (!error->empty()) {
    *error = "window_dir: " + *error;
    return nullptr;
  }
  if (!absent.empty()) spdlog::info(logging::Line("window_absent", {{"detail", absent}}));
  p->local = std::make_unique<LocalApi>(store, *p->bundles, agent, workflows, wall, *local_token,
                                        std::move(window));
  http::ServerOptions options;
  const auto colon = c.local_api_listen.rfind(':');
  options.address = c.local_api_listen.substr(0, colon);
  options.port = static_cast<uint16_t>(std::stoi(c.local_api_listen.substr(colon + 1)));
  options.io_threads = 1;
  p->address = options.address;
  LocalApi& local = *p->local;
  p->server =
      std::make_unique<http::Server>(options, [&local](http::Request r, http::Respond respond) {
        local.Handle(std::move(r), std::move(respond));
      });
  if (!p->server->Start(error)) return nullptr;
  local.SetPort(p->server->port());
  // For `enforcer prompt`: where the local API is now (its port may be any).
  if (!WriteFileAtomically((dir / kLocalApiUrlFile).string(), local.Origin() + "\n", 0600, error)) {
    return nullptr;
  }
  if (!c.prompt_notifier.empty()) {
    workflows.SetPromptObserver([&parts = *p](const std::string& prompt_id) {
      boost::asio::post(parts.notifier, [&parts, prompt_id] { Notify(parts, prompt_id); });
    });
  }
  workflows.Start();
  agent.Start(c);
  return std::unique_ptr<Daemon>(new Daemon(std::move(p)));
}

// Runs the configured notifier for the prompt `prompt_id`: its text as the
// last argument, a one-time URL of the window on stdin. A failure is
// logged; the prompt waits in the window all the same.
void Daemon::Notify(Parts& p, const std::string& prompt_id) {
  std::string text = "Custodian";
  for (const Prompt& prompt : p.workflows->Prompts(DesktopLanguage())) {
    if (prompt.id == prompt_id) text = prompt.message;
  }
  std::vector<std::string> argv = p.config.prompt_notifier;
  argv.push_back(text);
  const std::string url = p.local->WindowUrl();
  SecretBytes input(std::string_view(url + "\n"));
  std::string detail;
  if (!RunWithSecretOnStdin(argv, input, &detail)) {
    spdlog::warn(logging::Line("prompt_notifier_failed", {{"detail", detail}}));
  }
}

Daemon::Daemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Daemon::~Daemon() = default;

std::string Daemon::address() const { return parts_->address; }

uint16_t Daemon::port() const { return parts_->server->port(); }

void Daemon::Reconfigure(const Config& config) {
  parts_->config = config;
  parts_->agent->Reconfigure(config);
  parts_->workflows->SetOptions(OptionsOf(config, *parts_->store));
}

void Daemon::Wake() { parts_->workflows->Wake(); }

void Daemon::Stop() {
  parts_->notifier.join();
  parts_->server->Stop();
  parts_->agent->Stop();
  parts_->server->Wait();
  parts_->local->Drain();
  parts_->workflows->Stop();
}

}  // namespace custodian::enforcer
