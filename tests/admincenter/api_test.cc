// The admin center over real HTTP on loopback: the real binary, every route,
// bad bodies (400/413/415 problem+json with pointers, nothing changed); the
// authorization matrix is in authorization_matrix_test.cc.
#include "admincenter/api.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <map>
#include <set>

#include "admincenter/api_world.h"
#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "policy/engine.h"
#include "policy/system_time_zones.h"
#include "support/admincenter_process.h"
#include "support/json_schema.h"

namespace custodian::admincenter {
namespace {

using namespace api_world;  // NOLINT: the shared world of these tests

// Sends raw bytes and returns whatever comes back until the server closes.
std::string RawExchange(uint16_t port, const std::string& bytes) {
  namespace net = boost::asio;
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  boost::system::error_code ec;
  net::write(socket, net::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  for (;;) {
    const std::size_t n = socket.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

// The audit events (of `filter`, a query such as "&action=group.update").
int AuditCount(World& w, const std::string& filter = "") {
  HttpResult r = w.ac_.Request("GET", "/v1/audit/events?format=csv" + filter, w.ac_.master_token());
  int lines = 0;
  for (char c : r.body) lines += c == '\n';
  return lines - 1;  // header
}

TEST(AdminCenterApi, ServesHealthMetricsAndOpenApi) {
  World& w = TheWorld();
  HttpResult health = w.ac_.Request("GET", "/healthz", std::nullopt);
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.json().at("status").as_string(), "ok");
  HttpResult metrics = w.ac_.Request("GET", "/metrics", std::nullopt);
  EXPECT_NE(metrics.body.find("custodian_http_requests_total{route=\"/healthz\",status=\"200\"}"),
            std::string::npos)
      << metrics.body;
  HttpResult openapi = w.ac_.Request("GET", "/v1/openapi.json", std::nullopt);
  EXPECT_EQ(openapi.json().at("openapi").as_string(), "3.0.3");
}

TEST(AdminCenterApi, GroupsInheritLockAndExplainProvenance) {
  World& w = TheWorld();
  const std::string& m = w.ac_.master_token();
  HttpResult created = w.ac_.Request(
      "POST", "/v1/groups", m,
      R"({"id":"g-lock","name":"Locked","parent_id":"g-a","unattended":{"max_days":10},
          "locked":["unattended.max_days"]})");
  ASSERT_EQ(created.status, 201u) << created.body;
  HttpResult child = w.ac_.Request(
      "POST", "/v1/groups", m,
      R"({"id":"g-lock-kid","name":"Kid","parent_id":"g-lock","unattended":{"max_days":20}})");
  EXPECT_EQ(child.status, 400u);
  EXPECT_EQ(child.json().at("errors").at(0).at("pointer").as_string(), "/unattended/max_days");
  ASSERT_EQ(w.ac_
                .Request("POST", "/v1/groups", m,
                         R"({"id":"g-lock-kid","name":"Kid","parent_id":"g-lock"})")
                .status,
            201u);
  HttpResult eff = w.ac_.Request("GET", "/v1/groups/g-lock-kid/effective", m);
  ASSERT_EQ(eff.status, 200u);
  const value e = eff.json();
  EXPECT_EQ(e.at("unattended").at("max_days").at("value").as_integer(), 10);
  EXPECT_EQ(e.at("unattended").at("max_days").at("locked_by").as_string(), "g-lock");
  EXPECT_EQ(e.at("permissions").at("unattended_access").at("source").as_string(), "g-a");
  // An admin in scope may not unlock or change a locked value; the master may.
  const std::string& alice = w.tokens_["alice"];
  EXPECT_EQ(w.ac_.Request("PATCH", "/v1/groups/g-lock", alice, R"({"locked":null})").status, 403u);
  EXPECT_EQ(w.ac_.Request("PATCH", "/v1/groups/g-lock", alice, R"({"unattended":{"max_days":11}})")
                .status,
            403u);
  EXPECT_EQ(w.ac_.Request("PATCH", "/v1/groups/g-lock", alice, R"({"name":"Renamed"})").status,
            200u);
  EXPECT_EQ(w.ac_.Request("PATCH", "/v1/groups/g-lock", m, R"({"locked":null})").status, 200u);
  // Move: no cycles.
  HttpResult cycle =
      w.ac_.Request("PATCH", "/v1/groups/g-lock", m, R"({"parent_id":"g-lock-kid"})");
  EXPECT_EQ(cycle.status, 400u) << cycle.body;
  EXPECT_EQ(cycle.json().at("errors").at(0).at("pointer").as_string(), "/parent_id");
  // Delete only when empty.
  EXPECT_EQ(w.ac_.Request("DELETE", "/v1/groups/g-lock", m).status, 409u);
  EXPECT_EQ(w.ac_.Request("DELETE", "/v1/groups/g-lock-kid", m).status, 204u);
  EXPECT_EQ(w.ac_.Request("DELETE", "/v1/groups/g-lock", m).status, 204u);
  EXPECT_EQ(w.ac_.Request("GET", "/v1/groups/g-lock", m).status, 404u);
}

TEST(AdminCenterApi, DecisionsAgreeWithThePolicyDocument) {
  World& w = TheWorld();
  const std::string request = R"({"action":"unattended.request","technician_id":")" + w.tom_id_ +
                              R"(","session":{"type":"applet","active":true},
      "endpoint":{"os":"windows","time_zone":"America/New_York"},"credential_mode":"at_setup",
      "schedule":{"kind":"days","days":20}})";
  HttpResult d =
      w.ac_.Request("POST", "/v1/decisions?now=2026-03-01T10:00:00Z", w.tokens_["alice"], request);
  ASSERT_EQ(d.status, 200u) << d.body;
  EXPECT_EQ(d.json().at("effect").as_string(), "deny");
  EXPECT_EQ(d.json().at("reasons").at(0).at("code").as_string(), "duration_exceeds_cap");
  HttpResult doc = w.ac_.Request("GET", "/v1/policy/document", w.ac_.master_token());
  ASSERT_EQ(doc.status, 200u);
  // The same document and request through the offline engine.
  auto parsed = policy::ParsePolicy(doc.body, policy::SystemTimeZones::Get());
  ASSERT_TRUE(parsed.ok());
  const auto compiled =
      policy::CompiledPolicy::Compile(*parsed.value, policy::SystemTimeZones::Get());
  const auto offline = policy::Decide(compiled, *policy::ParseRequest(request).value,
                                      *policy::ParseRfc3339("2026-03-01T10:00:00Z"));
  EXPECT_EQ(CanonicalJson(policy::EncodeDecision(offline)), CanonicalJson(d.json()));
}

TEST(AdminCenterApi, TokensExpireWithDisabledPrincipals) {
  World& w = TheWorld();
  const std::string& m = w.ac_.master_token();
  HttpResult created =
      w.ac_.Request("POST", "/v1/auditors", m,
                    R"({"name":"temp","password":")" + std::string(kPassword) + R"("})");
  ASSERT_EQ(created.status, 201u);
  const std::string id = created.json().at("id").as_string();
  const std::string token = w.Login("temp");
  EXPECT_EQ(w.ac_.Request("GET", "/v1/audit/checkpoint", token).status, 200u);
  EXPECT_EQ(w.ac_.Request("GET", "/v1/settings", token).status, 200u);  // now cached
  EXPECT_EQ(w.ac_.Request("PATCH", "/v1/auditors/" + id, m, R"({"disabled":true})").status, 200u);
  EXPECT_EQ(w.ac_.Request("GET", "/v1/audit/checkpoint", token).status, 401u);
  // Also on the routes served from memory: the cache forgets it at once.
  EXPECT_EQ(w.ac_.Request("GET", "/v1/settings", token).status, 401u);
  HttpResult wrong = w.ac_.Request("POST", "/v1/tokens", std::nullopt,
                                   R"({"name":"una","password":"not the password"})");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(wrong.content_type, "application/problem+json");
}

TEST(AdminCenterApi, BadBodiesAreRejectedWithPointersAndChangeNothing) {
  World& w = TheWorld();
  const std::string& m = w.ac_.master_token();
  const std::string groups_before = w.ac_.Request("GET", "/v1/groups", m).body;
  const int audit_before = AuditCount(w);
  struct Bad {
    std::string body;
    std::string content_type;
    unsigned status;
    std::string pointer;  // "" when the problem has no errors list
  };
  const std::vector<Bad> cases = {
      {R"({"id":"g-x","name":5})", "application/json", 400, "/name"},
      {R"({"id":"g-x","name":"X","colour":"red"})", "application/json", 400, "/colour"},
      {R"({"id":"g-x","name":"X","permissions":{"reboot":"yes"}})", "application/json", 400,
       "/permissions/reboot"},
      {R"({"id":"g-x","name":"X","unattended":{"max_days":0}})", "application/json", 400,
       "/unattended/max_days"},
      {"{\"id\":\"g-x\",\"name\":\"\xff\xfe\"}", "application/json", 400, ""},
      {R"({"id":"g-x","name":"X")", "application/json", 400, ""},
      {R"({"id":"g-x","name":"X"})", "text/plain", 415, ""},
  };
  for (const Bad& b : cases) {
    HttpResult r = w.ac_.Request("POST", "/v1/groups", m, b.body, b.content_type);
    EXPECT_EQ(r.status, b.status) << b.body.substr(0, 80) << " -> " << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json") << b.body.substr(0, 80);
    EXPECT_EQ(r.json().at("type").as_string(),
              b.status == 400 ? "tag:custodian.dev,2026:problem/invalid-request"
                              : "tag:custodian.dev,2026:problem/unsupported-media-type")
        << r.body;
    if (!b.pointer.empty()) {
      EXPECT_EQ(r.json().at("errors").at(0).at("pointer").as_string(), b.pointer) << r.body;
    }
  }
  // Oversized: refused from the Content-Length alone, before the body.
  const std::string head =
      "POST /v1/groups HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + m +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(2 << 20) +
      "\r\n\r\n";
  const std::string answer = RawExchange(w.ac_.port(), head);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
  // Headers beyond the limit.
  const std::string huge_header =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 << 10, 'y') + "\r\n\r\n";
  EXPECT_TRUE(RawExchange(w.ac_.port(), huge_header).starts_with("HTTP/1.1 431"));
  EXPECT_EQ(w.ac_.Request("GET", "/v1/groups", m).body, groups_before);
  EXPECT_EQ(AuditCount(w), audit_before);
}

TEST(AdminCenterApi, UnknownRoutesAre404AndWrongMethods405) {
  World& w = TheWorld();
  HttpResult nothing = w.ac_.Request("GET", "/v1/nothing", w.ac_.master_token());
  EXPECT_EQ(nothing.status, 404u);
  EXPECT_EQ(nothing.json().at("type").as_string(), "tag:custodian.dev,2026:problem/not-found");
  const HttpResult wrong = w.ac_.Request("DELETE", "/v1/settings", w.ac_.master_token());
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(wrong.headers.at("Allow"), "GET, HEAD, PUT") << "RFC 9110 §15.5.6";
  EXPECT_NE(wrong.body.find("DELETE is not one of GET, HEAD, PUT"), std::string::npos);
  EXPECT_EQ(w.ac_.Request("POST", "/healthz", std::nullopt, "{}").headers.at("Allow"), "GET, HEAD");
}

// Issue 16.12: HEAD wherever GET, with GET's headers and no body; a JSON
// merge patch under its own media type (RFC 7396).
TEST(AdminCenterApi, HeadAnswersAsGetWithoutTheBodyAndPatchTakesMergePatchJson) {
  World& w = TheWorld();
  for (const std::string path : {"/healthz", "/v1/groups", "/v1/audit/events"}) {
    const HttpResult get = w.ac_.Request("GET", path, w.ac_.master_token());
    const HttpResult head = w.ac_.Request("HEAD", path, w.ac_.master_token());
    EXPECT_EQ(head.status, get.status) << path;
    EXPECT_TRUE(head.body.empty()) << path;
    EXPECT_EQ(head.content_type, get.content_type) << path;
    if (path != "/v1/audit/events") {  // streamed: its length is not known beforehand
      EXPECT_EQ(head.headers.at("Content-Length"), std::to_string(get.body.size())) << path;
    }
  }
  EXPECT_EQ(w.ac_.Request("HEAD", "/v1/groups", std::nullopt).status, 401u);
  const HttpResult merged = w.ac_.Request("PATCH", "/v1/groups/g-b", w.ac_.master_token(),
                                          R"({"name":"B merged"})", "application/merge-patch+json");
  EXPECT_EQ(merged.status, 200u) << merged.body;
  EXPECT_EQ(merged.json().at("name").as_string(), "B merged");
  const HttpResult text = w.ac_.Request("PATCH", "/v1/groups/g-b", w.ac_.master_token(),
                                        R"({"name":"B"})", "text/plain");
  EXPECT_EQ(text.status, 415u);
  EXPECT_NE(text.body.find("application/merge-patch+json"), std::string::npos) << text.body;
  EXPECT_EQ(
      w.ac_.Request("PATCH", "/v1/groups/g-b", w.ac_.master_token(), R"({"name":"B"})").status,
      200u);
  EXPECT_EQ(w.ac_
                .Request("POST", "/v1/groups", w.ac_.master_token(), R"({"id":"g-m","name":"M"})",
                         "application/merge-patch+json")
                .status,
            415u)
      << "only a PATCH is a merge patch";
}

// Two admins read the same group (or the master the settings) and both
// write: the second write names what it read in If-Match and gets 412,
// changing nothing, instead of silently undoing the first (RFC 9110 §13.1.1).
TEST(AdminCenterApi, AStaleConditionalWriteIsRefusedWith412AndChangesNothing) {
  World& w = TheWorld();
  const std::string& m = w.ac_.master_token();
  const std::string& alice = w.tokens_["alice"];
  ASSERT_EQ(
      w.ac_.Request("POST", "/v1/groups", m, R"({"id":"g-race","name":"Race","parent_id":"g-a"})")
          .status,
      201u);
  const HttpResult read_by_alice = w.ac_.Request("GET", "/v1/groups/g-race", alice);
  const HttpResult read_by_master = w.ac_.Request("GET", "/v1/groups/g-race", m);
  ASSERT_EQ(read_by_alice.status, 200u);
  const std::string e1 = read_by_alice.headers.at("ETag");
  EXPECT_EQ(e1.size(), 66u) << e1;  // a quoted SHA-256, strong
  EXPECT_EQ(read_by_master.headers.at("ETag"), e1) << "the tag is the group's, not the reader's";

  const HttpResult first = w.ac_.Request("PATCH", "/v1/groups/g-race", m, R"({"name":"Master's"})",
                                         "application/json", {{"If-Match", e1}});
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string e2 = first.headers.at("ETag");
  EXPECT_NE(e2, e1);
  EXPECT_EQ(w.ac_.Request("GET", "/v1/groups/g-race", alice).headers.at("ETag"), e2);

  // (Only this group's updates: a bundle's publish may be recorded meanwhile.)
  const std::string updates = "&action=group.update&target=group:g-race";
  const int audited = AuditCount(w, updates);
  EXPECT_EQ(audited, 1);
  const HttpResult stale =
      w.ac_.Request("PATCH", "/v1/groups/g-race", alice, R"({"name":"Alice's"})",
                    "application/json", {{"If-Match", e1}});
  EXPECT_EQ(stale.status, 412u) << stale.body;
  EXPECT_EQ(stale.json().at("type").as_string(),
            "tag:custodian.dev,2026:problem/precondition-failed");
  EXPECT_NE(stale.json().at("detail").as_string().find("g-race"), std::string::npos);
  EXPECT_EQ(w.ac_.Request("GET", "/v1/groups/g-race", m).json().at("name").as_string(), "Master's");
  EXPECT_EQ(AuditCount(w, updates), audited) << "a refused write records no change";
  // A weak tag never matches (strong comparison); a list matches any.
  EXPECT_EQ(w.ac_
                .Request("PATCH", "/v1/groups/g-race", alice, R"({"name":"Alice's"})",
                         "application/json", {{"If-Match", "W/" + e2}})
                .status,
            412u);
  EXPECT_EQ(w.ac_
                .Request("PATCH", "/v1/groups/g-race", alice, R"({"name":"Alice's"})",
                         "application/json", {{"If-Match", e1 + ", " + e2}})
                .status,
            200u);
  // "*" and no If-Match are unconditional; a missing group is still 404.
  EXPECT_EQ(w.ac_
                .Request("PATCH", "/v1/groups/g-race", alice, R"({"name":"Any"})",
                         "application/json", {{"If-Match", "*"}})
                .status,
            200u);
  EXPECT_EQ(w.ac_
                .Request("PATCH", "/v1/groups/g-none", m, R"({"name":"X"})", "application/json",
                         {{"If-Match", "*"}})
                .status,
            404u);
  // Deleting what changed since it was read is refused too.
  const std::string e3 = w.ac_.Request("GET", "/v1/groups/g-race", m).headers.at("ETag");
  EXPECT_EQ(w.ac_.Request("DELETE", "/v1/groups/g-race", m, "", "", {{"If-Match", e1}}).status,
            412u);
  EXPECT_EQ(w.ac_.Request("DELETE", "/v1/groups/g-race", m, "", "", {{"If-Match", e3}}).status,
            204u);

  // The global settings, the same way.
  const HttpResult settings = w.ac_.Request("GET", "/v1/settings", m);
  const std::string s1 = settings.headers.at("ETag");
  value changed = settings.json();
  const int64_t ttl = changed.at("unattended").at("request_ttl_minutes").as_number().to_int64();
  changed["unattended"]["request_ttl_minutes"] = value::number(ttl + 1);
  const HttpResult put = w.ac_.Request("PUT", "/v1/settings", m, changed.serialize(),
                                       "application/json", {{"If-Match", s1}});
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_NE(put.headers.at("ETag"), s1);
  EXPECT_EQ(
      w.ac_.Request("PUT", "/v1/settings", m, settings.body, "application/json", {{"If-Match", s1}})
          .status,
      412u);
  EXPECT_EQ(w.ac_.Request("GET", "/v1/settings", m)
                .json()
                .at("unattended")
                .at("request_ttl_minutes")
                .as_number()
                .to_int64(),
            ttl + 1);
}

// Every body the API takes and gives, held to admincenter/openapi.json: the
// valid requests sent here must match their request schemas and the answers
// their response schemas, and every route with a schema is exercised.
TEST(AdminCenterApi, EveryBodyMatchesTheOpenApiDocument) {
  World& w = TheWorld();
  const value components = OpenApiDocument(ApiRoutes()).at("components").at("schemas");
  const std::string m = w.ac_.master_token();
  const std::string pw = kPassword;
  struct Call {
    std::string route;  // "METHOD pattern"
    std::string path;
    std::string body;
  };
  std::vector<Call> calls = {
      {"GET /healthz", "/healthz", ""},
      {"POST /v1/tokens", "/v1/tokens", R"({"name":"alice","password":")" + pw + R"("})"},
      {"POST /v1/groups", "/v1/groups",
       R"({"id":"g-s","name":"S","parent_id":"g-a","permissions":{"reboot":true},)"
       R"("unattended":{"auth_modes":["at_setup"],"max_days":7},"locked":["permissions.reboot"]})"},
      {"PATCH /v1/groups/{id}", "/v1/groups/g-s",
       R"({"name":"S2","permissions":{"reboot":null},"unattended":null})"},
      {"GET /v1/groups/{id}", "/v1/groups/g-s", ""},
      {"GET /v1/groups/{id}/effective", "/v1/groups/g-s/effective", ""},
      {"GET /v1/groups", "/v1/groups", ""},
      {"GET /v1/settings", "/v1/settings", ""},
      {"PUT /v1/settings", "/v1/settings", ""},  // what GET answered, back unchanged
      {"POST /v1/technicians", "/v1/technicians",
       R"({"name":"sam","password":")" + pw +
           R"(","group_id":"g-s","time_zone":"America/New_York"})"},
      {"GET /v1/technicians", "/v1/technicians", ""},
      {"POST /v1/admins", "/v1/admins",
       R"({"name":"sara","password":")" + pw + R"(","scopes":["g-s"]})"},
      {"GET /v1/admins", "/v1/admins", ""},
      {"PATCH /v1/admins/{id}", "/v1/admins/" + w.bob_id_, R"({"disabled":false})"},
      {"PATCH /v1/technicians/{id}", "/v1/technicians/" + w.tom_id_,
       R"({"password":")" + pw + R"("})"},
      {"POST /v1/auditors", "/v1/auditors", R"({"name":"sue","password":")" + pw + R"("})"},
      {"GET /v1/auditors", "/v1/auditors", ""},
      {"PATCH /v1/auditors/{id}", "/v1/auditors/" + w.una_id_, R"({"disabled":false})"},
      {"POST /v1/decisions", "/v1/decisions",
       R"({"action":"unattended.request","technician_id":")" + w.tom_id_ +
           R"(","session":{"type":"applet","active":true},)"
           R"("endpoint":{"os":"windows","time_zone":"America/New_York"},)"
           R"("credential_mode":"at_setup","schedule":{"kind":"days","days":3,)"
           R"("time_reference":"customer","daily":{"from":"08:00","to":"18:00"}}})"},
      {"GET /v1/policy/document", "/v1/policy/document", ""},
      {"GET /v1/audit/checkpoint", "/v1/audit/checkpoint", ""},
  };
  std::set<std::string> covered;
  const auto routes = ApiRoutes();
  // Sends a valid call as `token` and checks both bodies.
  auto check = [&](const Call& c, const std::optional<std::string>& token) {
    const auto route = std::find_if(routes.begin(), routes.end(), [&](const Route& r) {
      return std::string(boost::beast::http::to_string(r.method)) + " " + r.pattern == c.route;
    });
    EXPECT_NE(route, routes.end()) << c.route;
    if (route == routes.end()) return HttpResult{};
    EXPECT_FALSE(route->response_schema.empty()) << c.route;
    if (!c.body.empty()) {
      for (const auto& p :
           testing::SchemaProblems(value::parse(c.body), route->request_schema, components)) {
        ADD_FAILURE() << c.route << " request " << p;
      }
    }
    const std::string method = c.route.substr(0, c.route.find(' '));
    HttpResult r = w.ac_.Request(method, c.path, token, c.body);
    EXPECT_LT(r.status, 300u) << c.route << ": " << r.body;
    for (const auto& p : testing::SchemaProblems(r.json(), route->response_schema, components)) {
      ADD_FAILURE() << c.route << " response " << p << "\n" << r.body;
    }
    covered.insert(c.route);
    return r;
  };
  std::string settings;
  for (Call c : calls) {
    if (c.route == "PUT /v1/settings") c.body = settings;
    HttpResult r = check(c, m);
    if (c.route == "GET /v1/settings") settings = r.body;
  }
  check({"POST /v1/console/session", "/v1/console/session",
         R"({"name":"una","password":")" + std::string(kPassword) + R"("})"},
        std::nullopt);
  check({"GET /v1/console/session", "/v1/console/session", ""}, m);
  // Distribution: enroll an endpoint and use its channel.
  const std::string code =
      check({"POST /v1/enrollment-codes", "/v1/enrollment-codes", R"({"ttl_minutes":5})"}, m)
          .json()
          .at("code")
          .as_string();
  const value enrolled =
      check({"POST /v1/enroll", "/v1/enroll",
             R"({"code":")" + code + R"(","name":"mac-1","os":"macos","time_zone":"Asia/Tokyo"})"},
            std::nullopt)
          .json();
  const std::string ep = enrolled.at("token").as_string();
  const std::string channel = "/v1/endpoints/" + enrolled.at("endpoint_id").as_string();
  check({"GET /v1/endpoints", "/v1/endpoints", ""}, m);
  check({"GET /v1/policy/bundle", "/v1/policy/bundle", ""}, ep);
  check({"GET /v1/policy/keys", "/v1/policy/keys", ""}, ep);
  check({"POST /v1/policy/keys", "/v1/policy/keys", ""}, m);
  const std::string command =
      check({"POST /v1/endpoints/{id}/commands", channel + "/commands", R"({"type":"sync"})"}, m)
          .json()
          .at("id")
          .as_string();
  check({"GET /v1/endpoints/{id}/commands", channel + "/commands", ""}, ep);
  check({"POST /v1/endpoints/{id}/commands/ack", channel + "/commands/ack",
         R"({"ids":[")" + command + R"("]})"},
        ep);
  value event = value::parse(R"({"seq":1,"id":"ev-schema-1","ts":"2026-11-23T10:00:00Z",
      "actor":{"kind":"customer","id":"local"},"action":"bundle.accepted","target":"bundle:1",
      "outcome":"success","reasons":[],"details":{}})");
  event["prev_hash"] = value::string(audit::kGenesisHash);
  event["hash"] = value::string(audit::RecordHash(event));
  check({"POST /v1/endpoints/{id}/time", channel + "/time", R"({"nonce":"0123456789abcdef01"})"},
        ep);
  check({"POST /v1/endpoints/{id}/events", channel + "/events",
         R"({"events":[)" + event.serialize() + "]}"},
        ep);
  // Workflows, on a Windows endpoint of their own, by a technician whose
  // group may ask for Windows credentials. What the endpoint settles comes
  // as its events.
  w.Post("/v1/groups", m,
         R"({"id":"g-w","name":"W","parent_id":"g-a","permissions":)"
         R"({"request_windows_credentials":true}})");
  w.Post(
      "/v1/technicians", m,
      R"({"name":"wes","password":")" + pw + R"(","group_id":"g-w","time_zone":"Europe/Berlin"})");
  const std::string wes = w.Login("wes");
  const std::string code2 = w.Post("/v1/enrollment-codes", m, "{}").at("code").as_string();
  const value pc2 = w.Post(
      "/v1/enroll", std::nullopt,
      R"({"code":")" + code2 + R"(","name":"pc-2","os":"windows","time_zone":"Europe/Vienna"})");
  const std::string pc2_id = pc2.at("endpoint_id").as_string();
  const std::string session =
      check({"POST /v1/sessions", "/v1/sessions",
             R"({"endpoint_id":")" + pc2_id + R"(","type":"applet","screen_viewing":false})"},
            wes)
          .json()
          .at("id")
          .as_string();
  const std::string s_path = "/v1/sessions/" + session;
  check({"PATCH /v1/sessions/{id}", s_path, R"({"screen_viewing":true})"}, wes);
  check({"POST /v1/sessions/{id}/unattended-requests/preview",
         s_path + "/unattended-requests/preview",
         R"({"credential_mode":"at_connection","schedule":{"kind":"days","days":3}})"},
        wes);
  const std::string request =
      check({"POST /v1/sessions/{id}/unattended-requests", s_path + "/unattended-requests",
             R"({"credential_mode":"at_connection","schedule":{"kind":"days","days":3}})"},
            wes)
          .json()
          .at("id")
          .as_string();
  const std::string cred_request =
      check({"POST /v1/sessions/{id}/credential-requests", s_path + "/credential-requests", ""},
            wes)
          .json()
          .at("id")
          .as_string();
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string prev = audit::kGenesisHash;
  int seq = 0;
  auto endpoint_event = [&](const std::string& action, value details) {
    value e = value::object();
    e["seq"] = value::number(++seq);
    e["id"] = value::string("ev-wf-" + std::to_string(seq));
    e["ts"] = value::string(policy::FormatRfc3339(now));
    e["actor"] = value::parse(R"({"kind":"endpoint","id":"pc-2"})");
    e["action"] = value::string(action);
    e["target"] = value::string("workflow");
    e["outcome"] = value::string("success");
    e["reasons"] = value::array();
    e["details"] = std::move(details);
    e["prev_hash"] = value::string(prev);
    e["hash"] = value::string(audit::RecordHash(e));
    prev = e.at("hash").as_string();
    value batch = value::object();
    batch["events"] = value::array({e});
    HttpResult r = w.ac_.Request("POST", "/v1/endpoints/" + pc2_id + "/events",
                                 pc2.at("token").as_string(), batch.serialize());
    EXPECT_EQ(r.status, 200u) << r.body;
  };
  value approved = value::object();
  approved["request_id"] = value::string(request);
  approved["grant_id"] = value::string("grant-wf-1");
  approved["effective_schedule"] = value::object();
  approved["effective_schedule"]["start"] =
      value::string(policy::FormatRfc3339(now - std::chrono::minutes(1)));
  approved["effective_schedule"]["end"] =
      value::string(policy::FormatRfc3339(now + std::chrono::hours(72)));
  approved["effective_schedule"]["daily"] = value::null();
  endpoint_event("unattended.request_approved", approved);
  value stored = value::object();
  stored["request_id"] = value::string(cred_request);
  endpoint_event("credentials.stored", stored);
  check({"GET /v1/sessions", "/v1/sessions", ""}, wes);
  const value requests =
      check({"GET /v1/unattended-requests", "/v1/unattended-requests", ""}, wes).json();
  EXPECT_EQ(requests.at("items").at(0).at("state").as_string(), "approved");
  const value grants = check({"GET /v1/grants", "/v1/grants", ""}, wes).json();
  EXPECT_EQ(grants.at("items").at(0).at("state").as_string(), "active");
  const value creds =
      check({"GET /v1/credential-requests", "/v1/credential-requests", ""}, wes).json();
  EXPECT_EQ(creds.at("items").at(0).at("state").as_string(), "stored");
  check({"POST /v1/sessions/{id}/credentials/apply", s_path + "/credentials/apply",
         R"({"operation":"unlock"})"},
        wes);
  check({"POST /v1/grants/{id}/connect", "/v1/grants/grant-wf-1/connect", ""}, wes);
  check({"GET /v1/connections", "/v1/connections", ""}, wes);
  // Another technician sees none of it; an auditor sees all.
  EXPECT_EQ(w.ac_.Request("GET", "/v1/grants", w.tokens_["tom"]).json().at("items").size(), 0u);
  EXPECT_EQ(w.ac_.Request("GET", "/v1/grants", w.tokens_["una"]).json().at("items").size(), 1u);
  // An admin sees them when the technician is in its scope (g-w is under g-a).
  EXPECT_EQ(w.ac_.Request("GET", "/v1/grants", w.tokens_["alice"]).json().at("items").size(), 1u);
  EXPECT_EQ(w.ac_.Request("GET", "/v1/grants", w.tokens_["bob"]).json().at("items").size(), 0u);
  EXPECT_EQ(w.ac_.Request("POST", "/v1/grants/grant-wf-1/revoke", w.tokens_["bob"]).status, 404u);
  EXPECT_EQ(w.ac_.Request("POST", "/v1/grants/grant-wf-1/connect", w.tokens_["tom"]).status, 404u);
  check({"POST /v1/grants/{id}/revoke", "/v1/grants/grant-wf-1/revoke", ""}, wes);
  check({"POST /v1/sessions/{id}/end", s_path + "/end", ""}, wes);
  // A denial, and a problem with pointers.
  HttpResult denied =
      w.ac_.Request("POST", "/v1/decisions", m,
                    R"({"action":"credentials.request","technician_id":")" + w.tom_id_ +
                        R"(","session":{"type":"applet","active":true,"screen_viewing":false},)"
                        R"("endpoint":{"os":"linux","time_zone":"UTC"}})");
  EXPECT_EQ(denied.json().at("effect").as_string(), "deny");
  EXPECT_TRUE(testing::SchemaProblems(denied.json(), "Decision", components).empty());
  HttpResult bad = w.ac_.Request("POST", "/v1/groups", m, R"({"id":5})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_TRUE(testing::SchemaProblems(bad.json(), "Problem", components).empty()) << bad.body;
  {  // 204 without a body: checked here rather than through check()
    const std::string change = R"({"password":"another long password","current_password":")" +
                               std::string(kPassword) + R"("})";
    EXPECT_TRUE(
        testing::SchemaProblems(value::parse(change), "PasswordChange", components).empty());
    EXPECT_EQ(w.ac_.Request("POST", "/v1/me/password", w.tokens_["una"], change).status, 204u);
    EXPECT_EQ(w.ac_
                  .Request("POST", "/v1/me/password", w.tokens_["una"],
                           R"({"password":")" + std::string(kPassword) +
                               R"(","current_password":"another long password"})")
                  .status,
              204u);
    covered.insert("POST /v1/me/password");
  }
  for (const Route& route : ApiRoutes()) {
    if (route.request_schema.empty() && route.response_schema.empty()) continue;
    const std::string key =
        std::string(boost::beast::http::to_string(route.method)) + " " + route.pattern;
    EXPECT_TRUE(covered.count(key)) << key << " has a schema but no call here";
  }
  // The checker itself finds what is wrong.
  value group = w.ac_.Request("GET", "/v1/groups/g-a", m).json();
  group["colour"] = value::string("red");
  group["name"] = value::number(1);
  EXPECT_EQ(testing::SchemaProblems(group, "Group", components).size(), 2u);
  EXPECT_EQ(w.ac_.Request("DELETE", "/v1/groups/g-s", m).status, 409u);  // sam is in it
}

}  // namespace
}  // namespace custodian::admincenter
