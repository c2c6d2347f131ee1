#include "admincenter/principal_codec.h"

#include "http/input.h"

namespace custodian::admincenter {
namespace {

std::optional<std::string> Password(const value& body, const char* key,
                                    std::vector<FieldError>& errors) {
  auto password = RequiredString(body, key, errors, kMaxPasswordLength);
  if (password && password->size() < kMinPasswordLength) {
    errors.push_back({std::string("/") + key,
                      "must have at least " + std::to_string(kMinPasswordLength) + " characters"});
    return std::nullopt;
  }
  return password;
}

}  // namespace

Result<LoginInput> DecodeLogin(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  auto name = RequiredString(body, "name", errors, kMaxNameLength);
  auto password = RequiredString(body, "password", errors, kMaxPasswordLength);
  RejectUnknownKeys(body, {"name", "password"}, errors);
  if (!errors.empty()) return Invalid(std::move(errors));
  return LoginInput{*name, *password};
}

Result<PasswordChange> DecodePasswordChange(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"password", "current_password"}, errors);
  auto password = Password(body, "password", errors);
  std::optional<std::string> current;
  if (body.has_field("current_password")) {
    current = RequiredString(body, "current_password", errors, kMaxPasswordLength);
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  return PasswordChange{*password, current};
}

Result<PrincipalInput> DecodePrincipalInput(Role kind, const value& body,
                                            const policy::TimeZones& zones) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  PrincipalInput in;
  auto name = RequiredName(body, "name", errors);
  auto password = Password(body, "password", errors);
  if (kind == Role::kTechnician) {
    in.group_id = RequiredString(body, "group_id", errors, kMaxNameLength);
    in.time_zone = RequiredString(body, "time_zone", errors, kMaxNameLength);
    if (in.time_zone && !zones.Find(*in.time_zone)) {
      errors.push_back({"/time_zone", "unknown time zone \"" + *in.time_zone +
                                          "\"; expected an IANA name such as Europe/Berlin"});
    }
    RejectUnknownKeys(body, {"name", "password", "group_id", "time_zone"}, errors);
  } else if (kind == Role::kAdmin) {
    if (!body.has_field("scopes") || !body.at("scopes").is_array()) {
      errors.push_back({"/scopes", "must be an array of group ids"});
    } else {
      const auto& a = body.at("scopes").as_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a.at(i).is_string()) {
          errors.push_back({"/scopes/" + std::to_string(i), "must be a group id"});
        } else {
          in.scopes.push_back(a.at(i).as_string());
        }
      }
    }
    RejectUnknownKeys(body, {"name", "password", "scopes"}, errors);
  } else {
    RejectUnknownKeys(body, {"name", "password"}, errors);
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  in.name = *name;
  in.password = *password;
  return in;
}

Result<PrincipalPatch> DecodePrincipalPatch(const value& body) {
  if (!body.is_object()) return Invalid("", "must be an object");
  std::vector<FieldError> errors;
  RejectUnknownKeys(body, {"disabled", "password"}, errors);
  PrincipalPatch patch;
  if (body.has_field("disabled")) {
    if (body.at("disabled").is_boolean()) {
      patch.disabled = body.at("disabled").as_bool();
    } else {
      errors.push_back({"/disabled", "must be a boolean"});
    }
  }
  if (body.has_field("password")) {
    const value& v = body.at("password");
    if (!v.is_string() || v.as_string().size() < kMinPasswordLength ||
        v.as_string().size() > kMaxPasswordLength) {
      errors.push_back({"/password", "must have " + std::to_string(kMinPasswordLength) + " to " +
                                         std::to_string(kMaxPasswordLength) + " characters"});
    } else {
      patch.password = v.as_string();
    }
  }
  if (!errors.empty()) return Invalid(std::move(errors));
  return patch;
}

value Encode(const Principal& p) {
  value o = value::object(true);
  o["id"] = Str(p.id);
  o["name"] = Str(p.name);
  o["role"] = Str(std::string(RoleName(p.role)));
  if (p.role == Role::kAdmin) {
    value scopes = value::array();
    for (std::size_t i = 0; i < p.scopes.size(); ++i) scopes[i] = Str(p.scopes[i]);
    o["scopes"] = scopes;
  }
  if (p.group_id) o["group_id"] = Str(*p.group_id);
  if (p.time_zone) o["time_zone"] = Str(*p.time_zone);
  o["disabled"] = value::boolean(p.disabled);
  return o;
}

value Encode(const LoginResult& login) {
  value out = value::object(true);
  out["id"] = Str(login.token.id);
  out["token"] = Str(login.token.secret);
  out["expires_at"] = Str(policy::FormatRfc3339(login.token.expires_at));
  out["principal"] = Encode(login.principal);
  return out;
}

value Encode(const Done&) { return value::null(); }

}  // namespace custodian::admincenter
