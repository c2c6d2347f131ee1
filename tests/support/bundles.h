// Signed policy bundles (DESIGN.md §4) made in a test, as the admin center
// would serve them: the bytes of {format, version, issued_at, expires_at,
// key_id, keys, policy} in the envelope {bundle: base64, signatures}; and
// the enrolled state they are offered to.
#pragma once

#include <cpprest/json.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/crypto.h"
#include "enforcer/bundle.h"
#include "enforcer/storage/store.h"
#include "policy/time.h"

namespace custodian::testing {

inline std::string SignedBundle(const crypto::Ed25519KeyPair& key, int64_t version,
                                policy::Instant issued, policy::Instant expires,
                                const web::json::value& policy) {
  using web::json::value;
  const std::string key_id = crypto::KeyId(key.public_raw);
  value b = value::object(true);
  b["format"] = value::number(1);
  b["version"] = value::number(version);
  b["issued_at"] = value::string(policy::FormatRfc3339(issued));
  b["expires_at"] = value::string(policy::FormatRfc3339(expires));
  b["key_id"] = value::string(key_id);
  b["keys"] = crypto::EncodeKeyList({{key_id, key.public_raw}});
  b["policy"] = policy;
  const std::string bytes = b.serialize();
  value s = value::object(true);
  s["key_id"] = value::string(key_id);
  s["signature"] = value::string(crypto::Base64(*crypto::SignEd25519(key.private_pem, bytes)));
  value e = value::object(true);
  e["bundle"] = value::string(crypto::Base64(bytes));
  e["signatures"] = value::array({s});
  return e.serialize();
}

// A new enforcer state directory `dir` as enrollment leaves it: endpoint
// "e-test" with `key` pinned. Null (with `error`) if it cannot be made.
inline std::unique_ptr<enforcer::Store> EnrolledStore(const std::filesystem::path& dir,
                                                      const crypto::Ed25519KeyPair& key,
                                                      std::string* error) {
  auto store = enforcer::Store::Open(dir, true, error);
  if (store) {
    store->Set(
        {{"endpoint_id", "e-test"},
         {"pinned_keys",
          crypto::EncodeKeyList({{crypto::KeyId(key.public_raw), key.public_raw}}).serialize()}});
  }
  return store;
}

}  // namespace custodian::testing
