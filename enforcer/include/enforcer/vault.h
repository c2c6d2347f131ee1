// The credential vault (DESIGN.md §6, R9–R15): secrets sealed with
// AES-256-GCM through OpenSSL's EVP API.
//
// - Every seal draws a fresh 96-bit nonce from the OS random source.
// - The associated data binds a sealed secret to where it belongs (the
//   session and endpoint ids): moved elsewhere, it does not open.
// - Key material and opened secrets live in SecretBytes: memory locked
//   against swapping, left out of core dumps, and zeroised when freed.
//
// Sealed form: 0x01 | nonce (12) | ciphertext | tag (16).
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace custodian::enforcer {

// Bytes in locked memory, zeroised (OPENSSL_cleanse) on destruction.
class SecretBytes {
 public:
  explicit SecretBytes(std::size_t size);
  SecretBytes(std::string_view bytes);  // NOLINT: copies into locked memory
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }
  // Keeps only the first `n` bytes (n ≤ size()); the rest is wiped.
  void Truncate(std::size_t n);
  bool locked() const { return locked_; }

 private:
  void Release();
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;
  bool locked_ = false;
};

class Vault {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kNonceBytes = 12;
  static constexpr std::size_t kTagBytes = 16;

  // A key that lives only in this process (session credentials: gone with
  // a restart).
  static Vault WithRandomKey();
  // The machine key in `path` (mode 0600), created when missing, for
  // credentials sealed at rest (at_setup grants).
  static std::optional<Vault> FromKeyFile(const std::filesystem::path& path, std::string* error);

  std::string Seal(std::string_view plaintext, std::string_view associated) const;
  // nullopt if the blob was altered, belongs elsewhere or another key sealed it.
  std::optional<SecretBytes> Open(std::string_view sealed, std::string_view associated) const;

 private:
  explicit Vault(SecretBytes key) : key_(std::make_shared<SecretBytes>(std::move(key))) {}
  std::shared_ptr<const SecretBytes> key_;
};

// The associated data of a session's secret.
std::string SessionBinding(std::string_view endpoint_id, std::string_view session_id);

}  // namespace custodian::enforcer
