// The principals' routes as JSON (openapi.json's Login, Token,
// PasswordChange, PrincipalInput, PrincipalPatch, Principal): bodies
// decoded with every problem at its JSON pointer, answers encoded. The one
// place where principals and JSON meet; a password is read here and never
// written.
#pragma once

#include <cpprest/json.h>

#include "admincenter/service.h"
#include "common/result.h"

namespace custodian::admincenter {

inline constexpr std::size_t kMinPasswordLength = 12;  // OWASP ASVS 2.1.1
inline constexpr std::size_t kMaxPasswordLength = 256;
inline constexpr std::size_t kMaxNameLength = 128;

Result<LoginInput> DecodeLogin(const web::json::value& body);
Result<PasswordChange> DecodePasswordChange(const web::json::value& body);
// What `kind` takes: technicians a group and a time zone (one of `zones`),
// admins scopes.
Result<PrincipalInput> DecodePrincipalInput(Role kind, const web::json::value& body,
                                            const policy::TimeZones& zones);
Result<PrincipalPatch> DecodePrincipalPatch(const web::json::value& body);

web::json::value Encode(const Principal& principal);
// The token, its secret (shown once) and whose it is.
web::json::value Encode(const LoginResult& login);
web::json::value Encode(const Done&);  // no body

}  // namespace custodian::admincenter
