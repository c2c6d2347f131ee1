// The list of policy signing keys, [{key_id, public_key}], as a bundle
// lists them and enrollment pins them: written by the admin center, read
// by the enforcer, one codec for both.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

namespace custodian::crypto {

struct PublicKey {
  std::string key_id;      // crypto::KeyId of the key
  std::string public_raw;  // 32 bytes of Ed25519
};

web::json::value EncodeKeyList(const std::vector<PublicKey>& keys);
// Empty when anything is wrong: not an array, a member missing, a key that
// is not 32 bytes, or a key id that is not the key's own (a forged list).
std::vector<PublicKey> ParseKeyList(const web::json::value& keys);

}  // namespace custodian::crypto
