// Authorization and input findings of the integrity issue (6–9), against a
// real admin center: a scoped admin cannot escape a master admin's lock,
// bundles are not a way round the document's scope, the master admin can
// have a password, and ids and names are what the policy model says.
#include <gtest/gtest.h>

#include "support/admincenter_process.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;
using custodian::testing::HttpResult;
using web::json::value;

constexpr const char* kPassword = "a long enough password";

class Authorization : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ac_ = new AdminCenterProcess("authorization");
    const std::string m = ac_->master_token();
    Post("/v1/groups", m, R"({"id":"g-top","name":"Top"})");
    // A master admin forbids unattended access below g-lock, and locks it.
    Post(
        "/v1/groups", m,
        R"({"id":"g-lock","name":"Locked","parent_id":"g-top",)"
        R"("permissions":{"unattended_access":false},"locked":["permissions.unattended_access"]})");
    Post("/v1/groups", m, R"({"id":"g-child","name":"Child","parent_id":"g-lock"})");
    Post("/v1/admins", m,
         R"({"name":"sally","password":")" + std::string(kPassword) + R"(","scopes":["g-top"]})");
    sally_ = Login("sally");
  }
  static void TearDownTestSuite() { delete ac_; }

  static value Post(const std::string& path, const std::string& token, const std::string& body) {
    HttpResult r = ac_->Request("POST", path, token, body);
    EXPECT_EQ(r.status, 201u) << path << " " << r.body;
    return r.json();
  }
  static std::string Login(const std::string& name, const std::string& password = kPassword) {
    HttpResult r = ac_->Request("POST", "/v1/tokens", std::nullopt,
                                R"({"name":")" + name + R"(","password":")" + password + R"("})");
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json().at("token").as_string();
  }
  static unsigned Patch(const std::string& token, const std::string& group,
                        const std::string& body) {
    return ac_->Request("PATCH", "/v1/groups/" + group, token, body).status;
  }

  static AdminCenterProcess* ac_;
  static std::string sally_;
};
AdminCenterProcess* Authorization::ac_ = nullptr;
std::string Authorization::sally_;

TEST_F(Authorization, AScopedAdminCannotMoveAGroupOutFromUnderAMastersLock) {
  const std::string grant = R"({"permissions":{"unattended_access":true}})";
  EXPECT_EQ(Patch(sally_, "g-child", grant), 400u);  // setting_locked, as before
  // Moving it elsewhere inside the scope would free the locked value.
  HttpResult moved =
      ac_->Request("PATCH", "/v1/groups/g-child", sally_, R"({"parent_id":"g-top"})");
  EXPECT_EQ(moved.status, 403u) << moved.body;
  EXPECT_NE(moved.body.find("permissions.unattended_access"), std::string::npos) << moved.body;
  EXPECT_EQ(Patch(sally_, "g-child", grant), 400u);
  EXPECT_EQ(ac_->Request("GET", "/v1/groups/g-child", sally_).json().at("parent_id").as_string(),
            "g-lock");
  // Nor can the lock's own group move out from under... its own lock
  // travels with it; moving it within the scope keeps the forced value.
  EXPECT_EQ(Patch(sally_, "g-lock", R"({"name":"Still locked"})"), 200u);
  // What stays free stays free: a group outside any lock moves.
  Post("/v1/groups", sally_, R"({"id":"g-free","name":"Free","parent_id":"g-top"})");
  Post("/v1/groups", sally_, R"({"id":"g-free2","name":"Free 2","parent_id":"g-top"})");
  EXPECT_EQ(Patch(sally_, "g-free2", R"({"parent_id":"g-free"})"), 200u);
  // Moving into a lock is the master admin's intention taking effect: allowed.
  EXPECT_EQ(Patch(sally_, "g-free2", R"({"parent_id":"g-lock"})"), 200u);
  EXPECT_EQ(Patch(sally_, "g-free2", R"({"parent_id":"g-top"})"), 403u);
  // A master admin may.
  EXPECT_EQ(Patch(ac_->master_token(), "g-free2", R"({"parent_id":"g-top"})"), 200u);
}

TEST_F(Authorization, BundlesAreForEndpointsAndMasterAdminsOnly) {
  EXPECT_EQ(ac_->Request("GET", "/v1/policy/document", sally_).status, 403u);
  EXPECT_EQ(ac_->Request("GET", "/v1/policy/bundle", sally_).status, 403u);
  EXPECT_EQ(ac_->Request("GET", "/v1/policy/bundle", ac_->master_token()).status, 200u);
}

TEST_F(Authorization, TheMasterAdminIsListedAndCanSetAPassword) {
  const std::string m = ac_->master_token();
  const value admins = ac_->Request("GET", "/v1/admins", m).json();
  std::string master_id;
  for (const value& a : admins.at("items").as_array()) {
    if (a.at("role").as_string() == "master_admin") master_id = a.at("id").as_string();
  }
  ASSERT_FALSE(master_id.empty()) << admins.serialize();
  // By a master admin for it, and then by itself, proving the current one.
  HttpResult set = ac_->Request("PATCH", "/v1/admins/" + master_id, m,
                                R"({"password":")" + std::string(kPassword) + R"("})");
  EXPECT_EQ(set.status, 200u) << set.body;
  const std::string again = Login("admin");
  EXPECT_EQ(
      ac_->Request("POST", "/v1/me/password", again, R"({"password":"a newer long password"})")
          .status,
      403u);
  EXPECT_EQ(ac_->Request("POST", "/v1/me/password", again,
                         R"({"password":"a newer long password","current_password":")" +
                             std::string(kPassword) + R"("})")
                .status,
            204u);
  Login("admin", "a newer long password");
  // A scoped admin is not a master admin's editor.
  EXPECT_EQ(ac_->Request("PATCH", "/v1/admins/" + master_id, sally_, R"({"disabled":true})").status,
            403u);
}

TEST_F(Authorization, IdsAndNamesAreWhatThePolicyModelAllows) {
  const std::string m = ac_->master_token();
  for (const std::string& body : std::vector<std::string>{
           R"({"id":"../../etc","name":"X"})", R"({"id":"a b","name":"X"})",
           R"({"id":".hidden","name":"X"})",
           R"({"id":")" + std::string(65, 'a') + R"(","name":"X"})",
           R"({"id":"g-ok1","name":")" + std::string(2000, 'n') + R"("})",
           R"({"id":"g-ok2","name":"\u001b[31mred"})", R"({"id":"g-ok3","name":"nul\u0000"})",
           R"({"id":"g-ok4","name":"   "})", R"({"id":"g-ok5","name":"c1 \u009b"})"}) {
    HttpResult r = ac_->Request("POST", "/v1/groups", m, body);
    EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
  }
  HttpResult bad_id = ac_->Request("POST", "/v1/groups", m, R"({"id":"../../etc","name":"X"})");
  EXPECT_NE(bad_id.body.find("\"/id\""), std::string::npos) << bad_id.body;
  EXPECT_EQ(ac_->Request("POST", "/v1/groups", m, R"({"id":"g-ümlaut-ok","name":"X"})").status,
            400u);
  EXPECT_EQ(ac_->Request("POST", "/v1/groups", m, R"({"id":"g-fine_1.2","name":"Grüße 😀"})").status,
            201u);
  EXPECT_EQ(ac_->Request("POST", "/v1/technicians", m,
                         R"({"name":"t\u0007bell","password":")" + std::string(kPassword) +
                             R"(","group_id":"g-top","time_zone":"UTC"})")
                .status,
            400u);
}

// Finding 11: guessing backs off without computing Argon2, and says when.
TEST(LoginFlood, WrongPasswordsBackOffWithRetryAfterAndAreRecordedOnce) {
  AdminCenterProcess ac("login-flood");
  const std::string m = ac.master_token();
  for (const char* name : {"anna", "ben"}) {
    ASSERT_EQ(
        ac.Request("POST", "/v1/auditors", m,
                   std::string(R"({"name":")") + name + R"(","password":")" + kPassword + R"("})")
            .status,
        201u);
  }
  const std::string wrong = R"({"name":"anna","password":"wrong"})";
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(ac.Request("POST", "/v1/tokens", std::nullopt, wrong).status, 401u);
  EXPECT_EQ(ac.Request("POST", "/v1/tokens", std::nullopt, wrong).status, 401u);  // the 6th counts
  for (int i = 0; i < 10; ++i) {
    HttpResult r = ac.Request("POST", "/v1/tokens", std::nullopt, wrong);
    EXPECT_EQ(r.status, 429u) << r.body;
    EXPECT_TRUE(r.headers.count("Retry-After")) << r.body;
  }
  // Even the right password waits, and another name does not.
  EXPECT_EQ(ac.Request("POST", "/v1/tokens", std::nullopt,
                       R"({"name":"anna","password":")" + std::string(kPassword) + R"("})")
                .status,
            429u);
  EXPECT_EQ(ac.Request("POST", "/v1/tokens", std::nullopt,
                       R"({"name":"ben","password":")" + std::string(kPassword) + R"("})")
                .status,
            201u);
  const std::string log = ac.Request("GET", "/v1/audit/events?action=auth.login_throttled", m).body;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2) << log;  // one event and the trailer
}

}  // namespace
}  // namespace custodian::admincenter
