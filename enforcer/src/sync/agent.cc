#include "enforcer/agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "common/crypto.h"
#include "common/gzip.h"
#include "common/logging.h"

namespace custodian::enforcer {

using web::json::value;
namespace http = web::http;

namespace {

constexpr std::size_t kEventBatch = 500;
// A bundle larger than this once inflated is refused (a gzip bomb).
constexpr std::size_t kMaxBundleBytes = 64u << 20;
constexpr std::chrono::milliseconds kMinBackoff{500};
constexpr std::chrono::milliseconds kMaxBackoff{30000};

std::chrono::milliseconds Next(std::chrono::milliseconds backoff) {
  return std::min(backoff * 2, kMaxBackoff);
}

}  // namespace

Agent::Agent(Store& store, BundleHolder& bundles, WallClock wall,
             custodian::http::Failover admin_centers, std::string endpoint_id, std::string token,
             custodian::http::ClientTls tls)
    : tls_(std::move(tls)),
      store_(store),
      bundles_(bundles),
      wall_(std::move(wall)),
      urls_(std::move(admin_centers)),
      endpoint_id_(std::move(endpoint_id)),
      token_(std::move(token)) {}

Agent::~Agent() { Stop(); }

void Agent::Start(const Config& config) {
  {
    std::lock_guard lock(mutex_);
    config_ = config;
  }
  sync_ = std::thread([this] { SyncLoop(); });
  commands_ = std::thread([this] { CommandLoop(); });
  upload_ = std::thread([this] { UploadLoop(); });
}

void Agent::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cancel_.cancel();
  wake_.notify_all();
  for (std::thread* t : {&sync_, &commands_, &upload_}) {
    if (t->joinable()) t->join();
  }
}

void Agent::Reconfigure(const Config& config) {
  {
    std::lock_guard lock(mutex_);
    config_ = config;
    sync_requested_ = true;
  }
  wake_.notify_all();
}

void Agent::SyncNow() {
  {
    std::lock_guard lock(mutex_);
    sync_requested_ = true;
  }
  wake_.notify_all();
}

void Agent::EventsAppended() {
  {
    std::lock_guard lock(mutex_);
    upload_requested_ = true;
  }
  wake_.notify_all();
}

bool Agent::Sleep(std::chrono::milliseconds d, bool* flag) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [&] { return stopping_ || (flag && *flag); });
  if (flag) *flag = false;
  return !stopping_;
}

http::http_request Agent::Authorized(const http::method& m, const std::string& path) const {
  http::http_request req(m);
  req.set_request_uri(path);
  req.headers().add("Authorization", "Bearer " + token_);
  return req;
}

value Agent::Status() {
  auto active = bundles_.active();
  const policy::Instant now = store_.Now(wall_());
  value s = value::object(true);
  s["endpoint_id"] = value::string(endpoint_id_);
  s["admin_center"] = value::string(urls_.Current());
  value p = value::object(true);
  if (active) {
    p["version"] = value::number(active->version);
    p["issued_at"] = value::string(policy::FormatRfc3339(active->issued_at));
    p["expires_at"] = value::string(policy::FormatRfc3339(active->expires_at));
    p["expired"] = value::boolean(now >= active->expires_at);
  } else {
    p["version"] = value::null();
    p["expired"] = value::boolean(true);
  }
  s["policy"] = p;
  {
    std::lock_guard lock(mutex_);
    s["last_sync"] = last_sync_ ? value::string(policy::FormatRfc3339(*last_sync_)) : value::null();
    s["last_sync_error"] = last_error_.empty() ? value::null() : value::string(last_error_);
  }
  s["events_unsent"] = value::number(store_.UnsentCount());
  s["now"] = value::string(policy::FormatRfc3339(now));
  return s;
}

void Agent::Failed(const std::string& url, const std::string& why) {
  urls_.Failed(url);
  if (urls_.urls().size() > 1) {
    spdlog::warn(logging::Line("admin_center_failover",
                               {{"from", url}, {"to", urls_.Current()}, {"why", why}}));
  }
}

bool Agent::SyncOnce() {
  const std::string url = urls_.Current();
  http::client::http_client_config cfg;
  cfg.set_timeout(std::chrono::seconds(30));
  custodian::http::ApplyClientTls(tls_, cfg);
  http::client::http_client client(url, cfg);
  http::http_request req = Authorized(http::methods::GET, "/v1/policy/bundle");
  if (auto v = bundles_.held_version())
    req.headers().add("If-None-Match", "\"" + std::to_string(*v) + "\"");
  req.headers().add("Accept-Encoding", "gzip");
  try {
    http::http_response resp = client.request(req, cancel_.get_token()).get();
    const auto code = resp.status_code();
    const std::vector<unsigned char> bytes = resp.extract_vector().get();
    std::string body(bytes.begin(), bytes.end());
    if (resp.headers().has("Content-Encoding")) {
      if (resp.headers()["Content-Encoding"] != "gzip") {
        throw std::runtime_error("the bundle came in an unknown Content-Encoding");
      }
      auto inflated = Gunzip(body, kMaxBundleBytes);
      if (!inflated) throw std::runtime_error("the gzip-encoded bundle is damaged or too large");
      body = std::move(*inflated);
    }
    const policy::Instant wall = wall_();
    // The mark ran ahead of the clock (it jumped forward and back): every
    // bundle would look expired. Ask the admin center for the true time.
    if (const auto mark = store_.HighWater(); mark && *mark > wall + kMaxClockSkew) {
      RecoverTime(url, *mark);
    }
    const policy::Instant now = store_.Now(wall);
    if (code == http::status_codes::OK) {
      bundles_.Offer(body, now);
      EventsAppended();
    } else if (code != http::status_codes::NotModified) {
      if (custodian::http::Failover::Retriable(code)) Failed(url, std::to_string(code));
      throw std::runtime_error("GET /v1/policy/bundle answered " + std::to_string(code));
    }
    std::lock_guard lock(mutex_);
    last_sync_ = now;
    last_error_.clear();
    return true;
  } catch (const http::http_exception& e) {
    Failed(url, e.what());  // not reached: try the next one
    std::lock_guard lock(mutex_);
    last_error_ = url + ": " + e.what();
    return false;
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    last_error_ = e.what();
    return false;
  }
}

void Agent::RecoverTime(const std::string& url, policy::Instant mark) {
  const std::string nonce = crypto::Base64Url(crypto::RandomBytes(24));
  value body = value::object(true);
  body["nonce"] = value::string(nonce);
  http::client::http_client_config cfg;
  cfg.set_timeout(kTimeProofTimeout);
  custodian::http::ApplyClientTls(tls_, cfg);
  http::client::http_client client(url, cfg);
  http::http_request req =
      Authorized(http::methods::POST, "/v1/endpoints/" + endpoint_id_ + "/time");
  req.set_body(body);
  const auto asked = std::chrono::steady_clock::now();
  http::http_response resp = client.request(req, cancel_.get_token()).get();
  const std::string text = resp.extract_string(true).get();
  // A proof that took long could be an old one held back: refuse it.
  if (resp.status_code() != http::status_codes::OK ||
      std::chrono::steady_clock::now() - asked > kTimeProofTimeout) {
    spdlog::warn(R"({{"event":"time_proof_failed","status":{}}})", resp.status_code());
    return;
  }
  std::string why;
  const auto ts = VerifyTimeProof(text, endpoint_id_, nonce, bundles_.Pinned(), &why);
  if (!ts) {
    spdlog::warn(R"({{"event":"time_proof_rejected","reason":{}}})",
                 value::string(why).serialize());
    return;
  }
  if (*ts + kMaxClockSkew >= mark) return;  // the mark is right after all
  store_.LowerHighWater(*ts);
  EventInput e;
  e.action = "clock.high_water_reset";
  e.target = "clock";
  e.details["from"] = value::string(policy::FormatRfc3339(mark));
  e.details["to"] = value::string(policy::FormatRfc3339(*ts));
  store_.Append(e, *ts);
  EventsAppended();
  spdlog::warn(R"({{"event":"clock_high_water_reset","from":"{}","to":"{}"}})",
               policy::FormatRfc3339(mark), policy::FormatRfc3339(*ts));
}

void Agent::SyncLoop() {
  std::chrono::milliseconds backoff = kMinBackoff;
  for (;;) {
    std::chrono::milliseconds wait;
    const bool synced = SyncOnce();
    {
      std::lock_guard lock(mutex_);
      ++syncs_;
    }
    wake_.notify_all();
    if (synced) {
      backoff = kMinBackoff;
      std::lock_guard lock(mutex_);
      wait = std::chrono::seconds(config_.poll_interval_seconds);
    } else {
      std::string why;
      {
        std::lock_guard lock(mutex_);
        why = last_error_;
      }
      spdlog::warn(logging::Line("sync_failed",
                                 {{"error", why}, {"retry_ms", std::to_string(backoff.count())}}));
      wait = backoff;
      backoff = Next(backoff);
    }
    if (!Sleep(wait, &sync_requested_)) return;
  }
}

bool Agent::FetchPushed(int64_t version, std::chrono::milliseconds within) {
  if (within.count() > 0) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    const auto delay = std::uniform_int_distribution<int64_t>(0, within.count() - 1)(random);
    if (!Sleep(std::chrono::milliseconds(delay))) return false;
  }
  // A bundle poll under way may have started before the change: a few
  // rounds, then the caller polls again (and is told again).
  for (int round = 0; round < 3 && bundles_.held_version() != version; ++round) {
    std::unique_lock lock(mutex_);
    const uint64_t before = syncs_;
    sync_requested_ = true;
    wake_.notify_all();
    wake_.wait_for(lock, std::chrono::seconds(40), [&] { return stopping_ || syncs_ != before; });
    if (stopping_) return false;
  }
  return true;
}

void Agent::CommandLoop() {
  std::chrono::milliseconds backoff = kMinBackoff;
  const std::string path = "/v1/endpoints/" + endpoint_id_ + "/commands";
  for (;;) {
    int wait;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      wait = config_.command_wait_seconds;
    }
    const std::string url = urls_.Current();
    try {
      http::client::http_client_config cfg;
      cfg.set_timeout(std::chrono::seconds(wait + 15));
      custodian::http::ApplyClientTls(tls_, cfg);
      http::client::http_client client(url, cfg);
      const std::string query = "?wait=" + std::to_string(wait) +
                                "&bundle=" + std::to_string(bundles_.held_version().value_or(0));
      http::http_response resp =
          client.request(Authorized(http::methods::GET, path + query), cancel_.get_token()).get();
      if (resp.status_code() == http::status_codes::OK) {
        const value list = resp.extract_json(true).get();
        if (list.has_field("bundle")) {
          const value& hint = list.at("bundle");
          const int64_t version = hint.at("version").as_number().to_int64();
          if (!FetchPushed(version, std::chrono::milliseconds(
                                        hint.at("fetch_within_ms").as_number().to_int64()))) {
            return;
          }
          // Not applied (refused, or not reached): poll again later.
          if (bundles_.held_version() != version) throw std::runtime_error("pushed bundle");
        }
        value ids = value::array();
        std::size_t n = 0;
        for (const value& c : list.at("items").as_array()) {
          const std::string type = c.at("type").as_string();
          EventInput e;
          e.action = "command.received";
          e.target = "command:" + c.at("id").as_string();
          e.details["type"] = value::string(type);
          store_.Append(e, store_.Now(wall_()));
          if (type == "sync") {
            SyncNow();
          } else if (!handler_ || !c.has_field("body") ||
                     !handler_(policy::ParseCommand(type, c.at("body")))) {
            EventInput unknown;
            unknown.action = "command.unknown";
            unknown.target = e.target;
            unknown.outcome = "failure";
            unknown.details["type"] = value::string(type);
            store_.Append(unknown, store_.Now(wall_()));
          }
          ids[n++] = c.at("id");
        }
        if (n > 0) {
          EventsAppended();
          value ack = value::object();
          ack["ids"] = ids;
          http::http_request req = Authorized(http::methods::POST, path + "/ack");
          req.set_body(ack);
          const auto code = client.request(req, cancel_.get_token()).get().status_code();
          if (code != http::status_codes::OK) throw std::runtime_error("ack failed");
        }
      } else if (resp.status_code() != http::status_codes::NoContent) {
        if (custodian::http::Failover::Retriable(resp.status_code())) {
          Failed(url, std::to_string(resp.status_code()));
        }
        throw std::runtime_error("commands answered " + std::to_string(resp.status_code()));
      }
      backoff = kMinBackoff;
    } catch (const http::http_exception& e) {
      Failed(url, e.what());
      if (!Sleep(backoff)) return;
      backoff = Next(backoff);
    } catch (const std::exception& e) {
      if (!Sleep(backoff)) return;
      backoff = Next(backoff);
    }
  }
}

bool Agent::UploadOnce() {
  const std::vector<value> events = store_.Unsent(kEventBatch);
  if (events.empty()) return true;
  value body = value::object();
  body["events"] = value::array(events);
  const std::string url = urls_.Current();
  try {
    http::client::http_client_config cfg;
    cfg.set_timeout(std::chrono::seconds(30));
    custodian::http::ApplyClientTls(tls_, cfg);
    http::client::http_client client(url, cfg);
    http::http_request req =
        Authorized(http::methods::POST, "/v1/endpoints/" + endpoint_id_ + "/events");
    req.set_body(body);
    http::http_response resp = client.request(req, cancel_.get_token()).get();
    if (resp.status_code() != http::status_codes::OK) {
      if (custodian::http::Failover::Retriable(resp.status_code())) {
        Failed(url, std::to_string(resp.status_code()));
      }
      throw std::runtime_error("events answered " + std::to_string(resp.status_code()));
    }
    store_.MarkSent(events.back().at("seq").as_number().to_int64());
    return events.size() < kEventBatch || UploadOnce();
  } catch (const http::http_exception& e) {
    Failed(url, e.what());
    return false;
  } catch (const std::exception&) {
    return false;
  }
}

void Agent::UploadLoop() {
  std::chrono::milliseconds backoff = kMinBackoff;
  for (;;) {
    if (UploadOnce()) {
      backoff = kMinBackoff;
      // New events wake it; the minute is only a safety net.
      if (!Sleep(std::chrono::minutes(1), &upload_requested_)) return;
    } else {
      if (!Sleep(backoff)) return;
      backoff = Next(backoff);
    }
  }
}

}  // namespace custodian::enforcer
