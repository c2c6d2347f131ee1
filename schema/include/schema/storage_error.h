// What storage failed to do, in both daemons and whatever the engine: the
// engine's own error (busy beyond the timeout, I/O, a full disk) or a row
// that does not read back. The daemons answer it 503 and log it; nothing
// above the storage rooms sees an engine's exception type.
#pragma once

#include <stdexcept>
#include <string>

namespace custodian::schema {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void Damaged(const std::string& table, const std::string& column) {
  throw StorageError("the stored " + table + "." + column + " does not read back");
}

}  // namespace custodian::schema
