#include "admincenter/distribution_codec.h"

#include "admincenter/workflow_codec.h"
#include "common/audit_chain.h"
#include "common/key_list.h"
#include "http/input.h"
#include "policy/request.h"

namespace custodian::admincenter {
namespace {

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

// The central audit event of a chain record: the endpoint's own action,
// target, outcome and reasons, and where it stands in the endpoint's chain.
AuditEvent AuditOf(const value& rec) {
  AuditEvent e;
  e.action = rec.at("action").as_string();
  e.target = rec.at("target").as_string();
  e.outcome = rec.at("outcome").as_string();
  e.reasons = rec.at("reasons");
  value origin = value::object(true);
  origin["id"] = rec.at("id");
  origin["seq"] = rec.at("seq");
  origin["ts"] = rec.at("ts");
  origin["hash"] = rec.at("hash");
  e.details = value::object(true);
  e.details["endpoint_event"] = origin;
  e.details["details"] = rec.at("details");
  return e;
}

}  // namespace

Result<int> DecodeEnrollmentCodeInput(const value& body) {
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
  return minutes;
}

Result<EnrollInput> DecodeEnrollInput(const value& body, const policy::TimeZones& zones) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"code", "name", "os", "time_zone"}, errors);
  const auto code = RequiredString(body, "code", errors, 128);
  const auto name = RequiredName(body, "name", errors);
  const auto os = RequiredString(body, "os", errors, 16);
  const auto zone = RequiredString(body, "time_zone", errors, 64);
  if (os && !policy::ParseOs(*os)) errors.push_back({"/os", "must be windows, linux or macos"});
  if (zone && !zones.Find(*zone)) {
    errors.push_back({"/time_zone", "is not a known IANA time zone"});
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  return EnrollInput{*code, *name, *os, *zone};
}

Result<std::string> DecodeCommandInput(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"type"}, errors);
  const auto type = RequiredString(body, "type", errors, 64);
  if (type && *type != "sync") errors.push_back({"/type", "must be \"sync\""});
  if (!errors.empty()) return Invalid(std::move(errors));
  return *type;
}

Result<std::vector<std::string>> DecodeCommandAck(const value& body) {
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
  return ids;
}

Result<std::vector<ChainRecord>> DecodeEventBatch(const value& body) {
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
  std::vector<ChainRecord> out;
  std::size_t i = 0;
  for (const value& rec : events) {
    const std::string at = "/events/" + std::to_string(i++);
    if (!IsEventRecord(rec)) {
      errors.push_back({at,
                        "must be an event record (seq, id, ts, actor, action, target, "
                        "outcome, reasons, details, prev_hash, hash)"});
      continue;
    }
    if (audit::RecordHash(rec) != rec.at("hash").as_string()) {
      errors.push_back({at + "/hash", "does not match the event"});
      continue;
    }
    out.push_back({rec.at("seq").as_number().to_int64(), rec.at("id").as_string(),
                   rec.at("prev_hash").as_string(), rec.at("hash").as_string(), AuditOf(rec),
                   DecodeEndpointEvent(rec)});
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  return out;
}

value PublicKeys(const std::vector<SigningKey>& keys) {
  std::vector<crypto::PublicKey> list;
  for (const SigningKey& k : keys) list.push_back({k.key_id, k.public_raw});
  return crypto::EncodeKeyList(list);
}

value Encode(const EnrollmentCode& code) {
  value out = value::object(true);
  out["id"] = Str(code.id);
  out["code"] = Str(code.code);
  out["expires_at"] = At(code.expires_at);
  return out;
}

value Encode(const Enrollment& enrollment) {
  value out = value::object(true);
  out["endpoint_id"] = Str(enrollment.endpoint_id);
  out["token"] = Str(enrollment.token);
  out["policy_keys"] = PublicKeys(enrollment.policy_keys);
  return out;
}

value Encode(const EndpointRecord& r) {
  value e = value::object(true);
  e["id"] = Str(r.id);
  e["name"] = Str(r.name);
  e["os"] = Str(r.os);
  e["time_zone"] = Str(r.time_zone);
  e["enrolled_at"] = At(r.enrolled_at);
  e["last_seen"] = r.last_seen ? At(*r.last_seen) : value::null();
  e["bundle_version"] = r.bundle_version ? value::number(*r.bundle_version) : value::null();
  e["last_event_seq"] = value::number(r.last_event_seq);
  return e;
}

value Encode(const CommandRecord& c) {
  value out = value::object(true);
  out["id"] = Str(c.id);
  out["type"] = Str(c.type);
  out["body"] = value::parse(c.body);  // JSON text the admin center wrote itself
  out["created_at"] = At(c.created_at);
  return out;
}

value Encode(const KeyRecord& r) {
  value k = value::object(true);
  k["key_id"] = Str(r.key_id);
  k["public_key"] = Str(r.public_key);
  k["state"] = Str(r.state);
  k["created_at"] = Str(r.created_at);
  k["retired_at"] = r.retired_at ? Str(*r.retired_at) : value::null();
  return k;
}

value Encode(const EventBatchResult& r) {
  value out = value::object(true);
  out["accepted"] = value::number(r.accepted);
  out["duplicates"] = value::number(r.duplicates);
  out["last_seq"] = value::number(r.last_seq);
  return out;
}

value Encode(const Acked& acked) {
  value out = value::object(true);
  out["acked"] = value::number(acked.count);
  return out;
}

}  // namespace custodian::admincenter
