#include "policy/system_time_zones.h"

#include <date/tz.h>

namespace custodian::policy {
namespace {

// The span of time compiled from the zoneinfo rules; outside it the first or
// last offset holds.
const date::sys_seconds kFirst{date::sys_days{date::year{1800} / 1 / 1}};
const date::sys_seconds kLast{date::sys_days{date::year{2200} / 1 / 1}};

std::vector<TimeZone::Transition> Compile(const date::time_zone& zone) {
  std::vector<TimeZone::Transition> out;
  for (date::sys_seconds t = kFirst; t < kLast;) {
    const date::sys_info info = zone.get_info(t);
    const auto offset = static_cast<int32_t>(info.offset.count());
    // Changes of abbreviation or DST flag alone do not move local time.
    if (out.empty() || out.back().offset != offset) {
      out.push_back({info.begin.time_since_epoch().count(), offset});
    }
    if (info.end <= t) break;
    t = info.end;
  }
  return out;
}

}  // namespace

SystemTimeZones::SystemTimeZones() {
  // Built to read the OS database, the library lists every zoneinfo file,
  // aliases such as US/Eastern included, as a zone of its own.
  const date::tzdb& db = date::get_tzdb();
  zones_.reserve(db.zones.size());
  for (const date::time_zone& zone : db.zones) {
    const TimeZone& compiled = storage_.emplace_back(std::string(zone.name()), Compile(zone));
    zones_.emplace(compiled.name(), &compiled);
  }
}

const TimeZone* SystemTimeZones::Find(std::string_view name) const {
  auto it = zones_.find(name);
  return it == zones_.end() ? nullptr : it->second;
}

const SystemTimeZones& SystemTimeZones::Get() {
  static const SystemTimeZones instance;
  return instance;
}

}  // namespace custodian::policy
