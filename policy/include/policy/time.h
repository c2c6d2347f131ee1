// Instants, local dates and the time-zone lookup the policy library is given.
//
// The library never reads a clock or a file: `now` is an argument and zone
// rules come through the TimeZones interface, whose system implementation
// (system_time_zones.h) is the only part that touches the zoneinfo files.
#pragma once

#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace custodian::policy {

// A UTC instant with one-second resolution; exchanged as RFC 3339.
using Instant = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;
using TimeZone = date::time_zone;

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
