// Schedules and time zones (R4, R5): turning a requested schedule into UTC
// instants in its reference zone, and daily time-of-day windows.
//
// A local time that does not exist (it falls in a DST gap) stands for the
// first instant after the gap, where local time has passed it; a local time
// that exists twice (a DST overlap) stands for the earlier instant.
// A daily window is open at an instant exactly when the local time of day
// there, in the window's zone, lies in [from, to) — or, crossing midnight,
// in [from, 24:00) or [00:00, to).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "policy/request.h"
#include "policy/time.h"

namespace custodian::policy {

// UTC instant of a local time in `zone`, by the rules above.
Instant LocalToUtc(const TimeZone& zone, date::local_seconds local);
// Local time of an instant in `zone`.
date::local_seconds UtcToLocal(const TimeZone& zone, Instant t);

// Inclusive day count of a schedule: N for `days`, the number of days of a
// `range`; nullopt for `unlimited`.
std::optional<int> ScheduleDays(const Schedule& schedule);

// The effective schedule of `schedule` approved at `now` in `zone`, shortened
// to `cap_days` when given: `days` from now to the same local time N days
// later, `range` from 00:00 of its first day to 24:00 of its last.
// Requires a schedule that CheckSchedule accepts.
EffectiveSchedule ResolveSchedule(const Schedule& schedule, const TimeZone& zone, Instant now,
                                  std::optional<int> cap_days);

// Why a schedule is semantically invalid (R4). A syntactically wrong schedule
// never gets here: the codec rejects it.
enum class ScheduleIssue : uint8_t {
  kNone,
  kDaysNotPositive,
  kRangeReversed,
  kRangeInPast,
  kDailyWindowEmpty,
};
// `zone` may be null when the reference zone is unknown; the checks that need
// it are then skipped.
ScheduleIssue CheckSchedule(const Schedule& schedule, const TimeZone* zone, Instant now);
std::string_view ScheduleIssueText(ScheduleIssue issue);

bool InDailyWindow(const DailyWindow& window, const TimeZone& zone, Instant t);

// The occurrence of the window that contains `t`, or else the next one:
// [open, close) in UTC.
struct WindowOccurrence {
  Instant open;
  Instant close;
};
WindowOccurrence CurrentOrNextWindow(const DailyWindow& window, const TimeZone& zone, Instant t);

}  // namespace custodian::policy
