#include "admincenter/keys.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "admincenter/audit.h"
#include "admincenter/key_repository.h"
#include "admincenter/service.h"
#include "common/crypto.h"
#include "common/files.h"
#include "common/logging.h"

namespace custodian::admincenter {

std::unique_ptr<KeyRing> KeyRing::Open(Storage& storage, const std::filesystem::path& data_dir,
                                       const std::string& initial_key_file, policy::Instant now,
                                       std::string* error) {
  std::unique_ptr<KeyRing> ring(new KeyRing(storage, data_dir));
  const bool empty = storage.Read([](Repositories& tx) { return tx.keys().Keys().empty(); });
  if (empty) {
    // Load() below checks the file's mode along with the others.
    const auto pem = ReadFile((data_dir / initial_key_file).string());
    const auto pub = pem ? crypto::PublicKeyOf(*pem) : std::nullopt;
    if (!pub) {
      *error = (data_dir / initial_key_file).string() + ": not an Ed25519 private key";
      return nullptr;
    }
    // Looked at again inside the write: replicas starting together for the
    // first time register the key once.
    storage.Write([&](Repositories& tx) {
      if (!tx.keys().Keys().empty()) return true;
      tx.keys().Activate({crypto::KeyId(*pub), crypto::Base64(*pub), initial_key_file, "active",
                          policy::FormatRfc3339(now), std::nullopt});
      return true;
    });
  }
  if (!ring->Load(error)) return nullptr;
  return ring;
}

bool KeyRing::Load(std::string* error) {
  std::vector<SigningKey> keys;
  const bool ok = storage_.Read([&](Repositories& tx) {
    auto stored = tx.keys().Keys();
    // The active key first, then the listed ones, newest first.
    std::erase_if(stored, [](const KeyRecord& k) { return k.state == "retired"; });
    std::stable_sort(stored.begin(), stored.end(), [](const KeyRecord& a, const KeyRecord& b) {
      if ((a.state == "active") != (b.state == "active")) return a.state == "active";
      return a.created_at > b.created_at;
    });
    for (const KeyRecord& k : stored) {
      const std::string file = (dir_ / k.file).string();
      struct stat st {};
      if (::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) != 0) {
        *error = file + ": missing, or readable by others (want mode 0600)";
        return false;
      }
      const auto pem = ReadFile(file);
      const auto pub = pem ? crypto::PublicKeyOf(*pem) : std::nullopt;
      if (!pub || crypto::KeyId(*pub) != k.key_id) {
        *error = file + ": missing, or not the key " + k.key_id;
        return false;
      }
      keys.push_back({crypto::KeyId(*pub), *pub, *pem});
    }
    return true;
  });
  if (!ok) return false;
  if (keys.empty()) {
    *error = "no active signing key";
    return false;
  }
  std::lock_guard lock(mutex_);
  signing_ = std::move(keys);
  ++generation_;
  return true;
}

void KeyRing::Reload() {
  std::string error;
  try {
    if (Load(&error)) return;
  } catch (const StorageError& e) {
    error = e.what();  // the database is away: the keys held go on signing
  }
  spdlog::error(logging::Line("keys_reload", {{"error", error}}));
}

SigningKey KeyRing::Active() const {
  std::lock_guard lock(mutex_);
  return signing_.front();
}

std::vector<SigningKey> KeyRing::Signing() const {
  std::lock_guard lock(mutex_);
  return signing_;
}

uint64_t KeyRing::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::vector<KeyRecord> KeyRing::List() {
  return storage_.Read([](Repositories& tx) { return tx.keys().Keys(); });
}

Result<KeyRecord> KeyRing::Rotate(const Principal& actor, policy::Instant now) {
  const auto key = crypto::GenerateEd25519();
  const std::string key_id = crypto::KeyId(key.public_raw);
  const std::string file = "keys/" + key_id + ".pem";
  std::error_code ec;
  std::filesystem::create_directories(dir_ / "keys", ec);
  std::string error;
  if (!WriteNewFile((dir_ / file).string(), key.private_pem, 0600, &error)) {
    return Problem{ErrorKind::kUnavailable, "cannot store the new key: " + error, {}, {}};
  }
  const KeyRecord record{key_id,   crypto::Base64(key.public_raw), file,
                         "active", policy::FormatRfc3339(now),     std::nullopt};
  Result<KeyRecord> r = storage_.Write([&](Repositories& tx) -> Result<KeyRecord> {
    tx.keys().Activate(record);
    AuditEvent e = ActorEvent(actor, "policy.key_rotate", "key:" + key_id);
    e.Detail("public_key", record.public_key);
    AppendAudit(tx.audit(), e, now);
    return record;
  });
  if (!r.ok()) {
    ::unlink((dir_ / file).c_str());
    return r;
  }
  if (!Load(&error)) return Problem{ErrorKind::kInternal, error, {}, {}};
  return r;
}

Result<Done> KeyRing::Retire(const Principal& actor, const std::string& key_id,
                             policy::Instant now) {
  std::string file;
  Result<Done> r = storage_.Write([&](Repositories& tx) -> Result<Done> {
    KeyRepository& keys = tx.keys();
    const auto stored = keys.Key(key_id);
    if (!stored) return NotFound("no such key");
    file = stored->file;
    if (stored->state == "active") {
      return Conflict("the active key cannot be retired; rotate first");
    }
    if (stored->state == "retired") return Conflict("the key is retired already");
    keys.Retire(key_id, now);
    AppendAudit(tx.audit(), ActorEvent(actor, "policy.key_retire", "key:" + key_id), now);
    return Done{};
  });
  if (!r.ok()) return r;
  ::unlink((dir_ / file).c_str());
  std::string error;
  if (!Load(&error)) return Problem{ErrorKind::kInternal, error, {}, {}};
  return r;
}

}  // namespace custodian::admincenter
