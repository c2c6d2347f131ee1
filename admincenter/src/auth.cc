#include "admincenter/auth.h"

#include <SQLiteCpp/Statement.h>
#include <argon2.h>

#include <semaphore>

#include "common/crypto.h"

namespace custodian::admincenter {
namespace {

// OWASP Password Storage Cheat Sheet, Argon2id: m=19 MiB, t=2, p=1.
constexpr uint32_t kArgonMemoryKiB = 19 * 1024;
constexpr uint32_t kArgonPasses = 2;
constexpr uint32_t kArgonLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kTokenBytes = 32;  // 256 bits

constexpr const char* kRoleNames[] = {"master_admin", "admin", "technician", "auditor", "endpoint"};

std::optional<Principal> FromRow(SQLite::Database& db, SQLite::Statement& q) {
  Principal p;
  p.id = q.getColumn(0).getString();
  p.name = q.getColumn(1).getString();
  auto role = ParseRole(q.getColumn(2).getString());
  if (!role) return std::nullopt;
  p.role = *role;
  if (!q.getColumn(3).isNull()) p.group_id = q.getColumn(3).getString();
  if (!q.getColumn(4).isNull()) p.time_zone = q.getColumn(4).getString();
  p.disabled = q.getColumn(5).getInt() != 0;
  if (p.role == Role::kAdmin) {
    SQLite::Statement s(db, "SELECT group_id FROM admin_scopes WHERE principal_id = ? ORDER BY 1");
    s.bind(1, p.id);
    while (s.executeStep()) p.scopes.push_back(s.getColumn(0).getString());
  }
  return p;
}

constexpr const char* kPrincipalColumns =
    "p.id, p.name, p.kind, p.group_id, p.time_zone, p.disabled";

}  // namespace

const char* RoleName(Role r) { return kRoleNames[static_cast<int>(r)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (name == kRoleNames[i]) return static_cast<Role>(i);
  }
  return std::nullopt;
}

namespace {

// Argon2id with 19 MiB each: at most this many at once in the process, so
// that a login flood bounds memory and leaves the cores to everything else.
constexpr std::ptrdiff_t kMaxConcurrentHashes = 2;
std::counting_semaphore<kMaxConcurrentHashes> g_hash_slots(kMaxConcurrentHashes);

struct HashSlot {
  HashSlot() { g_hash_slots.acquire(); }
  ~HashSlot() { g_hash_slots.release(); }
};

}  // namespace

std::string HashPassword(const std::string& password) {
  HashSlot slot;
  const std::string salt = crypto::RandomBytes(kSaltBytes);
  std::string encoded(argon2_encodedlen(kArgonPasses, kArgonMemoryKiB, kArgonLanes, kSaltBytes,
                                        kHashBytes, Argon2_id),
                      '\0');
  if (argon2id_hash_encoded(kArgonPasses, kArgonMemoryKiB, kArgonLanes, password.data(),
                            password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(),
                            encoded.size()) != ARGON2_OK) {
    std::abort();  // only on exhausted memory or bad parameters (a bug)
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(const std::string& encoded, const std::string& password) {
  HashSlot slot;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string NewEndpointToken() {
  return std::string(kEndpointTokenPrefix) + crypto::Base64Url(crypto::RandomBytes(kTokenBytes));
}

IssuedToken IssueToken(SQLite::Database& db, const std::string& principal_id, policy::Instant now,
                       std::chrono::seconds lifetime) {
  IssuedToken t;
  t.id = crypto::NewId("tok_");
  t.secret = "cst_" + crypto::Base64Url(crypto::RandomBytes(kTokenBytes));
  t.expires_at = now + lifetime;
  const std::string hash = crypto::Sha256(t.secret);
  SQLite::Statement insert(db,
                           "INSERT INTO tokens (id, principal_id, token_hash, created_at, "
                           "expires_at) VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, t.id);
  insert.bind(2, principal_id);
  insert.bind(3, hash.data(), static_cast<int>(hash.size()));
  insert.bind(4, policy::FormatRfc3339(now));
  insert.bind(5, policy::FormatRfc3339(t.expires_at));
  insert.exec();
  return t;
}

std::optional<Principal> Authenticate(SQLite::Database& db, const std::string& secret,
                                      policy::Instant now, policy::Instant* expires_at) {
  const std::string hash = crypto::Sha256(secret);
  if (secret.starts_with(kEndpointTokenPrefix)) {
    SQLite::Statement e(db, "SELECT id, name FROM endpoints WHERE token_hash = ?");
    e.bind(1, hash.data(), static_cast<int>(hash.size()));
    if (!e.executeStep()) return std::nullopt;
    if (expires_at) *expires_at = policy::Instant::max();
    Principal p;
    p.id = e.getColumn(0).getString();
    p.name = e.getColumn(1).getString();
    p.role = Role::kEndpoint;
    return p;
  }
  SQLite::Statement q(db, std::string("SELECT ") + kPrincipalColumns +
                              ", t.expires_at FROM tokens t "
                              "JOIN principals p ON p.id = t.principal_id "
                              "WHERE t.token_hash = ? AND t.revoked = 0 AND t.expires_at > ? "
                              "AND p.disabled = 0");
  q.bind(1, hash.data(), static_cast<int>(hash.size()));
  q.bind(2, policy::FormatRfc3339(now));
  if (!q.executeStep()) return std::nullopt;
  if (expires_at) *expires_at = policy::ParseRfc3339(q.getColumn(6).getString()).value_or(now);
  return FromRow(db, q);
}

std::optional<Principal> LoadPrincipal(SQLite::Database& db, const std::string& id) {
  SQLite::Statement q(
      db, std::string("SELECT ") + kPrincipalColumns + " FROM principals p WHERE p.id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return FromRow(db, q);
}

std::optional<Principal> LoadPrincipalByName(SQLite::Database& db, const std::string& name,
                                             std::string* password_hash) {
  SQLite::Statement q(db, std::string("SELECT ") + kPrincipalColumns +
                              ", p.password_hash FROM principals p WHERE p.name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  if (password_hash) *password_hash = q.getColumn(6).isNull() ? "" : q.getColumn(6).getString();
  return FromRow(db, q);
}

}  // namespace custodian::admincenter
