// The JSON schemas of the API's bodies (OpenAPI 3.0 "components/schemas").
// Every enumeration comes from the policy library's own name tables, so the
// document cannot drift from what the codec accepts.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "admincenter/api.h"
#include "common/problem.h"
#include "policy/decision.h"
#include "policy/model.h"
#include "policy/request.h"
#include "policy/workflow.h"

namespace custodian::admincenter {
namespace {

using Props = std::vector<std::pair<std::string, value>>;

value Type(const char* type) {
  value v = value::object(true);
  v["type"] = value::string(type);
  return v;
}
value Text(const char* format = nullptr) {
  value v = Type("string");
  if (format) v["format"] = value::string(format);
  return v;
}
value Nullable(value v) {
  v["nullable"] = value::boolean(true);
  return v;
}
value Array(value items) {
  value v = Type("array");
  v["items"] = std::move(items);
  return v;
}
value Ref(const std::string& name) {
  value v = value::object(true);
  v["$ref"] = value::string("#/components/schemas/" + name);
  return v;
}
// A closed object: keys outside `props` are errors, as the codec has them.
value Object(const Props& props, const std::vector<std::string>& required = {}) {
  value v = Type("object");
  value p = value::object(true);
  for (const auto& [name, schema] : props) p[name] = schema;
  v["properties"] = p;
  if (!required.empty()) {
    value r = value::array();
    for (std::size_t i = 0; i < required.size(); ++i) r[i] = value::string(required[i]);
    v["required"] = r;
  }
  v["additionalProperties"] = value::boolean(false);
  return v;
}
template <typename E>
value Enum(std::size_t count, std::string_view (*name)(E)) {
  value v = Type("string");
  value e = value::array();
  for (std::size_t i = 0; i < count; ++i) e[i] = value::string(std::string(name(E(i))));
  v["enum"] = e;
  return v;
}
value Strings(const std::vector<std::string>& names);

// The states of a workflow entity, as policy/workflow.h names them.
value StateEnum(policy::workflow::Entity entity) {
  std::vector<std::string> names;
  for (policy::workflow::State s : policy::workflow::StatesOf(entity)) {
    names.emplace_back(policy::workflow::StateName(s));
  }
  return Strings(names);
}

value Strings(const std::vector<std::string>& names) {
  value v = Type("string");
  value e = value::array();
  for (std::size_t i = 0; i < names.size(); ++i) e[i] = value::string(names[i]);
  v["enum"] = e;
  return v;
}
// An object with one entry per permission, each `of`.
value PerPermission(const value& of) {
  Props props;
  for (std::size_t i = 0; i < policy::kPermissionCount; ++i) {
    props.emplace_back(std::string(policy::PermissionName(policy::Permission(i))), of);
  }
  return Object(props);
}
value Integer(int minimum) {
  value v = Type("integer");
  v["minimum"] = value::number(minimum);
  return v;
}

value AuthModes() { return Array(Enum(policy::kAuthModeCount, policy::AuthModeName)); }
value SessionType() { return Enum(policy::kSessionTypeCount, policy::SessionTypeName); }

value GroupSchema(bool patch) {
  std::vector<std::string> settings;
  for (std::size_t i = 0; i < policy::kSettingCount; ++i) {
    settings.push_back(policy::SettingName(policy::SettingKey(i)));
  }
  // A merge patch may null anything out (back to inheriting); a new group
  // may omit its id.
  auto maybe = [patch](value v) { return patch ? Nullable(std::move(v)) : v; };
  const value unattended =
      Object({{"auth_modes", maybe(AuthModes())}, {"max_days", maybe(Integer(1))}});
  return Object({{"id", Text()},
                 {"name", maybe(Text())},
                 {"parent_id", Nullable(Text())},
                 {"permissions", maybe(PerPermission(maybe(Type("boolean"))))},
                 {"unattended", maybe(unattended)},
                 {"locked", maybe(Array(Strings(settings)))}},
                patch ? std::vector<std::string>{} : std::vector<std::string>{"name"});
}

value Provenance(value of) {
  return Object({{"value", std::move(of)}, {"source", Text()}, {"locked_by", Nullable(Text())}},
                {"value", "source", "locked_by"});
}

value Settings() {
  return Object(
      {{"permissions", PerPermission(Type("boolean"))},
       {"unattended", Object({{"auth_modes", AuthModes()},
                              {"blocked_session_types", Array(SessionType())},
                              {"cap_behavior", Enum(2, policy::CapBehaviorName)},
                              {"request_ttl_minutes", Integer(1)},
                              {"max_days", Nullable(Integer(1))}})},
       {"distribution", Object({{"bundle_ttl_hours", Integer(policy::kMinBundleTtlHours)}})}});
}

value EffectiveSchedule() {
  return Object(
      {{"start", Text("date-time")},
       {"end", Nullable(Text("date-time"))},
       {"daily", Nullable(Object({{"from", Text()}, {"to", Text()}, {"time_zone", Text()}},
                                 {"from", "to"}))}},
      {"start", "end", "daily"});
}

value PrincipalSchema(bool input) {
  Props props = {
      {"name", Text()}, {"group_id", Text()}, {"time_zone", Text()}, {"scopes", Array(Text())}};
  if (input) {
    props.emplace_back("password", Text());
    return Object(props, {"name", "password"});
  }
  props.emplace_back("id", Text());
  props.emplace_back("role", Strings({"master_admin", "admin", "technician", "auditor"}));
  props.emplace_back("disabled", Type("boolean"));
  return Object(props, {"id", "name", "role", "disabled"});
}

value ListOf(const std::string& name) { return Object({{"items", Array(Ref(name))}}, {"items"}); }

}  // namespace

value ApiSchemas() {
  value reason = Object({{"code", Enum(policy::kReasonCodeCount, policy::ReasonCodeName)},
                         {"rule", Text()},
                         {"message", Text()}},
                        {"code", "rule", "message"});
  value s = value::object(true);
  s["Problem"] =
      Object({{"type", Strings(ProblemTypes())},
              {"title", Text()},
              {"status", Type("integer")},
              {"detail", Text()},
              {"errors",
               Array(Object({{"pointer", Text()}, {"message", Text()}}, {"pointer", "message"}))},
              {"reasons", Array(reason)}},
             {"type", "title", "status"});
  s["Health"] = Object({{"status", Strings({"ok", "degraded"})},
                        {"schema_version", Type("integer")},
                        {"audit_chain", Text()}},
                       {"status", "schema_version", "audit_chain"});
  s["Login"] = Object({{"name", Text()}, {"password", Text()}}, {"name", "password"});
  s["TimeProofInput"] = Object({{"nonce", Text()}}, {"nonce"});
  s["TimeProof"] = Object({{"kind", Strings({"custodian.time/1"})},
                           {"endpoint_id", Text()},
                           {"nonce", Text()},
                           {"ts", Text("date-time")},
                           {"key_id", Text()},
                           {"signature", Text()}},
                          {"kind", "endpoint_id", "nonce", "ts", "key_id", "signature"});
  s["PasswordChange"] = Object({{"password", Text()}, {"current_password", Text()}}, {"password"});
  s["Token"] = Object({{"id", Text()},
                       {"token", Text()},
                       {"expires_at", Text("date-time")},
                       {"principal", Ref("Principal")}},
                      {"id", "token", "expires_at", "principal"});
  s["ConsoleSession"] = Object(
      {{"csrf_token", Text()}, {"expires_at", Text("date-time")}, {"principal", Ref("Principal")}},
      {"principal"});
  s["PrincipalInput"] = PrincipalSchema(true);
  s["PrincipalPatch"] = Object({{"disabled", Type("boolean")}, {"password", Text()}});
  s["Principal"] = PrincipalSchema(false);
  s["PrincipalList"] = ListOf("Principal");
  s["GroupInput"] = GroupSchema(false);
  s["GroupPatch"] = GroupSchema(true);
  value group = GroupSchema(false);
  // Settings a group does not set are left out.
  group["required"] =
      value::array({value::string("id"), value::string("name"), value::string("parent_id")});
  s["Group"] = group;
  s["GroupList"] = ListOf("Group");
  s["Effective"] =
      Object({{"group_id", Text()},
              {"permissions", PerPermission(Provenance(Type("boolean")))},
              {"unattended", Object({{"auth_modes", Provenance(AuthModes())},
                                     {"max_days", Provenance(Nullable(Integer(1)))}})}},
             {"group_id", "permissions", "unattended"});
  s["Settings"] = Settings();
  s["PolicyDocument"] = Object(
      {{"settings", Ref("Settings")},
       {"groups", Array(Ref("Group"))},
       {"technicians", Array(Object({{"id", Text()}, {"group_id", Text()}, {"time_zone", Text()}},
                                    {"id", "group_id"}))}},
      {"settings", "groups", "technicians"});
  s["DecisionRequest"] =
      Object({{"action", Enum(4, policy::ActionName)},
              {"technician_id", Text()},
              {"session", Object({{"type", SessionType()},
                                  {"mode", Text()},
                                  {"active", Type("boolean")},
                                  {"screen_viewing", Type("boolean")}})},
              {"endpoint", Object({{"os", Enum(3, policy::OsName)}, {"time_zone", Text()}})},
              {"credential_mode", Enum(policy::kAuthModeCount, policy::AuthModeName)},
              {"schedule", Type("object")},
              {"grant", Type("object")},
              {"operation", Enum(2, policy::OperationName)},
              {"credentials_stored", Type("boolean")}},
             {"action", "technician_id"});
  s["Decision"] =
      Object({{"effect", Enum(2, policy::EffectName)},
              {"reasons", Array(reason)},
              {"obligations", Object({{"customer_prompt", Enum(3, policy::CustomerPromptName)},
                                      {"admin_credentials_required", Type("boolean")},
                                      {"effective_schedule", EffectiveSchedule()}})}},
             {"effect", "reasons", "obligations"});
  s["Checkpoint"] = Object({{"kind", Strings({"custodian.audit.checkpoint/1"})},
                            {"seq", Integer(0)},
                            {"head_hash", Text()},
                            {"ts", Text("date-time")},
                            {"key_id", Text()},
                            {"public_key", Text()},
                            {"signature", Text()}},
                           {"kind", "seq", "head_hash", "ts", "key_id", "public_key", "signature"});
  value key_ref = Object({{"key_id", Text()}, {"public_key", Text()}}, {"key_id", "public_key"});
  s["EnrollmentCodeInput"] = Object({{"ttl_minutes", Integer(1)}});
  s["EnrollmentCode"] =
      Object({{"id", Text()}, {"code", Text()}, {"expires_at", Text("date-time")}},
             {"id", "code", "expires_at"});
  s["EnrollInput"] = Object(
      {{"code", Text()}, {"name", Text()}, {"os", Enum(3, policy::OsName)}, {"time_zone", Text()}},
      {"code", "name", "os", "time_zone"});
  s["Enrollment"] =
      Object({{"endpoint_id", Text()}, {"token", Text()}, {"policy_keys", Array(key_ref)}},
             {"endpoint_id", "token", "policy_keys"});
  s["Endpoint"] = Object({{"id", Text()},
                          {"name", Text()},
                          {"os", Enum(3, policy::OsName)},
                          {"time_zone", Text()},
                          {"enrolled_at", Text("date-time")},
                          {"last_seen", Nullable(Text("date-time"))},
                          {"bundle_version", Nullable(Integer(1))},
                          {"last_event_seq", Integer(0)}},
                         {"id", "name", "os", "time_zone", "enrolled_at", "last_seen",
                          "bundle_version", "last_event_seq"});
  s["EndpointList"] = ListOf("Endpoint");
  s["BundleEnvelope"] = Object(
      {{"bundle", Text("byte")},
       {"signatures",
        Array(Object({{"key_id", Text()}, {"signature", Text("byte")}}, {"key_id", "signature"}))}},
      {"bundle", "signatures"});
  s["Key"] = Object({{"key_id", Text()},
                     {"public_key", Text()},
                     {"state", Strings({"active", "listed", "retired"})},
                     {"created_at", Text("date-time")},
                     {"retired_at", Nullable(Text("date-time"))}},
                    {"key_id", "public_key", "state"});
  s["KeyList"] = ListOf("Key");
  s["CommandInput"] = Object({{"type", Strings({"sync"})}}, {"type"});
  s["Command"] = Object({{"id", Text()},
                         {"type", Text()},
                         {"body", Type("object")},
                         {"created_at", Text("date-time")}},
                        {"id", "type", "created_at"});
  s["CommandList"] =
      Object({{"items", Array(Ref("Command"))}, {"bundle", Ref("BundleHint")}}, {"items"});
  s["BundleHint"] = Object({{"version", Integer(1)}, {"fetch_within_ms", Integer(0)}},
                           {"version", "fetch_within_ms"});
  s["CommandAck"] = Object({{"ids", Array(Text())}}, {"ids"});
  s["CommandAckResult"] = Object({{"acked", Integer(0)}}, {"acked"});
  value actor = Object({{"kind", Text()}, {"id", Text()}}, {"kind", "id"});
  s["EndpointEvent"] = Object({{"seq", Integer(1)},
                               {"id", Text()},
                               {"ts", Text("date-time")},
                               {"actor", actor},
                               {"action", Text()},
                               {"target", Text()},
                               {"outcome", Text()},
                               {"reasons", Array(Type("object"))},
                               {"details", Type("object")},
                               {"prev_hash", Text()},
                               {"hash", Text()}},
                              {"seq", "id", "ts", "action", "target", "outcome", "reasons",
                               "details", "prev_hash", "hash"});
  s["EventBatch"] = Object({{"events", Array(Ref("EndpointEvent"))}}, {"events"});
  s["EventBatchResult"] =
      Object({{"accepted", Integer(0)}, {"duplicates", Integer(0)}, {"last_seq", Integer(0)}},
             {"accepted", "duplicates", "last_seq"});
  // Workflows (R1–R15). Row schemas list every column; nothing in them is
  // ever a secret.
  const value mode = Strings({"chat_only", "full"});
  const value reasons = Array(reason);
  const value ts = Text("date-time");
  s["SessionInput"] = Object({{"endpoint_id", Text()},
                              {"type", SessionType()},
                              {"mode", mode},
                              {"screen_viewing", Type("boolean")}},
                             {"endpoint_id", "type"});
  s["SessionPatch"] = Object({{"screen_viewing", Type("boolean")}}, {"screen_viewing"});
  s["Session"] = Object({{"id", Text()},
                         {"technician_id", Text()},
                         {"endpoint_id", Text()},
                         {"type", SessionType()},
                         {"mode", Nullable(mode)},
                         {"screen_viewing", Type("boolean")},
                         {"state", StateEnum(policy::workflow::Entity::kSession)},
                         {"started_at", ts},
                         {"ended_at", Nullable(ts)}},
                        {"id", "technician_id", "endpoint_id", "type", "state", "started_at"});
  s["SessionList"] = ListOf("Session");
  s["UnattendedRequestInput"] =
      Object({{"credential_mode", Enum(policy::kAuthModeCount, policy::AuthModeName)},
              {"schedule", Type("object")}},
             {"credential_mode", "schedule"});
  s["UnattendedRequest"] =
      Object({{"id", Text()},
              {"session_id", Text()},
              {"technician_id", Text()},
              {"endpoint_id", Text()},
              {"credential_mode", Enum(policy::kAuthModeCount, policy::AuthModeName)},
              {"schedule", Type("object")},
              {"state", StateEnum(policy::workflow::Entity::kUnattendedRequest)},
              {"reasons", reasons},
              {"created_at", ts},
              {"expires_at", ts},
              {"decided_at", Nullable(ts)},
              {"grant_id", Nullable(Text())},
              {"decision", Ref("Decision")}},
             {"id", "session_id", "technician_id", "endpoint_id", "credential_mode", "schedule",
              "state", "created_at", "expires_at"});
  s["UnattendedRequestList"] = ListOf("UnattendedRequest");
  s["Grant"] = Object(
      {{"id", Text()},
       {"request_id", Text()},
       {"technician_id", Text()},
       {"endpoint_id", Text()},
       {"credential_mode", Enum(policy::kAuthModeCount, policy::AuthModeName)},
       {"effective_schedule", EffectiveSchedule()},
       {"state", StateEnum(policy::workflow::Entity::kGrant)},
       {"created_at", ts},
       {"ended_at", Nullable(ts)},
       {"ended_by", Nullable(Text())}},
      {"id", "technician_id", "endpoint_id", "credential_mode", "effective_schedule", "state"});
  s["GrantList"] = ListOf("Grant");
  s["Connection"] = Object({{"id", Text()},
                            {"grant_id", Text()},
                            {"technician_id", Text()},
                            {"endpoint_id", Text()},
                            {"state", StateEnum(policy::workflow::Entity::kConnection)},
                            {"reasons", reasons},
                            {"requested_at", ts},
                            {"updated_at", ts},
                            {"end_reason", Nullable(Text())},
                            {"decision", Ref("Decision")}},
                           {"id", "grant_id", "technician_id", "endpoint_id", "state"});
  s["ConnectionList"] = ListOf("Connection");
  s["CredentialRequest"] =
      Object({{"id", Text()},
              {"session_id", Text()},
              {"technician_id", Text()},
              {"endpoint_id", Text()},
              {"state", StateEnum(policy::workflow::Entity::kCredentialRequest)},
              {"reasons", reasons},
              {"created_at", ts},
              {"updated_at", ts},
              {"decision", Ref("Decision")}},
             {"id", "session_id", "technician_id", "endpoint_id", "state"});
  s["CredentialRequestList"] = ListOf("CredentialRequest");
  s["CredentialApplyInput"] =
      Object({{"operation", Enum(2, policy::OperationName)}}, {"operation"});
  s["CredentialOperation"] =
      Object({{"id", Text()},
              {"session_id", Text()},
              {"technician_id", Text()},
              {"endpoint_id", Text()},
              {"operation", Enum(2, policy::OperationName)},
              {"state", StateEnum(policy::workflow::Entity::kCredentialOperation)},
              {"reasons", reasons},
              {"requested_at", ts},
              {"updated_at", ts},
              {"decision", Ref("Decision")}},
             {"id", "session_id", "operation", "state"});
  return s;
}

}  // namespace custodian::admincenter
