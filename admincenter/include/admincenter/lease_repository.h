// Leases (schema/admincenter/0007): which process runs a timer that must
// run once, not once per replica, for a while. The interface the audit
// seal uses; its one implementation (src/storage/sql_leases.cc) passes the
// conformance suite on every engine.
//
// One lives inside one unit of work (storage.h): acquire it in a write, so
// that replicas' attempts are serialised.
#pragma once

#include <chrono>
#include <string>

#include "policy/time.h"

namespace custodian::admincenter {

class LeaseRepository {
 public:
  virtual ~LeaseRepository() = default;
  // Takes or renews lease `name` for `holder` until now + `term` when no
  // one else holds it unexpired; whether `holder` holds it now.
  virtual bool Acquire(const std::string& name, const std::string& holder, policy::Instant now,
                       std::chrono::seconds term) = 0;
};

}  // namespace custodian::admincenter
