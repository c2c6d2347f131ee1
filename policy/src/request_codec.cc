// Decision requests and their parts: sessions, endpoints, schedules, grants.
#include <algorithm>
#include <boost/date_time/gregorian/gregorian.hpp>
#include <cstdio>
#include <unordered_map>

#include "codec_parts.h"
#include "common/text.h"
#include "json_reader.h"
#include "policy/codec.h"
#include "policy/identifiers.h"
#include "policy/schedule.h"

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

}  // namespace

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

// A part from its JSON text, as stored; a syntax error is reported at "".
template <typename T>
Parsed<T> PartOfText(std::optional<T> (*read)(const value&, const std::string&, Errors&),
                     std::string_view json_text) {
  std::string error;
  const std::optional<value> json = text::ParseJson(std::string(json_text), &error);
  if (!json) return {std::nullopt, {{"", "is not valid JSON: " + error}}};
  return PartOf<T>(read, *json, "");
}

Parsed<Schedule> ParseSchedule(const value& json, const std::string& pointer) {
  return PartOf<Schedule>(ReadSchedule, json, pointer);
}

Parsed<Schedule> ParseSchedule(std::string_view json_text) {
  return PartOfText<Schedule>(ReadSchedule, json_text);
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

Parsed<GrantSchedule> ParseGrantSchedule(const value& json, const std::string& pointer) {
  return PartOf<GrantSchedule>(ReadGrantSchedule, json, pointer);
}

Parsed<GrantSchedule> ParseGrantSchedule(std::string_view json_text) {
  return PartOfText<GrantSchedule>(ReadGrantSchedule, json_text);
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

}  // namespace custodian::policy
