#include "admincenter/service.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>

#include "admincenter/policy_store.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "input.h"
#include "policy/effective.h"
#include "policy/engine.h"

namespace custodian::admincenter {
namespace {

using policy::FieldError;

constexpr std::size_t kMinPasswordLength = 12;  // OWASP ASVS 2.1.1
constexpr std::size_t kMaxPasswordLength = 256;
constexpr std::size_t kMaxNameLength = 128;

value Str(const std::string& s) { return value::string(s); }

// The stored policy is validated on every write, so failing to load it
// means the database was changed behind the admin center's back.
Problem DamagedPolicy() { return {ErrorKind::kInternal, "the stored policy is damaged", {}, {}}; }

value PrincipalJson(const Principal& p) {
  value o = value::object(true);
  o["id"] = Str(p.id);
  o["name"] = Str(p.name);
  o["role"] = Str(RoleName(p.role));
  if (p.role == Role::kAdmin) {
    value scopes = value::array();
    for (std::size_t i = 0; i < p.scopes.size(); ++i) scopes[i] = Str(p.scopes[i]);
    o["scopes"] = scopes;
  }
  if (p.group_id) o["group_id"] = Str(*p.group_id);
  if (p.time_zone) o["time_zone"] = Str(*p.time_zone);
  o["disabled"] = value::boolean(p.disabled);
  return o;
}

// Master admins and auditors see every group; admins their subtrees.
bool CanSee(const Principal& actor, const policy::Policy& policy, const std::string& group_id) {
  if (actor.role == Role::kMasterAdmin || actor.role == Role::kAuditor) return true;
  return actor.role == Role::kAdmin && InSubtree(policy, group_id, actor.scopes);
}

std::optional<std::size_t> IndexOf(const policy::Policy& p, const std::string& id) {
  for (std::size_t i = 0; i < p.groups.size(); ++i) {
    if (p.groups[i].id == id) return i;
  }
  return std::nullopt;
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

AuditEvent FoldedEvent(const RefusalLimiter::Folded& f) {
  AuditEvent e;
  e.actor_kind = "anonymous";
  e.action = "authz.denied_repeated";
  e.target = "source:" + f.source;
  e.outcome = f.outcome;
  e.details["count"] = value::number(static_cast<int64_t>(f.count));
  e.details["since"] = Str(policy::FormatRfc3339(f.since));
  return e;
}

// RFC 7396 JSON merge patch.
value MergePatch(value target, const value& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = value::object(true);
  for (const auto& [k, v] : patch.as_object()) {
    if (v.is_null()) {
      if (target.has_field(k)) target.erase(k);
    } else {
      target[k] = MergePatch(target.has_field(k) ? target.at(k) : value::null(), v);
    }
  }
  return target;
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

Service::Service(Database& db, const policy::TimeZones& zones, Clock clock, AuditSeal& seal)
    : db_(db), zones_(zones), clock_(std::move(clock)), seal_(seal) {}

namespace {
thread_local std::shared_ptr<const Service::PolicySnapshot> t_pinned_snapshot;
}  // namespace

Service::PinnedSnapshot::PinnedSnapshot(std::shared_ptr<const PolicySnapshot> snapshot) {
  t_pinned_snapshot = std::move(snapshot);
}
Service::PinnedSnapshot::~PinnedSnapshot() { t_pinned_snapshot.reset(); }

std::shared_ptr<const Service::PolicySnapshot> Service::CachedSnapshot() {
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

std::shared_ptr<const Service::PolicySnapshot> Service::Snapshot() {
  if (t_pinned_snapshot) return t_pinned_snapshot;
  uint64_t generation;
  {
    std::lock_guard lock(snapshot_mutex_);
    if (snapshot_) return snapshot_;
    generation = policy_generation_;
  }
  auto parsed = db_.Read([&](SQLite::Database& db) { return LoadPolicy(db, zones_); });
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
  std::lock_guard lock(snapshot_mutex_);
  ++policy_generation_;
  snapshot_.reset();
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
  auto principal = db_.Read(
      [&](SQLite::Database& db) { return admincenter::Authenticate(db, token, now, &expires_at); });
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

// ------------------------------------------------------------------ tokens

Result<value> Service::Login(const value& body, const std::string& source) {
  std::vector<FieldError> errors;
  if (!body.is_object()) return Invalid("", "must be an object");
  auto name = RequiredString(body, "name", errors, kMaxNameLength);
  auto password = RequiredString(body, "password", errors, kMaxPasswordLength);
  RejectUnknownKeys(body, {"name", "password"}, errors);
  if (!errors.empty()) return Invalid(std::move(errors));
  if (const auto wait = throttle_.Wait(*name, source, clock_())) {
    // Answered without Argon2; recorded once per source and interval.
    RefusalLimiter::Verdict v = refusals_.Admit(source, "throttled", clock_());
    if (v.record) {
      db_.Write([&](SQLite::Database& db) {
        if (v.flushed) AppendAudit(db, FoldedEvent(*v.flushed), clock_());
        AuditEvent e;
        e.actor_kind = "anonymous";
        e.actor_id = *name;
        e.action = "auth.login_throttled";
        e.target = "source:" + source;
        e.outcome = "denied";
        e.details["retry_after_seconds"] = value::number(static_cast<int64_t>(wait->count()));
        AppendAudit(db, e, clock_());
        return true;
      });
    }
    Problem p{ErrorKind::kTooManyRequests,
              "too many failed logins; try again in " + std::to_string(wait->count()) + " s",
              {},
              {}};
    p.retry_after_seconds = static_cast<int>(std::max<int64_t>(1, wait->count()));
    return p;
  }
  std::string hash;
  auto principal =
      db_.Read([&](SQLite::Database& db) { return LoadPrincipalByName(db, *name, &hash); });
  // Unknown names cost an Argon2 verification too, so timing tells nothing.
  static const std::string kDummy = HashPassword("custodian-timing-equaliser");
  const bool good = VerifyPassword(hash.empty() ? kDummy : hash, *password) && principal &&
                    !hash.empty() && !principal->disabled;
  auto recorded = db_.Write([&](SQLite::Database& db) -> Result<value> {
    const policy::Instant now = clock_();
    if (!good) {
      AuditEvent e;
      e.actor_kind = "anonymous";
      e.actor_id = *name;  // the name tried; never the password
      e.action = "auth.login";
      e.target = principal ? "principal:" + principal->id : "principal:unknown";
      e.outcome = "failure";
      AppendAudit(db, e, now);
      return value::null();  // commit the record of the failure
    }
    const IssuedToken t = IssueToken(db, principal->id, now, kLoginTokenLifetime);
    AuditEvent e = ActorEvent(*principal, "auth.login", "principal:" + principal->id);
    e.details["token_id"] = Str(t.id);
    AppendAudit(db, e, now);
    value out = value::object(true);
    out["id"] = Str(t.id);
    out["token"] = Str(t.secret);
    out["expires_at"] = Str(policy::FormatRfc3339(t.expires_at));
    out["principal"] = PrincipalJson(*principal);
    return out;
  });
  if (!good) {
    throttle_.Failed(*name, source, clock_());
    return Problem{ErrorKind::kUnauthenticated, "wrong name or password", {}, {}};
  }
  throttle_.Succeeded(*name);
  return recorded;
}

Result<value> Service::SetOwnPassword(const Principal& actor, const value& body) {
  std::vector<FieldError> errors;
  if (!body.is_object()) return Invalid("", "must be an object");
  RejectUnknownKeys(body, {"password", "current_password"}, errors);
  auto password = RequiredString(body, "password", errors, kMaxPasswordLength);
  if (password && password->size() < kMinPasswordLength) {
    errors.push_back(
        {"/password", "must have at least " + std::to_string(kMinPasswordLength) + " characters"});
  }
  std::optional<std::string> current;
  if (body.has_field("current_password")) {
    current = RequiredString(body, "current_password", errors, kMaxPasswordLength);
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  std::string stored;
  db_.Read([&](SQLite::Database& db) { return LoadPrincipalByName(db, actor.name, &stored); });
  // A principal that has a password proves it again; one that never had one
  // (a master admin on its init token) sets the first.
  if (!stored.empty() && !(current && VerifyPassword(stored, *current))) {
    return Problem{ErrorKind::kForbidden, "the current password is wrong or missing", {}, {}};
  }
  const std::string hash = HashPassword(*password);
  return db_.Write([&](SQLite::Database& db) -> Result<value> {
    SQLite::Statement u(db, "UPDATE principals SET password_hash = ?, updated_at = ? WHERE id = ?");
    u.bind(1, hash);
    u.bind(2, policy::FormatRfc3339(clock_()));
    u.bind(3, actor.id);
    u.exec();
    AuditEvent e = ActorEvent(actor, "password.change", "principal:" + actor.id);
    e.details["first_password"] = value::boolean(stored.empty());
    AppendAudit(db, e, clock_());
    return value::null();
  });
}

Result<value> Service::RevokeToken(const Principal& actor, const std::string& token_id) {
  auto result = db_.Write([&](SQLite::Database& db) -> Result<value> {
    SQLite::Statement q(db, "SELECT principal_id FROM tokens WHERE id = ? AND revoked = 0");
    q.bind(1, token_id);
    if (!q.executeStep()) return NotFound("no such token");
    const std::string owner = q.getColumn(0).getString();
    if (owner != actor.id && actor.role != Role::kMasterAdmin) return NotFound("no such token");
    SQLite::Statement u(db, "UPDATE tokens SET revoked = 1 WHERE id = ?");
    u.bind(1, token_id);
    u.exec();
    AppendAudit(db, ActorEvent(actor, "token.revoke", "token:" + token_id), clock_());
    return value::null();
  });
  if (result.ok()) InvalidateAuthentication();
  return result;
}

// ------------------------------------------------------------- principals

Result<value> Service::CreatePrincipal(const Principal& actor, Role kind, const value& body) {
  std::vector<FieldError> errors;
  if (!body.is_object()) return Invalid("", "must be an object");
  auto name = RequiredName(body, "name", errors);
  auto password = RequiredString(body, "password", errors, kMaxPasswordLength);
  if (password && password->size() < kMinPasswordLength) {
    errors.push_back(
        {"/password", "must have at least " + std::to_string(kMinPasswordLength) + " characters"});
  }
  std::optional<std::string> group_id, time_zone;
  std::vector<std::string> scopes;
  if (kind == Role::kTechnician) {
    group_id = RequiredString(body, "group_id", errors, kMaxNameLength);
    time_zone = RequiredString(body, "time_zone", errors, kMaxNameLength);
    if (time_zone && !zones_.Find(*time_zone)) {
      errors.push_back({"/time_zone", "unknown time zone \"" + *time_zone +
                                          "\"; expected an IANA name such as Europe/Berlin"});
    }
    RejectUnknownKeys(body, {"name", "password", "group_id", "time_zone"}, errors);
  } else if (kind == Role::kAdmin) {
    if (!body.has_field("scopes") || !body.at("scopes").is_array()) {
      errors.push_back({"/scopes", "must be an array of group ids"});
    } else {
      const auto& a = body.at("scopes").as_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a.at(i).is_string()) {
          errors.push_back({"/scopes/" + std::to_string(i), "must be a group id"});
        } else {
          scopes.push_back(a.at(i).as_string());
        }
      }
    }
    RejectUnknownKeys(body, {"name", "password", "scopes"}, errors);
  } else {
    RejectUnknownKeys(body, {"name", "password"}, errors);
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const std::string password_hash = HashPassword(*password);  // outside the write lock
  return PolicyWrite([&](SQLite::Database& db) -> Result<value> {
    auto policy = WriterPolicy(db);
    if (!policy.ok()) return DamagedPolicy();
    if (group_id &&
        (!IndexOf(*policy.value, *group_id) || !CanSee(actor, *policy.value, *group_id))) {
      return Invalid("/group_id", "unknown group \"" + *group_id + "\"");
    }
    for (std::size_t i = 0; i < scopes.size(); ++i) {
      if (!IndexOf(*policy.value, scopes[i])) {
        return Invalid("/scopes/" + std::to_string(i), "unknown group \"" + scopes[i] + "\"");
      }
    }
    {
      SQLite::Statement q(db, "SELECT 1 FROM principals WHERE name = ?");
      q.bind(1, *name);
      if (q.executeStep()) return Conflict("the name \"" + *name + "\" is taken");
    }
    const policy::Instant now = clock_();
    Principal p;
    p.id = crypto::NewId(kind == Role::kTechnician ? "t-" : "p-");
    p.name = *name;
    p.role = kind;
    p.scopes = scopes;
    p.group_id = group_id;
    p.time_zone = time_zone;
    SQLite::Statement insert(
        db,
        "INSERT INTO principals (id, kind, name, password_hash, group_id, time_zone, position, "
        "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM principals), ?7, ?7)");
    insert.bind(1, p.id);
    insert.bind(2, RoleName(kind));
    insert.bind(3, p.name);
    insert.bind(4, password_hash);
    if (group_id) {
      insert.bind(5, *group_id);
      insert.bind(6, *time_zone);
    } else {
      insert.bind(5);
      insert.bind(6);
    }
    insert.bind(7, policy::FormatRfc3339(now));
    insert.exec();
    for (const std::string& g : scopes) {
      SQLite::Statement s(db, "INSERT INTO admin_scopes (principal_id, group_id) VALUES (?, ?)");
      s.bind(1, p.id);
      s.bind(2, g);
      s.exec();
    }
    AuditEvent e = ActorEvent(actor, std::string(RoleName(kind)) + ".create", "principal:" + p.id);
    e.details = PrincipalJson(p);
    AppendAudit(db, e, now);
    return PrincipalJson(p);
  });
}

Result<value> Service::ListPrincipals(const Principal& actor, Role kind) {
  auto snapshot = Snapshot();  // the cached tree, for the scope check
  if (!snapshot) return DamagedPolicy();
  return db_.Read([&](SQLite::Database& db) -> Result<value> {
    // Master admins are admins too: they are listed (and edited) with them.
    SQLite::Statement q(db,
                        "SELECT id FROM principals WHERE kind = ? OR (? AND kind = 'master_admin') "
                        "ORDER BY position");
    q.bind(1, RoleName(kind));
    q.bind(2, kind == Role::kAdmin ? 1 : 0);
    value items = value::array();
    std::size_t n = 0;
    while (q.executeStep()) {
      auto p = LoadPrincipal(db, q.getColumn(0).getString());
      if (!p) continue;
      if (p->group_id && !CanSee(actor, snapshot->policy, *p->group_id)) continue;
      items[n++] = PrincipalJson(*p);
    }
    value out = value::object(true);
    out["items"] = items;
    return out;
  });
}

Result<value> Service::UpdatePrincipal(const Principal& actor, Role kind, const std::string& id,
                                       const value& body) {
  std::vector<FieldError> errors;
  if (!body.is_object()) return Invalid("", "must be an object");
  RejectUnknownKeys(body, {"disabled", "password"}, errors);
  std::optional<bool> disabled;
  if (body.has_field("disabled")) {
    if (body.at("disabled").is_boolean()) {
      disabled = body.at("disabled").as_bool();
    } else {
      errors.push_back({"/disabled", "must be a boolean"});
    }
  }
  std::optional<std::string> password_hash;
  if (body.has_field("password")) {
    const value& v = body.at("password");
    if (!v.is_string() || v.as_string().size() < kMinPasswordLength ||
        v.as_string().size() > kMaxPasswordLength) {
      errors.push_back({"/password", "must have " + std::to_string(kMinPasswordLength) + " to " +
                                         std::to_string(kMaxPasswordLength) + " characters"});
    } else {
      password_hash = HashPassword(v.as_string());
    }
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  auto result = PolicyWrite([&](SQLite::Database& db) -> Result<value> {
    auto p = LoadPrincipal(db, id);
    auto policy = WriterPolicy(db);
    const bool same_kind =
        p && (p->role == kind || (kind == Role::kAdmin && p->role == Role::kMasterAdmin));
    if (!same_kind || (p->group_id && policy.ok() && !CanSee(actor, *policy.value, *p->group_id))) {
      return NotFound();
    }
    if (p->role == Role::kMasterAdmin && p->id == actor.id && disabled.value_or(false)) {
      return Conflict("a master admin cannot disable itself");
    }
    const std::string now = policy::FormatRfc3339(clock_());
    if (disabled) {
      SQLite::Statement u(db, "UPDATE principals SET disabled = ?, updated_at = ? WHERE id = ?");
      u.bind(1, *disabled ? 1 : 0);
      u.bind(2, now);
      u.bind(3, id);
      u.exec();
      if (*disabled) {
        // Revoke at once; Authenticate also refuses disabled principals.
        SQLite::Statement r(db, "UPDATE tokens SET revoked = 1 WHERE principal_id = ?");
        r.bind(1, id);
        r.exec();
      }
      p->disabled = *disabled;
    }
    if (password_hash) {
      SQLite::Statement u(db,
                          "UPDATE principals SET password_hash = ?, updated_at = ? WHERE id = ?");
      u.bind(1, *password_hash);
      u.bind(2, now);
      u.bind(3, id);
      u.exec();
    }
    AuditEvent e = ActorEvent(actor, std::string(RoleName(p->role)) + ".update", "principal:" + id);
    if (disabled) e.details["disabled"] = value::boolean(*disabled);
    if (password_hash) e.details["password_changed"] = value::boolean(true);
    AppendAudit(db, e, clock_());
    return PrincipalJson(*p);
  });
  // Disabling must cut the principal's tokens off at once.
  if (result.ok()) InvalidateAuthentication();
  return result;
}

// ------------------------------------------------------------------ groups

Result<value> Service::ListGroups(const Principal& actor) {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  value items = value::array();
  std::size_t n = 0;
  for (const policy::Group& g : snapshot->policy.groups) {
    if (CanSee(actor, snapshot->policy, g.id)) items[n++] = policy::EncodeGroup(g);
  }
  value out = value::object(true);
  out["items"] = items;
  return out;
}

Result<value> Service::GetGroup(const Principal& actor, const std::string& id) {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  auto i = IndexOf(snapshot->policy, id);
  if (!i || !CanSee(actor, snapshot->policy, id)) return NotFound("no such group");
  return policy::EncodeGroup(snapshot->policy.groups[*i]);
}

Result<value> Service::EditGroup(const Principal& actor, const std::string& action,
                                 const GroupEdit& edit) {
  // Load, check, validate and save in one write transaction, so that
  // concurrent edits see each other.
  return PolicyWrite([&](SQLite::Database& db) -> Result<value> {
    auto policy = WriterPolicy(db);
    if (!policy.ok()) return DamagedPolicy();
    value details = value::object(true);
    Result<std::size_t> index = edit(*policy.value, details);
    if (!index.ok()) return index.problem();
    const auto errors = policy::ValidatePolicy(*policy.value, zones_);
    if (!errors.empty()) return ProblemFromPolicyErrors(errors, index.value());
    const policy::Group& g = policy.value->groups[index.value()];
    const policy::Instant now = clock_();
    SaveGroup(db, g, policy::FormatRfc3339(now));
    AuditEvent e = ActorEvent(actor, action, "group:" + g.id);
    e.details = std::move(details);
    AppendAudit(db, e, now);
    value out = policy::EncodeGroup(g);
    writer_next_ = std::move(*policy.value);  // what the writer holds if this commits
    return out;
  });
}

Result<value> Service::CreateGroup(const Principal& actor, const value& body) {
  value doc = body;
  if (doc.is_object() && !doc.has_field("id")) doc["id"] = Str(crypto::NewId("g-"));
  auto parsed = policy::ParseGroup(doc, "");
  if (!parsed.ok()) return Invalid(std::move(parsed.errors));
  const policy::Group g = std::move(*parsed.value);
  if (g.locked.any() && actor.role != Role::kMasterAdmin) {
    return Problem{ErrorKind::kForbidden, "only a master admin may lock settings", {}, {}};
  }
  if (!g.parent_id && actor.role != Role::kMasterAdmin) {
    return Problem{
        ErrorKind::kForbidden, "only a master admin may create top-level groups", {}, {}};
  }
  return EditGroup(
      actor, "group.create", [&](policy::Policy& policy, value& details) -> Result<std::size_t> {
        if (g.parent_id &&
            (!IndexOf(policy, *g.parent_id) || !CanSee(actor, policy, *g.parent_id))) {
          return Invalid("/parent_id", "unknown parent group \"" + *g.parent_id + "\"");
        }
        if (IndexOf(policy, g.id)) return Conflict("a group \"" + g.id + "\" exists already");
        policy.groups.push_back(g);
        details["group"] = policy::EncodeGroup(g);
        return policy.groups.size() - 1;
      });
}

Result<value> Service::PatchGroup(const Principal& actor, const std::string& id,
                                  const value& body) {
  if (!body.is_object()) return Invalid("", "must be a JSON merge patch object");
  if (body.has_field("id") && !(body.at("id").is_string() && body.at("id").as_string() == id)) {
    return Invalid("/id", "a group's id cannot change");
  }
  return EditGroup(
      actor, "group.update", [&](policy::Policy& policy, value& details) -> Result<std::size_t> {
        auto index = IndexOf(policy, id);
        if (!index || !CanSee(actor, policy, id)) return NotFound("no such group");
        const policy::Group before = policy.groups[*index];
        auto parsed = policy::ParseGroup(MergePatch(policy::EncodeGroup(before), body), "");
        if (!parsed.ok()) return Invalid(std::move(parsed.errors));
        policy::Group after = std::move(*parsed.value);
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
        details["patch"] = body;
        return *index;
      });
}

Result<value> Service::RemoveGroup(const Principal& actor, const std::string& id) {
  return PolicyWrite([&](SQLite::Database& db) -> Result<value> {
    auto policy = WriterPolicy(db);
    if (!policy.ok()) return DamagedPolicy();
    if (!IndexOf(*policy.value, id) || !CanSee(actor, *policy.value, id)) {
      return NotFound("no such group");
    }
    if (actor.role != Role::kMasterAdmin &&
        std::find(actor.scopes.begin(), actor.scopes.end(), id) != actor.scopes.end()) {
      return Problem{
          ErrorKind::kForbidden, "an admin cannot delete the root of its own scope", {}, {}};
    }
    SQLite::Statement q(db,
                        "SELECT (SELECT COUNT(*) FROM groups WHERE parent_id = ?1) + "
                        "(SELECT COUNT(*) FROM principals WHERE group_id = ?1) + "
                        "(SELECT COUNT(*) FROM admin_scopes WHERE group_id = ?1)");
    q.bind(1, id);
    q.executeStep();
    if (q.getColumn(0).getInt() > 0) {
      return Conflict(
          "the group is not empty: it has subgroups, technicians or admins scoped to it");
    }
    DeleteGroup(db, id);
    AppendAudit(db, ActorEvent(actor, "group.delete", "group:" + id), clock_());
    return value::null();
  });
}

Result<value> Service::Effective(const Principal& actor, const std::string& id) {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  auto i = IndexOf(snapshot->policy, id);
  if (!i || !CanSee(actor, snapshot->policy, id)) return NotFound("no such group");
  const auto effective = policy::ResolveEffective(snapshot->policy);
  value out = policy::EncodeEffective(snapshot->policy, effective[*i]);
  out["group_id"] = Str(id);
  return out;
}

// ---------------------------------------------------------------- settings

Result<value> Service::GetSettings() {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  return policy::EncodeSettings(snapshot->policy.settings);
}

Result<value> Service::PutSettings(const Principal& actor, const value& body) {
  auto parsed = policy::ParseSettings(body, "");
  if (!parsed.ok()) return Invalid(std::move(parsed.errors));
  return PolicyWrite([&](SQLite::Database& db) -> Result<value> {
    auto policy = WriterPolicy(db);
    if (!policy.ok()) return DamagedPolicy();
    policy.value->settings = *parsed.value;
    const auto errors = policy::ValidatePolicy(*policy.value, zones_);
    if (!errors.empty()) {
      std::string detail;
      for (const auto& e : errors)
        detail += (detail.empty() ? "" : "; ") + e.pointer + ": " + e.message;
      return Conflict("the settings conflict with the groups: " + detail);
    }
    const policy::Instant now = clock_();
    SaveSettings(db, *parsed.value, policy::FormatRfc3339(now));
    AuditEvent e = ActorEvent(actor, "settings.update", "settings");
    e.details["settings"] = policy::EncodeSettings(*parsed.value);
    AppendAudit(db, e, now);
    return policy::EncodeSettings(*parsed.value);
  });
}

// ------------------------------------------------------------------ policy

Result<value> Service::PolicyDocument() {
  auto snapshot = Snapshot();
  if (!snapshot) return DamagedPolicy();
  return policy::EncodePolicy(snapshot->policy);
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

Result<value> Service::PolicyWrite(const std::function<Result<value>(SQLite::Database&)>& f) {
  Result<value> r = db_.Write([&](SQLite::Database& db) -> Result<value> {
    writer_next_.reset();
    Result<value> inner = f(db);
    if (inner.ok()) {
      const std::string tag = crypto::NewId("pt_");
      SQLite::Statement u(db, "UPDATE policy_state SET tag = ? WHERE id = 1");
      u.bind(1, tag);
      u.exec();
      if (writer_next_) {
        writer_policy_ = WriterPolicyCache{tag, std::move(*writer_next_)};
      } else {
        writer_policy_.reset();
      }
    }
    writer_next_.reset();
    return inner;
  });
  if (r.ok()) InvalidatePolicy();
  return r;
}

policy::Parsed<policy::Policy> Service::WriterPolicy(SQLite::Database& db) {
  const std::string tag = db.execAndGet("SELECT tag FROM policy_state WHERE id = 1").getString();
  if (writer_policy_ && writer_policy_->tag == tag) return {writer_policy_->policy, {}};
  auto loaded = LoadPolicy(db, zones_);
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
  e.details["source"] = Str(source);
  db_.Write([&](SQLite::Database& db) {
    if (flushed) AppendAudit(db, FoldedEvent(*flushed), now);
    AppendAudit(db, e, now);
    return true;
  });
}

void Service::FlushRefusals() {
  const std::vector<RefusalLimiter::Folded> folded = refusals_.Drain();
  if (folded.empty()) return;
  db_.Write([&](SQLite::Database& db) {
    for (const auto& f : folded) AppendAudit(db, FoldedEvent(f), clock_());
    return true;
  });
}

}  // namespace custodian::admincenter
