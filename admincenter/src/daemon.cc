#include "admincenter/daemon.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>

#include "admincenter/api.h"
#include "admincenter/audit_seal.h"
#include "admincenter/distribution.h"
#include "admincenter/keys.h"
#include "admincenter/service.h"
#include "admincenter/storage.h"
#include "admincenter/workflow_codec.h"
#include "admincenter/workflows.h"
#include "common/http_server.h"
#include "common/logging.h"
#include "policy/system_time_zones.h"

namespace custodian::admincenter {

namespace fs = std::filesystem;

// In the order they are built; destroyed in reverse.
struct Daemon::Parts {
  std::unique_ptr<Storage> storage;
  std::unique_ptr<KeyRing> keys;
  std::unique_ptr<AuditSeal> seal;
  std::unique_ptr<Service> service;
  Waiters waiters;  // parked command polls
  std::unique_ptr<Distribution> distribution;
  std::unique_ptr<Workflows> workflows;
  // Push: after a policy change, publishes the new bundle once and wakes
  // every parked poll, one round at a time (a burst of edits coalesces).
  boost::asio::thread_pool publisher{1};
  std::atomic<bool> publishing{false};
  std::unique_ptr<Api> api;
  std::unique_ptr<http::Server> server;
  std::string host;
  // The change feed calls into the parts: it stops before any goes.
  ~Parts() {
    if (storage) storage->Watch({});
  }
};

namespace {

// A new bundle for the policy now stored, and every parked command poll
// woken to tell its endpoint (Api::PollCommands).
void Publish(Daemon::Parts& p) {
  p.publishing = false;  // a change from now on publishes again
  try {
    const auto bundle = p.distribution->CurrentBundle();
    if (!bundle.ok())
      spdlog::error(logging::Line("publish_failed", {{"error", bundle.problem().detail}}));
  } catch (const StorageError& e) {
    spdlog::error(
        logging::Line("publish_failed", {{"error", e.what()}}));  // the next poll issues it
  }
  p.waiters.NotifyAll();
}

// What another replica changed (storage.h, Change), forgotten here too.
void Forget(Daemon::Parts& p, const Change& change) {
  using Kind = Change::Kind;
  const bool all = change.kind == Kind::kEverything;
  if (all || change.kind == Kind::kPolicy) p.service->InvalidatePolicy();
  if (all || change.kind == Kind::kPrincipals) p.service->InvalidateAuthentication();
  if (all || change.kind == Kind::kKeys) p.keys->Reload();
  if (change.kind == Kind::kCommands) p.waiters.Notify(change.subject);
  if (all) p.waiters.NotifyAll();
}

}  // namespace

std::unique_ptr<Daemon> Daemon::Start(const Config& config, Clock clock, std::string* error) {
  try {
    return StartParts(config, std::move(clock), error);
  } catch (const StorageError& e) {
    // The database went away while starting: say so and exit, not abort.
    *error = e.what();
    return nullptr;
  }
}

std::unique_ptr<Daemon> Daemon::StartParts(const Config& config, Clock clock, std::string* error) {
  const auto listen = ParseListen(config.listen);
  if (!listen) {
    *error = "--listen: \"" + config.listen + "\" is not HOST:PORT";
    return nullptr;
  }
  const fs::path dir(config.data_dir);
  const std::string location = DatabaseLocation(config);
  if (!IsPostgresUrl(location) && !fs::exists(location)) {
    *error = location + ": missing; run `admincenter init` first";
    return nullptr;
  }
  // A replica on PostgreSQL keeps only its own audit anchor here.
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto p = std::make_unique<Parts>();
  p->storage = OpenStorage(location, false, error);
  if (!p->storage) return nullptr;
  // Checks every key file it uses (present, 0600), not only the first one:
  // after a rotation signing-key.pem may be retired and gone.
  p->keys = KeyRing::Open(*p->storage, KeyDirectory(config), kSigningKeyFile, clock(), error);
  if (!p->keys) return nullptr;
  // The stored audit chain is verified before anything is served.
  p->seal = std::make_unique<AuditSeal>(*p->storage, *p->keys, clock, dir / kAuditHeadFile);
  p->seal->Start();
  p->service =
      std::make_unique<Service>(*p->storage, policy::SystemTimeZones::Get(), clock, *p->seal);
  Service& service = *p->service;
  const PolicySource policies = [&service] { return service.Snapshot(); };
  p->distribution =
      std::make_unique<Distribution>(*p->storage, clock, policies, *p->keys, p->waiters);
  p->workflows = std::make_unique<Workflows>(*p->storage, clock, policies, p->waiters);
  p->service->SetPolicyObserver([&parts = *p] {
    if (!parts.publishing.exchange(true)) {
      boost::asio::post(parts.publisher, [&parts] { Publish(parts); });
    }
  });
  p->distribution->SetEventObserver(
      [&w = *p->workflows](Repositories& tx, const std::string& endpoint_id,
                           const EndpointEvent& event,
                           policy::Instant now) { w.Observe(tx, endpoint_id, event, now); });
  // The console: none when the configuration says "none"; required where
  // it names a folder; served if present beside the executable otherwise.
  std::string problem, absent;
  std::error_code exe_error;
  std::optional<http::WebFiles> console =
      http::WebFiles::Configured(config.console_dir, "console",
                                 fs::read_symlink("/proc/self/exe", exe_error), &problem, &absent);
  if (!problem.empty()) {
    *error = "console_dir: " + problem;
    return nullptr;
  }
  if (!absent.empty()) {
    spdlog::info(R"({{"event":"console_absent","detail":{}}})", value::string(absent).serialize());
  }
  p->api = std::make_unique<Api>(*p->service, *p->distribution, *p->workflows,
                                 config.worker_threads, config.write_threads);
  http::ServerOptions options;
  options.address = listen->first;
  options.port = listen->second;
  options.io_threads = config.io_threads;
  options.body_limit = config.max_body_bytes;
  options.max_connections = config.max_connections;
  options.tls_certificate_file = config.tls_certificate;
  options.tls_key_file = config.tls_key;
  p->host = listen->first;
  Api& api = *p->api;
  api.ServeConsole(std::move(console), config.tls_certificate.has_value());
  p->server =
      std::make_unique<http::Server>(options, [&api](http::Request r, http::Respond respond) {
        api.Handle(std::move(r), std::move(respond));
      });
  if (!p->server->Start(error)) {
    p->seal->Stop();
    return nullptr;
  }
  http::Server& server = *p->server;
  api.SetServerStats([&server] { return server.stats(); });
  p->storage->Watch([&parts = *p](const Change& change) { Forget(parts, change); });
  return std::unique_ptr<Daemon>(new Daemon(std::move(p)));
}

Daemon::Daemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Daemon::~Daemon() = default;

std::string Daemon::url() const {
  return (parts_->server->tls() ? "https://" : "http://") + parts_->host + ":" +
         std::to_string(parts_->server->port());
}

void Daemon::Stop() {
  parts_->server->Stop();
  parts_->api->WakeParked();  // parked long-polls answer 204 now
  parts_->server->Wait();     // in-flight requests are answered first
  parts_->api->Drain();
  parts_->service->FlushRefusals();
  parts_->seal->Stop();  // the last head is signed and kept
}

}  // namespace custodian::admincenter
