#include "policy/codec.h"

#include <algorithm>
#include <boost/date_time/gregorian/gregorian.hpp>
#include <cstdio>
#include <unordered_map>

#include "codec_parts.h"
#include "common/text.h"
#include "json_reader.h"
#include "policy/identifiers.h"
#include "policy/schedule.h"

// The policy document: settings, groups, technicians, and the whole-policy
// checks.
namespace custodian::policy {
namespace {

using internal::Errors;
using internal::ForEachElement;
using internal::Id;
using internal::JoinPointer;
using internal::kAuthModeNames;
using internal::kSessionTypeNames;
using internal::ObjectReader;
using internal::Str;
using web::json::value;

constexpr std::string_view kPermissionNames =
    "remote_control, desktop_viewing, file_transfer, reboot, unattended_access, "
    "request_windows_credentials";

std::optional<std::string> Name(ObjectReader& r, std::string_view key) {
  std::optional<std::string> name = r.String(key, true);
  if (name) {
    if (std::string why = NameProblem(*name); !why.empty()) {
      r.Error(key, why);
      return std::nullopt;
    }
  }
  return name;
}

// An array of names from a closed set, without repetitions, as a bitset.
template <std::size_t N, typename E>
std::optional<std::bitset<N>> NameSet(ObjectReader& r, std::string_view key,
                                      std::optional<E> (*parse)(std::string_view),
                                      std::string_view allowed) {
  const value* v = r.Array(key, false);
  if (!v) return std::nullopt;
  std::bitset<N> set;
  bool ok = true;
  ForEachElement(*v, r.PointerTo(key), r.errors(), [&](const value& e, const std::string& at) {
    std::optional<E> parsed = e.is_string() ? parse(e.as_string()) : std::nullopt;
    if (!parsed) {
      r.errors().push_back({at, "must be one of " + std::string(allowed)});
      ok = false;
    } else if (set[static_cast<std::size_t>(*parsed)]) {
      r.errors().push_back({at, "is listed twice"});
      ok = false;
    } else {
      set.set(static_cast<std::size_t>(*parsed));
    }
  });
  return ok ? std::optional(set) : std::nullopt;
}

// {"<permission>": bool, …}
std::array<std::optional<bool>, kPermissionCount> Permissions(const value& v,
                                                              const std::string& pointer,
                                                              Errors& errors) {
  std::array<std::optional<bool>, kPermissionCount> out;
  ObjectReader r(v, pointer, errors);
  for (std::size_t i = 0; i < kPermissionCount; ++i) {
    out[i] = r.Bool(PermissionName(static_cast<Permission>(i)), false);
  }
  if (r.is_object()) {
    for (const auto& [k, unused] : v.as_object()) {
      if (!ParsePermission(k)) {
        r.Error(k, "unknown permission; the registry is " + std::string(kPermissionNames));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- policy

GlobalSettings ReadSettings(const value& v, const std::string& pointer, Errors& errors) {
  GlobalSettings s;
  ObjectReader r(v, pointer, errors);
  if (const value* u = r.Object("unattended", false)) {
    ObjectReader ur(*u, r.PointerTo("unattended"), errors);
    if (auto modes = NameSet<kAuthModeCount>(ur, "auth_modes", ParseAuthMode, kAuthModeNames)) {
      s.auth_modes = *modes;
    }
    if (auto blocked = NameSet<kSessionTypeCount>(ur, "blocked_session_types", ParseSessionType,
                                                  kSessionTypeNames)) {
      s.blocked_session_types = *blocked;
    }
    if (auto b = ur.Enum("cap_behavior", false, ParseCapBehavior, "deny, clamp")) {
      s.cap_behavior = *b;
    }
    if (auto ttl =
            ur.Int("request_ttl_minutes", false, kMinRequestTtlMinutes, kMaxRequestTtlMinutes)) {
      s.request_ttl_minutes = *ttl;
    }
    s.max_days = ur.Int("max_days", false, kMinMaxDays, kMaxMaxDays);
    ur.Finish();
  }
  if (const value* p = r.Object("permissions", false)) {
    auto perms = Permissions(*p, r.PointerTo("permissions"), errors);
    for (std::size_t i = 0; i < kPermissionCount; ++i) s.permissions[i] = perms[i].value_or(false);
  }
  if (const value* d = r.Object("distribution", false)) {
    ObjectReader dr(*d, r.PointerTo("distribution"), errors);
    if (auto ttl = dr.Int("bundle_ttl_hours", false, kMinBundleTtlHours, kMaxBundleTtlHours)) {
      s.bundle_ttl_hours = *ttl;
    }
    dr.Finish();
  }
  r.Finish();
  return s;
}

Group ReadGroup(const value& v, const std::string& pointer, Errors& errors) {
  Group g;
  ObjectReader r(v, pointer, errors);
  g.id = Id(r, "id").value_or("");
  g.name = Name(r, "name").value_or("");
  if (const value* parent = r.GetNullable("parent_id")) {
    if (parent->is_string() && !parent->as_string().empty()) {
      g.parent_id = parent->as_string();
    } else {
      r.Error("parent_id", "must be a group id or null");
    }
  }
  if (const value* p = r.Object("permissions", false)) {
    g.permissions = Permissions(*p, r.PointerTo("permissions"), errors);
  }
  if (const value* u = r.Object("unattended", false)) {
    ObjectReader ur(*u, r.PointerTo("unattended"), errors);
    g.auth_modes = NameSet<kAuthModeCount>(ur, "auth_modes", ParseAuthMode, kAuthModeNames);
    g.max_days = ur.Int("max_days", false, kMinMaxDays, kMaxMaxDays);
    ur.Finish();
  }
  if (const value* locked = r.Array("locked", false)) {
    ForEachElement(*locked, r.PointerTo("locked"), errors,
                   [&](const value& e, const std::string& at) {
                     auto key = e.is_string() ? ParseSettingName(e.as_string()) : std::nullopt;
                     if (!key) {
                       errors.push_back({at,
                                         "must name a setting: permissions.<name>, "
                                         "unattended.auth_modes or unattended.max_days"});
                     } else if (g.locked[static_cast<std::size_t>(*key)]) {
                       errors.push_back({at, "is listed twice"});
                     } else {
                       g.locked.set(static_cast<std::size_t>(*key));
                     }
                   });
  }
  r.Finish();
  return g;
}

Technician ReadTechnician(const value& v, const std::string& pointer, Errors& errors) {
  Technician t;
  ObjectReader r(v, pointer, errors);
  t.id = Id(r, "id").value_or("");
  t.group_id = Id(r, "group_id").value_or("");
  t.time_zone = r.String("time_zone", true).value_or("");
  r.Finish();
  return t;
}

// Where a group setting sits in the document, for error pointers.
std::string SettingPointer(std::size_t group, SettingKey key) {
  const std::string g = JoinPointer("/groups", group);
  switch (key) {
    case SettingKey::kAuthModes:
      return g + "/unattended/auth_modes";
    case SettingKey::kMaxDays:
      return g + "/unattended/max_days";
    default:
      return g + "/permissions/" + std::string(PermissionName(static_cast<Permission>(key)));
  }
}

SettingSet SetSettings(const Group& g) {
  SettingSet set;
  for (std::size_t p = 0; p < kPermissionCount; ++p) set[p] = g.permissions[p].has_value();
  set[static_cast<std::size_t>(SettingKey::kAuthModes)] = g.auth_modes.has_value();
  set[static_cast<std::size_t>(SettingKey::kMaxDays)] = g.max_days.has_value();
  return set;
}

std::string AuthModeList(AuthModeSet modes) {
  std::string out = "[";
  for (std::size_t i = 0; i < kAuthModeCount; ++i) {
    if (!modes[i]) continue;
    if (out.size() > 1) out += ", ";
    out += AuthModeName(static_cast<AuthMode>(i));
  }
  return out + "]";
}

value EncodeAuthModes(AuthModeSet modes) {
  value a = value::array();
  std::size_t n = 0;
  for (std::size_t i = 0; i < kAuthModeCount; ++i) {
    if (modes[i]) a[n++] = Str(AuthModeName(static_cast<AuthMode>(i)));
  }
  return a;
}

}  // namespace

Parsed<Policy> ParsePolicy(std::string_view text, const TimeZones& zones) {
  std::error_code ec;
  value json = value::parse(std::string(text), ec);
  if (ec) return {std::nullopt, {{"", "is not valid JSON: " + ec.message()}}};
  return ParsePolicy(json, zones);
}

Parsed<Policy> ParsePolicy(const value& json, const TimeZones& zones) {
  Errors errors;
  Policy p;
  ObjectReader r(json, "", errors);
  if (const value* s = r.Object("settings", false)) {
    p.settings = ReadSettings(*s, "/settings", errors);
  }
  if (const value* groups = r.Array("groups", false)) {
    ForEachElement(*groups, "/groups", errors, [&](const value& g, const std::string& at) {
      p.groups.push_back(ReadGroup(g, at, errors));
    });
  }
  if (const value* techs = r.Array("technicians", false)) {
    ForEachElement(*techs, "/technicians", errors, [&](const value& t, const std::string& at) {
      p.technicians.push_back(ReadTechnician(t, at, errors));
    });
  }
  r.Finish();
  // The whole-policy checks run even after structural errors, so that one
  // pass reports everything; values that failed to read are left empty and
  // skipped there.
  for (FieldError& e : ValidatePolicy(p, zones)) errors.push_back(std::move(e));
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  return {std::move(p), {}};
}

std::vector<FieldError> ValidatePolicy(const Policy& p, const TimeZones& zones) {
  Errors errors;
  std::unordered_map<std::string_view, std::size_t> groups;
  for (std::size_t i = 0; i < p.groups.size(); ++i) {
    if (p.groups[i].id.empty()) continue;  // reported by the codec
    auto [it, inserted] = groups.emplace(p.groups[i].id, i);
    if (!inserted) {
      errors.push_back({JoinPointer("/groups", i) + "/id",
                        "duplicate group id \"" + p.groups[i].id + "\" (first at /groups/" +
                            std::to_string(it->second) + ")"});
    }
  }
  // Parents: known, and no chain that loops back.
  std::vector<int32_t> parent(p.groups.size(), kFromGlobal);
  for (std::size_t i = 0; i < p.groups.size(); ++i) {
    const Group& g = p.groups[i];
    if (!g.parent_id) continue;
    auto it = groups.find(*g.parent_id);
    if (it == groups.end()) {
      errors.push_back({JoinPointer("/groups", i) + "/parent_id",
                        "unknown parent group \"" + *g.parent_id + "\""});
    } else {
      parent[i] = static_cast<int32_t>(it->second);
    }
  }
  std::vector<bool> in_cycle(p.groups.size(), false);
  for (std::size_t i = 0; i < p.groups.size(); ++i) {
    // Walking up more steps than there are groups means a loop.
    int32_t at = parent[i];
    for (std::size_t steps = 0; at != kFromGlobal && steps <= p.groups.size(); ++steps) {
      if (static_cast<std::size_t>(at) == i) {
        in_cycle[i] = true;
        break;
      }
      at = parent[at];
    }
    if (in_cycle[i]) {
      errors.push_back({JoinPointer("/groups", i) + "/parent_id",
                        "the parent chain of \"" + p.groups[i].id + "\" loops back to it"});
    }
  }
  // Locks and narrowing, against the parent's effective settings.
  const std::vector<EffectiveSettings> effective = ResolveEffective(p);
  for (std::size_t i = 0; i < p.groups.size(); ++i) {
    const Group& g = p.groups[i];
    if (parent[i] == kFromGlobal || in_cycle[i]) {
      if (g.auth_modes && (*g.auth_modes & ~p.settings.auth_modes).any()) {
        errors.push_back({SettingPointer(i, SettingKey::kAuthModes),
                          "widens the global modes " + AuthModeList(p.settings.auth_modes) +
                              "; a group may only narrow them"});
      }
      continue;
    }
    const EffectiveSettings& up = effective[parent[i]];
    const SettingSet set = SetSettings(g);
    for (std::size_t k = 0; k < kSettingCount; ++k) {
      if (set[k] && up.locked_by[k] != kNotLocked) {
        errors.push_back({SettingPointer(i, static_cast<SettingKey>(k)),
                          "setting_locked: " + SettingName(static_cast<SettingKey>(k)) +
                              " is locked by group \"" + p.groups[up.locked_by[k]].id +
                              "\"; only a master admin may change it there"});
      }
    }
    // (A locked `auth_modes` is reported above; widening it says nothing more.)
    if (g.auth_modes &&
        up.locked_by[static_cast<std::size_t>(SettingKey::kAuthModes)] == kNotLocked &&
        (*g.auth_modes & ~up.auth_modes).any()) {
      errors.push_back({SettingPointer(i, SettingKey::kAuthModes),
                        "widens the inherited modes " + AuthModeList(up.auth_modes) +
                            "; a group may only narrow them"});
    }
  }
  std::unordered_map<std::string_view, std::size_t> technicians;
  for (std::size_t i = 0; i < p.technicians.size(); ++i) {
    const Technician& t = p.technicians[i];
    const std::string at = JoinPointer("/technicians", i);
    // Empty values failed to read and are reported by the codec.
    auto [it, inserted] = technicians.emplace(t.id, i);
    if (!inserted && !t.id.empty()) {
      errors.push_back({at + "/id", "duplicate technician id \"" + t.id + "\" (first at " +
                                        JoinPointer("/technicians", it->second) + ")"});
    }
    if (!t.group_id.empty() && !groups.contains(t.group_id)) {
      errors.push_back({at + "/group_id", "unknown group \"" + t.group_id + "\""});
    }
    if (!t.time_zone.empty() && !zones.Find(t.time_zone)) {
      errors.push_back({at + "/time_zone", "unknown time zone \"" + t.time_zone +
                                               "\"; expected an IANA name such as Europe/Berlin"});
    }
  }
  return errors;
}

value EncodeSettings(const GlobalSettings& settings) {
  value out = value::object(true);
  value unattended = value::object(true);
  unattended["auth_modes"] = EncodeAuthModes(settings.auth_modes);
  value blocked = value::array();
  std::size_t n = 0;
  for (std::size_t i = 0; i < kSessionTypeCount; ++i) {
    if (settings.blocked_session_types[i]) {
      blocked[n++] = Str(SessionTypeName(static_cast<SessionType>(i)));
    }
  }
  unattended["blocked_session_types"] = blocked;
  unattended["cap_behavior"] = Str(CapBehaviorName(settings.cap_behavior));
  unattended["request_ttl_minutes"] = value::number(settings.request_ttl_minutes);
  if (settings.max_days) unattended["max_days"] = value::number(*settings.max_days);
  out["unattended"] = unattended;
  value perms = value::object(true);
  for (std::size_t i = 0; i < kPermissionCount; ++i) {
    perms[std::string(PermissionName(static_cast<Permission>(i)))] =
        value::boolean(settings.permissions[i]);
  }
  out["permissions"] = perms;
  value distribution = value::object(true);
  distribution["bundle_ttl_hours"] = value::number(settings.bundle_ttl_hours);
  out["distribution"] = distribution;
  return out;
}

value EncodeGroup(const Group& g) {
  value o = value::object(true);
  o["id"] = Str(g.id);
  o["name"] = Str(g.name);
  o["parent_id"] = g.parent_id ? Str(*g.parent_id) : value::null();
  value gp = value::object(true);
  for (std::size_t i = 0; i < kPermissionCount; ++i) {
    if (g.permissions[i]) {
      gp[std::string(PermissionName(static_cast<Permission>(i)))] =
          value::boolean(*g.permissions[i]);
    }
  }
  if (gp.size() > 0) o["permissions"] = gp;
  value gu = value::object(true);
  if (g.auth_modes) gu["auth_modes"] = EncodeAuthModes(*g.auth_modes);
  if (g.max_days) gu["max_days"] = value::number(*g.max_days);
  if (gu.size() > 0) o["unattended"] = gu;
  if (g.locked.any()) {
    value locked = value::array();
    std::size_t m = 0;
    for (std::size_t k = 0; k < kSettingCount; ++k) {
      if (g.locked[k]) locked[m++] = Str(SettingName(static_cast<SettingKey>(k)));
    }
    o["locked"] = locked;
  }
  return o;
}

value EncodePolicy(const Policy& p) {
  value doc = value::object(true);
  doc["settings"] = EncodeSettings(p.settings);
  value groups = value::array();
  for (std::size_t i = 0; i < p.groups.size(); ++i) groups[i] = EncodeGroup(p.groups[i]);
  doc["groups"] = groups;
  value techs = value::array();
  for (std::size_t i = 0; i < p.technicians.size(); ++i) {
    value t = value::object(true);
    t["id"] = Str(p.technicians[i].id);
    t["group_id"] = Str(p.technicians[i].group_id);
    t["time_zone"] = Str(p.technicians[i].time_zone);
    techs[i] = t;
  }
  doc["technicians"] = techs;
  return doc;
}

Parsed<Group> ParseGroup(const value& json, const std::string& pointer) {
  Errors errors;
  Group g = ReadGroup(json, pointer, errors);
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  return {std::move(g), {}};
}

Parsed<GlobalSettings> ParseSettings(const value& json, const std::string& pointer) {
  Errors errors;
  GlobalSettings s = ReadSettings(json, pointer, errors);
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  return {std::move(s), {}};
}

value EncodeEffective(const Policy& p, const EffectiveSettings& e) {
  auto entry = [&](value v, SettingKey key) {
    const auto k = static_cast<std::size_t>(key);
    value o = value::object(true);
    o["value"] = std::move(v);
    o["source"] = e.source[k] == kFromGlobal ? Str("global") : Str(p.groups[e.source[k]].id);
    o["locked_by"] =
        e.locked_by[k] == kNotLocked ? value::null() : Str(p.groups[e.locked_by[k]].id);
    return o;
  };
  value perms = value::object(true);
  for (std::size_t i = 0; i < kPermissionCount; ++i) {
    const auto perm = static_cast<Permission>(i);
    perms[std::string(PermissionName(perm))] =
        entry(value::boolean(e.permissions[i]), PermissionSetting(perm));
  }
  value unattended = value::object(true);
  unattended["auth_modes"] = entry(EncodeAuthModes(e.auth_modes), SettingKey::kAuthModes);
  unattended["max_days"] =
      entry(e.max_days ? value::number(*e.max_days) : value::null(), SettingKey::kMaxDays);
  value o = value::object(true);
  o["permissions"] = perms;
  o["unattended"] = unattended;
  return o;
}

}  // namespace custodian::policy
