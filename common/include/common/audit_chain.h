// The audit hash chain of DESIGN.md §7 and the offline verification of an
// export, shared by the admin center (which writes the chain) and
// `custodian audit verify` (which checks an export without any server).
//
// An event record is {seq, id, ts, actor{kind,id}, action, target, outcome,
// reasons, details, prev_hash, hash}; hash = hex(SHA-256(prev_hash ||
// canonical JSON of the record without "hash")). A JSON Lines export ends
// with {"checkpoint": {seq, head_hash, ts, key_id, public_key, signature,
// complete}}, the signature (Ed25519) covering the canonical JSON of seq,
// head_hash, ts and key_id.
#pragma once

#include <cpprest/json.h>

#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace custodian::audit {

inline constexpr const char* kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// hex SHA-256 over prev_hash and the canonical record without "hash".
std::string RecordHash(const web::json::value& record);

struct VerifyReport {
  bool ok = false;
  int64_t events = 0;
  int64_t first_seq = 0;
  int64_t last_seq = 0;
  bool complete = false;  // the export claims the whole chain (no filter)
  std::string key_id;
  std::vector<std::string> problems;  // "line N: what"
};

// Verifies a JSON Lines export. With `pinned_public_key` (raw Ed25519), the
// trailer must be signed by that key. Each of `held_checkpoints` (signed
// heads fetched earlier from GET /v1/audit/checkpoint, kept outside the
// admin center) must be signed and must match the export's event at its
// seq: a history rewritten since then, even with its hashes recomputed and
// re-signed, no longer matches.
VerifyReport VerifyJsonl(std::istream& in, const std::optional<std::string>& pinned_public_key,
                         const std::vector<web::json::value>& held_checkpoints = {});

}  // namespace custodian::audit
