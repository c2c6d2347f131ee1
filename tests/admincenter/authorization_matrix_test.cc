// The authorization matrix, generated from the route table: every route
// answers every kind of caller (anonymous, each role, an endpoint) as the
// table says, over real HTTP.
#include <gtest/gtest.h>

#include "admincenter/api.h"
#include "admincenter/api_world.h"
#include "support/json_schema.h"

namespace custodian::admincenter {
namespace {

using namespace api_world;  // NOLINT: the shared world of these tests

enum Caller { kAnon, kTech, kAuditor, kAdminIn, kAdminOut, kMaster, kEndpoint, kCallers };
constexpr int A = 0;  // allowed: anything but 401/403 (and 404 where an object is out of scope)

struct MatrixRow {
  std::string path;  // concrete path for the pattern
  std::string body;
  std::array<int, kCallers> expect;  // A, 401, 403 or 404
};

std::map<std::string, MatrixRow> Matrix(World& w) {
  const std::array<int, kCallers> master_only = {401, 403, 403, 403, 403, A, 403};
  const std::array<int, kCallers> admins = {401, 403, 403, A, A, A, 403};
  const std::array<int, kCallers> admins_auditors = {401, 403, A, A, A, A, 403};
  const std::array<int, kCallers> scoped_read = {401, 403, A, A, 404, A, 403};
  const std::array<int, kCallers> scoped_write = {401, 403, 403, A, 404, A, 403};
  const std::array<int, kCallers> audit = {401, 403, A, 403, 403, A, 403};
  const std::array<int, kCallers> everyone = {A, A, A, A, A, A, A};
  const std::array<int, kCallers> endpoint_only = {401, 403, 403, 403, 403, 403, A};
  const std::array<int, kCallers> technician_only = {401, A, 403, 403, 403, 403, 403};
  const std::array<int, kCallers> workflow_read = {401, A, A, A, A, A, 403};
  const std::string endpoint = "/v1/endpoints/" + w.endpoint_id_;
  return {
      {"GET /healthz", {"/healthz", "", everyone}},
      {"GET /metrics", {"/metrics", "", everyone}},
      {"GET /v1/openapi.json", {"/v1/openapi.json", "", everyone}},
      {"POST /v1/tokens", {"/v1/tokens", "{}", everyone}},
      {"POST /v1/me/password", {"/v1/me/password", "{}", {401, A, A, A, A, A, 403}}},
      {"DELETE /v1/tokens/{id}", {"/v1/tokens/tok_none", "", {401, A, A, A, A, A, 403}}},
      {"POST /v1/console/session", {"/v1/console/session", "{}", everyone}},
      {"GET /v1/console/session", {"/v1/console/session", "", {401, A, A, A, A, A, 403}}},
      {"DELETE /v1/console/session", {"/v1/console/session", "", {401, A, A, A, A, A, 403}}},
      {"POST /v1/admins", {"/v1/admins", "{}", master_only}},
      {"GET /v1/admins", {"/v1/admins", "", master_only}},
      {"PATCH /v1/admins/{id}", {"/v1/admins/" + w.bob_id_, "{}", master_only}},
      {"POST /v1/technicians", {"/v1/technicians", "{}", admins}},
      {"GET /v1/technicians", {"/v1/technicians", "", admins}},
      {"PATCH /v1/technicians/{id}", {"/v1/technicians/" + w.tom_id_, "{}", scoped_write}},
      {"POST /v1/auditors", {"/v1/auditors", "{}", master_only}},
      {"GET /v1/auditors", {"/v1/auditors", "", master_only}},
      {"PATCH /v1/auditors/{id}", {"/v1/auditors/" + w.una_id_, "{}", master_only}},
      {"GET /v1/groups", {"/v1/groups", "", admins_auditors}},
      {"POST /v1/groups", {"/v1/groups", "{}", admins}},
      {"GET /v1/groups/{id}", {"/v1/groups/g-a1", "", scoped_read}},
      {"PATCH /v1/groups/{id}", {"/v1/groups/g-a1", "{}", scoped_write}},
      {"DELETE /v1/groups/{id}", {"/v1/groups/g-a1", "", scoped_write}},
      {"GET /v1/groups/{id}/effective", {"/v1/groups/g-a1/effective", "", scoped_read}},
      {"GET /v1/settings", {"/v1/settings", "", admins_auditors}},
      {"PUT /v1/settings", {"/v1/settings", "[]", master_only}},
      {"GET /v1/policy/document", {"/v1/policy/document", "", {401, 403, A, 403, 403, A, 403}}},
      {"POST /v1/decisions", {"/v1/decisions", "{}", admins}},
      {"GET /v1/audit/events", {"/v1/audit/events", "", audit}},
      {"GET /v1/audit/checkpoint", {"/v1/audit/checkpoint", "", audit}},
      {"POST /v1/enrollment-codes", {"/v1/enrollment-codes", "[]", admins}},
      {"POST /v1/enroll", {"/v1/enroll", "{}", everyone}},
      {"GET /v1/endpoints", {"/v1/endpoints", "", admins_auditors}},
      {"GET /v1/policy/bundle", {"/v1/policy/bundle", "", {401, 403, 403, 403, 403, A, A}}},
      {"GET /v1/policy/keys", {"/v1/policy/keys", "", {401, A, A, A, A, A, A}}},
      {"POST /v1/policy/keys", {"/v1/policy/keys", "", master_only}},  // rotates for real
      {"DELETE /v1/policy/keys/{id}", {"/v1/policy/keys/none", "", master_only}},
      {"POST /v1/endpoints/{id}/commands", {endpoint + "/commands", "[]", admins}},
      {"GET /v1/endpoints/{id}/commands", {endpoint + "/commands", "", endpoint_only}},
      {"POST /v1/endpoints/{id}/commands/ack", {endpoint + "/commands/ack", "[]", endpoint_only}},
      {"POST /v1/endpoints/{id}/events", {endpoint + "/events", "[]", endpoint_only}},
      {"POST /v1/endpoints/{id}/time", {endpoint + "/time", "[]", endpoint_only}},
      {"POST /v1/sessions", {"/v1/sessions", "{}", technician_only}},
      {"GET /v1/sessions", {"/v1/sessions", "", workflow_read}},
      {"PATCH /v1/sessions/{id}", {"/v1/sessions/ses_none", "{}", technician_only}},
      {"POST /v1/sessions/{id}/end", {"/v1/sessions/ses_none/end", "", technician_only}},
      {"POST /v1/sessions/{id}/unattended-requests",
       {"/v1/sessions/ses_none/unattended-requests", "{}", technician_only}},
      {"POST /v1/sessions/{id}/unattended-requests/preview",
       {"/v1/sessions/ses_none/unattended-requests/preview", "{}", technician_only}},
      {"GET /v1/unattended-requests", {"/v1/unattended-requests", "", workflow_read}},
      {"GET /v1/grants", {"/v1/grants", "", workflow_read}},
      {"POST /v1/grants/{id}/revoke", {"/v1/grants/none/revoke", "", {401, A, 403, A, A, A, 403}}},
      {"POST /v1/grants/{id}/connect", {"/v1/grants/none/connect", "", technician_only}},
      {"GET /v1/connections", {"/v1/connections", "", workflow_read}},
      {"POST /v1/sessions/{id}/credential-requests",
       {"/v1/sessions/ses_none/credential-requests", "", technician_only}},
      {"GET /v1/credential-requests", {"/v1/credential-requests", "", workflow_read}},
      {"POST /v1/sessions/{id}/credentials/apply",
       {"/v1/sessions/ses_none/credentials/apply", "{}", technician_only}},
  };
}

TEST(AuthorizationMatrix, EveryRouteAnswersEveryCallerAsTheTableSays) {
  World& w = TheWorld();
  const std::map<std::string, MatrixRow> matrix = Matrix(w);
  const std::array<std::optional<std::string>, kCallers> tokens = {
      std::nullopt,     w.tokens_["tom"],     w.tokens_["una"], w.tokens_["alice"],
      w.tokens_["bob"], w.ac_.master_token(), w.endpoint_token_};
  const char* names[] = {"anonymous",          "technician",   "auditor", "admin in scope",
                         "admin out of scope", "master admin", "endpoint"};
  std::size_t checked = 0;
  const value components = OpenApiDocument(ApiRoutes()).at("components").at("schemas");
  for (const Route& route : ApiRoutes()) {
    const std::string key =
        std::string(boost::beast::http::to_string(route.method)) + " " + route.pattern;
    auto row = matrix.find(key);
    if (row == matrix.end()) {
      ADD_FAILURE() << "no authorization matrix row for " << key;
      continue;
    }
    for (int c = 0; c < kCallers; ++c) {
      const std::string method(boost::beast::http::to_string(route.method));
      HttpResult r = w.ac_.Request(method, row->second.path, tokens[c], row->second.body);
      const int want = row->second.expect[c];
      if (r.content_type.starts_with("application/problem+json")) {
        for (const auto& p : testing::SchemaProblems(r.json(), "Problem", components)) {
          ADD_FAILURE() << key << " as " << names[c] << ": problem " << p;
        }
      }
      if (want == A) {
        EXPECT_NE(r.status, 401u) << key << " as " << names[c] << ": " << r.body;
        EXPECT_NE(r.status, 403u) << key << " as " << names[c] << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, static_cast<unsigned>(want))
            << key << " as " << names[c] << ": " << r.body;
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, matrix.size()) << "the matrix has rows for routes that do not exist";
}

}  // namespace
}  // namespace custodian::admincenter
