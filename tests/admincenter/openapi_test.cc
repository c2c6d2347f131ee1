// The OpenAPI document in the repository (admincenter/openapi.json) is the
// one the route table generates and the server serves: a route added,
// removed or changed without the document fails here.
//
// To refresh the file after changing routes:
//   build/release/tests/admincenter_unit_tests --gtest_filter=OpenApi.* --update-openapi
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "admincenter/api.h"
#include "common/canonical_json.h"

namespace custodian::admincenter {
namespace {

bool g_update = false;

TEST(OpenApi, TheFileInTheRepositoryMatchesTheRouteTable) {
  const std::string path = std::string(CUSTODIAN_SOURCE_DIR) + "/admincenter/openapi.json";
  const value generated = OpenApiDocument(ApiRoutes());
  if (g_update) std::ofstream(path) << generated.serialize() << "\n";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path << " is missing; run with --update-openapi";
  std::ostringstream text;
  text << in.rdbuf();
  std::error_code ec;
  const value stored = value::parse(text.str(), ec);
  ASSERT_FALSE(ec) << path << " is not JSON";
  EXPECT_EQ(CanonicalJson(stored), CanonicalJson(generated))
      << path << " is out of date; run this test with --update-openapi";
}

TEST(OpenApi, DescribesEveryRouteWithItsRoles) {
  const auto routes = ApiRoutes();
  const value doc = OpenApiDocument(routes);
  for (const Route& r : routes) {
    std::string method(boost::beast::http::to_string(r.method));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(doc.at("paths").has_field(r.pattern)) << r.pattern;
    ASSERT_TRUE(doc.at("paths").at(r.pattern).has_field(method)) << method << " " << r.pattern;
    EXPECT_FALSE(doc.at("paths").at(r.pattern).at(method).at("x-roles").as_string().empty());
  }
}

void CollectRefs(const value& v, std::vector<std::string>& refs) {
  if (v.is_object()) {
    for (const auto& [k, item] : v.as_object()) {
      if (k == "$ref") refs.push_back(item.as_string());
      CollectRefs(item, refs);
    }
  } else if (v.is_array()) {
    for (const auto& item : v.as_array()) CollectRefs(item, refs);
  }
}

TEST(OpenApi, EveryJsonBodyHasASchemaAndEveryReferenceResolves) {
  const auto routes = ApiRoutes();
  const value doc = OpenApiDocument(routes);
  const value& schemas = doc.at("components").at("schemas");
  for (const Route& r : routes) {
    const std::string key = std::string(boost::beast::http::to_string(r.method)) + " " + r.pattern;
    EXPECT_EQ(r.takes_body, !r.request_schema.empty()) << key;
    // Routes answering JSON through a handler, other than 204.
    if ((r.handler || r.text_handler) && r.success_status != 204) {
      EXPECT_FALSE(r.response_schema.empty()) << key;
    }
  }
  std::vector<std::string> refs;
  CollectRefs(doc, refs);
  EXPECT_GT(refs.size(), 30u);
  for (const std::string& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/components/schemas/")) << ref;
    EXPECT_TRUE(schemas.has_field(ref.substr(21))) << ref;
  }
}

}  // namespace
}  // namespace custodian::admincenter

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update-openapi") custodian::admincenter::g_update = true;
  }
  return RUN_ALL_TESTS();
}
