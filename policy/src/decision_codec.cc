// Decisions and their reasons, written directly as JSON text (the what-if
// route's hot path) and as values.
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

using internal::Str;
using web::json::value;

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

// "09:00 on 2026-12-02 Europe/Berlin": `t` as the zone's wall clock.
std::string LocalTimeIn(const TimeZone& zone, Instant t) {
  const date::local_seconds local = UtcToLocal(zone, t);
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(local - day).count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s on %04d-%02u-%02u ",
                FormatDailyTime(static_cast<int16_t>(minutes)).c_str(),
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf + zone.name();
}

}  // namespace

std::string DescribeReason(const Reason& r, const Decision& d) {
  std::string text = DescribeReason(r);
  const TimeZone* zone = d.window_zone;
  if (r.code == ReasonCode::kOutsideTimeWindow && zone && d.window_opens) {
    text += " (" + zone->name() + "); it next opens at " + LocalTimeIn(*zone, *d.window_opens);
    if (d.technician_zone && d.technician_zone != zone) {
      text += ", " + LocalTimeIn(*d.technician_zone, *d.window_opens) + " for the technician";
    }
  }
  return text;
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
    AppendString(out, DescribeReason(r, d));
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

}  // namespace custodian::policy
