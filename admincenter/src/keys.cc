#include "admincenter/keys.h"

#include <SQLiteCpp/Statement.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admincenter/audit.h"
#include "admincenter/service.h"
#include "common/crypto.h"
#include "common/files.h"

namespace custodian::admincenter {

using web::json::value;

std::unique_ptr<KeyRing> KeyRing::Open(Database& db, const std::filesystem::path& data_dir,
                                       const std::string& initial_key_file, policy::Instant now,
                                       std::string* error) {
  std::unique_ptr<KeyRing> ring(new KeyRing(db, data_dir));
  const bool empty = db.Read([](SQLite::Database& c) {
    return c.execAndGet("SELECT COUNT(*) FROM signing_keys").getInt() == 0;
  });
  if (empty) {
    // Load() below checks the file's mode along with the others.
    const auto pem = ReadFile((data_dir / initial_key_file).string());
    const auto pub = pem ? crypto::PublicKeyOf(*pem) : std::nullopt;
    if (!pub) {
      *error = (data_dir / initial_key_file).string() + ": not an Ed25519 private key";
      return nullptr;
    }
    db.Write([&](SQLite::Database& c) {
      SQLite::Statement q(c,
                          "INSERT INTO signing_keys (key_id, public_key, file, state, created_at) "
                          "VALUES (?, ?, ?, 'active', ?)");
      q.bind(1, crypto::KeyId(*pub));
      q.bind(2, crypto::Base64(*pub));
      q.bind(3, initial_key_file);
      q.bind(4, policy::FormatRfc3339(now));
      q.exec();
      return true;
    });
  }
  if (!ring->Load(error)) return nullptr;
  return ring;
}

bool KeyRing::Load(std::string* error) {
  std::vector<SigningKey> keys;
  const bool ok = db_.Read([&](SQLite::Database& c) {
    SQLite::Statement q(c,
                        "SELECT key_id, file FROM signing_keys WHERE state != 'retired' "
                        "ORDER BY state = 'active' DESC, created_at DESC");
    while (q.executeStep()) {
      const std::string file = (dir_ / q.getColumn(1).getString()).string();
      struct stat st {};
      if (::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) != 0) {
        *error = file + ": missing, or readable by others (want mode 0600)";
        return false;
      }
      const auto pem = ReadFile(file);
      const auto pub = pem ? crypto::PublicKeyOf(*pem) : std::nullopt;
      if (!pub || crypto::KeyId(*pub) != q.getColumn(0).getString()) {
        *error = file + ": missing, or not the key " + q.getColumn(0).getString();
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

value KeyRing::List() {
  return db_.Read([](SQLite::Database& c) {
    value items = value::array();
    SQLite::Statement q(c,
                        "SELECT key_id, public_key, state, created_at, retired_at "
                        "FROM signing_keys ORDER BY created_at, rowid");
    std::size_t n = 0;
    while (q.executeStep()) {
      value k = value::object(true);
      k["key_id"] = value::string(q.getColumn(0).getString());
      k["public_key"] = value::string(q.getColumn(1).getString());
      k["state"] = value::string(q.getColumn(2).getString());
      k["created_at"] = value::string(q.getColumn(3).getString());
      k["retired_at"] =
          q.getColumn(4).isNull() ? value::null() : value::string(q.getColumn(4).getString());
      items[n++] = k;
    }
    value out = value::object(true);
    out["items"] = items;
    return out;
  });
}

Result<value> KeyRing::Rotate(const Principal& actor, policy::Instant now) {
  const auto key = crypto::GenerateEd25519();
  const std::string key_id = crypto::KeyId(key.public_raw);
  const std::string file = "keys/" + key_id + ".pem";
  std::error_code ec;
  std::filesystem::create_directories(dir_ / "keys", ec);
  std::string error;
  if (!WriteNewFile((dir_ / file).string(), key.private_pem, 0600, &error)) {
    return Problem{ErrorKind::kUnavailable, "cannot store the new key: " + error, {}, {}};
  }
  Result<value> r = db_.Write([&](SQLite::Database& c) -> Result<value> {
    const std::string ts = policy::FormatRfc3339(now);
    c.exec("UPDATE signing_keys SET state = 'listed' WHERE state = 'active'");
    SQLite::Statement q(c,
                        "INSERT INTO signing_keys (key_id, public_key, file, state, created_at) "
                        "VALUES (?, ?, ?, 'active', ?)");
    q.bind(1, key_id);
    q.bind(2, crypto::Base64(key.public_raw));
    q.bind(3, file);
    q.bind(4, ts);
    q.exec();
    AuditEvent e = ActorEvent(actor, "policy.key_rotate", "key:" + key_id);
    e.details["public_key"] = value::string(crypto::Base64(key.public_raw));
    AppendAudit(c, e, now);
    value out = value::object(true);
    out["key_id"] = value::string(key_id);
    out["public_key"] = value::string(crypto::Base64(key.public_raw));
    out["state"] = value::string("active");
    return out;
  });
  if (!r.ok()) {
    ::unlink((dir_ / file).c_str());
    return r;
  }
  if (!Load(&error)) return Problem{ErrorKind::kInternal, error, {}, {}};
  return r;
}

Result<value> KeyRing::Retire(const Principal& actor, const std::string& key_id,
                              policy::Instant now) {
  std::string file;
  Result<value> r = db_.Write([&](SQLite::Database& c) -> Result<value> {
    SQLite::Statement q(c, "SELECT state, file FROM signing_keys WHERE key_id = ?");
    q.bind(1, key_id);
    if (!q.executeStep()) return NotFound("no such key");
    const std::string state = q.getColumn(0).getString();
    file = q.getColumn(1).getString();
    if (state == "active") return Conflict("the active key cannot be retired; rotate first");
    if (state == "retired") return Conflict("the key is retired already");
    SQLite::Statement u(c,
                        "UPDATE signing_keys SET state = 'retired', retired_at = ? "
                        "WHERE key_id = ?");
    u.bind(1, policy::FormatRfc3339(now));
    u.bind(2, key_id);
    u.exec();
    AppendAudit(c, ActorEvent(actor, "policy.key_retire", "key:" + key_id), now);
    return value::null();
  });
  if (!r.ok()) return r;
  ::unlink((dir_ / file).c_str());
  std::string error;
  if (!Load(&error)) return Problem{ErrorKind::kInternal, error, {}, {}};
  return r;
}

}  // namespace custodian::admincenter
