// Principals and their tokens: logins, passwords, the people of the
// admin center (DESIGN.md §5), on PrincipalRepository.
#include <algorithm>

#include "admincenter/principal_repository.h"
#include "admincenter/service.h"
#include "common/crypto.h"
#include "services/service_parts.h"

namespace custodian::admincenter {

using internal::CanSee;
using internal::DamagedPolicy;
using internal::FoldedEvent;
using internal::IndexOf;

namespace {

// The principal in its audit event: who it is, never a password.
void Describe(AuditEvent& e, const Principal& p) {
  e.Detail("id", p.id);
  e.Detail("name", p.name);
  e.Detail("role", RoleName(p.role));
  if (p.role == Role::kAdmin) e.Detail("scopes", p.scopes);
  if (p.group_id) e.Detail("group_id", *p.group_id);
  if (p.time_zone) e.Detail("time_zone", *p.time_zone);
  e.Flag("disabled", p.disabled);
}

}  // namespace

// ------------------------------------------------------------------ tokens

Result<LoginResult> Service::Login(const LoginInput& input, const std::string& source) {
  const std::string* name = &input.name;
  if (const auto wait = throttle_.Wait(*name, source, clock_())) {
    // Answered without Argon2; recorded once per source and interval.
    RefusalLimiter::Verdict v = refusals_.Admit(source, "throttled", clock_());
    if (v.record) {
      storage_.Write([&](Repositories& tx) {
        if (v.flushed) AppendAudit(tx.audit(), FoldedEvent(*v.flushed), clock_());
        AuditEvent e;
        e.actor_kind = "anonymous";
        e.actor_id = *name;
        e.action = "auth.login_throttled";
        e.target = "source:" + source;
        e.outcome = "denied";
        e.Number("retry_after_seconds", wait->count());
        AppendAudit(tx.audit(), e, clock_());
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
      storage_.Read([&](Repositories& tx) { return tx.principals().FindByName(*name, &hash); });
  // Unknown names cost an Argon2 verification too, so timing tells nothing.
  static const std::string kDummy = HashPassword("custodian-timing-equaliser");
  const bool good = VerifyPassword(hash.empty() ? kDummy : hash, input.password) && principal &&
                    !hash.empty() && !principal->disabled;
  auto recorded = storage_.Write([&](Repositories& tx) -> std::optional<LoginResult> {
    const policy::Instant now = clock_();
    if (!good) {
      AuditEvent e;
      e.actor_kind = "anonymous";
      e.actor_id = *name;  // the name tried; never the password
      e.action = "auth.login";
      e.target = principal ? "principal:" + principal->id : "principal:unknown";
      e.outcome = "failure";
      AppendAudit(tx.audit(), e, now);
      return std::nullopt;  // commit the record of the failure
    }
    const IssuedToken t = tx.principals().IssueToken(principal->id, now, kLoginTokenLifetime);
    AuditEvent e = ActorEvent(*principal, "auth.login", "principal:" + principal->id);
    e.Detail("token_id", t.id);
    AppendAudit(tx.audit(), e, now);
    return LoginResult{t, *principal};
  });
  if (!good) {
    throttle_.Failed(*name, source, clock_());
    return Problem{ErrorKind::kUnauthenticated, "wrong name or password", {}, {}};
  }
  throttle_.Succeeded(*name);
  return std::move(*recorded);
}

Result<Done> Service::SetOwnPassword(const Principal& actor, const PasswordChange& input) {
  std::string stored;
  storage_.Read([&](Repositories& tx) { return tx.principals().FindByName(actor.name, &stored); });
  // A principal that has a password proves it again; one that never had one
  // (a master admin on its init token) sets the first.
  const auto& current = input.current_password;
  if (!stored.empty() && !(current && VerifyPassword(stored, *current))) {
    return Problem{ErrorKind::kForbidden, "the current password is wrong or missing", {}, {}};
  }
  const std::string hash = HashPassword(input.password);
  return storage_.Write([&](Repositories& tx) -> Result<Done> {
    tx.principals().SetPassword(actor.id, hash, clock_());
    AuditEvent e = ActorEvent(actor, "password.change", "principal:" + actor.id);
    e.Flag("first_password", stored.empty());
    AppendAudit(tx.audit(), e, clock_());
    return Done{};
  });
}

Result<Done> Service::RevokeToken(const Principal& actor, const std::string& token_id) {
  auto result = storage_.Write([&](Repositories& tx) -> Result<Done> {
    PrincipalRepository& principals = tx.principals();
    const auto owner = principals.TokenOwner(token_id);
    if (!owner || (*owner != actor.id && actor.role != Role::kMasterAdmin)) {
      return NotFound("no such token");
    }
    principals.RevokeToken(token_id);
    AppendAudit(tx.audit(), ActorEvent(actor, "token.revoke", "token:" + token_id), clock_());
    return Done{};
  });
  if (result.ok()) InvalidateAuthentication();
  return result;
}

// ------------------------------------------------------------- principals

Result<Principal> Service::CreatePrincipal(const Principal& actor, Role kind,
                                           const PrincipalInput& input) {
  const auto& group_id = input.group_id;
  const auto& time_zone = input.time_zone;
  const auto& scopes = input.scopes;
  const std::string password_hash = HashPassword(input.password);  // outside the write lock
  return PolicyWrite([&](Repositories& tx) -> Result<Principal> {
    auto policy = WriterPolicy(tx);
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
    PrincipalRepository& principals = tx.principals();
    if (principals.FindByName(input.name, nullptr)) {
      return Conflict("the name \"" + input.name + "\" is taken");
    }
    const policy::Instant now = clock_();
    Principal p;
    p.id = crypto::NewId(kind == Role::kTechnician ? "t-" : "p-");
    p.name = input.name;
    p.role = kind;
    p.scopes = scopes;
    p.group_id = group_id;
    p.time_zone = time_zone;
    principals.Insert(p, password_hash, now);
    AuditEvent e = ActorEvent(actor, std::string(RoleName(kind)) + ".create", "principal:" + p.id);
    Describe(e, p);
    AppendAudit(tx.audit(), e, now);
    return p;
  });
}

Result<std::vector<Principal>> Service::ListPrincipals(const Principal& actor, Role kind) {
  auto snapshot = Snapshot();  // the cached tree, for the scope check
  if (!snapshot) return DamagedPolicy();
  return storage_.Read([&](Repositories& tx) -> Result<std::vector<Principal>> {
    // Master admins are admins too: they are listed (and edited) with them.
    std::vector<Principal> out = tx.principals().List(kind);
    std::erase_if(out, [&](const Principal& p) {
      return p.group_id && !CanSee(actor, snapshot->policy, *p.group_id);
    });
    return out;
  });
}

Result<Principal> Service::UpdatePrincipal(const Principal& actor, Role kind, const std::string& id,
                                           const PrincipalPatch& patch) {
  const std::optional<bool>& disabled = patch.disabled;
  std::optional<std::string> password_hash;
  if (patch.password) password_hash = HashPassword(*patch.password);  // outside the write lock
  auto result = PolicyWrite([&](Repositories& tx) -> Result<Principal> {
    PrincipalRepository& principals = tx.principals();
    auto p = principals.Find(id);
    auto policy = WriterPolicy(tx);
    const bool same_kind =
        p && (p->role == kind || (kind == Role::kAdmin && p->role == Role::kMasterAdmin));
    if (!same_kind || (p->group_id && policy.ok() && !CanSee(actor, *policy.value, *p->group_id))) {
      return NotFound();
    }
    if (p->role == Role::kMasterAdmin && p->id == actor.id && disabled.value_or(false)) {
      return Conflict("a master admin cannot disable itself");
    }
    if (disabled) {
      // Revokes its tokens at once; Authenticate also refuses disabled principals.
      principals.SetDisabled(id, *disabled, clock_());
      p->disabled = *disabled;
    }
    if (password_hash) principals.SetPassword(id, *password_hash, clock_());
    AuditEvent e = ActorEvent(actor, std::string(RoleName(p->role)) + ".update", "principal:" + id);
    if (disabled) e.Flag("disabled", *disabled);
    if (password_hash) e.Flag("password_changed", true);
    AppendAudit(tx.audit(), e, clock_());
    return *p;
  });
  // Disabling must cut the principal's tokens off at once.
  if (result.ok()) InvalidateAuthentication();
  return result;
}

}  // namespace custodian::admincenter
