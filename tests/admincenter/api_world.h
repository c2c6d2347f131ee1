// The small world the API tests share (api_test.cc,
// authorization_matrix_test.cc): one admin center, started on first use and
// stopped when the tests end.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <string>

#include "support/admincenter_process.h"

namespace custodian::admincenter::api_world {

using custodian::testing::AdminCenterProcess;
using custodian::testing::HttpResult;
using web::json::value;

inline constexpr const char* kPassword = "correct horse battery";

// One admin center shared by the tests of this file, with a small world:
// groups g-a > g-a1 and g-b; admin "alice" scoped to g-a, admin "bob" to
// g-b; technician "tom" in g-a1; auditor "una".
class World {
 public:
  World() : ac_("api") {
    Post("/v1/groups", ac_.master_token(),
         R"({"id":"g-a","name":"A","permissions":{"unattended_access":true}})");
    Post("/v1/groups", ac_.master_token(), R"({"id":"g-a1","name":"A1","parent_id":"g-a"})");
    Post("/v1/groups", ac_.master_token(), R"({"id":"g-b","name":"B"})");
    alice_id_ =
        Post("/v1/admins", ac_.master_token(),
             R"({"name":"alice","password":")" + std::string(kPassword) + R"(","scopes":["g-a"]})")
            .at("id")
            .as_string();
    bob_id_ =
        Post("/v1/admins", ac_.master_token(),
             R"({"name":"bob","password":")" + std::string(kPassword) + R"(","scopes":["g-b"]})")
            .at("id")
            .as_string();
    tom_id_ = Post("/v1/technicians", ac_.master_token(),
                   R"({"name":"tom","password":")" + std::string(kPassword) +
                       R"(","group_id":"g-a1","time_zone":"Europe/Berlin"})")
                  .at("id")
                  .as_string();
    una_id_ = Post("/v1/auditors", ac_.master_token(),
                   R"({"name":"una","password":")" + std::string(kPassword) + R"("})")
                  .at("id")
                  .as_string();
    for (const char* name : {"alice", "bob", "tom", "una"}) tokens_[name] = Login(name);
    const std::string code =
        Post("/v1/enrollment-codes", ac_.master_token(), "{}").at("code").as_string();
    const value enrolled = Post(
        "/v1/enroll", std::nullopt,
        R"({"code":")" + code + R"(","name":"pc-1","os":"windows","time_zone":"Europe/Vienna"})");
    endpoint_id_ = enrolled.at("endpoint_id").as_string();
    endpoint_token_ = enrolled.at("token").as_string();
  }

  value Post(const std::string& path, const std::optional<std::string>& token,
             const std::string& body) {
    HttpResult r = ac_.Request("POST", path, token, body);
    EXPECT_EQ(r.status, 201u) << path << " " << r.body;
    return r.json();
  }
  std::string Login(const std::string& name) {
    HttpResult r = ac_.Request("POST", "/v1/tokens", std::nullopt,
                               R"({"name":")" + name + R"(","password":")" + kPassword + R"("})");
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json().at("token").as_string();
  }

  AdminCenterProcess ac_;
  std::string alice_id_, bob_id_, tom_id_, una_id_, endpoint_id_, endpoint_token_;
  std::map<std::string, std::string> tokens_;
};

inline World* g_world = nullptr;

// Started on first use; stopped (with its server process) when the tests end.
class WorldEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    delete g_world;
    g_world = nullptr;
  }
};
inline auto* const g_environment = ::testing::AddGlobalTestEnvironment(new WorldEnvironment);

inline World& TheWorld() {
  if (!g_world) g_world = new World();
  return *g_world;
}

}  // namespace custodian::admincenter::api_world
