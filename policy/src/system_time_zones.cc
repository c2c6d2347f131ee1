#include "policy/system_time_zones.h"

namespace custodian::policy {

SystemTimeZones::SystemTimeZones() {
  // Built to read the OS database, the library lists every zoneinfo file,
  // aliases such as US/Eastern included, as a zone of its own.
  const date::tzdb& db = date::get_tzdb();
  for (const date::time_zone& zone : db.zones) {
    // The library loads a zone's transitions on first use; do it now so that
    // Find() hands out zones whose use does no I/O.
    (void)zone.get_info(date::sys_seconds{});
    zones_.emplace(zone.name(), &zone);
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
