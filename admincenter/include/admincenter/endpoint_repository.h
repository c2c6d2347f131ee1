// Endpoints and what travels to and from them (schema/admincenter/0002):
// enrollment codes, the endpoints themselves, their durable command queue,
// the receipts of their chained events, and the signed bundles issued for
// them. The interface Distribution uses; each engine's implementation
// (src/storage/) is the only code with these tables' queries and passes the
// conformance suite (tests/admincenter/repository_conformance_test.cc).
//
// Like every repository, one lives inside one unit of work of the
// storage (storage.h): not thread-safe, and its changes commit with that write's
// audit event.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/time.h"

namespace custodian::admincenter {

struct EndpointRecord {
  std::string id;
  std::string name;
  std::string os;
  std::string time_zone;
  policy::Instant enrolled_at;
  std::optional<policy::Instant> last_seen;
  std::optional<int64_t> bundle_version;  // the one it last said it holds
  int64_t last_event_seq = 0;
  std::string last_event_hash;  // the head of its chain as received
};

struct CommandRecord {
  std::string id;
  std::string type;
  std::string body;  // JSON text
  policy::Instant created_at;
};

struct BundleRecord {
  int64_t version = 0;
  policy::Instant issued_at;
  policy::Instant expires_at;
  std::string policy_hash;
  std::string keys_hash;
  std::string envelope;  // JSON text as served
};

class EndpointRepository {
 public:
  virtual ~EndpointRepository() = default;

  // Enrollment codes are kept as SHA-256 hashes only.
  virtual void InsertEnrollmentCode(const std::string& id, const std::string& code_hash,
                                    const std::string& created_by, policy::Instant created_at,
                                    policy::Instant expires_at) = 0;
  // Marks the unused, unexpired code with `code_hash` used by `endpoint_id`
  // and returns its id; nothing when there is none.
  virtual std::optional<std::string> UseEnrollmentCode(const std::string& code_hash,
                                                       policy::Instant now,
                                                       const std::string& endpoint_id) = 0;

  virtual void Insert(const EndpointRecord& endpoint, const std::string& token_hash) = 0;
  virtual std::optional<EndpointRecord> Endpoint(const std::string& id) = 0;
  virtual std::vector<EndpointRecord> Endpoints() = 0;  // oldest first
  virtual void RecordSeen(const std::string& id, policy::Instant at,
                          std::optional<int64_t> bundle_version) = 0;
  virtual void SetEventHead(const std::string& id, int64_t seq, const std::string& hash) = 0;

  // Receipts of the endpoint's events: which were stored, under which
  // central audit seq.
  virtual bool EventReceived(const std::string& event_id) = 0;
  virtual void KeepEvent(const std::string& event_id, const std::string& endpoint_id, int64_t seq,
                         const std::string& hash, int64_t audit_seq) = 0;

  // Returns the new command's id.
  virtual std::string QueueCommand(const std::string& endpoint_id, const std::string& type,
                                   const std::string& body, policy::Instant now) = 0;
  virtual std::vector<CommandRecord> PendingCommands(const std::string& endpoint_id,
                                                     std::size_t max) = 0;
  // How many of `ids` were the endpoint's and not yet acknowledged.
  virtual int AckCommands(const std::string& endpoint_id, const std::vector<std::string>& ids,
                          policy::Instant at) = 0;

  virtual std::optional<BundleRecord> LatestBundle() = 0;
  virtual void Insert(const BundleRecord& bundle) = 0;
};

}  // namespace custodian::admincenter
