// The OpenAPI 3 document of the route table (GET /v1/openapi.json): each
// route's roles, parameters, bodies and answers, with the schemas of
// api_schemas.cc.
#include <cctype>

#include "admincenter/api.h"
#include "http/api_parts.h"

namespace custodian::admincenter {

namespace bhttp = boost::beast::http;
using namespace internal;  // Content, Ref, Text, Object: the schema helpers

value OpenApiDocument(const std::vector<Route>& routes) {
  value doc = value::object(true);
  doc["openapi"] = value::string("3.0.3");
  value info = value::object(true);
  info["title"] = value::string("Custodian admin center");
  info["version"] = value::string("1");
  doc["info"] = info;
  value paths = value::object(true);
  for (const Route& r : routes) {
    std::string method(bhttp::to_string(r.method));
    for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    value op = value::object(true);
    op["summary"] = value::string(r.summary);
    std::string roles;
    for (auto [bit, name] :
         {std::pair{kAnonymous, "anonymous"}, std::pair{kTechnicianRole, "technician"},
          std::pair{kAuditorRole, "auditor"}, std::pair{kAdminRole, "admin"},
          std::pair{kMasterAdminRole, "master_admin"}, std::pair{kEndpointRole, "endpoint"}}) {
      if (r.roles & bit) roles += (roles.empty() ? "" : ", ") + std::string(name);
    }
    op["x-roles"] = value::string(roles);
    if (!(r.roles & kAnonymous)) {
      // Either scheme: a bearer token, or the console's session cookie
      // (with X-CSRF-Token on every state change).
      value sec = value::array();
      value bearer = value::object(true);
      bearer["bearer"] = value::array();
      sec[0] = bearer;
      value cookie = value::object(true);
      cookie["console_session"] = value::array();
      sec[1] = cookie;
      op["security"] = sec;
    }
    value params = value::array();
    std::size_t n = 0;
    for (const auto& part : http::PathSegments(r.pattern)) {
      if (part.size() > 2 && part.front() == '{') {
        value p = value::object(true);
        p["name"] = value::string(part.substr(1, part.size() - 2));
        p["in"] = value::string("path");
        p["required"] = value::boolean(true);
        value schema = value::object(true);
        schema["type"] = value::string("string");
        p["schema"] = schema;
        params[n++] = p;
      }
    }
    if (r.tagged && r.method != bhttp::verb::get) {
      value p = value::object(true);
      p["name"] = value::string("If-Match");
      p["in"] = value::string("header");
      p["required"] = value::boolean(false);
      p["description"] = value::string(
          "The ETag read with GET (or \"*\"): the write happens only if the resource is still "
          "as read, else 412");
      p["schema"] = Text();
      params[n++] = p;
    }
    if (n) op["parameters"] = params;
    if (r.takes_body) {
      value body = value::object(true);
      body["required"] = value::boolean(true);
      body["content"] = Content("application/json", Ref(r.request_schema));
      op["requestBody"] = body;
    }
    value responses = value::object(true);
    value ok = value::object(true);
    ok["description"] = value::string("success");
    if (!r.response_schema.empty()) {
      ok["content"] = Content("application/json", Ref(r.response_schema));
    } else if (r.pattern == "/metrics") {
      ok["content"] = Content("text/plain", Text());
    } else if (r.pattern == "/v1/audit/events") {
      ok["content"] = Content("application/x-ndjson", Text());
      ok["description"] = value::string(
          "JSON Lines, one event per line and a signed trailer; text/csv or text/plain (CEF) "
          "when asked");
    } else if (r.pattern == "/v1/openapi.json") {
      ok["content"] = Content("application/json", Object());
    }
    if (r.tagged && !r.response_schema.empty()) {
      value etag = value::object(true);
      etag["description"] =
          value::string("A strong tag of this representation, for If-Match on a later write");
      etag["schema"] = Text();
      value headers = value::object(true);
      headers["ETag"] = etag;
      ok["headers"] = headers;
    }
    responses[std::to_string(r.success_status)] = ok;
    value problem = value::object(true);
    problem["description"] = value::string("RFC 7807 problem+json");
    problem["content"] = Content("application/problem+json", Ref("Problem"));
    responses["default"] = problem;
    if (r.tagged && r.method != bhttp::verb::get) {
      value stale = problem;
      stale["description"] =
          value::string("If-Match names a version that is no longer current (precondition-failed)");
      responses["412"] = stale;
    }
    op["responses"] = responses;
    value item = paths.has_field(r.pattern) ? paths.at(r.pattern) : value::object(true);
    item[method] = op;
    paths[r.pattern] = item;
  }
  doc["paths"] = paths;
  value components = value::object(true);
  value schemes = value::object(true);
  value bearer = value::object(true);
  bearer["type"] = value::string("http");
  bearer["scheme"] = value::string("bearer");
  schemes["bearer"] = bearer;
  value session = value::object(true);
  session["type"] = value::string("apiKey");
  session["in"] = value::string("cookie");
  session["name"] = value::string("custodian_session");
  session["description"] = value::string(
      "Set by POST /v1/console/session; every request other than GET sends the session's "
      "csrf_token in the X-CSRF-Token header");
  schemes["console_session"] = session;
  components["securitySchemes"] = schemes;
  components["schemas"] = ApiSchemas();
  doc["components"] = components;
  return doc;
}

}  // namespace custodian::admincenter
