#include "admincenter/audit_seal.h"

#include <spdlog/spdlog.h>

#include <map>

#include "admincenter/audit.h"
#include "admincenter/audit_repository.h"
#include "admincenter/key_repository.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "common/files.h"
#include "common/logging.h"

namespace custodian::admincenter {

using web::json::value;

namespace {

Problem BrokenProblem(const std::string& why) {
  return {ErrorKind::kUnavailable,
          "the audit chain does not verify (" + why +
              "); nothing is signed until an operator has restored the database",
          {},
          {}};
}

}  // namespace

AuditSeal::AuditSeal(Storage& storage, const KeyRing& keys, Clock clock,
                     std::filesystem::path head_file)
    : storage_(storage),
      keys_(keys),
      clock_(std::move(clock)),
      head_file_(std::move(head_file)),
      holder_(crypto::NewId("seal-")) {
  verified_hash_ = kGenesisHash;
}

AuditSeal::~AuditSeal() { Stop(); }

void AuditSeal::Break(std::string why) {
  if (broken_) return;
  spdlog::error(R"({{"event":"audit_chain_broken","reason":{}}})", value::string(why).serialize());
  broken_ = std::move(why);
}

std::optional<std::string> AuditSeal::broken() const {
  std::lock_guard lock(mutex_);
  return broken_;
}

bool AuditSeal::VerifyNew(Repositories& tx) {
  if (broken_) return false;
  AuditRepository& log = tx.audit();
  if (verified_seq_ > 0 && log.HashAt(verified_seq_) != verified_hash_) {
    Break("event " + std::to_string(verified_seq_) + " changed after it was verified");
    return false;
  }
  log.EventsAfter(verified_seq_, [&](const StoredEvent& e) {
    const audit::EventFields& f = e.fields;
    const std::string& hash = e.hash;
    if (f.seq != verified_seq_ + 1) {
      Break("events " + std::to_string(verified_seq_ + 1) + " to " + std::to_string(f.seq - 1) +
            " are missing");
    } else if (f.prev_hash != verified_hash_) {
      Break("event " + std::to_string(f.seq) + " does not chain to event " +
            std::to_string(verified_seq_));
    } else if (audit::EventHash(f) != hash) {
      Break("event " + std::to_string(f.seq) + " was altered (hash mismatch)");
    }
    if (broken_) return false;
    verified_seq_ = f.seq;
    verified_hash_ = hash;
    return true;
  });
  return !broken_;
}

bool AuditSeal::VerifyCheckpoints(Repositories& tx) {
  AuditRepository& log = tx.audit();
  std::map<std::string, std::string> public_keys;  // key id -> raw
  for (const KeyRecord& k : tx.keys().Keys()) {
    public_keys[k.key_id] = crypto::FromBase64(k.public_key).value_or("");
  }
  std::map<int64_t, std::string> kept;  // seq -> signature, of the rows that verify
  auto check = [&](const std::string& text, const std::string& where) {
    std::error_code ec;
    const value c = value::parse(text, ec);
    try {
      const auto key = public_keys.find(c.at("key_id").as_string());
      const auto sig = crypto::FromBase64(c.at("signature").as_string());
      if (ec || c.at("kind").as_string() != audit::kCheckpointKind || key == public_keys.end() ||
          !sig || !crypto::VerifyEd25519(key->second, audit::SignedBytes(c), *sig)) {
        Break(where + " is not signed by a key of this admin center");
        return;
      }
      const int64_t seq = c.at("seq").as_number().to_int64();
      if (seq > verified_seq_) {
        Break(where + " covers event " + std::to_string(seq) + " but the chain ends at event " +
              std::to_string(verified_seq_) + ": events were removed");
      } else if (log.HashAt(seq) != c.at("head_hash").as_string()) {
        Break(where + " does not match event " + std::to_string(seq) +
              ": the history was rewritten");
      }
      kept[seq] = c.at("signature").as_string();
    } catch (const std::exception&) {
      Break(where + " is not a checkpoint");
    }
  };
  for (const StoredCheckpoint& kept_checkpoint : log.Checkpoints()) {
    if (broken_) break;
    check(kept_checkpoint.record, "checkpoint " + std::to_string(kept_checkpoint.seq));
  }
  if (!broken_ && !head_file_.empty() && std::filesystem::exists(head_file_)) {
    const std::string where = head_file_.string();
    const std::optional<std::string> text = ReadFile(where);
    std::error_code ec;
    const value c = text ? value::parse(*text, ec) : value();
    try {
      const auto it = kept.find(c.at("seq").as_number().to_int64());
      if (ec || it == kept.end() || it->second != c.at("signature").as_string()) {
        Break(where + " names a checkpoint the database no longer holds: checkpoints were removed");
      }
    } catch (const std::exception&) {
      Break(where + " is not a checkpoint");
    }
  }
  return !broken_;
}

value AuditSeal::SignAndKeep(Repositories& tx, int64_t seq, const std::string& hash) {
  // One checkpoint per event: a head already sealed (by this process or
  // another replica of the database) keeps the checkpoint it has, so that
  // every replica's anchor file names one the database holds.
  if (const auto kept = tx.audit().CheckpointAt(seq); kept && kept->head_hash == hash) {
    std::error_code ec;
    const value c = value::parse(kept->record, ec);
    if (!ec && c.is_object()) {
      sealed_seq_ = std::max(sealed_seq_, seq);
      return c;
    }
  }
  value c = value::object(true);
  c["kind"] = value::string(audit::kCheckpointKind);
  c["seq"] = value::number(seq);
  c["head_hash"] = value::string(hash);
  c["ts"] = value::string(policy::FormatRfc3339(clock_()));
  const SigningKey key = keys_.Active();
  c["key_id"] = value::string(key.key_id);
  c["public_key"] = value::string(crypto::Base64(key.public_raw));
  // The key was checked when loaded; an empty signature would fail every
  // verification, never pass one.
  c["signature"] = value::string(
      crypto::Base64(crypto::SignEd25519(key.private_pem, audit::SignedBytes(c)).value_or("")));
  tx.audit().Keep({seq, hash, c.at("ts").as_string(), key.key_id, c.at("signature").as_string(),
                   CanonicalJson(c)});
  sealed_seq_ = std::max(sealed_seq_, seq);
  return c;
}

bool AuditSeal::Start() {
  Result<value> sealed = Checkpoint();
  {
    std::lock_guard lock(timer_mutex_);
    stopping_ = false;
  }
  timer_ = std::thread([this] { SealLoop(); });
  return sealed.ok();
}

void AuditSeal::Stop() {
  {
    std::lock_guard lock(timer_mutex_);
    if (stopping_ || !timer_.joinable()) return;
    stopping_ = true;
  }
  timer_wake_.notify_all();
  timer_.join();
  (void)Checkpoint();
}

void AuditSeal::SealLoop() {
  std::unique_lock lock(timer_mutex_);
  while (!timer_wake_.wait_for(lock, kSealInterval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      const bool mine = storage_.Write([&](Repositories& tx) {
        return tx.leases().Acquire(kSealLease, holder_, clock_(), kSealLeaseTerm);
      });
      const bool moved =
          mine && storage_.Read([](Repositories& tx) { return tx.audit().Head().seq; }) > [this] {
            std::lock_guard l(mutex_);
            return sealed_seq_;
          }();
      if (moved) (void)Checkpoint();
    } catch (const StorageError& e) {
      // The database is away (a PostgreSQL restart): seal at the next turn.
      spdlog::warn(logging::Line("audit_seal", {{"error", e.what()}}));
    }
    lock.lock();
  }
}

Result<value> AuditSeal::Checkpoint() {
  Result<value> r = storage_.Write([&](Repositories& tx) -> Result<value> {
    std::lock_guard lock(mutex_);
    const bool first = sealed_seq_ < 0;
    if (!VerifyNew(tx) || (first && !VerifyCheckpoints(tx))) return BrokenProblem(*broken_);
    return SignAndKeep(tx, verified_seq_, verified_hash_);
  });
  if (r.ok() && !head_file_.empty()) {
    std::string error;
    if (!WriteFileAtomically(head_file_.string(), CanonicalJson(r.value()), 0600, &error)) {
      spdlog::warn(R"({{"event":"audit_head_file","error":{}}})", value::string(error).serialize());
    }
  }
  return r;
}

Result<value> AuditSeal::SignTrailer(value fields) {
  const int64_t seq = fields.at("chain").at("seq").as_number().to_int64();
  const std::string hash = fields.at("chain").at("hash").as_string();
  Result<value> r = storage_.Write([&](Repositories& tx) -> Result<value> {
    std::lock_guard lock(mutex_);
    if (!VerifyNew(tx)) return BrokenProblem(*broken_);
    if (seq > verified_seq_ || tx.audit().HashAt(seq) != hash) {
      Break("the exported head, event " + std::to_string(seq) + ", is not in the verified chain");
      return BrokenProblem(*broken_);
    }
    const value checkpoint = SignAndKeep(tx, seq, hash);
    const SigningKey key = keys_.Active();
    fields["kind"] = value::string(audit::kTrailerKind);
    fields["ts"] = checkpoint.at("ts");
    fields["key_id"] = value::string(key.key_id);
    fields["public_key"] = value::string(crypto::Base64(key.public_raw));
    fields["signature"] = value::string(crypto::Base64(
        crypto::SignEd25519(key.private_pem, audit::SignedBytes(fields)).value_or("")));
    return fields;
  });
  return r;
}

}  // namespace custodian::admincenter
