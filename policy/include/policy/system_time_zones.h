// TimeZones backed by the system's zoneinfo (/usr/share/zoneinfo) through
// Howard Hinnant's date library, built by Debian to read the OS database.
//
// This is the one piece of the policy component that does I/O: the
// constructor reads every zone's rules once and compiles them into
// TimeZone values, so lookups afterwards are pure memory reads, safe from
// any thread.
//
// Known limit: the library reads the transitions listed in the TZif files
// (Debian ships "fat" files, with transitions up to 2037) and not the POSIX
// rule at their end, so offsets after 2037 repeat the last listed one.
#pragma once

#include <deque>
#include <string_view>
#include <unordered_map>

#include "policy/time.h"

namespace custodian::policy {

class SystemTimeZones final : public TimeZones {
 public:
  SystemTimeZones();
  const TimeZone* Find(std::string_view name) const override;

  // The process-wide instance (built on first use).
  static const SystemTimeZones& Get();

 private:
  std::deque<TimeZone> storage_;  // stable addresses
  // Zone names and aliases -> zone; the views point into `storage_`.
  std::unordered_map<std::string_view, const TimeZone*> zones_;
};

}  // namespace custodian::policy
