// Instants, local dates and the time-zone lookup the policy library is given.
//
// The library never reads a clock or a file: `now` is an argument and zone
// rules come through the TimeZones interface, whose system implementation
// (system_time_zones.h) is the only part that touches the zoneinfo files.
#pragma once

#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custodian::policy {

// A UTC instant with one-second resolution; exchanged as RFC 3339.
using Instant = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

// The rules of one IANA zone, compiled to the UTC offsets in force between
// its transitions: a plain value, so that zone arithmetic is a binary search
// with no locks, no I/O and no allocation.
class TimeZone {
 public:
  // From `at` (UTC seconds since the epoch) on, `offset` seconds east of UTC.
  struct Transition {
    int64_t at;
    int32_t offset;
  };
  static constexpr int64_t kBeginningOfTime = std::numeric_limits<int64_t>::min() / 4;

  // `transitions` sorted by `at`; the first one applies to all time before
  // it too. An empty list is UTC.
  TimeZone(std::string name, std::vector<Transition> transitions);

  const std::string& name() const { return name_; }
  std::chrono::seconds OffsetAt(Instant t) const;
  date::local_seconds ToLocal(Instant t) const;
  // A local time in a gap maps to the first instant after the gap, one in an
  // overlap to the earlier instant.
  Instant ToUtc(date::local_seconds local) const;

 private:
  std::size_t IndexAt(int64_t utc_seconds) const;

  std::string name_;
  std::vector<Transition> transitions_;
};

// Resolves IANA zone names. Implementations must return zones whose rules are
// already loaded, so that using them does no I/O, and must be safe to call
// from several threads at once.
class TimeZones {
 public:
  virtual ~TimeZones() = default;
  // Returns nullptr for a name it does not know.
  virtual const TimeZone* Find(std::string_view name) const = 0;
};

// "2026-03-29T01:30:00Z" or with an offset ("…+02:00"); fractions of a
// second are accepted and truncated. nullopt if the text is not RFC 3339.
std::optional<Instant> ParseRfc3339(std::string_view text);
// Always UTC with a "Z": "2026-03-29T01:30:00Z".
std::string FormatRfc3339(Instant t);

}  // namespace custodian::policy
