#include "common/audit_chain.h"

#include <map>

#include "common/canonical_json.h"
#include "common/crypto.h"
#include "common/text.h"

namespace custodian::audit {

using web::json::value;

std::string CanonicalRecord(const EventFields& e, const std::string* hash) {
  // Members in RFC 8785 order: action, actor{id, kind}, details, hash, id,
  // outcome, prev_hash, reasons, seq, target, ts.
  std::string out;
  out.reserve(256 + e.details_json.size() + e.reasons_json.size());
  out += "{\"action\":";
  AppendCanonicalString(e.action, out);
  out += ",\"actor\":{\"id\":";
  AppendCanonicalString(e.actor_id, out);
  out += ",\"kind\":";
  AppendCanonicalString(e.actor_kind, out);
  out += "},\"details\":";
  out += e.details_json;
  if (hash) {
    out += ",\"hash\":";
    AppendCanonicalString(*hash, out);
  }
  out += ",\"id\":";
  AppendCanonicalString(e.id, out);
  out += ",\"outcome\":";
  AppendCanonicalString(e.outcome, out);
  out += ",\"prev_hash\":";
  AppendCanonicalString(e.prev_hash, out);
  out += ",\"reasons\":";
  out += e.reasons_json;
  out += ",\"seq\":";
  AppendCanonicalNumber(static_cast<double>(e.seq), out);
  out += ",\"target\":";
  AppendCanonicalString(e.target, out);
  out += ",\"ts\":";
  AppendCanonicalString(e.ts, out);
  out += '}';
  return out;
}

std::string EventHash(const EventFields& e) {
  return crypto::Hex(crypto::Sha256(e.prev_hash + CanonicalRecord(e)));
}

Link ClassifyLink(int64_t last_seq, const std::string& last_hash, int64_t seq,
                  const std::string& prev_hash) {
  if (seq <= last_seq) return Link::kRepeated;
  if (seq > last_seq + 1) return Link::kGap;
  return prev_hash == last_hash ? Link::kNext : Link::kBroken;
}

std::string RecordHash(const value& record) {
  value copy = record;
  if (copy.has_field("hash")) copy.erase("hash");
  const std::string prev = copy.has_field("prev_hash") && copy.at("prev_hash").is_string()
                               ? copy.at("prev_hash").as_string()
                               : "";
  return crypto::Hex(crypto::Sha256(prev + CanonicalJson(copy)));
}

std::string SignedBytes(const value& signed_object) {
  value copy = signed_object;
  if (copy.is_object() && copy.has_field("signature")) copy.erase("signature");
  return CanonicalJson(copy);
}

namespace {

// What is wrong with a signed object (trailer or checkpoint) of `kind`, or
// "". Sets *pinned_key when a pinned key signed it. Throws on a missing or
// mistyped member.
std::string SignatureProblem(const value& c, const char* kind,
                             const std::vector<std::string>& pinned, bool* pinned_key) {
  if (!c.has_field("kind") || c.at("kind").as_string() != kind) {
    return std::string("is not a ") + kind + " object";
  }
  const auto pub = crypto::FromBase64(c.at("public_key").as_string());
  const auto sig = crypto::FromBase64(c.at("signature").as_string());
  if (!pub || !sig || !crypto::VerifyEd25519(*pub, SignedBytes(c), *sig)) {
    return "signature does not verify";
  }
  if (c.at("key_id").as_string() != crypto::KeyId(*pub)) {
    return "key_id does not name its public key";
  }
  *pinned_key = false;
  for (const std::string& p : pinned) *pinned_key = *pinned_key || p == *pub;
  if (!pinned.empty() && !*pinned_key) {
    return "is signed by key " + c.at("key_id").as_string() + ", which is not pinned";
  }
  return "";
}

int64_t Int(const value& v, const char* key) { return v.at(key).as_number().to_int64(); }

// What an event shows of itself to a filter.
struct Seen {
  std::string ts, actor, action, target;
};

struct Trailer {
  int64_t count = 0, first_seq = 0, last_seq = 0, chain_seq = 0;
  std::string last_hash, chain_hash;
  bool complete = false;
  std::map<std::string, std::string> filter;
};

// Whether `e` belongs in an export under `filter` (since inclusive, until
// exclusive, both normalised RFC 3339 UTC, which compare as text).
bool Matches(const Seen& e, const std::map<std::string, std::string>& filter) {
  for (const auto& [k, v] : filter) {
    if ((k == "since" && e.ts < v) || (k == "until" && e.ts >= v) ||
        (k == "actor" && e.actor != v) || (k == "action" && e.action != v) ||
        (k == "target" && e.target != v)) {
      return false;
    }
  }
  return true;
}

}  // namespace

VerifyReport VerifyJsonl(std::istream& in, const std::vector<std::string>& pinned,
                         const std::vector<value>& held) {
  VerifyReport r;
  std::map<int64_t, std::string> hash_at;  // every event's hash by seq
  std::vector<std::pair<int64_t, Seen>> seen;
  std::optional<Trailer> trailer;
  std::string line;
  int64_t line_no = 0;
  std::optional<int64_t> prev_seq;
  std::string prev_hash;
  auto problem = [&](const std::string& what) {
    r.problems.push_back("line " + std::to_string(line_no) + ": " + what);
  };
  std::vector<std::pair<int64_t, std::string>> gaps;  // line, "events a to b are missing"
  // Lines end at '\n' only: strings may hold a raw U+2028, never a raw '\n'.
  while (std::getline(in, line, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    std::string error;
    const value v =
        text::IsValidUtf8(line) ? text::ParseJson(line, &error).value_or(value()) : value();
    if (seen.empty() && !trailer && r.problems.empty() &&
        !(v.is_object() && (v.has_field("seq") || v.has_field("trailer")))) {
      problem("neither an audit event nor a trailer: not a JSON Lines audit export");
      r.not_an_export = true;
      return r;
    }
    if (!v.is_object()) {
      problem("not a JSON object");
      continue;
    }
    if (trailer) {
      problem("data after the signed trailer");
      continue;
    }
    if (v.has_field("trailer")) {
      const value& c = v.at("trailer");
      Trailer t;
      try {
        r.key_id = c.at("key_id").as_string();
        const std::string signature = SignatureProblem(c, kTrailerKind, pinned, &r.key_pinned);
        if (!signature.empty()) problem("the trailer's " + signature);
        if (c.at("format").as_string() != "jsonl") problem("the trailer is not a JSON Lines one");
        t.complete = c.at("complete").as_bool();
        t.count = Int(c, "count");
        t.first_seq = Int(c, "first_seq");
        t.last_seq = Int(c, "last_seq");
        t.last_hash = c.at("last_hash").as_string();
        t.chain_seq = Int(c.at("chain"), "seq");
        t.chain_hash = c.at("chain").at("hash").as_string();
        for (const auto& [k, f] : c.at("filter").as_object()) t.filter[k] = f.as_string();
      } catch (const std::exception&) {
        problem("the trailer lacks a member or has one of the wrong type");
      }
      trailer = t;
      continue;
    }
    int64_t seq;
    std::string hash, record_prev;
    Seen s;
    try {
      seq = Int(v, "seq");
      hash = v.at("hash").as_string();
      record_prev = v.at("prev_hash").as_string();
      s = {v.at("ts").as_string(), v.at("actor").at("id").as_string(), v.at("action").as_string(),
           v.at("target").as_string()};
    } catch (const std::exception&) {
      problem("an event lacks seq, ts, actor, action, target, prev_hash or hash");
      continue;
    }
    if (!text::JsonTextProblems(v).empty()) {
      problem("event " + std::to_string(seq) + " holds invalid text or numbers");
    } else if (RecordHash(v) != hash) {
      problem("event " + std::to_string(seq) + " was altered (hash mismatch)");
    }
    if (prev_seq) {
      switch (ClassifyLink(*prev_seq, prev_hash, seq, record_prev)) {
        case Link::kRepeated:
          problem("event " + std::to_string(seq) + " comes after event " +
                  std::to_string(*prev_seq) + ": reordered or repeated");
          continue;
        case Link::kBroken:
          problem("event " + std::to_string(seq) + " does not chain to event " +
                  std::to_string(*prev_seq));
          break;
        case Link::kGap:
          gaps.push_back({line_no, "events " + std::to_string(*prev_seq + 1) + " to " +
                                       std::to_string(seq - 1) + " are missing"});
          break;
        case Link::kNext:
          break;
      }
    } else {
      r.first_seq = seq;
      if (seq == 1 && record_prev != kGenesisHash) problem("event 1 does not start the chain");
    }
    hash_at[seq] = hash;
    seen.emplace_back(seq, std::move(s));
    prev_seq = seq;
    prev_hash = hash;
    r.last_seq = seq;
    ++r.events;
  }
  if (!trailer) {
    r.problems.push_back("the signed trailer is missing: the export was truncated");
  } else {
    const Trailer& t = *trailer;
    r.complete = t.complete;
    const std::string last_hash = r.events ? prev_hash : std::string(kGenesisHash);
    if (t.count != r.events || t.first_seq != r.first_seq || t.last_seq != r.last_seq ||
        t.last_hash != last_hash) {
      r.problems.push_back("the trailer signs " + std::to_string(t.count) + " events (" +
                           std::to_string(t.first_seq) + " to " + std::to_string(t.last_seq) +
                           "), but the export holds " + std::to_string(r.events) + " (" +
                           std::to_string(r.first_seq) + " to " + std::to_string(r.last_seq) +
                           "): events were removed or added");
    }
    if (t.chain_seq < r.last_seq || (t.chain_seq == r.last_seq && t.chain_hash != last_hash)) {
      r.problems.push_back("the export does not end within the chain head its trailer signs");
    }
    if (t.complete) {
      if (!t.filter.empty())
        r.problems.push_back("the trailer claims the whole chain and a filter");
      for (const auto& [at, what] : gaps) {
        r.problems.push_back("line " + std::to_string(at) + ": " + what);
      }
      if (r.events > 0 && r.first_seq != 1) {
        r.problems.push_back("the export claims the whole chain but starts at event " +
                             std::to_string(r.first_seq) + ": events were removed from its start");
      }
      if (t.chain_seq != r.last_seq) {
        r.problems.push_back("the export claims the whole chain of " + std::to_string(t.chain_seq) +
                             " events but ends at event " + std::to_string(r.last_seq) +
                             ": events were removed from its end");
      }
    } else {
      if (t.filter.empty()) r.problems.push_back("the trailer claims a filter but names none");
      // A filtered export legitimately skips events, but only those the
      // signed filter leaves out.
      for (const auto& [seq, s] : seen) {
        if (!Matches(s, t.filter)) {
          r.problems.push_back("event " + std::to_string(seq) +
                               " does not match the signed filter");
        }
      }
    }
    for (std::size_t i = 0; i < held.size(); ++i) {
      const std::string name = "held checkpoint " + std::to_string(i + 1);
      try {
        const value& c = held[i];
        bool pinned_key = false;
        const std::string signature = SignatureProblem(c, kCheckpointKind, pinned, &pinned_key);
        const int64_t seq = Int(c, "seq");
        const std::string& head = c.at("head_hash").as_string();
        const auto it = hash_at.find(seq);
        if (!signature.empty()) {
          r.problems.push_back(name + ": " + signature);
        } else if (seq > t.chain_seq) {
          r.problems.push_back(name + ": it covers event " + std::to_string(seq) +
                               ", but the chain now ends at event " + std::to_string(t.chain_seq) +
                               ": events were removed");
        } else if ((seq == t.chain_seq && head != t.chain_hash) ||
                   (it != hash_at.end() && it->second != head) ||
                   (seq == 0 && head != kGenesisHash)) {
          r.problems.push_back(name + ": event " + std::to_string(seq) +
                               " differs from the one signed then: the history was rewritten");
        } else if (it == hash_at.end() && seq != 0 && seq != t.chain_seq) {
          r.notes.push_back(name + ": event " + std::to_string(seq) +
                            " is not in this filtered export, so it cannot be checked");
        } else {
          ++r.checkpoints_checked;
        }
      } catch (const std::exception&) {
        r.problems.push_back(name +
                             ": not a checkpoint (kind, seq, head_hash, ts, key_id, public_key, "
                             "signature)");
      }
    }
  }
  r.ok = r.problems.empty();
  return r;
}

}  // namespace custodian::audit
