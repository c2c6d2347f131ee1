// Errors of both daemons (the admin center's API and the enforcer's local
// API) and their one mapping to HTTP: RFC 7807 problem+json (DESIGN.md §5),
// with JSON pointers for validation errors and decision reasons for policy
// denials.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

#include "common/http_server.h"
#include "policy/codec.h"

namespace custodian {

enum class ErrorKind {
  kValidation,            // 400: the input is wrong; `errors` says where
  kUnauthenticated,       // 401: no valid token
  kForbidden,             // 403: the principal may not do this
  kPolicyDenied,          // 403: the policy says no; `reasons` says why
  kNotFound,              // 404 (also for objects outside an admin's scope)
  kMethodNotAllowed,      // 405
  kConflict,              // 409: the current state forbids it
  kPreconditionFailed,    // 412: If-Match names a state that is no longer current
  kPayloadTooLarge,       // 413
  kUnsupportedMediaType,  // 415
  kTooManyRequests,       // 429: e.g. logins backing off; retry_after_seconds says when
  kInternal,              // 500
  kUnavailable,           // 503: e.g. the database is busy or shutting down
};

struct Problem {
  ErrorKind kind = ErrorKind::kInternal;
  std::string detail;
  std::vector<policy::FieldError> errors;
  web::json::value reasons;     // null unless kPolicyDenied
  int retry_after_seconds = 0;  // > 0: sent as Retry-After
};

unsigned StatusOf(ErrorKind kind);
const char* TitleOf(ErrorKind kind);
// The kind's problem type URI, one per kind: a policy denial is
// "tag:custodian.dev,2026:problem/policy-denied" (docs/admincenter.md).
std::string TypeOf(ErrorKind kind);
// Every type a problem answer can carry, about:blank (a protocol-level
// error: its status says all) first; the OpenAPI document's enum.
std::vector<std::string> ProblemTypes();
http::Response ToResponse(const Problem& problem);

inline Problem Invalid(std::vector<policy::FieldError> errors) {
  return {ErrorKind::kValidation, "the request body is invalid", std::move(errors), {}};
}
inline Problem Invalid(std::string pointer, std::string message) {
  return Invalid({{std::move(pointer), std::move(message)}});
}
// A query parameter (?since=, ?wait=): `pointer` names it ("/since").
inline Problem InvalidQuery(std::vector<policy::FieldError> errors) {
  return {ErrorKind::kValidation, "a query parameter is invalid", std::move(errors), {}};
}
inline Problem InvalidQuery(std::string pointer, std::string message) {
  return InvalidQuery({{std::move(pointer), std::move(message)}});
}
inline Problem NotFound(std::string detail = "no such resource") {
  return {ErrorKind::kNotFound, std::move(detail), {}, {}};
}
inline Problem Conflict(std::string detail) {
  return {ErrorKind::kConflict, std::move(detail), {}, {}};
}
// 412: `what` is no longer as the client read it (If-Match).
inline Problem ChangedSinceRead(const std::string& what) {
  return {ErrorKind::kPreconditionFailed,
          what + " changed since it was read (If-Match): read it again and retry",
          {},
          {}};
}
// A deny of the policy, with every reason of `decision` and its rule.
Problem PolicyDenied(std::string detail, const policy::Decision& decision);

}  // namespace custodian
