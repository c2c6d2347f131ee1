// The admin center's operations (DESIGN.md §5), independent of HTTP: each
// takes the calling principal and JSON input, checks authorization and
// input, and returns a JSON result or a Problem. Every mutation and its
// audit event are written in one transaction. Methods block on storage (and
// on Argon2 for logins): call them from worker threads, never from the I/O
// threads.
#pragma once

#include <cpprest/json.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "admincenter/audit.h"
#include "admincenter/audit_seal.h"
#include "admincenter/auth.h"
#include "admincenter/keys.h"
#include "admincenter/login_throttle.h"
#include "admincenter/principal_repository.h"
#include "admincenter/refusals.h"
#include "admincenter/storage.h"
#include "common/result.h"
#include "policy/codec.h"
#include "policy/effective.h"
#include "policy/engine.h"
#include "policy/model.h"
#include "policy/time.h"

namespace custodian::admincenter {

// What the principals' routes take, decoded at the HTTP edge
// (principal_codec.h), and what a login answers.
struct LoginInput {
  std::string name;
  std::string password;
};
struct PasswordChange {
  std::string password;
  std::optional<std::string> current_password;  // required once one is set
};
struct PrincipalInput {
  std::string name;
  std::string password;
  std::optional<std::string> group_id, time_zone;  // technicians
  std::vector<std::string> scopes;                 // admins
};
struct PrincipalPatch {
  std::optional<bool> disabled;
  std::optional<std::string> password;
};
struct LoginResult {
  IssuedToken token;  // its secret is shown once, in the answer
  Principal principal;
};
// The current policy, compiled; shared until the next policy write.
struct PolicySnapshot {
  policy::Policy policy;
  policy::CompiledPolicy compiled;
};

// Where the other services read the current policy (Service::Snapshot):
// nullptr when the stored policy is damaged.
using PolicySource = std::function<std::shared_ptr<const PolicySnapshot>()>;

// A JSON merge patch of a group (RFC 7396), decoded at the edge
// (policy_codec.h) and applied to the group as it stands inside the write.
struct GroupPatch {
  std::function<policy::Parsed<policy::Group>(const policy::Group& before)> apply;
  std::function<void(AuditEvent&)> record;  // the patch in the audit event
};

// A group's effective settings, with where each comes from.
struct GroupEffective {
  std::shared_ptr<const PolicySnapshot> snapshot;  // the policy they were resolved in
  std::string group_id;
  policy::EffectiveSettings effective;
};

struct AuditFilter {
  std::optional<policy::Instant> since;  // inclusive
  std::optional<policy::Instant> until;  // exclusive
  std::optional<std::string> actor;      // actor id
  std::optional<std::string> action;
  std::optional<std::string> target;
};

class Service {
 public:
  // Checkpoints and export trailers are signed by `seal`.
  Service(Storage& storage, const policy::TimeZones& zones, Clock clock, AuditSeal& seal);

  std::optional<Principal> Authenticate(const std::string& bearer_token);

  // Name and password to a token; `source` is the caller's address, for
  // the backoff of LoginThrottle (429 with Retry-After while it lasts).
  Result<LoginResult> Login(const LoginInput& input, const std::string& source);
  Result<Done> RevokeToken(const Principal& actor, const std::string& token_id);
  // POST /v1/me/password (the current one is required once a password is
  // set).
  Result<Done> SetOwnPassword(const Principal& actor, const PasswordChange& input);

  Result<Principal> CreatePrincipal(const Principal& actor, Role kind, const PrincipalInput& input);
  Result<std::vector<Principal>> ListPrincipals(const Principal& actor, Role kind);
  Result<Principal> UpdatePrincipal(const Principal& actor, Role kind, const std::string& id,
                                    const PrincipalPatch& patch);

  Result<std::vector<policy::Group>> ListGroups(const Principal& actor);
  Result<policy::Group> GetGroup(const Principal& actor, const std::string& id);
  Result<policy::Group> CreateGroup(const Principal& actor, const policy::Group& group);
  // `if_match`: the request's If-Match (empty: unconditional), checked in
  // the write transaction against the tag of what is stored (412 when it
  // does not hold; http::IfMatchHolds); the tag of a group is
  // http::EntityTag of its JSON, which GET and PATCH answer as ETag.
  Result<policy::Group> PatchGroup(const Principal& actor, const std::string& id,
                                   const GroupPatch& patch, const std::string& if_match = "");
  Result<Done> RemoveGroup(const Principal& actor, const std::string& id,
                           const std::string& if_match = "");
  Result<GroupEffective> Effective(const Principal& actor, const std::string& id);

  Result<policy::GlobalSettings> GetSettings();
  Result<policy::GlobalSettings> PutSettings(const Principal& actor,
                                             const policy::GlobalSettings& settings,
                                             const std::string& if_match = "");

  Result<std::shared_ptr<const PolicySnapshot>> PolicyDocument();
  // `request` is the body's JSON text; the answer is the decision's (the
  // what-if route's hot path, which skips building JSON values).
  Result<std::string> Decide(std::string_view request, std::optional<policy::Instant> now);

  // Records a refused request (401/403 from authorization) from `source`
  // (the peer's address). Anonymous refusals are folded per source and
  // interval (RefusalLimiter); FlushRefusals() records what is still
  // folded (at shutdown).
  void AuditRefusal(const std::optional<Principal>& who, const std::string& method,
                    const std::string& path, const std::string& outcome, const std::string& source);
  void FlushRefusals();

  // The signed head of the audit chain (docs/audit-format.md).
  Result<web::json::value> Checkpoint() { return seal_.Checkpoint(); }
  AuditSeal& seal() { return seal_; }

  Storage& storage() { return storage_; }
  const policy::TimeZones& zones() const { return zones_; }
  policy::Instant Now() const { return clock_(); }

  // The current policy, compiled; cached until the next policy write.
  std::shared_ptr<const PolicySnapshot> Snapshot();

  // What is already in memory, without touching the database (nullopt or
  // nullptr when it is not): for serving on an I/O thread.
  std::optional<Principal> CachedPrincipal(const std::string& bearer_token);
  std::shared_ptr<const PolicySnapshot> CachedSnapshot();
  // While alive, Snapshot() on this thread returns `snapshot` and never
  // reads the database.
  class PinnedSnapshot {
   public:
    explicit PinnedSnapshot(std::shared_ptr<const PolicySnapshot> snapshot);
    ~PinnedSnapshot();
    PinnedSnapshot(const PinnedSnapshot&) = delete;
    PinnedSnapshot& operator=(const PinnedSnapshot&) = delete;
  };

  struct Counters {
    std::atomic<uint64_t> decisions_allow{0};
    std::atomic<uint64_t> decisions_deny{0};
  };
  const Counters& counters() const { return counters_; }

  // Called after a committed write that changed the policy (here, or on
  // another replica).
  void InvalidatePolicy();
  // Called after every InvalidatePolicy (a policy write here, or another
  // replica's heard), outside any lock: push's trigger. Set before serving.
  void SetPolicyObserver(std::function<void()> f) { policy_changed_ = std::move(f); }
  // Called after a committed write that changed principals or tokens.
  void InvalidateAuthentication();

 private:
  // Changes the loaded policy and says which group it changed (or why not),
  // filling the audit event's details.
  using GroupEdit = std::function<Result<std::size_t>(policy::Policy&, AuditEvent&)>;
  Result<policy::Group> EditGroup(const Principal& actor, const std::string& action,
                                  const GroupEdit& edit);

  // storage_.Write for changes to the policy (groups, settings, technicians):
  // a successful `f` gives the policy a new tag, and the caches are
  // invalidated after the commit.
  template <typename F>
  auto PolicyWrite(F&& f) {
    auto r = storage_.Write([&](Repositories& tx) {
      writer_next_.reset();
      auto inner = f(tx);
      if (inner.ok()) NewPolicyTag(tx);
      writer_next_.reset();
      return inner;
    });
    if (r.ok()) InvalidatePolicy();
    return r;
  }
  // Inside a policy write that succeeded: a new tag, and the writer's
  // cache of the policy it leaves.
  void NewPolicyTag(Repositories& tx);
  // The current policy, inside a write: the one the writer last wrote when
  // the stored tag still names it, else loaded and validated. Writer
  // thread only.
  policy::Parsed<policy::Policy> WriterPolicy(Repositories& tx);

  Storage& storage_;
  const policy::TimeZones& zones_;
  std::mutex snapshot_mutex_;
  std::shared_ptr<const PolicySnapshot> snapshot_;
  uint64_t policy_generation_ = 0;
  std::function<void()> policy_changed_;
  Counters counters_;
  // Token hash -> principal, for tokens seen recently. Exact, not timed:
  // every write to principals or tokens clears it, and expiry is checked
  // at each use.
  struct CachedAuth {
    Principal principal;
    policy::Instant expires_at;
  };
  std::mutex auth_mutex_;
  std::unordered_map<std::string, CachedAuth> auth_cache_;
  uint64_t auth_generation_ = 0;
  Clock clock_;
  AuditSeal& seal_;
  RefusalLimiter refusals_;
  LoginThrottle throttle_;
  // Touched only on the database's writer thread.
  struct WriterPolicyCache {
    std::string tag;
    policy::Policy policy;
  };
  std::optional<WriterPolicyCache> writer_policy_;
  std::optional<policy::Policy> writer_next_;  // set by an edit that knows the result
};

AuditEvent ActorEvent(const Principal& actor, std::string action, std::string target);

}  // namespace custodian::admincenter
