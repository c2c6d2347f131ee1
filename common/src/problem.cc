#include "common/problem.h"

namespace custodian {

unsigned StatusOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kValidation:
      return 400;
    case ErrorKind::kUnauthenticated:
      return 401;
    case ErrorKind::kForbidden:
    case ErrorKind::kPolicyDenied:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kMethodNotAllowed:
      return 405;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kUnsupportedMediaType:
      return 415;
    case ErrorKind::kTooManyRequests:
      return 429;
    case ErrorKind::kInternal:
      return 500;
    case ErrorKind::kUnavailable:
      return 503;
  }
  return 500;
}

const char* TitleOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kValidation:
      return "Invalid request";
    case ErrorKind::kUnauthenticated:
      return "Authentication required";
    case ErrorKind::kForbidden:
      return "Forbidden";
    case ErrorKind::kPolicyDenied:
      return "Denied by policy";
    case ErrorKind::kNotFound:
      return "Not found";
    case ErrorKind::kMethodNotAllowed:
      return "Method not allowed";
    case ErrorKind::kConflict:
      return "Conflict";
    case ErrorKind::kPayloadTooLarge:
      return "Payload too large";
    case ErrorKind::kUnsupportedMediaType:
      return "Unsupported media type";
    case ErrorKind::kTooManyRequests:
      return "Too many requests";
    case ErrorKind::kInternal:
      return "Internal error";
    case ErrorKind::kUnavailable:
      return "Service unavailable";
  }
  return "Error";
}

Problem PolicyDenied(std::string detail, const policy::Decision& decision) {
  return {ErrorKind::kPolicyDenied,
          std::move(detail),
          {},
          policy::EncodeDecision(decision).at("reasons")};
}

http::Response ToResponse(const Problem& p) {
  using web::json::value;
  const unsigned status = StatusOf(p.kind);
  value body = value::object(true);
  body["type"] = value::string("about:blank");
  body["title"] = value::string(TitleOf(p.kind));
  body["status"] = value::number(status);
  if (!p.detail.empty()) body["detail"] = value::string(p.detail);
  if (!p.errors.empty()) {
    value errors = value::array();
    for (std::size_t i = 0; i < p.errors.size(); ++i) {
      value e = value::object(true);
      e["pointer"] = value::string(p.errors[i].pointer);
      e["message"] = value::string(p.errors[i].message);
      errors[i] = e;
    }
    body["errors"] = errors;
  }
  if (!p.reasons.is_null()) body["reasons"] = p.reasons;
  http::Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = body.serialize();
  if (p.kind == ErrorKind::kUnauthenticated) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (p.retry_after_seconds > 0) {
    r.headers.emplace_back("Retry-After", std::to_string(p.retry_after_seconds));
  }
  return r;
}

}  // namespace custodian
