#include "admincenter/distribution.h"

#include <SQLiteCpp/Statement.h>

#include "admincenter/audit.h"
#include "admincenter/policy_store.h"
#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "input.h"
#include "policy/request.h"

namespace custodian::admincenter {
namespace {

constexpr int kDefaultCodeMinutes = 60;
constexpr int kMaxCodeMinutes = 7 * 24 * 60;
constexpr std::size_t kMaxEventsPerBatch = 1000;
constexpr std::size_t kMaxCommandsPerPoll = 100;
// A poll refreshes last_seen in the database at most this often.
constexpr std::chrono::seconds kSeenWriteInterval{60};

value Str(const std::string& s) { return value::string(s); }

AuditEvent SystemEvent(std::string action, std::string target) {
  AuditEvent e;
  e.actor_kind = "system";
  e.actor_id = "admincenter";
  e.action = std::move(action);
  e.target = std::move(target);
  e.outcome = "success";
  return e;
}

// [{key_id, public_key}]: what bundles list and enrollment pins.
value PublicKeys(const std::vector<SigningKey>& keys) {
  value list = value::array();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    value k = value::object(true);
    k["key_id"] = Str(keys[i].key_id);
    k["public_key"] = Str(crypto::Base64(keys[i].public_raw));
    list[i] = k;
  }
  return list;
}

// Whether `e` has the fields of a chain record, of the right types.
bool IsEventRecord(const value& e) {
  if (!e.is_object()) return false;
  for (const char* k : {"seq", "id", "ts", "action", "target", "outcome", "reasons", "details",
                        "prev_hash", "hash"}) {
    if (!e.has_field(k)) return false;
  }
  return e.at("seq").is_integer() && e.at("seq").as_number().to_int64() > 0 &&
         e.at("id").is_string() && e.at("ts").is_string() && e.at("action").is_string() &&
         e.at("target").is_string() && e.at("outcome").is_string() && e.at("reasons").is_array() &&
         e.at("details").is_object() && e.at("prev_hash").is_string() && e.at("hash").is_string();
}

// The endpoint may act only for itself; anything else looks absent.
bool IsSelf(const Principal& endpoint, const std::string& id) {
  return endpoint.role == Role::kEndpoint && endpoint.id == id;
}

bool EndpointExists(SQLite::Database& db, const std::string& id) {
  SQLite::Statement q(db, "SELECT 1 FROM endpoints WHERE id = ?");
  q.bind(1, id);
  return q.executeStep();
}

}  // namespace

Distribution::Distribution(Service& service, KeyRing& keys) : service_(service), keys_(keys) {}

// ----------------------------------------------------------------- bundles

Result<BundleEnvelope> Distribution::CurrentBundle() {
  auto snapshot = service_.Snapshot();
  if (!snapshot) return Problem{ErrorKind::kInternal, "the stored policy is damaged", {}, {}};
  const uint64_t keys_generation = keys_.generation();
  const policy::Instant now = service_.Now();
  {
    std::lock_guard lock(mutex_);
    if (cache_ && cache_->snapshot == snapshot && cache_->keys_generation == keys_generation &&
        now < cache_->bundle.renew_at) {
      return cache_->bundle;
    }
  }
  const std::vector<SigningKey> signing = keys_.Signing();
  const value key_list = PublicKeys(signing);
  const std::string keys_hash = crypto::Hex(crypto::Sha256(CanonicalJson(key_list)));
  // Serialised by the writer, and reading the policy inside the write: two
  // callers cannot issue two versions for one change, and a caller with a
  // stale snapshot cannot publish an old policy as a new version.
  Result<BundleEnvelope> r =
      service_.db().Write([&](SQLite::Database& db) -> Result<BundleEnvelope> {
        const value document = LoadPolicyDocument(db);
        const std::string policy_hash = crypto::Hex(crypto::Sha256(CanonicalJson(document)));
        int64_t last = 0;
        {
          SQLite::Statement q(db,
                              "SELECT version, policy_hash, keys_hash, issued_at, expires_at, "
                              "envelope FROM policy_bundles ORDER BY version DESC LIMIT 1");
          if (q.executeStep()) {
            last = q.getColumn(0).getInt64();
            const auto issued = policy::ParseRfc3339(q.getColumn(3).getString());
            const auto expires = policy::ParseRfc3339(q.getColumn(4).getString());
            if (issued && expires && q.getColumn(1).getString() == policy_hash &&
                q.getColumn(2).getString() == keys_hash) {
              const policy::Instant renew_at = *issued + (*expires - *issued) / 2;
              if (now < renew_at) return BundleEnvelope{last, q.getColumn(5).getString(), renew_at};
            }
          }
        }
        int ttl_hours = policy::kDefaultBundleTtlHours;
        const value& settings = document.at("settings");
        if (settings.has_field("distribution")) {
          ttl_hours = settings.at("distribution").at("bundle_ttl_hours").as_integer();
        }
        const policy::Instant expires = now + std::chrono::hours(ttl_hours);
        value bundle = value::object(true);
        bundle["format"] = value::number(1);
        bundle["version"] = value::number(last + 1);
        bundle["issued_at"] = Str(policy::FormatRfc3339(now));
        bundle["expires_at"] = Str(policy::FormatRfc3339(expires));
        bundle["key_id"] = Str(signing.front().key_id);
        bundle["keys"] = key_list;
        bundle["policy"] = document;
        const std::string bytes = bundle.serialize();
        value signatures = value::array();
        for (std::size_t i = 0; i < signing.size(); ++i) {
          value s = value::object(true);
          s["key_id"] = Str(signing[i].key_id);
          // The keys were checked when loaded; a failed signature would make
          // endpoints reject the bundle, never accept a wrong one.
          s["signature"] =
              Str(crypto::Base64(crypto::SignEd25519(signing[i].private_pem, bytes).value_or("")));
          signatures[i] = s;
        }
        value envelope = value::object(true);
        envelope["bundle"] = Str(crypto::Base64(bytes));
        envelope["signatures"] = signatures;
        BundleEnvelope out{last + 1, envelope.serialize(), now + (expires - now) / 2};
        SQLite::Statement insert(db,
                                 "INSERT INTO policy_bundles (version, issued_at, expires_at, "
                                 "policy_hash, keys_hash, envelope) VALUES (?, ?, ?, ?, ?, ?)");
        insert.bind(1, out.version);
        insert.bind(2, policy::FormatRfc3339(now));
        insert.bind(3, policy::FormatRfc3339(expires));
        insert.bind(4, policy_hash);
        insert.bind(5, keys_hash);
        insert.bind(6, out.envelope);
        insert.exec();
        AuditEvent e =
            SystemEvent("policy.bundle_publish", "bundle:" + std::to_string(out.version));
        e.details["version"] = value::number(out.version);
        e.details["policy_hash"] = Str(policy_hash);
        e.details["expires_at"] = Str(policy::FormatRfc3339(expires));
        e.details["key_id"] = Str(signing.front().key_id);
        AppendAudit(db, e, now);
        return out;
      });
  if (!r.ok()) return r;
  std::lock_guard lock(mutex_);
  cache_ = Cached{snapshot, keys_generation, r.value()};
  return r;
}

void Distribution::Seen(const Principal& endpoint, std::optional<int64_t> held_version) {
  const policy::Instant now = service_.Now();
  bool write = false;
  {
    std::lock_guard lock(mutex_);
    Sighting& s = seen_[endpoint.id];
    write = held_version != s.version || now - s.written >= kSeenWriteInterval;
    s.at = now;
    s.version = held_version;
    if (write) s.written = now;
  }
  if (!write) return;
  service_.db().Write([&](SQLite::Database& db) {
    SQLite::Statement u(db,
                        "UPDATE endpoints SET last_seen = ?, "
                        "bundle_version = COALESCE(?, bundle_version) WHERE id = ?");
    u.bind(1, policy::FormatRfc3339(now));
    if (held_version) {
      u.bind(2, *held_version);
    } else {
      u.bind(2);
    }
    u.bind(3, endpoint.id);
    u.exec();
    return true;
  });
}

// -------------------------------------------------------------- enrollment

Result<value> Distribution::CreateEnrollmentCode(const Principal& actor, const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"ttl_minutes"}, errors);
  int minutes = kDefaultCodeMinutes;
  if (body.has_field("ttl_minutes")) {
    const value& v = body.at("ttl_minutes");
    if (!v.is_integer() || v.as_integer() < 1 || v.as_integer() > kMaxCodeMinutes) {
      errors.push_back(
          {"/ttl_minutes", "must be an integer from 1 to " + std::to_string(kMaxCodeMinutes)});
    } else {
      minutes = v.as_integer();
    }
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const std::string code = "enr_" + crypto::Base64Url(crypto::RandomBytes(16));
  const std::string hash = crypto::Sha256(code);
  const std::string id = crypto::NewId("enc_");
  const policy::Instant now = service_.Now();
  const policy::Instant expires = now + std::chrono::minutes(minutes);
  return service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    SQLite::Statement q(db,
                        "INSERT INTO enrollment_codes (id, code_hash, created_by, created_at, "
                        "expires_at) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, id);
    q.bind(2, hash.data(), static_cast<int>(hash.size()));
    q.bind(3, actor.id);
    q.bind(4, policy::FormatRfc3339(now));
    q.bind(5, policy::FormatRfc3339(expires));
    q.exec();
    AuditEvent e = ActorEvent(actor, "endpoint.enrollment_code_create", "enrollment_code:" + id);
    e.details["expires_at"] = Str(policy::FormatRfc3339(expires));
    AppendAudit(db, e, now);
    value out = value::object(true);
    out["id"] = Str(id);
    out["code"] = Str(code);  // shown once; only its hash is kept
    out["expires_at"] = Str(policy::FormatRfc3339(expires));
    return out;
  });
}

Result<value> Distribution::Enroll(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"code", "name", "os", "time_zone"}, errors);
  const auto code = RequiredString(body, "code", errors, 128);
  const auto name = RequiredName(body, "name", errors);
  const auto os = RequiredString(body, "os", errors, 16);
  const auto zone = RequiredString(body, "time_zone", errors, 64);
  if (os && !policy::ParseOs(*os)) errors.push_back({"/os", "must be windows, linux or macos"});
  if (zone && !service_.zones().Find(*zone)) {
    errors.push_back({"/time_zone", "is not a known IANA time zone"});
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const std::string hash = crypto::Sha256(*code);
  const policy::Instant now = service_.Now();
  const std::string ts = policy::FormatRfc3339(now);
  const std::string endpoint_id = crypto::NewId("e-");
  const std::string token = NewEndpointToken();
  Result<value> r = service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    SQLite::Statement q(db,
                        "SELECT id FROM enrollment_codes WHERE code_hash = ? AND used_at IS NULL "
                        "AND expires_at > ?");
    q.bind(1, hash.data(), static_cast<int>(hash.size()));
    q.bind(2, ts);
    if (!q.executeStep()) {
      return Problem{
          ErrorKind::kForbidden, "the enrollment code is unknown, used or expired", {}, {}};
    }
    const std::string code_id = q.getColumn(0).getString();
    SQLite::Statement use(db,
                          "UPDATE enrollment_codes SET used_at = ?, endpoint_id = ? WHERE id = ?");
    use.bind(1, ts);
    use.bind(2, endpoint_id);
    use.bind(3, code_id);
    use.exec();
    const std::string token_hash = crypto::Sha256(token);
    SQLite::Statement insert(db,
                             "INSERT INTO endpoints (id, name, os, time_zone, token_hash, "
                             "enrolled_at) VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, endpoint_id);
    insert.bind(2, *name);
    insert.bind(3, *os);
    insert.bind(4, *zone);
    insert.bind(5, token_hash.data(), static_cast<int>(token_hash.size()));
    insert.bind(6, ts);
    insert.exec();
    AuditEvent e;
    e.actor_kind = "endpoint";
    e.actor_id = endpoint_id;
    e.action = "endpoint.enroll";
    e.target = "endpoint:" + endpoint_id;
    e.outcome = "success";
    e.details["enrollment_code"] = Str(code_id);
    e.details["name"] = Str(*name);
    e.details["os"] = Str(*os);
    e.details["time_zone"] = Str(*zone);
    AppendAudit(db, e, now);
    value out = value::object(true);
    out["endpoint_id"] = Str(endpoint_id);
    out["token"] = Str(token);  // shown once
    out["policy_keys"] = PublicKeys(keys_.Signing());
    return out;
  });
  if (!r.ok() && r.problem().kind == ErrorKind::kForbidden) {
    service_.db().Write([&](SQLite::Database& db) {
      AuditEvent e;
      e.actor_kind = "anonymous";
      e.action = "endpoint.enroll";
      e.target = "endpoint:" + *name;
      e.outcome = "denied";
      e.details["reason"] = Str(r.problem().detail);
      AppendAudit(db, e, now);
      return true;
    });
  }
  return r;
}

Result<value> Distribution::ListEndpoints(const Principal&) {
  std::map<std::string, Sighting> seen;
  {
    std::lock_guard lock(mutex_);
    seen = seen_;
  }
  return service_.db().Read([&](SQLite::Database& db) -> Result<value> {
    SQLite::Statement q(db,
                        "SELECT id, name, os, time_zone, enrolled_at, last_seen, bundle_version, "
                        "last_event_seq FROM endpoints ORDER BY enrolled_at, id");
    value items = value::array();
    std::size_t n = 0;
    while (q.executeStep()) {
      value e = value::object(true);
      const std::string id = q.getColumn(0).getString();
      e["id"] = Str(id);
      e["name"] = Str(q.getColumn(1).getString());
      e["os"] = Str(q.getColumn(2).getString());
      e["time_zone"] = Str(q.getColumn(3).getString());
      e["enrolled_at"] = Str(q.getColumn(4).getString());
      value last_seen = q.getColumn(5).isNull() ? value::null() : Str(q.getColumn(5).getString());
      value version =
          q.getColumn(6).isNull() ? value::null() : value::number(q.getColumn(6).getInt64());
      // Fresher than the database, which is written at most once a minute.
      if (auto it = seen.find(id); it != seen.end()) {
        last_seen = Str(policy::FormatRfc3339(it->second.at));
        if (it->second.version) version = value::number(*it->second.version);
      }
      e["last_seen"] = last_seen;
      e["bundle_version"] = version;
      e["last_event_seq"] = value::number(q.getColumn(7).getInt64());
      items[n++] = e;
    }
    value out = value::object(true);
    out["items"] = items;
    return out;
  });
}

// ---------------------------------------------------------------- commands

Result<value> Distribution::QueueCommand(const Principal& actor, const std::string& endpoint_id,
                                         const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"type"}, errors);
  const auto type = RequiredString(body, "type", errors, 64);
  if (type && *type != "sync") errors.push_back({"/type", "must be \"sync\""});
  if (!errors.empty()) return Invalid(std::move(errors));
  const policy::Instant now = service_.Now();
  Result<value> r = service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    if (!EndpointExists(db, endpoint_id)) return NotFound("no such endpoint");
    const std::string id = InsertCommand(db, endpoint_id, *type, value::object(), now);
    AuditEvent e = ActorEvent(actor, "endpoint.command", "endpoint:" + endpoint_id);
    e.details["command_id"] = Str(id);
    e.details["type"] = Str(*type);
    AppendAudit(db, e, now);
    value out = value::object(true);
    out["id"] = Str(id);
    out["type"] = Str(*type);
    out["created_at"] = Str(policy::FormatRfc3339(now));
    return out;
  });
  if (r.ok()) waiters_.Notify(endpoint_id);  // after the commit: the poller will find it
  return r;
}

std::string Distribution::InsertCommand(SQLite::Database& db, const std::string& endpoint_id,
                                        const std::string& type, const value& body,
                                        policy::Instant now) {
  const std::string id = crypto::NewId("cmd_");
  SQLite::Statement q(db,
                      "INSERT INTO endpoint_commands (id, endpoint_id, type, body, created_at) "
                      "VALUES (?, ?, ?, ?, ?)");
  q.bind(1, id);
  q.bind(2, endpoint_id);
  q.bind(3, type);
  q.bind(4, body.serialize());
  q.bind(5, policy::FormatRfc3339(now));
  q.exec();
  return id;
}

Result<value> Distribution::PendingCommands(const Principal& endpoint,
                                            const std::string& endpoint_id) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  return service_.db().Read([&](SQLite::Database& db) -> Result<value> {
    SQLite::Statement q(db,
                        "SELECT id, type, body, created_at FROM endpoint_commands "
                        "WHERE endpoint_id = ? AND acked_at IS NULL ORDER BY seq LIMIT ?");
    q.bind(1, endpoint_id);
    q.bind(2, static_cast<int64_t>(kMaxCommandsPerPoll));
    value items = value::array();
    std::size_t n = 0;
    while (q.executeStep()) {
      value c = value::object(true);
      c["id"] = Str(q.getColumn(0).getString());
      c["type"] = Str(q.getColumn(1).getString());
      c["body"] = value::parse(q.getColumn(2).getString());
      c["created_at"] = Str(q.getColumn(3).getString());
      items[n++] = c;
    }
    value out = value::object(true);
    out["items"] = items;
    return out;
  });
}

Result<value> Distribution::TimeProof(const Principal& endpoint, const std::string& endpoint_id,
                                      const value& body) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"nonce"}, errors);
  const auto nonce = RequiredString(body, "nonce", errors, 128);
  if (nonce && nonce->size() < 16) errors.push_back({"/nonce", "must have at least 16 characters"});
  if (!errors.empty()) return Invalid(std::move(errors));
  const SigningKey key = keys_.Active();
  value proof = value::object(true);
  proof["kind"] = Str(kTimeProofKind);
  proof["endpoint_id"] = Str(endpoint_id);
  proof["nonce"] = Str(*nonce);
  proof["ts"] = Str(policy::FormatRfc3339(service_.Now()));
  proof["key_id"] = Str(key.key_id);
  proof["signature"] = Str(
      crypto::Base64(crypto::SignEd25519(key.private_pem, audit::SignedBytes(proof)).value_or("")));
  return proof;
}

Result<value> Distribution::AckCommands(const Principal& endpoint, const std::string& endpoint_id,
                                        const value& body) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"ids"}, errors);
  std::vector<std::string> ids;
  if (!body.has_field("ids") || !body.at("ids").is_array()) {
    errors.push_back({"/ids", "must be an array of command ids"});
  } else {
    std::size_t i = 0;
    for (const value& v : body.at("ids").as_array()) {
      if (!v.is_string())
        errors.push_back({"/ids/" + std::to_string(i), "must be a string"});
      else
        ids.push_back(v.as_string());
      ++i;
    }
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const std::string ts = policy::FormatRfc3339(service_.Now());
  return service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    int acked = 0;
    SQLite::Statement u(db,
                        "UPDATE endpoint_commands SET acked_at = ? "
                        "WHERE id = ? AND endpoint_id = ? AND acked_at IS NULL");
    for (const std::string& id : ids) {
      u.bind(1, ts);
      u.bind(2, id);
      u.bind(3, endpoint_id);
      acked += u.exec();
      u.reset();
    }
    value out = value::object(true);
    out["acked"] = value::number(acked);
    return out;
  });
}

// ------------------------------------------------------------------ events

Result<value> Distribution::ReceiveEvents(const Principal& endpoint, const std::string& endpoint_id,
                                          const value& body) {
  if (!IsSelf(endpoint, endpoint_id)) return NotFound("no such endpoint");
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"events"}, errors);
  if (!body.has_field("events") || !body.at("events").is_array()) {
    errors.push_back({"/events", "must be an array of events"});
    return Invalid(std::move(errors));
  }
  const auto& events = body.at("events").as_array();
  if (events.size() > kMaxEventsPerBatch) {
    errors.push_back({"/events", "at most " + std::to_string(kMaxEventsPerBatch) + " per batch"});
  }
  // Each must be a record of the chain format with its own hash right.
  std::size_t i = 0;
  for (const value& e : events) {
    const std::string at = "/events/" + std::to_string(i++);
    if (!IsEventRecord(e)) {
      errors.push_back({at,
                        "must be an event record (seq, id, ts, actor, action, target, "
                        "outcome, reasons, details, prev_hash, hash)"});
    } else if (audit::RecordHash(e) != e.at("hash").as_string()) {
      errors.push_back({at + "/hash", "does not match the event"});
    }
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  const policy::Instant now = service_.Now();
  return service_.db().Write([&](SQLite::Database& db) -> Result<value> {
    SQLite::Statement state(db,
                            "SELECT last_event_seq, last_event_hash FROM endpoints WHERE id = ?");
    state.bind(1, endpoint_id);
    if (!state.executeStep()) return NotFound("no such endpoint");
    int64_t last_seq = state.getColumn(0).getInt64();
    std::string last_hash = state.getColumn(1).getString();
    int accepted = 0, duplicates = 0;
    SQLite::Statement dup(db, "SELECT 1 FROM endpoint_events WHERE event_id = ?");
    SQLite::Statement keep(db,
                           "INSERT INTO endpoint_events (event_id, endpoint_id, seq, hash, "
                           "audit_seq) VALUES (?, ?, ?, ?, ?)");
    auto chain_event = [&](const char* action, value details) {
      AuditEvent e = SystemEvent(action, "endpoint:" + endpoint_id);
      e.outcome = "failure";
      e.details = std::move(details);
      AppendAudit(db, e, now);
    };
    for (const value& rec : events) {
      const int64_t seq = rec.at("seq").as_number().to_int64();
      const std::string id = rec.at("id").as_string();
      dup.bind(1, id);
      const bool seen = dup.executeStep();
      dup.reset();
      if (seen) {
        ++duplicates;
        continue;
      }
      if (seq <= last_seq) {
        // Another event under a sequence number already taken: the
        // endpoint's chain forked (its state was restored or forged).
        value d = value::object(true);
        d["seq"] = value::number(seq);
        d["event_id"] = Str(id);
        chain_event("endpoint.events_conflict", d);
        continue;
      }
      if (seq > last_seq + 1) {
        value d = value::object(true);
        d["missing_from"] = value::number(last_seq + 1);
        d["missing_to"] = value::number(seq - 1);
        chain_event("endpoint.events_gap", d);
      } else if (rec.at("prev_hash").as_string() != last_hash) {
        value d = value::object(true);
        d["seq"] = value::number(seq);
        chain_event("endpoint.events_chain_broken", d);
      }
      AuditEvent e;
      e.actor_kind = "endpoint";
      e.actor_id = endpoint_id;
      e.action = rec.at("action").as_string();
      e.target = rec.at("target").as_string();
      e.outcome = rec.at("outcome").as_string();
      e.reasons = rec.at("reasons");
      value origin = value::object(true);
      origin["id"] = Str(id);
      origin["seq"] = value::number(seq);
      origin["ts"] = rec.at("ts");
      origin["hash"] = rec.at("hash");
      e.details = value::object(true);
      e.details["endpoint_event"] = origin;
      e.details["details"] = rec.at("details");
      const int64_t stored = AppendAudit(db, e, now);
      keep.bind(1, id);
      keep.bind(2, endpoint_id);
      keep.bind(3, seq);
      keep.bind(4, rec.at("hash").as_string());
      keep.bind(5, stored);
      keep.exec();
      keep.reset();
      if (observer_) observer_(db, endpoint_id, rec, now);
      last_seq = seq;
      last_hash = rec.at("hash").as_string();
      ++accepted;
    }
    SQLite::Statement u(
        db, "UPDATE endpoints SET last_event_seq = ?, last_event_hash = ? WHERE id = ?");
    u.bind(1, last_seq);
    u.bind(2, last_hash);
    u.bind(3, endpoint_id);
    u.exec();
    value out = value::object(true);
    out["accepted"] = value::number(accepted);
    out["duplicates"] = value::number(duplicates);
    out["last_seq"] = value::number(last_seq);
    return out;
  });
}

}  // namespace custodian::admincenter
