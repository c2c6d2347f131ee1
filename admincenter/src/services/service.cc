#include "admincenter/service.h"

#include <algorithm>

#include "admincenter/policy_repository.h"
#include "admincenter/principal_repository.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "common/entity_tag.h"
#include "policy/codec.h"
#include "policy/effective.h"
#include "policy/engine.h"
#include "services/service_parts.h"

namespace custodian::admincenter {

using internal::CanSee;
using internal::DamagedPolicy;
using internal::FoldedEvent;
using internal::IndexOf;

namespace {

using policy::FieldError;

// Whether If-Match (empty: none) no longer holds for the stored object
// that `encode` gives as JSON. An unconditional write encodes and hashes
// nothing.
template <typename Encode>
bool ChangedSince(const std::string& if_match, Encode encode) {
  return !if_match.empty() && !http::IfMatchHolds(if_match, http::EntityTag(encode()));
}

// Errors of the whole-policy check that concern the edited group become
// pointers into the request body; others mean the edit conflicts with the
// rest of the tree.
Problem ProblemFromPolicyErrors(const std::vector<FieldError>& errors, std::size_t index) {
  const std::string prefix = "/groups/" + std::to_string(index);
  std::vector<FieldError> mine;
  std::string conflicts;
  for (const FieldError& e : errors) {
    if (e.pointer == prefix || e.pointer.starts_with(prefix + "/")) {
      mine.push_back({e.pointer.substr(prefix.size()), e.message});
    } else {
      conflicts += (conflicts.empty() ? "" : "; ") + e.pointer + ": " + e.message;
    }
  }
  if (!mine.empty()) return Invalid(std::move(mine));
  return Conflict("the change conflicts with the rest of the policy: " + conflicts);
}

// Settings whose value differs between two versions of a group.
policy::SettingSet Changed(const policy::Group& a, const policy::Group& b) {
  policy::SettingSet s;
  for (std::size_t p = 0; p < policy::kPermissionCount; ++p)
    s[p] = a.permissions[p] != b.permissions[p];
  s[static_cast<std::size_t>(policy::SettingKey::kAuthModes)] = a.auth_modes != b.auth_modes;
  s[static_cast<std::size_t>(policy::SettingKey::kMaxDays)] = a.max_days != b.max_days;
  return s;
}

}  // namespace

AuditEvent ActorEvent(const Principal& actor, std::string action, std::string target) {
  AuditEvent e;
  e.actor_kind = RoleName(actor.role);
  e.actor_id = actor.id;
  e.action = std::move(action);
  e.target = std::move(target);
  e.outcome = "success";
  return e;
}

Service::Service(Storage& storage, const policy::TimeZones& zones, Clock clock, AuditSeal& seal)
    : storage_(storage), zones_(zones), clock_(std::move(clock)), seal_(seal) {}

namespace {
thread_local std::shared_ptr<const PolicySnapshot> t_pinned_snapshot;
}  // namespace

Service::PinnedSnapshot::PinnedSnapshot(std::shared_ptr<const PolicySnapshot> snapshot) {
  t_pinned_snapshot = std::move(snapshot);
}
Service::PinnedSnapshot::~PinnedSnapshot() { t_pinned_snapshot.reset(); }

std::shared_ptr<const PolicySnapshot> Service::CachedSnapshot() {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

std::optional<Principal> Service::CachedPrincipal(const std::string& token) {
  const std::string hash = crypto::Sha256(token);
  std::lock_guard lock(auth_mutex_);
  auto it = auth_cache_.find(hash);
  if (it == auth_cache_.end() || clock_() >= it->second.expires_at) return std::nullopt;
  return it->second.principal;
}

std::shared_ptr<const PolicySnapshot> Service::Snapshot() {
  if (t_pinned_snapshot) return t_pinned_snapshot;
  uint64_t generation;
  {
    std::lock_guard lock(snapshot_mutex_);
    if (snapshot_) return snapshot_;
    generation = policy_generation_;
  }
  auto parsed = storage_.Read([&](Repositories& tx) { return tx.policy().Load(zones_); });
  if (!parsed.ok()) return nullptr;
  auto compiled = policy::CompiledPolicy::Compile(*parsed.value, zones_);
  auto snapshot = std::make_shared<const PolicySnapshot>(
      PolicySnapshot{std::move(*parsed.value), std::move(compiled)});
  std::lock_guard lock(snapshot_mutex_);
  // A write that committed while we read makes this snapshot stale: use it
  // for this request, but do not keep it.
  if (generation == policy_generation_) snapshot_ = snapshot;
  return snapshot;
}

void Service::InvalidatePolicy() {
  {
    std::lock_guard lock(snapshot_mutex_);
    ++policy_generation_;
    snapshot_.reset();
  }
  if (policy_changed_) policy_changed_();
}

std::optional<Principal> Service::Authenticate(const std::string& token) {
  constexpr std::size_t kMaxCachedTokens = 100000;
  const std::string hash = crypto::Sha256(token);
  const policy::Instant now = clock_();
  uint64_t generation;
  {
    std::lock_guard lock(auth_mutex_);
    auto it = auth_cache_.find(hash);
    if (it != auth_cache_.end()) {
      if (now < it->second.expires_at) return it->second.principal;
      auth_cache_.erase(it);
    }
    generation = auth_generation_;
  }
  policy::Instant expires_at{};
  auto principal = storage_.Read([&](Repositories& tx) {
    return tx.principals().FindByToken(hash, token.starts_with(kEndpointTokenPrefix), now,
                                       &expires_at);
  });
  if (principal) {
    std::lock_guard lock(auth_mutex_);
    if (generation == auth_generation_) {
      if (auth_cache_.size() >= kMaxCachedTokens) auth_cache_.clear();
      auth_cache_[hash] = CachedAuth{*principal, expires_at};
    }
  }
  return principal;
}

void Service::InvalidateAuthentication() {
  std::lock_guard lock(auth_mutex_);
  ++auth_generation_;
  auth_cache_.clear();
}

// ------------------------------------------------------------------ groups

Result<std::vector<policy::Group>> Service::ListGroups(const Principal& actor) {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  std::vector<policy::Group> out;
  for (const policy::Group& g : snapshot->policy.groups) {
    if (CanSee(actor, snapshot->policy, g.id)) out.push_back(g);
  }
  return out;
}

Result<policy::Group> Service::GetGroup(const Principal& actor, const std::string& id) {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  auto i = IndexOf(snapshot->policy, id);
  if (!i || !CanSee(actor, snapshot->policy, id)) return NotFound("no such group");
  return snapshot->policy.groups[*i];
}

Result<policy::Group> Service::EditGroup(const Principal& actor, const std::string& action,
                                         const GroupEdit& edit) {
  // Load, check, validate and save in one write transaction, so that
  // concurrent edits see each other.
  return PolicyWrite([&](Repositories& tx) -> Result<policy::Group> {
    auto policy = WriterPolicy(tx);
    if (!policy.ok()) return DamagedPolicy();
    AuditEvent e = ActorEvent(actor, action, "");
    Result<std::size_t> index = edit(*policy.value, e);
    if (!index.ok()) return index.problem();
    const auto errors = policy::ValidatePolicy(*policy.value, zones_);
    if (!errors.empty()) return ProblemFromPolicyErrors(errors, index.value());
    policy::Group g = policy.value->groups[index.value()];
    const policy::Instant now = clock_();
    tx.policy().SaveGroup(g, now);
    e.target = "group:" + g.id;
    AppendAudit(tx.audit(), e, now);
    writer_next_ = std::move(*policy.value);  // what the writer holds if this commits
    return g;
  });
}

Result<policy::Group> Service::CreateGroup(const Principal& actor, const policy::Group& g) {
  if (g.locked.any() && actor.role != Role::kMasterAdmin) {
    return Problem{ErrorKind::kForbidden, "only a master admin may lock settings", {}, {}};
  }
  if (!g.parent_id && actor.role != Role::kMasterAdmin) {
    return Problem{
        ErrorKind::kForbidden, "only a master admin may create top-level groups", {}, {}};
  }
  return EditGroup(
      actor, "group.create", [&](policy::Policy& policy, AuditEvent& e) -> Result<std::size_t> {
        if (g.parent_id &&
            (!IndexOf(policy, *g.parent_id) || !CanSee(actor, policy, *g.parent_id))) {
          return Invalid("/parent_id", "unknown parent group \"" + *g.parent_id + "\"");
        }
        if (IndexOf(policy, g.id)) {
          return Conflict("a group \"" + g.id + "\" exists already");
        }
        policy.groups.push_back(g);
        e.Detail("group", g);
        return policy.groups.size() - 1;
      });
}

Result<policy::Group> Service::PatchGroup(const Principal& actor, const std::string& id,
                                          const GroupPatch& patch, const std::string& if_match) {
  return EditGroup(
      actor, "group.update", [&](policy::Policy& policy, AuditEvent& e) -> Result<std::size_t> {
        auto index = IndexOf(policy, id);
        if (!index || !CanSee(actor, policy, id)) return NotFound("no such group");
        const policy::Group before = policy.groups[*index];
        if (ChangedSince(if_match, [&] { return policy::EncodeGroup(before); })) {
          return ChangedSinceRead("group \"" + id + "\"");
        }
        auto parsed = patch.apply(before);
        if (!parsed.ok()) return Invalid(std::move(parsed.errors));
        policy::Group after = std::move(*parsed.value);
        if (after.id != id) return Invalid("/id", "a group's id cannot change");
        if (actor.role != Role::kMasterAdmin) {
          if (after.locked != before.locked) {
            return Problem{
                ErrorKind::kForbidden, "only a master admin may lock or unlock settings", {}, {}};
          }
          if ((Changed(before, after) & before.locked).any()) {
            return Problem{ErrorKind::kForbidden,
                           "this group locks the setting; only a master admin may change it",
                           {},
                           {}};
          }
          if (after.parent_id != before.parent_id) {
            if (!after.parent_id) {
              return Problem{
                  ErrorKind::kForbidden, "only a master admin may make a group top-level", {}, {}};
            }
            if (!IndexOf(policy, *after.parent_id) || !CanSee(actor, policy, *after.parent_id)) {
              return Invalid("/parent_id", "unknown parent group \"" + *after.parent_id + "\"");
            }
          }
        }
        if (actor.role != Role::kMasterAdmin) {
          // Also what the lock of an ancestor forces: moving a group out
          // from under it would free the value for the next edit.
          policy::Policy next = policy;
          next.groups[*index] = after;
          if (auto forced = policy::FirstForcedChange(policy, next)) {
            return Problem{ErrorKind::kForbidden,
                           "group \"" + forced->group_id + "\" is under a lock of " +
                               policy::SettingName(forced->key) +
                               "; only a master admin may change what a lock forces",
                           {},
                           {}};
          }
        }
        policy.groups[*index] = std::move(after);
        patch.record(e);
        return *index;
      });
}

Result<Done> Service::RemoveGroup(const Principal& actor, const std::string& id,
                                  const std::string& if_match) {
  return PolicyWrite([&](Repositories& tx) -> Result<Done> {
    auto policy = WriterPolicy(tx);
    if (!policy.ok()) return DamagedPolicy();
    const auto index = IndexOf(*policy.value, id);
    if (!index || !CanSee(actor, *policy.value, id)) return NotFound("no such group");
    if (ChangedSince(if_match, [&] { return policy::EncodeGroup(policy.value->groups[*index]); })) {
      return ChangedSinceRead("group \"" + id + "\"");
    }
    if (actor.role != Role::kMasterAdmin &&
        std::find(actor.scopes.begin(), actor.scopes.end(), id) != actor.scopes.end()) {
      return Problem{
          ErrorKind::kForbidden, "an admin cannot delete the root of its own scope", {}, {}};
    }
    PolicyRepository& groups = tx.policy();
    if (groups.GroupInUse(id)) {
      return Conflict(
          "the group is not empty: it has subgroups, technicians or admins scoped to it");
    }
    groups.DeleteGroup(id);
    AppendAudit(tx.audit(), ActorEvent(actor, "group.delete", "group:" + id), clock_());
    return Done{};
  });
}

Result<GroupEffective> Service::Effective(const Principal& actor, const std::string& id) {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  auto i = IndexOf(snapshot->policy, id);
  if (!i || !CanSee(actor, snapshot->policy, id)) return NotFound("no such group");
  auto effective = policy::ResolveEffective(snapshot->policy);
  return GroupEffective{snapshot, id, std::move(effective[*i])};
}

// ---------------------------------------------------------------- settings

Result<policy::GlobalSettings> Service::GetSettings() {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  return snapshot->policy.settings;
}

Result<policy::GlobalSettings> Service::PutSettings(const Principal& actor,
                                                    const policy::GlobalSettings& settings,
                                                    const std::string& if_match) {
  return PolicyWrite([&](Repositories& tx) -> Result<policy::GlobalSettings> {
    auto policy = WriterPolicy(tx);
    if (!policy.ok()) return DamagedPolicy();
    if (ChangedSince(if_match, [&] { return policy::EncodeSettings(policy.value->settings); })) {
      return ChangedSinceRead("the global settings");
    }
    policy.value->settings = settings;
    const auto errors = policy::ValidatePolicy(*policy.value, zones_);
    if (!errors.empty()) {
      std::string detail;
      for (const auto& e : errors)
        detail += (detail.empty() ? "" : "; ") + e.pointer + ": " + e.message;
      return Conflict("the settings conflict with the groups: " + detail);
    }
    const policy::Instant now = clock_();
    tx.policy().SaveSettings(settings, now);
    AuditEvent e = ActorEvent(actor, "settings.update", "settings");
    e.Detail("settings", settings);
    AppendAudit(tx.audit(), e, now);
    return settings;
  });
}

// ------------------------------------------------------------------ policy

Result<std::shared_ptr<const PolicySnapshot>> Service::PolicyDocument() {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  return snapshot;
}

Result<std::string> Service::Decide(std::string_view request, std::optional<policy::Instant> now) {
  auto parsed = policy::ParseRequest(request);
  if (!parsed.ok()) return Invalid(std::move(parsed.errors));
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  const policy::Decision d =
      policy::Decide(snapshot->compiled, *parsed.value, now.value_or(clock_()));
  (d.effect == policy::Effect::kAllow ? counters_.decisions_allow : counters_.decisions_deny)++;
  return policy::SerializeDecision(d);
}

// ------------------------------------------------------------ policy writes

void Service::NewPolicyTag(Repositories& tx) {
  const std::string tag = crypto::NewId("pt_");
  tx.policy().SetTag(tag);
  if (writer_next_) {
    writer_policy_ = WriterPolicyCache{tag, std::move(*writer_next_)};
  } else {
    writer_policy_.reset();
  }
}

policy::Parsed<policy::Policy> Service::WriterPolicy(Repositories& tx) {
  PolicyRepository& stored = tx.policy();
  const std::string tag = stored.Tag();
  if (writer_policy_ && writer_policy_->tag == tag) return {writer_policy_->policy, {}};
  auto loaded = stored.Load(zones_);
  if (loaded.ok()) {
    writer_policy_ = WriterPolicyCache{tag, *loaded.value};
  } else {
    writer_policy_.reset();
  }
  return loaded;
}

// ------------------------------------------------------------------- audit

void Service::AuditRefusal(const std::optional<Principal>& who, const std::string& method,
                           const std::string& path, const std::string& outcome,
                           const std::string& source) {
  const policy::Instant now = clock_();
  std::optional<RefusalLimiter::Folded> flushed;
  if (!who) {
    RefusalLimiter::Verdict v = refusals_.Admit(source, outcome, now);
    if (!v.record) return;
    flushed = std::move(v.flushed);
  }
  AuditEvent e;
  e.actor_kind = who ? RoleName(who->role) : "anonymous";
  e.actor_id = who ? who->id : "";
  e.action = "authz.denied";
  e.target = method + " " + path;  // cut to kMaxAuditTargetBytes by AppendAudit
  e.outcome = outcome;
  e.Detail("source", source);
  storage_.Write([&](Repositories& tx) {
    if (flushed) AppendAudit(tx.audit(), FoldedEvent(*flushed), now);
    AppendAudit(tx.audit(), e, now);
    return true;
  });
}

void Service::FlushRefusals() {
  const std::vector<RefusalLimiter::Folded> folded = refusals_.Drain();
  if (folded.empty()) return;
  storage_.Write([&](Repositories& tx) {
    for (const auto& f : folded) AppendAudit(tx.audit(), FoldedEvent(f), clock_());
    return true;
  });
}

}  // namespace custodian::admincenter
