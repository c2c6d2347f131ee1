#include "admincenter/auth.h"

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

}  // namespace custodian::admincenter
