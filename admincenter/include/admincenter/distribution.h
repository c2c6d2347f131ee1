// Policy distribution (DESIGN.md §4, §6): signed bundles, enrollment of
// endpoints, their durable command queue and the events they report.
//
// Bundle: the bytes of {"format":1,"version":N,"issued_at","expires_at",
// "key_id","keys":[{key_id,public_key}],"policy":{…}} (the policy document
// of GET /v1/policy/document), served as the envelope
// {"bundle": base64(bytes), "signatures": [{"key_id","signature"}]} so the
// signed bytes travel unchanged. Every signing key signs (the active one and
// any listed after a rotation). A new version is issued when the policy or
// the keys change, and when half of the current bundle's lifetime
// (settings.distribution.bundle_ttl_hours) has passed, so endpoints that
// keep polling never hold an expired bundle.
#pragma once

#include <cpprest/json.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "admincenter/endpoint_event.h"
#include "admincenter/endpoint_repository.h"
#include "admincenter/keys.h"
#include "admincenter/service.h"
#include "admincenter/waiters.h"

namespace custodian::admincenter {

using web::json::value;

inline constexpr const char* kTimeProofKind = "custodian.time/1";

struct BundleEnvelope {
  int64_t version = 0;
  // JSON text as served; shared, since every fetch would copy megabytes.
  std::shared_ptr<const std::string> envelope;
  policy::Instant renew_at{};
  // The envelope gzip-compressed, made once per version (Content-Encoding:
  // gzip for the endpoints that accept it).
  std::shared_ptr<const std::string> gzip;
};

// What enrollment and the command queue take and answer, decoded and
// encoded at the HTTP edge (distribution_codec.h).
struct EnrollmentCode {
  std::string id;
  std::string code;  // shown once; only its hash is kept
  policy::Instant expires_at;
};
struct EnrollInput {
  std::string code;
  std::string name;
  std::string os;
  std::string time_zone;
};
struct Enrollment {
  std::string endpoint_id;
  std::string token;  // shown once; only its hash is kept
  std::vector<SigningKey> policy_keys;
};
struct Acked {
  int64_t count = 0;
};

// One record of an endpoint's chain as uploaded, decoded and its hash
// checked at the edge (distribution_codec.h): its place in the chain, the
// central audit event that records it (actor left to the service), and
// what it means to the workflows, if anything.
struct ChainRecord {
  int64_t seq = 0;
  std::string id;
  std::string prev_hash;
  std::string hash;
  AuditEvent audit;
  std::optional<EndpointEvent> workflow;
};
struct EventBatchResult {
  int accepted = 0;
  int duplicates = 0;
  int64_t last_seq = 0;
};

// What a command poll answers an endpoint that holds an older bundle: the
// version to fetch, within a random delay below `fetch_within`, so that
// thousands woken at once do not all fetch in the same millisecond.
struct BundleHint {
  int64_t version = 0;
  std::chrono::milliseconds fetch_within{0};
};

class Distribution {
 public:
  // Bundles are issued on what `policies` holds, signed by `keys`; parked
  // command polls wait in `waiters`.
  Distribution(Storage& storage, Clock clock, PolicySource policies, KeyRing& keys,
               Waiters& waiters);

  // The current bundle, issuing a new version first when needed.
  Result<BundleEnvelope> CurrentBundle();
  // An endpoint fetched the bundle saying it holds `held_version`.
  void Seen(const Principal& endpoint, std::optional<int64_t> held_version);
  // Push (DESIGN.md §9): the endpoint `endpoint_id`, polling for commands,
  // says it applied bundle `held` (0: none yet), which is recorded as
  // Seen. The current bundle's version and how long the endpoint should
  // spread its fetch over, when it holds another; nullopt when it holds
  // the current one.
  Result<std::optional<BundleHint>> NewerBundle(const Principal& endpoint,
                                                const std::string& endpoint_id, int64_t held);

  // A one-time code valid for `ttl_minutes`.
  Result<EnrollmentCode> CreateEnrollmentCode(const Principal& actor, int ttl_minutes);
  Result<Enrollment> Enroll(const EnrollInput& input);
  // With the freshest sightings (the database is written at most once a
  // minute).
  std::vector<EndpointRecord> ListEndpoints(const Principal& actor);

  // An administrator's command of `type` (only "sync" today).
  Result<CommandRecord> QueueCommand(const Principal& actor, const std::string& endpoint_id,
                                     const std::string& type);
  // Call after the commit of a write that queued a command for the
  // endpoint (EndpointRepository::QueueCommand), so a parked poll picks it up.
  void NotifyEndpoint(const std::string& endpoint_id) { waiters_.Notify(endpoint_id); }
  // Unacknowledged commands of the calling endpoint, oldest first.
  Result<std::vector<CommandRecord>> PendingCommands(const Principal& endpoint,
                                                     const std::string& endpoint_id);
  Result<Acked> AckCommands(const Principal& endpoint, const std::string& endpoint_id,
                            const std::vector<std::string>& ids);
  // POST /v1/endpoints/{id}/time: the admin center's clock, signed with the
  // active key over the endpoint's fresh nonce, so that an endpoint whose
  // time high-water mark ran ahead (a clock jumped forward) can come back to
  // the true time without anyone being able to wind it back further
  // (enforcer/README.md "Clock").
  Result<value> TimeProof(const Principal& endpoint, const std::string& endpoint_id,
                          const value& body);
  Waiters& waiters() { return waiters_; }
  KeyRing& keys() { return keys_; }

  // A batch of the endpoint's own hash-chained events; each new one becomes
  // a central audit event, repeats are skipped, gaps and breaks recorded.
  Result<EventBatchResult> ReceiveEvents(const Principal& endpoint, const std::string& endpoint_id,
                                         const std::vector<ChainRecord>& records);
  // Called for each new event of an endpoint, inside the write that stores
  // it (the workflows follow what the endpoint settled). Set before serving.
  using EventObserver = std::function<void(Repositories&, const std::string& endpoint_id,
                                           const EndpointEvent& event, policy::Instant now)>;
  void SetEventObserver(EventObserver observer) { observer_ = std::move(observer); }

 private:
  Storage& storage_;
  Clock clock_;
  PolicySource policies_;
  KeyRing& keys_;
  Waiters& waiters_;
  EventObserver observer_;
  std::mutex mutex_;
  struct Cached {
    std::shared_ptr<const PolicySnapshot> snapshot;  // held: never reused
    uint64_t keys_generation = 0;
    BundleEnvelope bundle;
  };
  std::optional<Cached> cache_;
  struct Sighting {
    policy::Instant at{};
    std::optional<int64_t> version;
    policy::Instant written{};
  };
  std::map<std::string, Sighting> seen_;  // endpoint id -> last poll
};

}  // namespace custodian::admincenter
