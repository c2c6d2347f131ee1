// The policy signing keys as registered (schema/admincenter/0002): which
// key is active, listed or retired, and the file of each private key (the
// keys themselves are files of mode 0600 beside the database, never rows).
// The interface KeyRing and AuditSeal use; each engine's implementation
// (src/storage/) is the only code with this table's queries.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/time.h"

namespace custodian::admincenter {

struct KeyRecord {
  std::string key_id;
  std::string public_key;  // base64 of the raw Ed25519 key
  std::string file;        // relative to the data directory
  std::string state;       // active, listed or retired
  std::string created_at;  // RFC 3339
  std::optional<std::string> retired_at;
};

// Inside one read or write of the database: not thread-safe.
class KeyRepository {
 public:
  virtual ~KeyRepository() = default;
  // Oldest first.
  virtual std::vector<KeyRecord> Keys() = 0;
  virtual std::optional<KeyRecord> Key(const std::string& key_id) = 0;
  // A new active key; the active one, if any, becomes listed.
  virtual void Activate(const KeyRecord& key) = 0;
  virtual void Retire(const std::string& key_id, policy::Instant at) = 0;
};

}  // namespace custodian::admincenter
