// Principals and their tokens: logins, passwords, the people of the
// admin center (DESIGN.md §5), on PrincipalRepository.
#include <algorithm>

#include "admincenter/principal_repository.h"
#include "admincenter/service.h"
#include "common/crypto.h"
#include "input.h"
#include "service_parts.h"

namespace custodian::admincenter {

using internal::CanSee;
using internal::DamagedPolicy;
using internal::FoldedEvent;
using internal::IndexOf;
using internal::kMaxNameLength;
using internal::kMaxPasswordLength;
using internal::kMinPasswordLength;
using internal::PrincipalJson;
using internal::Str;
using policy::FieldError;

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
      storage_.Write([&](Repositories& tx) {
        if (v.flushed) AppendAudit(tx.audit(), FoldedEvent(*v.flushed), clock_());
        AuditEvent e;
        e.actor_kind = "anonymous";
        e.actor_id = *name;
        e.action = "auth.login_throttled";
        e.target = "source:" + source;
        e.outcome = "denied";
        e.details["retry_after_seconds"] = value::number(static_cast<int64_t>(wait->count()));
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
  const bool good = VerifyPassword(hash.empty() ? kDummy : hash, *password) && principal &&
                    !hash.empty() && !principal->disabled;
  auto recorded = storage_.Write([&](Repositories& tx) -> Result<value> {
    const policy::Instant now = clock_();
    if (!good) {
      AuditEvent e;
      e.actor_kind = "anonymous";
      e.actor_id = *name;  // the name tried; never the password
      e.action = "auth.login";
      e.target = principal ? "principal:" + principal->id : "principal:unknown";
      e.outcome = "failure";
      AppendAudit(tx.audit(), e, now);
      return value::null();  // commit the record of the failure
    }
    const IssuedToken t = tx.principals().IssueToken(principal->id, now, kLoginTokenLifetime);
    AuditEvent e = ActorEvent(*principal, "auth.login", "principal:" + principal->id);
    e.details["token_id"] = Str(t.id);
    AppendAudit(tx.audit(), e, now);
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
  storage_.Read([&](Repositories& tx) { return tx.principals().FindByName(actor.name, &stored); });
  // A principal that has a password proves it again; one that never had one
  // (a master admin on its init token) sets the first.
  if (!stored.empty() && !(current && VerifyPassword(stored, *current))) {
    return Problem{ErrorKind::kForbidden, "the current password is wrong or missing", {}, {}};
  }
  const std::string hash = HashPassword(*password);
  return storage_.Write([&](Repositories& tx) -> Result<value> {
    tx.principals().SetPassword(actor.id, hash, clock_());
    AuditEvent e = ActorEvent(actor, "password.change", "principal:" + actor.id);
    e.details["first_password"] = value::boolean(stored.empty());
    AppendAudit(tx.audit(), e, clock_());
    return value::null();
  });
}

Result<value> Service::RevokeToken(const Principal& actor, const std::string& token_id) {
  auto result = storage_.Write([&](Repositories& tx) -> Result<value> {
    PrincipalRepository& principals = tx.principals();
    const auto owner = principals.TokenOwner(token_id);
    if (!owner || (*owner != actor.id && actor.role != Role::kMasterAdmin)) {
      return NotFound("no such token");
    }
    principals.RevokeToken(token_id);
    AppendAudit(tx.audit(), ActorEvent(actor, "token.revoke", "token:" + token_id), clock_());
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
  return PolicyWrite([&](Repositories& tx) -> Result<value> {
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
    if (principals.FindByName(*name, nullptr)) {
      return Conflict("the name \"" + *name + "\" is taken");
    }
    const policy::Instant now = clock_();
    Principal p;
    p.id = crypto::NewId(kind == Role::kTechnician ? "t-" : "p-");
    p.name = *name;
    p.role = kind;
    p.scopes = scopes;
    p.group_id = group_id;
    p.time_zone = time_zone;
    principals.Insert(p, password_hash, now);
    AuditEvent e = ActorEvent(actor, std::string(RoleName(kind)) + ".create", "principal:" + p.id);
    e.details = PrincipalJson(p);
    AppendAudit(tx.audit(), e, now);
    return PrincipalJson(p);
  });
}

Result<value> Service::ListPrincipals(const Principal& actor, Role kind) {
  auto snapshot = Snapshot();  // the cached tree, for the scope check
  if (!snapshot) return DamagedPolicy();
  return storage_.Read([&](Repositories& tx) -> Result<value> {
    // Master admins are admins too: they are listed (and edited) with them.
    value items = value::array();
    std::size_t n = 0;
    for (const Principal& p : tx.principals().List(kind)) {
      if (p.group_id && !CanSee(actor, snapshot->policy, *p.group_id)) continue;
      items[n++] = PrincipalJson(p);
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
  auto result = PolicyWrite([&](Repositories& tx) -> Result<value> {
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
    if (disabled) e.details["disabled"] = value::boolean(*disabled);
    if (password_hash) e.details["password_changed"] = value::boolean(true);
    AppendAudit(tx.audit(), e, clock_());
    return PrincipalJson(*p);
  });
  // Disabling must cut the principal's tokens off at once.
  if (result.ok()) InvalidateAuthentication();
  return result;
}

}  // namespace custodian::admincenter
