// The audit hash chain of DESIGN.md §7 and the offline verification of an
// export, shared by the admin center (which writes the chain), the enforcer
// (which keeps its own) and `custodian audit verify` (which checks an
// export without any server). docs/audit-format.md is the normative
// description; this header is its implementation.
//
// An event record is {seq, id, ts, actor{kind,id}, action, target, outcome,
// reasons, details, prev_hash, hash}; hash = hex(SHA-256(prev_hash ||
// JCS(record without "hash"))), JCS being RFC 8785 (common/canonical_json.h).
//
// A JSON Lines export ends with a signed trailer {"trailer": {...}} and a
// checkpoint from GET /v1/audit/checkpoint is a signed head of the chain.
// Both carry a "kind" (domain separation) and an Ed25519 signature over the
// JCS form of every other member, so nothing a verifier relies on can be
// changed: the filter, completeness, the first and last seq, the count,
// the hash of the last event and the chain's head when it was exported.
//
// Thread-safety: pure functions.
#pragma once

#include <cpprest/json.h>

#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace custodian::audit {

inline constexpr const char* kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr const char* kCheckpointKind = "custodian.audit.checkpoint/1";
inline constexpr const char* kTrailerKind = "custodian.audit.export/1";

// One stored event. `reasons_json` and `details_json` hold their JSON in
// canonical (JCS) form, as the admin center stores them.
struct EventFields {
  int64_t seq = 0;
  std::string id, ts, actor_kind, actor_id, action, target, outcome;
  std::string reasons_json = "[]";
  std::string details_json = "{}";
  std::string prev_hash;
};

// The JCS text of the record, with "hash" when `hash` is given (an export
// line is exactly this): built by appending, no JSON value in between.
std::string CanonicalRecord(const EventFields& e, const std::string* hash = nullptr);
// hex SHA-256 over prev_hash and CanonicalRecord(e).
std::string EventHash(const EventFields& e);
// The same for a parsed record (its "hash" member, if any, left out).
std::string RecordHash(const web::json::value& record);

// How an event (`seq`, `prev_hash`) follows the last one held (`last_seq`,
// `last_hash`): the next link, a repeat or fork of a seq already held, a
// gap before it, or the next seq that does not chain to the last hash.
enum class Link { kNext, kRepeated, kGap, kBroken };
Link ClassifyLink(int64_t last_seq, const std::string& last_hash, int64_t seq,
                  const std::string& prev_hash);

// The bytes a trailer's or checkpoint's signature covers: the JCS form of
// the object without its "signature" member.
std::string SignedBytes(const web::json::value& signed_object);

struct VerifyReport {
  bool ok = false;
  int64_t events = 0;
  int64_t first_seq = 0;
  int64_t last_seq = 0;
  bool complete = false;  // the export is the whole chain (no filter), as signed
  std::string key_id;
  bool key_pinned = false;
  std::vector<std::string> problems;  // "line N: what"; any problem means not intact
  std::vector<std::string> notes;     // what could not be checked, and why
  // The first line is neither an event nor a trailer (a CSV export, say):
  // not a JSON Lines export at all, so nothing was verified.
  bool not_an_export = false;
  std::size_t checkpoints_checked = 0;  // held checkpoints the export could be checked against
};

// Verifies a JSON Lines export. With `pinned_public_keys` (raw Ed25519) the
// trailer and each held checkpoint must be signed by one of them (pin
// every key you trust across rotations). Each of `held_checkpoints`
// (signed heads fetched earlier from GET /v1/audit/checkpoint, kept outside
// the admin center) must agree with the export: a history rewritten since
// then, even with its hashes recomputed and re-signed, no longer matches,
// and a chain now shorter than a held checkpoint has lost events.
VerifyReport VerifyJsonl(std::istream& in, const std::vector<std::string>& pinned_public_keys,
                         const std::vector<web::json::value>& held_checkpoints = {});

}  // namespace custodian::audit
