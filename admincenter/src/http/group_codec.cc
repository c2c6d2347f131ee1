#include "admincenter/group_codec.h"

#include "common/crypto.h"

namespace custodian::admincenter {
namespace {

using web::json::value;

// RFC 7396 JSON merge patch.
value MergePatch(value target, const value& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = value::object(true);
  for (const auto& [k, v] : patch.as_object()) {
    if (v.is_null()) {
      if (target.has_field(k)) target.erase(k);
    } else {
      target[k] = MergePatch(target.has_field(k) ? target.at(k) : value::null(), v);
    }
  }
  return target;
}

}  // namespace

Result<policy::Group> DecodeGroupInput(const value& body) {
  value doc = body;
  if (doc.is_object() && !doc.has_field("id")) doc["id"] = value::string(crypto::NewId("g-"));
  auto parsed = policy::ParseGroup(doc, "");
  if (!parsed.ok()) return Invalid(std::move(parsed.errors));
  return std::move(*parsed.value);
}

Result<GroupPatch> DecodeGroupPatch(const value& body) {
  if (!body.is_object()) return Invalid("", "must be a JSON merge patch object");
  GroupPatch patch;
  patch.apply = [body](const policy::Group& before) {
    return policy::ParseGroup(MergePatch(policy::EncodeGroup(before), body), "");
  };
  patch.record = [body](AuditEvent& e) { e.details["patch"] = body; };
  return patch;
}

Result<policy::GlobalSettings> DecodeSettings(const value& body) {
  auto parsed = policy::ParseSettings(body, "");
  if (!parsed.ok()) return Invalid(std::move(parsed.errors));
  return std::move(*parsed.value);
}

value Encode(const policy::Group& group) { return policy::EncodeGroup(group); }

value Encode(const policy::GlobalSettings& settings) { return policy::EncodeSettings(settings); }

value Encode(const GroupEffective& e) {
  value out = policy::EncodeEffective(e.snapshot->policy, e.effective);
  out["group_id"] = value::string(e.group_id);
  return out;
}

value Encode(const std::shared_ptr<const PolicySnapshot>& snapshot) {
  return policy::EncodePolicy(snapshot->policy);
}

}  // namespace custodian::admincenter
