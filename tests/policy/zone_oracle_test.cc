// Zone arithmetic against an independent oracle: the C library's
// localtime_r with TZ set, over every day of 2026–2028, in zones with
// northern and southern DST, none at all, a half-hour offset, and one whose
// rules changed recently (America/Nuuk moved to -02 with EU-style DST in
// 2023/24).
#include <gtest/gtest.h>

#include <boost/date_time/gregorian/gregorian.hpp>
#include <cstdlib>
#include <ctime>

#include "policy/schedule.h"
#include "policy/system_time_zones.h"

namespace custodian::policy {
namespace {

using std::chrono::seconds;

const char* const kZones[] = {"Europe/Berlin", "America/New_York", "Australia/Sydney",
                              "Asia/Kolkata", "America/Nuuk"};

// Sets TZ for the C library while alive.
class ScopedTz {
 public:
  explicit ScopedTz(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ScopedTz() {
    if (old_.empty()) {
      unsetenv("TZ");
    } else {
      setenv("TZ", old_.c_str(), 1);
    }
    tzset();
  }

 private:
  std::string old_;
};

std::tm OracleLocal(Instant t) {
  const std::time_t tt = t.time_since_epoch().count();
  std::tm tm{};
  localtime_r(&tt, &tm);
  return tm;
}

int OracleMinuteOfDay(Instant t) {
  const std::tm tm = OracleLocal(t);
  return tm.tm_hour * 60 + tm.tm_min;
}

// Day number (days since 1970-01-01) of the local date at t.
long OracleLocalDay(Instant t) {
  const std::tm tm = OracleLocal(t);
  const date::year_month_day ymd{date::year{tm.tm_year + 1900},
                                 date::month{static_cast<unsigned>(tm.tm_mon + 1)},
                                 date::day{static_cast<unsigned>(tm.tm_mday)}};
  return date::sys_days{ymd}.time_since_epoch().count();
}

bool OracleInWindow(const DailyWindow& w, Instant t) {
  const int m = OracleMinuteOfDay(t);
  return w.from < w.to ? (m >= w.from && m < w.to) : (m >= w.from || m < w.to);
}

const Instant kFirst = Instant{date::sys_days{date::year{2026} / 1 / 1}.time_since_epoch()};
const Instant kLast = Instant{date::sys_days{date::year{2029} / 1 / 1}.time_since_epoch()};

// Every UTC instant where the zone's offset changes in [kFirst, kLast).
std::vector<Instant> OracleTransitions() {
  std::vector<Instant> out;
  long previous = OracleLocal(kFirst).tm_gmtoff;
  for (Instant t = kFirst; t < kLast; t += std::chrono::hours{1}) {
    const long offset = OracleLocal(t).tm_gmtoff;
    if (offset == previous) continue;
    // Narrow down to the second within this hour.
    Instant lo = t - std::chrono::hours{1}, hi = t;
    while (hi - lo > seconds{1}) {
      const Instant mid = lo + (hi - lo) / 2;
      (OracleLocal(mid).tm_gmtoff == previous ? lo : hi) = mid;
    }
    out.push_back(hi);
    previous = offset;
  }
  return out;
}

class ZoneOracle : public ::testing::TestWithParam<const char*> {
 protected:
  const TimeZone& zone() const {
    const TimeZone* z = SystemTimeZones::Get().Find(GetParam());
    EXPECT_NE(z, nullptr);
    return *z;
  }
};

TEST_P(ZoneOracle, SeesTheSameDstChanges) {
  ScopedTz tz(GetParam());
  const std::vector<Instant> changes = OracleTransitions();
  for (Instant t : changes) {
    EXPECT_EQ(UtcToLocal(zone(), t).time_since_epoch().count() - t.time_since_epoch().count(),
              OracleLocal(t).tm_gmtoff)
        << FormatRfc3339(t);
    EXPECT_EQ(UtcToLocal(zone(), t - seconds{1}).time_since_epoch().count() -
                  (t - seconds{1}).time_since_epoch().count(),
              OracleLocal(t - seconds{1}).tm_gmtoff)
        << FormatRfc3339(t);
  }
  // Six changes in three years for the DST zones, none for Kolkata.
  EXPECT_EQ(changes.size(), std::string(GetParam()) == "Asia/Kolkata" ? 0u : 6u);
}

TEST_P(ZoneOracle, DailyWindowMembershipMatchesLocalTime) {
  ScopedTz tz(GetParam());
  const DailyWindow windows[] = {{9 * 60, 17 * 60}, {22 * 60, 6 * 60}, {2 * 60 + 30, 3 * 60 + 30}};
  std::vector<Instant> probes;
  for (Instant t = kFirst; t < kLast; t += std::chrono::minutes{10}) probes.push_back(t);
  for (Instant change : OracleTransitions()) {  // every minute of the hours around each change
    for (Instant t = change - std::chrono::hours{3}; t < change + std::chrono::hours{3};
         t += std::chrono::minutes{1}) {
      probes.push_back(t);
      probes.push_back(t - seconds{1});
    }
  }
  for (const DailyWindow& w : windows) {
    for (Instant t : probes) {
      ASSERT_EQ(InDailyWindow(w, zone(), t), OracleInWindow(w, t))
          << GetParam() << " " << w.from << "-" << w.to << " at " << FormatRfc3339(t);
    }
  }
}

TEST_P(ZoneOracle, DailyWindowsOpenAndCloseAtTheRightInstants) {
  ScopedTz tz(GetParam());
  const DailyWindow windows[] = {{9 * 60, 17 * 60}, {22 * 60, 6 * 60}, {2 * 60 + 30, 3 * 60 + 30}};
  for (const DailyWindow& w : windows) {
    Instant t = kFirst;
    int occurrences = 0;
    while (t < kLast - std::chrono::hours{48}) {
      const WindowOccurrence o = CurrentOrNextWindow(w, zone(), t);
      ASSERT_LT(o.open, o.close);
      // Open exactly from `open`, closed exactly from `close`, per the oracle.
      ASSERT_TRUE(OracleInWindow(w, o.open)) << FormatRfc3339(o.open);
      ASSERT_TRUE(OracleInWindow(w, o.close - seconds{1})) << FormatRfc3339(o.close);
      ASSERT_FALSE(OracleInWindow(w, o.close)) << FormatRfc3339(o.close);
      if (o.open > t) {
        ASSERT_FALSE(OracleInWindow(w, o.open - seconds{1})) << FormatRfc3339(o.open);
      }
      // Where `from` exists locally that day, the window opens at it to the second.
      const std::tm open_local = OracleLocal(o.open);
      if (OracleLocal(o.open - seconds{1}).tm_gmtoff == open_local.tm_gmtoff) {
        ASSERT_EQ(open_local.tm_hour * 60 + open_local.tm_min, w.from) << FormatRfc3339(o.open);
        ASSERT_EQ(open_local.tm_sec, 0);
      }
      t = o.close;
      ++occurrences;
    }
    // One occurrence per local day (the loop stops two days early).
    EXPECT_GE(occurrences, 1094) << w.from;
    EXPECT_LE(occurrences, 1097) << w.from;
  }
}

TEST_P(ZoneOracle, RangesStartAndEndOnLocalMidnight) {
  ScopedTz tz(GetParam());
  const boost::gregorian::date first(2026, 1, 1), last(2028, 12, 31);
  Schedule s;
  s.kind = Schedule::Kind::kRange;
  for (boost::gregorian::date d = first; d <= last; d += boost::gregorian::days(1)) {
    s.first_day = s.last_day = d;
    const EffectiveSchedule e = ResolveSchedule(s, zone(), kFirst, std::nullopt);
    ASSERT_TRUE(e.end.has_value());
    const long day = (d - boost::gregorian::date(1970, 1, 1)).days();
    // The first instant of the local day d, and the first of the next one.
    ASSERT_EQ(OracleLocalDay(e.start), day) << d;
    ASSERT_EQ(OracleLocalDay(e.start - seconds{1}), day - 1) << d;
    ASSERT_EQ(OracleLocalDay(*e.end), day + 1) << d;
    ASSERT_EQ(OracleLocalDay(*e.end - seconds{1}), day) << d;
    ASSERT_EQ(OracleMinuteOfDay(e.start), 0) << d;
  }
}

TEST_P(ZoneOracle, DaysEndAtTheSameLocalTimeNDaysLater) {
  ScopedTz tz(GetParam());
  Schedule s;
  s.kind = Schedule::Kind::kDays;
  s.days = 7;
  // Approval at 10:00 UTC on every day: never in a DST gap in these zones.
  for (Instant now = kFirst; now < kLast - date::days{8}; now += date::days{1}) {
    const EffectiveSchedule e = ResolveSchedule(s, zone(), now, std::nullopt);
    const std::tm a = OracleLocal(now), b = OracleLocal(*e.end);
    ASSERT_EQ(OracleLocalDay(*e.end), OracleLocalDay(now) + 7) << FormatRfc3339(now);
    ASSERT_EQ(b.tm_hour * 3600 + b.tm_min * 60 + b.tm_sec,
              a.tm_hour * 3600 + a.tm_min * 60 + a.tm_sec)
        << FormatRfc3339(now);
  }
}

INSTANTIATE_TEST_SUITE_P(Zones, ZoneOracle, ::testing::ValuesIn(kZones),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           std::string n = p.param;
                           for (char& c : n) {
                             if (c == '/') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace custodian::policy
