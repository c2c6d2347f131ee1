// The admin center's guard over its own audit chain (DESIGN.md §7, §9;
// docs/audit-format.md "Checkpoints"). An export's trailer proves only what
// the server saw when it signed; a server that signed whatever its
// database held would sign a chain someone edited underneath it. So:
// - every checkpoint it signs is persisted, in audit_checkpoints and, the
//   latest one, in a file beside the database (deleting the rows is then
//   seen too);
// - at start the whole stored chain is verified (every hash recomputed,
//   every link) and must contain each persisted checkpoint;
// - before it signs anything, the events since the last verification are
//   verified the same way;
// - when any of this fails, nothing more is signed: checkpoints and JSON
//   Lines exports answer 503 with the reason, /healthz reports "degraded",
//   the metric custodian_audit_chain_intact is 0, and an error is logged.
//   Writes go on (their records are still wanted); the break stays until an
//   operator has looked (restore the database, or start a new data
//   directory) — the server never papers over it.
//
// What remains possible for someone who can write the database: rewriting
// events after the last checkpoint with their hashes recomputed. The seal
// signs one at start, at every export and checkpoint request, and every
// kSealInterval while events arrive (on one replica of a shared database at
// a time), which bounds that window.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "admincenter/keys.h"
#include "admincenter/storage.h"
#include "common/result.h"

namespace custodian::admincenter {

inline constexpr std::chrono::seconds kSealInterval{60};
// Replicas on one database seal on the timer one at a time: the one that
// holds this lease (LeaseRepository), renewed at every turn; when its
// holder is gone another takes it over after at most this long.
inline constexpr const char* kSealLease = "audit_seal";
inline constexpr std::chrono::seconds kSealLeaseTerm{150};

class AuditSeal {
 public:
  // `head_file`: where the latest checkpoint is kept outside the database
  // (empty: nowhere, for tests of the database alone).
  AuditSeal(Storage& storage, const KeyRing& keys, Clock clock, std::filesystem::path head_file);
  ~AuditSeal();
  AuditSeal(const AuditSeal&) = delete;
  AuditSeal& operator=(const AuditSeal&) = delete;

  // Verifies the whole stored chain and every persisted checkpoint, then
  // seals the head and starts sealing every kSealInterval. Returns false
  // when the chain is broken (broken() says how); the server still runs.
  bool Start();
  // Seals the head one last time and stops the timer.
  void Stop();

  // Verifies what arrived since the last check, then signs the chain's
  // head as a checkpoint {kind, seq, head_hash, ts, key_id, public_key,
  // signature} and persists it. kUnavailable when the chain is broken.
  Result<web::json::value> Checkpoint();
  // Signs an export trailer: `fields` gets kind, ts, key_id, public_key and
  // signature, and the chain head it names ({"chain": {seq, hash}}) is
  // persisted as a checkpoint. kUnavailable when the chain is broken.
  Result<web::json::value> SignTrailer(web::json::value fields);

  // Why the chain is not to be trusted, or nullopt while it is intact.
  std::optional<std::string> broken() const;

 private:
  // Checks rows after the last verified one (all of them the first time).
  // Sets broken_ and returns false on a mismatch.
  bool VerifyNew(Repositories& tx);
  bool VerifyCheckpoints(Repositories& tx);
  // Signs and persists a checkpoint of (seq, hash); caller holds mutex_.
  web::json::value SignAndKeep(Repositories& tx, int64_t seq, const std::string& hash);
  void Break(std::string why);
  void SealLoop();

  Storage& storage_;
  const KeyRing& keys_;
  Clock clock_;
  std::filesystem::path head_file_;
  std::string holder_;  // this process, as a holder of kSealLease
  mutable std::mutex mutex_;
  int64_t verified_seq_ = 0;
  std::string verified_hash_;
  int64_t sealed_seq_ = -1;
  std::optional<std::string> broken_;
  std::mutex timer_mutex_;
  std::condition_variable timer_wake_;
  bool stopping_ = false;
  std::thread timer_;
};

}  // namespace custodian::admincenter
