#include "policy/time.h"

#include <algorithm>
#include <cstdio>

namespace custodian::policy {
namespace {

// Reads exactly `width` digits at `pos`; -1 if they are not all digits.
int Digits(std::string_view s, std::size_t pos, std::size_t width) {
  if (pos + width > s.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<Instant> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  const int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  const int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    const std::size_t digits_start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == digits_start) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int oh = Digits(s, pos + 1, 2), om = Digits(s, pos + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || pos + 3 >= s.size() || s[pos + 3] != ':') {
      return std::nullopt;
    }
    offset_minutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // A leap second (":60") is read as the last second of its minute.
  const auto local = date::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                     std::chrono::seconds{second == 60 ? 59 : second};
  return Instant{local - std::chrono::minutes{offset_minutes}};
}

std::string FormatRfc3339(Instant t) {
  const auto day = std::chrono::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

TimeZone::TimeZone(std::string name, std::vector<Transition> transitions)
    : name_(std::move(name)), transitions_(std::move(transitions)) {
  if (transitions_.empty()) transitions_.push_back({kBeginningOfTime, 0});
  transitions_.front().at = kBeginningOfTime;
}

std::size_t TimeZone::IndexAt(int64_t t) const {
  // The last transition at or before t; the first one covers all time before.
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t,
                             [](int64_t v, const Transition& tr) { return v < tr.at; });
  return static_cast<std::size_t>(it - transitions_.begin()) - 1;
}

std::chrono::seconds TimeZone::OffsetAt(Instant t) const {
  return std::chrono::seconds{transitions_[IndexAt(t.time_since_epoch().count())].offset};
}

date::local_seconds TimeZone::ToLocal(Instant t) const {
  return date::local_seconds{t.time_since_epoch() + OffsetAt(t)};
}

Instant TimeZone::ToUtc(date::local_seconds local) const {
  // A UTC offset is less than a day, so the local time `l` belongs to one of
  // the periods in force between a day before and a day after it. Periods
  // come in order: the first that contains l - offset is the earliest
  // reading (an overlap has two); if none does, l is in a gap, which ends at
  // the transition after it.
  constexpr int64_t kDay = 86400;
  const int64_t l = local.time_since_epoch().count();
  const std::size_t n = transitions_.size();
  for (std::size_t k = IndexAt(l - kDay); k < n && transitions_[k].at <= l + kDay; ++k) {
    const int64_t u = l - transitions_[k].offset;
    const int64_t end = k + 1 < n ? transitions_[k + 1].at : std::numeric_limits<int64_t>::max();
    if (u >= transitions_[k].at && u < end) return Instant{std::chrono::seconds{u}};
    if (u >= end && l - transitions_[k + 1].offset < end) return Instant{std::chrono::seconds{end}};
  }
  // Not reached for well-formed transitions; read with the last offset.
  return Instant{std::chrono::seconds{l - transitions_[IndexAt(l)].offset}};
}

}  // namespace custodian::policy
