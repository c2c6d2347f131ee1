// Small cryptographic helpers on OpenSSL shared by the daemons and the CLI:
// random bytes from the OS source, SHA-256, encodings, and Ed25519 keys and
// signatures through the EVP API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace custodian::crypto {

// `n` bytes from the OS random source (OpenSSL's RAND_bytes); aborts if the
// source fails, since nothing sensible can go on without randomness.
std::string RandomBytes(std::size_t n);
std::string Sha256(std::string_view data);  // 32 raw bytes
std::string Hex(std::string_view bytes);
std::string Base64(std::string_view bytes);
std::optional<std::string> FromBase64(std::string_view text);
std::string Base64Url(std::string_view bytes);  // no padding
// A random identifier with a prefix: "grp_" + 22 base64url characters.
std::string NewId(std::string_view prefix);

struct Ed25519KeyPair {
  std::string private_pem;
  std::string public_raw;  // 32 bytes
};
Ed25519KeyPair GenerateEd25519();
// nullopt if the key is not an Ed25519 private key in PEM.
std::optional<std::string> SignEd25519(const std::string& private_pem, std::string_view message);
// The raw public key of an Ed25519 private key in PEM; nullopt if it is not one.
std::optional<std::string> PublicKeyOf(const std::string& private_pem);
bool VerifyEd25519(std::string_view public_raw, std::string_view message,
                   std::string_view signature);
// The key id used on the wire: the first 16 hex digits of SHA-256(public key).
std::string KeyId(std::string_view public_raw);

}  // namespace custodian::crypto
