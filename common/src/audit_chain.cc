#include "common/audit_chain.h"

#include <map>

#include "common/canonical_json.h"
#include "common/crypto.h"

namespace custodian::audit {

using web::json::value;

std::string RecordHash(const value& record) {
  value copy = record;
  if (copy.has_field("hash")) copy.erase("hash");
  const std::string prev = copy.has_field("prev_hash") && copy.at("prev_hash").is_string()
                               ? copy.at("prev_hash").as_string()
                               : "";
  return crypto::Hex(crypto::Sha256(prev + CanonicalJson(copy)));
}

namespace {

// What is wrong with a signed checkpoint's signature (empty when nothing).
// Throws when a field is missing or of the wrong type.
std::string CheckpointSignatureProblem(const value& c, const std::optional<std::string>& pinned) {
  value signed_part = value::object();
  for (const char* k : {"seq", "head_hash", "ts", "key_id"}) signed_part[k] = c.at(k);
  const auto pub = crypto::FromBase64(c.at("public_key").as_string());
  const auto sig = crypto::FromBase64(c.at("signature").as_string());
  if (!pub || !sig || !crypto::VerifyEd25519(*pub, CanonicalJson(signed_part), *sig)) {
    return "signature does not verify";
  }
  if (pinned && *pub != *pinned) {
    return "is signed by key " + c.at("key_id").as_string() + ", not by the pinned key";
  }
  return "";
}

}  // namespace

VerifyReport VerifyJsonl(std::istream& in, const std::optional<std::string>& pinned,
                         const std::vector<value>& held) {
  VerifyReport r;
  std::map<int64_t, std::string> hash_at;  // the export's hashes at the held checkpoints' seqs
  for (const value& c : held) {
    if (c.has_field("seq") && c.at("seq").is_integer()) {
      hash_at[c.at("seq").as_number().to_int64()] = "";
    }
  }
  std::string line;
  int64_t line_no = 0;
  std::optional<int64_t> prev_seq;
  std::string prev_hash;
  bool trailer_seen = false;
  auto problem = [&](const std::string& what) {
    r.problems.push_back("line " + std::to_string(line_no) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::error_code ec;
    const value v = value::parse(line, ec);
    if (ec || !v.is_object()) {
      problem("not a JSON object");
      continue;
    }
    if (trailer_seen) {
      problem("data after the signed trailer");
      continue;
    }
    if (v.has_field("checkpoint")) {
      trailer_seen = true;
      const value& c = v.at("checkpoint");
      try {
        r.key_id = c.at("key_id").as_string();
        r.complete = c.has_field("complete") && c.at("complete").as_bool();
        const std::string signature = CheckpointSignatureProblem(c, pinned);
        if (!signature.empty()) problem("the trailer's " + signature);
        if (c.at("seq").as_number().to_int64() != r.last_seq ||
            c.at("head_hash").as_string() != (r.events ? prev_hash : std::string(kGenesisHash))) {
          problem("the trailer names event " + std::to_string(c.at("seq").as_number().to_int64()) +
                  " as the last, but the export ends at event " + std::to_string(r.last_seq) +
                  ": events were removed or added");
        }
      } catch (const std::exception&) {
        problem("the trailer lacks a field");
      }
      continue;
    }
    int64_t seq;
    std::string hash, record_prev;
    try {
      seq = v.at("seq").as_number().to_int64();
      hash = v.at("hash").as_string();
      record_prev = v.at("prev_hash").as_string();
    } catch (const std::exception&) {
      problem("an event lacks seq, prev_hash or hash");
      continue;
    }
    if (RecordHash(v) != hash)
      problem("event " + std::to_string(seq) + " was altered (hash mismatch)");
    if (prev_seq) {
      if (seq <= *prev_seq) {
        problem("event " + std::to_string(seq) + " comes after event " + std::to_string(*prev_seq) +
                ": reordered or repeated");
      } else if (seq == *prev_seq + 1 && record_prev != prev_hash) {
        problem("event " + std::to_string(seq) + " does not chain to event " +
                std::to_string(*prev_seq));
      } else if (seq > *prev_seq + 1) {
        r.problems.push_back("line " + std::to_string(line_no) + ": events " +
                             std::to_string(*prev_seq + 1) + " to " + std::to_string(seq - 1) +
                             " are missing");
      }
    } else {
      r.first_seq = seq;
    }
    if (auto it = hash_at.find(seq); it != hash_at.end()) it->second = hash;
    prev_seq = seq;
    prev_hash = hash;
    r.last_seq = seq;
    ++r.events;
  }
  if (!trailer_seen) {
    r.problems.push_back("the signed trailer is missing: the export was truncated");
  } else if (r.complete && r.events > 0 && r.first_seq != 1) {
    r.problems.push_back("the export claims the whole chain but starts at event " +
                         std::to_string(r.first_seq) + ": events were removed from its start");
  }
  if (!r.complete) {
    // A filtered export legitimately skips events; only the chain between
    // neighbours and each event's own hash count.
    std::erase_if(r.problems, [](const std::string& p) { return p.ends_with(" are missing"); });
  }
  for (std::size_t i = 0; i < held.size(); ++i) {
    const std::string name = "held checkpoint " + std::to_string(i + 1);
    try {
      const int64_t seq = held[i].at("seq").as_number().to_int64();
      const std::string signature = CheckpointSignatureProblem(held[i], pinned);
      const std::string& hash = hash_at[seq];
      if (!signature.empty()) {
        r.problems.push_back(name + ": " + signature);
      } else if (!hash.empty()) {
        if (hash != held[i].at("head_hash").as_string()) {
          r.problems.push_back(name + ": event " + std::to_string(seq) +
                               " differs from the one signed then: the history was rewritten");
        }
      } else if (r.complete && seq > r.last_seq) {
        r.problems.push_back(name + ": it covers event " + std::to_string(seq) +
                             ", but the export ends at event " + std::to_string(r.last_seq) +
                             ": events were removed");
      } else if (seq != 0) {
        r.problems.push_back(name + ": event " + std::to_string(seq) +
                             " is not in this export, so it cannot be checked");
      }
    } catch (const std::exception&) {
      r.problems.push_back(name +
                           ": not a checkpoint (seq, head_hash, ts, key_id, public_key, "
                           "signature)");
    }
  }
  r.ok = r.problems.empty();
  return r;
}

}  // namespace custodian::audit
