// The admin center's signing keys (DESIGN.md §4): Ed25519 keys that sign
// policy bundles and audit checkpoints.
//
// The private keys are files in the data directory (mode 0600), never in
// the database, which records each key's id, public key and state:
// - active: signs everything; exactly one;
// - listed: the previous active key after a rotation; it still signs
//   bundles alongside the active one and is listed in them, so an endpoint
//   that pins it accepts the bundle and learns the new key from it;
// - retired: neither signs nor is listed; its file is deleted.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "admincenter/auth.h"
#include "admincenter/key_repository.h"
#include "admincenter/storage.h"
#include "common/result.h"
#include "policy/time.h"

namespace custodian::admincenter {

struct SigningKey {
  std::string key_id;
  std::string public_raw;
  std::string private_pem;
};

class KeyRing {
 public:
  // Loads the keys. On first start, registers `initial_key_file` (relative
  // to `data_dir`) as the active key.
  static std::unique_ptr<KeyRing> Open(Storage& storage, const std::filesystem::path& data_dir,
                                       const std::string& initial_key_file, policy::Instant now,
                                       std::string* error);

  SigningKey Active() const;
  // Every key that signs bundles: the active one first.
  std::vector<SigningKey> Signing() const;
  // Changes with every rotation and retirement.
  uint64_t generation() const;

  // `GET /v1/policy/keys`: every key with its state.
  std::vector<KeyRecord> List();
  // A new active key; the active one becomes listed.
  Result<KeyRecord> Rotate(const Principal& actor, policy::Instant now);
  // Reads the keys again after another replica changed them; on failure
  // (a key file not yet in the shared key directory) keeps the ones it has
  // and logs why.
  void Reload();
  // Retires a listed key.
  Result<Done> Retire(const Principal& actor, const std::string& key_id, policy::Instant now);

 private:
  KeyRing(Storage& storage, std::filesystem::path data_dir)
      : storage_(storage), dir_(std::move(data_dir)) {}
  // Reloads the in-memory keys from the database and the files.
  bool Load(std::string* error);

  Storage& storage_;
  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::vector<SigningKey> signing_;  // active first
  uint64_t generation_ = 0;
};

}  // namespace custodian::admincenter
