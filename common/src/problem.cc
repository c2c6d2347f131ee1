#include "common/problem.h"

#include <cstddef>
#include <string_view>

namespace custodian {

namespace {

// Each kind's status, title and problem type (RFC 9457 §3.1.1). The types
// are tag URIs (RFC 4151): they name the kind for programs that branch on
// it and are not meant to be dereferenced; protocol-level errors that are
// no more than their status (a malformed request line) keep about:blank.
struct KindInfo {
  ErrorKind kind;
  unsigned status;
  const char* title;
  const char* slug;  // the type is kTypePrefix + slug
};

constexpr std::string_view kTypePrefix = "tag:custodian.dev,2026:problem/";

constexpr KindInfo kKinds[] = {
    {ErrorKind::kValidation, 400, "Invalid request", "invalid-request"},
    {ErrorKind::kUnauthenticated, 401, "Authentication required", "authentication-required"},
    {ErrorKind::kForbidden, 403, "Forbidden", "forbidden"},
    {ErrorKind::kPolicyDenied, 403, "Denied by policy", "policy-denied"},
    {ErrorKind::kNotFound, 404, "Not found", "not-found"},
    {ErrorKind::kMethodNotAllowed, 405, "Method not allowed", "method-not-allowed"},
    {ErrorKind::kConflict, 409, "Conflict", "conflict"},
    {ErrorKind::kPreconditionFailed, 412, "Precondition failed", "precondition-failed"},
    {ErrorKind::kPayloadTooLarge, 413, "Payload too large", "payload-too-large"},
    {ErrorKind::kUnsupportedMediaType, 415, "Unsupported media type", "unsupported-media-type"},
    {ErrorKind::kTooManyRequests, 429, "Too many requests", "too-many-requests"},
    {ErrorKind::kInternal, 500, "Internal error", "internal-error"},
    {ErrorKind::kUnavailable, 503, "Service unavailable", "unavailable"},
};

// kKinds lists every kind in the enum's order, so a kind is its index.
constexpr bool InEnumOrder() {
  std::size_t i = 0;
  for (const KindInfo& k : kKinds) {
    if (static_cast<std::size_t>(k.kind) != i++) return false;
  }
  return i == static_cast<std::size_t>(ErrorKind::kUnavailable) + 1;
}
static_assert(InEnumOrder(), "kKinds must list every ErrorKind in order");

const KindInfo& InfoOf(ErrorKind kind) { return kKinds[static_cast<std::size_t>(kind)]; }

}  // namespace

unsigned StatusOf(ErrorKind kind) { return InfoOf(kind).status; }
const char* TitleOf(ErrorKind kind) { return InfoOf(kind).title; }
std::string TypeOf(ErrorKind kind) { return std::string(kTypePrefix) + InfoOf(kind).slug; }

std::vector<std::string> ProblemTypes() {
  std::vector<std::string> out{"about:blank"};
  for (const KindInfo& k : kKinds) out.push_back(std::string(kTypePrefix) + k.slug);
  return out;
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
  body["type"] = value::string(TypeOf(p.kind));
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
