// The enforcer's conversation with the admin center, on three threads of
// its own that sleep on a condition variable (no busy polling):
// - sync: polls GET /v1/policy/bundle with If-None-Match every
//   poll_interval (and at once on a "sync" command), offering new bundles
//   to the BundleHolder; on failure retries with exponential backoff;
// - commands: long-polls GET /v1/endpoints/{id}/commands?wait=S&bundle=V,
//   carries out each command, records it and acknowledges it. V, the
//   bundle applied, tells the admin center at once; an answer that names
//   a newer bundle (push) makes it fetch that one, after the random delay
//   the answer allows, and poll again once it is applied;
// - upload: sends the endpoint's unsent events in batches whenever new
//   ones are appended (and retries with backoff): at-least-once, and the
//   admin center drops repeats by event id, so nothing is lost or doubled
//   across outages and restarts.
// HTTP goes through cpprestsdk's http_client, waited on only from these
// threads (never inside a continuation). With several admin-center URLs
// (replicas), each loop talks to the current one and moves to the next
// when it cannot be reached or answers 502/503 (http::Failover).
#pragma once

#include <cpprest/http_client.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/http_client.h"
#include "enforcer/bundle.h"
#include "enforcer/config.h"
#include "enforcer/storage/store.h"
#include "policy/commands.h"

namespace custodian::enforcer {

using WallClock = std::function<policy::Instant()>;

// A time proof must come back within this; one held back longer could be
// an old one replayed.
inline constexpr std::chrono::seconds kTimeProofTimeout{10};

class Agent {
 public:
  Agent(Store& store, BundleHolder& bundles, WallClock wall, http::Failover admin_centers,
        std::string endpoint_id, std::string token, http::ClientTls tls = {});
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  void Start(const Config& config);
  // Stops the threads, cancelling requests in flight.
  void Stop();
  void Reconfigure(const Config& config);
  void SyncNow();
  // Carries out commands other than "sync", decoded once here
  // (policy::ParseCommand); false for an unknown type. Set before Start.
  using CommandHandler = std::function<bool(const policy::DecodedCommand& command)>;
  void SetCommandHandler(CommandHandler handler) { handler_ = std::move(handler); }
  void EventsAppended();
  web::json::value Status();

 private:
  http::ClientTls tls_;  // CA file and pin of the admin center, as enrolled
  void SyncLoop();
  void CommandLoop();
  void UploadLoop();
  bool SyncOnce();
  // Lowers the time high-water mark `mark` to the admin center's signed
  // time, if that is well behind it. Throws when the admin center cannot be
  // reached (the sync then fails and is retried).
  void RecoverTime(const std::string& url, policy::Instant mark);
  // The admin center at `url` failed (`why`): move on to the next one.
  void Failed(const std::string& url, const std::string& why);
  bool UploadOnce();
  // Push: fetches bundle `version`, which a command poll named, within a
  // random part of `within`; false when stopping.
  bool FetchPushed(int64_t version, std::chrono::milliseconds within);
  // Waits up to `d` or until stopping or `flag` is set (then clears it);
  // false when stopping.
  bool Sleep(std::chrono::milliseconds d, bool* flag = nullptr);
  web::http::http_request Authorized(const web::http::method& m, const std::string& path) const;

  Store& store_;
  BundleHolder& bundles_;
  WallClock wall_;
  http::Failover urls_;
  std::string endpoint_id_;
  std::string token_;
  CommandHandler handler_;
  pplx::cancellation_token_source cancel_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool sync_requested_ = false;
  bool upload_requested_ = false;
  uint64_t syncs_ = 0;  // bundle polls done, for FetchPushed to wait on
  Config config_;
  std::optional<policy::Instant> last_sync_;
  std::string last_error_;
  std::thread sync_, commands_, upload_;
};

}  // namespace custodian::enforcer
