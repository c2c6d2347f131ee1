// The central audit log as stored (schema/admincenter/0001, 0005): the hash
// chain of events and the signed checkpoints over it. The interface the
// audit log, its seal and its export use; each engine's implementation
// (src/storage/) is the only code with these tables' queries and passes the
// conformance suite (tests/admincenter/repository_conformance_test.cc).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/audit_chain.h"

namespace custodian::admincenter {

// The newest event's seq and hash (seq 0 and the genesis hash when empty).
struct ChainHead {
  int64_t seq = 0;
  std::string hash = audit::kGenesisHash;
};

struct StoredCheckpoint {
  int64_t seq = 0;
  std::string head_hash;
  std::string ts;
  std::string key_id;
  std::string signature;
  std::string record;  // the checkpoint's canonical JSON
};

// What an export selects: events at or after `since`, before `until`, of one
// actor, action or target (each RFC 3339 or exact text; unset: any).
struct AuditQuery {
  std::optional<std::string> since, until, actor, action, target;
};

// One event as stored, with its stored hash.
struct StoredEvent {
  audit::EventFields fields;
  std::string hash;
};

// Inside one read or write of the database: not thread-safe.
class AuditRepository {
 public:
  virtual ~AuditRepository() = default;
  virtual ChainHead Head() = 0;
  virtual void Insert(const audit::EventFields& fields, const std::string& hash) = 0;
  // The stored hash of event `seq` (the genesis hash for 0), "" if none.
  virtual std::string HashAt(int64_t seq) = 0;
  // Every event after `seq` in order, until `f` returns false.
  virtual void EventsAfter(int64_t seq, const std::function<bool(const StoredEvent&)>& f) = 0;
  virtual std::vector<StoredCheckpoint> Checkpoints() = 0;  // those with a record
  // The checkpoint kept for event `seq`, if one with a record is.
  virtual std::optional<StoredCheckpoint> CheckpointAt(int64_t seq) = 0;
  virtual void Keep(const StoredCheckpoint& checkpoint) = 0;
};

// The events `query` selects, oldest first, read a batch at a time from one
// snapshot of the log on a connection of the cursor's own, for an export
// that streams for as long as it takes.
class AuditCursor {
 public:
  virtual ~AuditCursor() = default;
  // The head of the chain in the cursor's snapshot.
  virtual const ChainHead& head() const = 0;
  // The next event into `row` (its strings' buffers reused, so that a long
  // export allocates little), or false at the end.
  virtual bool Next(StoredEvent& row) = 0;
};

}  // namespace custodian::admincenter
