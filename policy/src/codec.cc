#include "policy/codec.h"

#include <algorithm>
#include <boost/date_time/gregorian/gregorian.hpp>
#include <cstdio>
#include <unordered_map>

#include "common/text.h"
#include "json_reader.h"
#include "policy/identifiers.h"
#include "policy/schedule.h"

namespace custodian::policy {
namespace {

using internal::Errors;
using internal::ForEachElement;
using internal::JoinPointer;
using internal::ObjectReader;
using web::json::value;

constexpr std::string_view kPermissionNames =
    "remote_control, desktop_viewing, file_transfer, reboot, unattended_access, "
    "request_windows_credentials";
constexpr std::string_view kAuthModeNames = "at_connection, at_setup";
constexpr std::string_view kSessionTypeNames =
    "applet, mobile_applet, instant_chat, calling_card, unattended";

// ---------------------------------------------------------------- helpers

std::optional<std::string> Id(ObjectReader& r, std::string_view key) {
  std::optional<std::string> id = r.String(key, true);
  if (id) {
    if (std::string why = IdProblem(*id); !why.empty()) {
      r.Error(key, why);
      return std::nullopt;
    }
  }
  return id;
}

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

std::optional<int16_t> ParseDailyTime(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return static_cast<int16_t>(h * 60 + m);
}

std::optional<boost::gregorian::date> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const int m = std::stoi(std::string(s.substr(5, 2)));
  const int d = std::stoi(std::string(s.substr(8, 2)));
  try {
    return boost::gregorian::date(y, m, d);  // throws on an impossible date
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<DailyWindow> ReadDaily(ObjectReader& r, std::string* time_zone) {
  DailyWindow w;
  bool ok = true;
  for (auto [key, field] : {std::pair{"from", &w.from}, std::pair{"to", &w.to}}) {
    std::optional<std::string> s = r.String(key, true);
    std::optional<int16_t> t = s ? ParseDailyTime(*s) : std::nullopt;
    if (s && !t) r.Error(key, "must be a time of day \"HH:MM\" from 00:00 to 23:59");
    if (t) {
      *field = *t;
    } else {
      ok = false;
    }
  }
  if (time_zone) {
    std::optional<std::string> z = r.String("time_zone", true);
    if (z) {
      *time_zone = *z;
    } else {
      ok = false;
    }
  }
  r.Finish();
  return ok ? std::optional(w) : std::nullopt;
}

std::optional<Instant> ReadInstant(ObjectReader& r, std::string_view key, bool required) {
  std::optional<std::string> s = r.String(key, required);
  if (!s) return std::nullopt;
  std::optional<Instant> t = ParseRfc3339(*s);
  if (!t) r.Error(key, "must be an RFC 3339 instant such as \"2026-03-29T01:30:00Z\"");
  return t;
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

// ---------------------------------------------------------------- request

std::optional<SessionInfo> ReadSession(const value& v, const std::string& pointer, Errors& errors) {
  ObjectReader r(v, pointer, errors);
  SessionInfo s;
  auto type = r.Enum("type", true, ParseSessionType, kSessionTypeNames);
  auto mode = r.String("mode", false);
  if (mode && *mode != "chat_only" && *mode != "full") {
    r.Error("mode", "must be \"chat_only\" or \"full\"");
  } else if (mode && type && *type != SessionType::kInstantChat) {
    r.Error("mode", "applies only to instant_chat sessions");
  }
  auto active = r.Bool("active", true);
  auto screen = r.Bool("screen_viewing", false);
  r.Finish();
  if (!type || !active) return std::nullopt;
  s.type = *type;
  s.chat_only = mode && *mode == "chat_only";
  s.active = *active;
  s.screen_viewing = screen.value_or(false);
  return s;
}

std::optional<EndpointInfo> ReadEndpoint(const value& v, const std::string& pointer,
                                         Errors& errors) {
  ObjectReader r(v, pointer, errors);
  auto os = r.Enum("os", true, ParseOs, "windows, linux, macos");
  auto zone = r.String("time_zone", false);
  r.Finish();
  if (!os) return std::nullopt;
  return EndpointInfo{*os, zone};
}

std::optional<Schedule> ReadSchedule(const value& v, const std::string& pointer, Errors& errors) {
  ObjectReader r(v, pointer, errors);
  const std::size_t errors_before = errors.size();
  Schedule s;
  auto kind = r.String("kind", true);
  const bool days = kind == "days", range = kind == "range", unlimited = kind == "unlimited";
  if (kind && !days && !range && !unlimited) {
    r.Error("kind", "must be \"days\", \"range\" or \"unlimited\"");
  }
  if (days) {
    s.kind = Schedule::Kind::kDays;
    // Zero or negative counts are decided as `invalid_schedule` (R4).
    s.days = r.Int("days", true, -kMaxMaxDays, 100 * kMaxMaxDays).value_or(0);
  } else {
    r.Forbid("days", "only a \"days\" schedule has a day count");
  }
  if (range) {
    s.kind = Schedule::Kind::kRange;
    for (auto [key, field] : {std::pair{"start", &s.first_day}, std::pair{"end", &s.last_day}}) {
      auto text = r.String(key, true);
      auto date = text ? ParseDate(*text) : std::nullopt;
      if (text && !date) r.Error(key, "must be a calendar date \"YYYY-MM-DD\"");
      if (date) *field = *date;
    }
  } else {
    r.Forbid("start", "only a \"range\" schedule has dates");
    r.Forbid("end", "only a \"range\" schedule has dates");
  }
  if (unlimited) s.kind = Schedule::Kind::kUnlimited;
  if (const value* daily = r.GetNullable("daily")) {
    ObjectReader dr(*daily, r.PointerTo("daily"), errors);
    s.daily = ReadDaily(dr, nullptr);
  }
  if (auto ref = r.Enum("time_reference", false, ParseTimeReference, "technician, customer")) {
    s.time_reference = *ref;
  }
  r.Finish();
  if (errors.size() != errors_before) return std::nullopt;
  return s;
}

std::optional<GrantSchedule> ReadGrantSchedule(const value& v, const std::string& pointer,
                                               Errors& errors) {
  ObjectReader sr(v, pointer, errors);
  const std::size_t errors_before = errors.size();
  GrantSchedule s;
  if (auto start = ReadInstant(sr, "start", true)) s.start = *start;
  if (sr.Get("end", true) && sr.GetNullable("end")) s.end = ReadInstant(sr, "end", false);
  if (const value* daily = sr.GetNullable("daily")) {
    ObjectReader dr(*daily, sr.PointerTo("daily"), errors);
    s.daily = ReadDaily(dr, &s.daily_time_zone);
  }
  if (s.end && *s.end <= s.start) sr.Error("end", "must be after start");
  sr.Finish();
  if (errors.size() != errors_before) return std::nullopt;
  return s;
}

std::optional<workflow::State> ParseGrantState(std::string_view name) {
  auto s = workflow::ParseState(name);
  for (workflow::State g : workflow::StatesOf(workflow::Entity::kGrant)) {
    if (s == g) return s;
  }
  return std::nullopt;
}

std::optional<Grant> ReadGrant(const value& v, const std::string& pointer, Errors& errors) {
  ObjectReader r(v, pointer, errors);
  const std::size_t errors_before = errors.size();
  Grant g;
  if (auto mode = r.Enum("credential_mode", true, ParseAuthMode, kAuthModeNames)) {
    g.credential_mode = *mode;
  }
  g.technician_id = Id(r, "technician_id").value_or("");
  if (const value* es = r.Object("effective_schedule", true)) {
    if (auto s = ReadGrantSchedule(*es, r.PointerTo("effective_schedule"), errors)) {
      g.schedule = std::move(*s);
    }
  }
  // "state" (active, revoked, expired); "revoked" is its older boolean form.
  const auto state = r.Enum("state", false, ParseGrantState, "active, revoked, expired");
  if (state) g.state = *state;
  if (const auto revoked = r.Bool("revoked", false)) {
    if (state && *revoked != (*state == workflow::State::kRevoked)) {
      r.Error("revoked", "contradicts \"state\"");
    } else if (*revoked) {
      g.state = workflow::State::kRevoked;
    }
  }
  r.Finish();
  if (errors.size() != errors_before) return std::nullopt;
  return g;
}

// Which optional parts each action uses and needs.
struct ActionFields {
  bool session, endpoint, credential_mode, schedule, grant, operation, credentials_stored;
};
ActionFields FieldsOf(Action a) {
  switch (a) {
    case Action::kUnattendedRequest:
      return {true, true, true, true, false, false, false};
    case Action::kUnattendedConnect:
      return {false, false, false, false, true, false, false};
    case Action::kCredentialsRequest:
      return {true, true, false, false, false, false, false};
    case Action::kCredentialsApply:
      return {true, true, false, false, false, true, true};
  }
  return {};
}

// ---------------------------------------------------------------- encoding

value Str(std::string_view s) { return value::string(std::string(s)); }

value EncodeAuthModes(AuthModeSet modes) {
  value a = value::array();
  std::size_t n = 0;
  for (std::size_t i = 0; i < kAuthModeCount; ++i) {
    if (modes[i]) a[n++] = Str(AuthModeName(static_cast<AuthMode>(i)));
  }
  return a;
}

}  // namespace

// ---------------------------------------------------------------- policy

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

// ---------------------------------------------------------------- request

Parsed<Request> ParseRequest(std::string_view text) {
  std::error_code ec;
  value json = value::parse(std::string(text), ec);
  if (ec) return {std::nullopt, {{"", "is not valid JSON: " + ec.message()}}};
  return ParseRequest(json);
}

Parsed<Request> ParseRequest(const value& json) {
  Errors errors;
  Request req;
  ObjectReader r(json, "", errors);
  auto action = r.Enum("action", true, ParseAction,
                       "unattended.request, unattended.connect, credentials.request, "
                       "credentials.apply");
  req.technician_id = Id(r, "technician_id").value_or("");
  // Without a valid action nothing else can be judged as needed or not.
  const ActionFields need = action ? FieldsOf(*action) : ActionFields{};
  const std::string why = action ? "not used by " + std::string(ActionName(*action)) : "";
  auto part = [&](std::string_view key, bool needed, auto read) {
    if (!action) {
      r.Get(key, false);
      return;
    }
    if (!needed) {
      r.Forbid(key, why);
      return;
    }
    read(key);
  };
  part("session", need.session, [&](std::string_view k) {
    if (const value* v = r.Object(k, true)) req.session = ReadSession(*v, r.PointerTo(k), errors);
  });
  part("endpoint", need.endpoint, [&](std::string_view k) {
    if (const value* v = r.Object(k, true)) {
      req.endpoint = ReadEndpoint(*v, r.PointerTo(k), errors);
    }
  });
  part("credential_mode", need.credential_mode, [&](std::string_view k) {
    req.credential_mode = r.Enum(k, true, ParseAuthMode, kAuthModeNames);
  });
  part("schedule", need.schedule, [&](std::string_view k) {
    if (const value* v = r.Object(k, true)) {
      req.schedule = ReadSchedule(*v, r.PointerTo(k), errors);
    }
  });
  part("grant", need.grant, [&](std::string_view k) {
    if (const value* v = r.Object(k, true)) req.grant = ReadGrant(*v, r.PointerTo(k), errors);
  });
  part("operation", need.operation, [&](std::string_view k) {
    req.operation = r.Enum(k, true, ParseOperation, "restart, unlock");
  });
  part("credentials_stored", need.credentials_stored,
       [&](std::string_view k) { req.credentials_stored = r.Bool(k, true).value_or(false); });
  r.Finish();
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  req.action = *action;
  return {std::move(req), {}};
}

template <typename T>
Parsed<T> PartOf(std::optional<T> (*read)(const value&, const std::string&, Errors&),
                 const value& json, const std::string& pointer) {
  Errors errors;
  std::optional<T> v = read(json, pointer, errors);
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  if (!v) return {std::nullopt, {{pointer, "is invalid"}}};
  return {std::move(v), {}};
}

Parsed<Schedule> ParseSchedule(const value& json, const std::string& pointer) {
  return PartOf<Schedule>(ReadSchedule, json, pointer);
}

Parsed<SessionInfo> ParseSession(const value& json, const std::string& pointer) {
  return PartOf<SessionInfo>(ReadSession, json, pointer);
}

value EncodeSchedule(const Schedule& s) {
  value o = value::object(true);
  switch (s.kind) {
    case Schedule::Kind::kDays:
      o["kind"] = Str("days");
      o["days"] = value::number(s.days);
      break;
    case Schedule::Kind::kRange:
      o["kind"] = Str("range");
      o["start"] = Str(boost::gregorian::to_iso_extended_string(s.first_day));
      o["end"] = Str(boost::gregorian::to_iso_extended_string(s.last_day));
      break;
    case Schedule::Kind::kUnlimited:
      o["kind"] = Str("unlimited");
      break;
  }
  if (s.daily) {
    value d = value::object(true);
    d["from"] = Str(FormatDailyTime(s.daily->from));
    d["to"] = Str(FormatDailyTime(s.daily->to));
    o["daily"] = d;
  }
  o["time_reference"] = Str(TimeReferenceName(s.time_reference));
  return o;
}

value EncodeSession(const SessionInfo& s) {
  value o = value::object(true);
  o["type"] = Str(SessionTypeName(s.type));
  if (s.type == SessionType::kInstantChat) o["mode"] = Str(s.chat_only ? "chat_only" : "full");
  o["active"] = value::boolean(s.active);
  o["screen_viewing"] = value::boolean(s.screen_viewing);
  return o;
}

// ---------------------------------------------------------------- decisions

std::string FormatDailyTime(int16_t minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60 % 100, minutes % 60);
  return buf;
}

std::string DescribeReason(const Reason& r) {
  const std::string requested_days =
      r.requested == 0 ? "unlimited access" : std::to_string(r.requested) + " days";
  const std::string cap = std::to_string(r.limit) + " days" +
                          (r.rule == 6 ? " for customer credentials" : " for this group");
  switch (r.code) {
    case ReasonCode::kPermissionMissing:
      return "the effective permissions of the technician's group do not grant " +
             std::string(PermissionName(static_cast<Permission>(r.what)));
    case ReasonCode::kSessionTypeBlocked:
      if (r.what == 0) {
        return "unattended access cannot be requested from " +
               std::string(static_cast<SessionType>(r.requested) == SessionType::kMobileApplet
                               ? "a Mobile Applet session"
                               : "an Instant Chat session in chat-only mode");
      }
      return "the admin center blocks unattended requests from " +
             std::string(SessionTypeName(static_cast<SessionType>(r.requested))) + " sessions";
    case ReasonCode::kAuthModeNotAllowed:
      return "the authentication settings do not allow credential mode " +
             std::string(AuthModeName(static_cast<AuthMode>(r.requested)));
    case ReasonCode::kDurationCapped:
      return requested_days + " requested; shortened to the cap of " + cap;
    case ReasonCode::kDurationExceedsCap:
      return requested_days + " requested; the cap is " + cap;
    case ReasonCode::kUnlimitedNotAllowed:
      return "unlimited access is impossible with customer credentials; the most is 14 days";
    case ReasonCode::kInvalidSchedule:
      return std::string(ScheduleIssueText(static_cast<ScheduleIssue>(r.what)));
    case ReasonCode::kUnknownTimeZone:
      switch (r.what) {
        case 1:
          return "the schedule is in the customer's time, but the endpoint reports no time zone";
        case 2:
          return "the grant's daily window names an unknown time zone";
        default:
          return "the endpoint's time zone is not a known IANA zone";
      }
    case ReasonCode::kOutsideTimeWindow:
      return "now is outside the daily window " + FormatDailyTime(r.requested) + "–" +
             FormatDailyTime(r.limit);
    case ReasonCode::kGrantNotActive:
      return r.what == 1 ? "the grant belongs to another technician"
                         : "the grant's schedule has not started yet";
    case ReasonCode::kGrantExpired:
      return "the grant has expired";
    case ReasonCode::kGrantRevoked:
      return "the grant has been revoked";
    case ReasonCode::kPlatformNotSupported:
      return r.what == 0 ? "customer credentials (at_setup) need a Windows endpoint"
                         : "Windows credentials can only be used on Windows endpoints";
    case ReasonCode::kScreenViewingInactive:
      return "screen viewing must be active before credentials can be requested";
    case ReasonCode::kSessionNotActive:
      return "there is no active support session";
    case ReasonCode::kCredentialsNotStored:
      return "no customer credentials are stored for this session (never given, or revoked)";
    case ReasonCode::kTechnicianUnknown:
      return "the technician is not in the policy";
    case ReasonCode::kPolicyExpired:
      return "the policy has expired; access fails closed until a current policy arrives";
  }
  return "unknown reason";
}

namespace {

// Appends `s` as a JSON string literal.
void AppendString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

void AppendEffectiveSchedule(std::string& out, const EffectiveSchedule& s) {
  out += "{\"start\":";
  AppendString(out, FormatRfc3339(s.start));
  out += ",\"end\":";
  if (s.end) {
    AppendString(out, FormatRfc3339(*s.end));
  } else {
    out += "null";
  }
  out += ",\"daily\":";
  if (s.daily && s.zone) {
    out += "{\"from\":";
    AppendString(out, FormatDailyTime(s.daily->from));
    out += ",\"to\":";
    AppendString(out, FormatDailyTime(s.daily->to));
    out += ",\"time_zone\":";
    AppendString(out, s.zone->name());
    out += '}';
  } else {
    out += "null";
  }
  out += '}';
}

}  // namespace

Parsed<GrantSchedule> ParseGrantSchedule(std::string_view json_text) {
  Parsed<GrantSchedule> out;
  Errors errors;
  std::string error;
  const std::optional<value> json = text::ParseJson(std::string(json_text), &error);
  if (!json) errors.push_back({"", "is not valid JSON: " + error});
  if (json) out.value = ReadGrantSchedule(*json, "", errors);
  if (!errors.empty()) out.value.reset();
  out.errors = std::move(errors);
  return out;
}

value EncodeGrantSchedule(const GrantSchedule& s) {
  value o = value::object(true);
  o["start"] = Str(FormatRfc3339(s.start));
  o["end"] = s.end ? Str(FormatRfc3339(*s.end)) : value::null();
  if (s.daily) {
    value d = value::object(true);
    d["from"] = Str(FormatDailyTime(s.daily->from));
    d["to"] = Str(FormatDailyTime(s.daily->to));
    d["time_zone"] = Str(s.daily_time_zone);
    o["daily"] = d;
  } else {
    o["daily"] = value::null();
  }
  return o;
}

value EncodeEffectiveSchedule(const EffectiveSchedule& s) {
  std::string text;
  AppendEffectiveSchedule(text, s);
  return value::parse(text);
}

std::string SerializeDecision(const Decision& d) {
  std::string out;
  out.reserve(256);
  out += "{\"effect\":";
  AppendString(out, EffectName(d.effect));
  out += ",\"reasons\":[";
  for (const Reason& r : d.reasons()) {
    if (out.back() != '[') out += ',';
    out += "{\"code\":";
    AppendString(out, ReasonCodeName(r.code));
    out += ",\"rule\":\"R" + std::to_string(r.rule) + "\",\"message\":";
    AppendString(out, DescribeReason(r));
    out += '}';
  }
  out += "],\"obligations\":{";
  if (d.effect == Effect::kAllow) {
    if (d.customer_prompt != CustomerPrompt::kNone) {
      out += "\"customer_prompt\":";
      AppendString(out, CustomerPromptName(d.customer_prompt));
      out += ',';
    }
    out += "\"admin_credentials_required\":";
    out += d.admin_credentials_required ? "true" : "false";
    if (d.effective_schedule) {
      out += ",\"effective_schedule\":";
      AppendEffectiveSchedule(out, *d.effective_schedule);
    }
  }
  out += "}}";
  return out;
}

value EncodeDecision(const Decision& d) { return value::parse(SerializeDecision(d)); }

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
