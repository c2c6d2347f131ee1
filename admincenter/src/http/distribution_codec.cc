#include "admincenter/distribution_codec.h"

#include "common/key_list.h"
#include "http/input.h"
#include "policy/request.h"

namespace custodian::admincenter {
namespace {

value Str(const std::string& s) { return value::string(s); }
value At(policy::Instant t) { return Str(policy::FormatRfc3339(t)); }

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

value Encode(const Acked& acked) {
  value out = value::object(true);
  out["acked"] = value::number(acked.count);
  return out;
}

}  // namespace custodian::admincenter
