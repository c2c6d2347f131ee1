#include "policy/schedule.h"

#include <algorithm>
#include <array>

namespace custodian::policy {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr date::days kOneDay{1};

date::local_days LocalDay(boost::gregorian::date d) {
  static const boost::gregorian::date kEpoch(1970, 1, 1);
  return date::local_days{date::days{(d - kEpoch).days()}};
}

Instant RangeEnd(const boost::gregorian::date& last_day, const TimeZone& zone) {
  return LocalToUtc(zone, LocalDay(last_day) + kOneDay);  // 24:00 of the last day
}

}  // namespace

Instant LocalToUtc(const TimeZone& zone, date::local_seconds local) { return zone.ToUtc(local); }

date::local_seconds UtcToLocal(const TimeZone& zone, Instant t) { return zone.ToLocal(t); }

std::optional<int> ScheduleDays(const Schedule& schedule) {
  switch (schedule.kind) {
    case Schedule::Kind::kDays:
      return schedule.days;
    case Schedule::Kind::kRange:
      return static_cast<int>((schedule.last_day - schedule.first_day).days()) + 1;
    case Schedule::Kind::kUnlimited:
      return std::nullopt;
  }
  return std::nullopt;
}

ScheduleIssue CheckSchedule(const Schedule& schedule, const TimeZone* zone, Instant now) {
  if (schedule.daily && schedule.daily->from == schedule.daily->to) {
    return ScheduleIssue::kDailyWindowEmpty;
  }
  switch (schedule.kind) {
    case Schedule::Kind::kDays:
      if (schedule.days < 1) return ScheduleIssue::kDaysNotPositive;
      break;
    case Schedule::Kind::kRange:
      if (schedule.last_day < schedule.first_day) return ScheduleIssue::kRangeReversed;
      if (zone && RangeEnd(schedule.last_day, *zone) <= now) return ScheduleIssue::kRangeInPast;
      break;
    case Schedule::Kind::kUnlimited:
      break;
  }
  return ScheduleIssue::kNone;
}

std::string_view ScheduleIssueText(ScheduleIssue issue) {
  switch (issue) {
    case ScheduleIssue::kNone:
      return "the schedule is valid";
    case ScheduleIssue::kDaysNotPositive:
      return "the number of days must be at least 1";
    case ScheduleIssue::kRangeReversed:
      return "the date range ends before it starts";
    case ScheduleIssue::kRangeInPast:
      return "the date range lies entirely in the past";
    case ScheduleIssue::kDailyWindowEmpty:
      return "the daily window is empty: from equals to";
  }
  return "the schedule is invalid";
}

EffectiveSchedule ResolveSchedule(const Schedule& schedule, const TimeZone& zone, Instant now,
                                  std::optional<int> cap_days) {
  EffectiveSchedule out;
  auto days_from_now = [&](int n) {
    return LocalToUtc(zone, UtcToLocal(zone, now) + date::days{n});
  };
  switch (schedule.kind) {
    case Schedule::Kind::kDays:
      out.start = now;
      out.end = days_from_now(cap_days ? std::min(*cap_days, schedule.days) : schedule.days);
      break;
    case Schedule::Kind::kRange: {
      out.start = LocalToUtc(zone, LocalDay(schedule.first_day));
      boost::gregorian::date last = schedule.last_day;
      if (cap_days && *ScheduleDays(schedule) > *cap_days) {
        last = schedule.first_day + boost::gregorian::days(*cap_days - 1);
      }
      out.end = RangeEnd(last, zone);
      break;
    }
    case Schedule::Kind::kUnlimited:
      out.start = now;
      if (cap_days) out.end = days_from_now(*cap_days);
      break;
  }
  if (schedule.daily) {
    out.daily = schedule.daily;
    out.zone = &zone;
  }
  return out;
}

bool InDailyWindow(const DailyWindow& window, const TimeZone& zone, Instant t) {
  const date::local_seconds local = UtcToLocal(zone, t);
  const seconds time_of_day = local - std::chrono::floor<date::days>(local);
  const seconds from = minutes{window.from}, to = minutes{window.to};
  if (from < to) return time_of_day >= from && time_of_day < to;
  return time_of_day >= from || time_of_day < to;  // crosses midnight
}

WindowOccurrence CurrentOrNextWindow(const DailyWindow& window, const TimeZone& zone, Instant t) {
  const date::local_days today = std::chrono::floor<date::days>(UtcToLocal(zone, t));
  const minutes length = window.to > window.from ? minutes{window.to - window.from}
                                                 : minutes{24 * 60 - window.from + window.to};
  // The occurrence opening yesterday may still be open (it crosses midnight
  // or today's DST change shifted it); otherwise today's or tomorrow's is it.
  WindowOccurrence w{};
  for (date::local_days day : {today - kOneDay, today, today + kOneDay}) {
    const date::local_seconds open = day + minutes{window.from};
    w = {LocalToUtc(zone, open), LocalToUtc(zone, open + length)};
    if (w.close > t) return w;
  }
  return w;
}

GrantSchedule ToGrantSchedule(const EffectiveSchedule& s) {
  GrantSchedule g{s.start, s.end, s.daily, ""};
  if (s.daily && s.zone) g.daily_time_zone = s.zone->name();
  return g;
}

}  // namespace custodian::policy
