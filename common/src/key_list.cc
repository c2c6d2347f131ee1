#include "common/key_list.h"

#include "common/crypto.h"

namespace custodian::crypto {

using web::json::value;

value EncodeKeyList(const std::vector<PublicKey>& keys) {
  value out = value::array(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    value k = value::object(true);
    k["key_id"] = value::string(keys[i].key_id);
    k["public_key"] = value::string(Base64(keys[i].public_raw));
    out[i] = k;
  }
  return out;
}

std::vector<PublicKey> ParseKeyList(const value& keys) {
  std::vector<PublicKey> out;
  if (!keys.is_array()) return out;
  for (const value& k : keys.as_array()) {
    if (!k.is_object() || !k.has_field("key_id") || !k.has_field("public_key") ||
        !k.at("key_id").is_string() || !k.at("public_key").is_string()) {
      return {};
    }
    auto raw = FromBase64(k.at("public_key").as_string());
    // A key id is derived from its key: a list that disagrees is forged.
    if (!raw || raw->size() != 32 || KeyId(*raw) != k.at("key_id").as_string()) return {};
    out.push_back({k.at("key_id").as_string(), *raw});
  }
  return out;
}

}  // namespace custodian::crypto
