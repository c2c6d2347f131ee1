// The fixture of the end-to-end workflow tests (workflows_process_test.cc,
// workflows_secrets_test.cc): one admin center for the suite (one process,
// or replicas behind a proxy: AdminCenterUnderTest) with a group,
// a technician and a scoped admin; an enforcer of its own for each test,
// with a clock the test moves and fake OS actions.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/crypto.h"
#include "policy/system_time_zones.h"
#include "policy/workflow.h"
#include "support/enforcer_process.h"
#include "support/fake_os.h"
#include "support/replicated_admincenter.h"

namespace custodian::testing {

using web::json::value;

inline constexpr const char* kCanary = "Canary-7f3a9c21-Pa55w0rd!";
inline constexpr const char* kAdminPassword =
    "Canary-7f3a9c21-Pa55w0rd!";  // the same one, on purpose

inline std::vector<std::string> Codes(const value& reasons) {
  std::vector<std::string> out;
  for (const value& r : reasons.as_array()) out.push_back(r.at("code").as_string());
  return out;
}

class Workflows : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ac_ = AdminCenterUnderTest("workflows").release();
    const std::string m = ac_->master_token();
    ac_->Request("POST", "/v1/groups", m,
                 R"({"id":"g-sup","name":"Support","permissions":{"unattended_access":true,)"
                 R"("request_windows_credentials":true},"unattended":{"max_days":30}})");
    ac_->Request("POST", "/v1/technicians", m,
                 R"({"name":"tina","password":"correct horse battery","group_id":"g-sup",)"
                 R"("time_zone":"Europe/Berlin"})");
    ac_->Request("POST", "/v1/admins", m,
                 R"({"name":"alice","password":"correct horse battery","scopes":["g-sup"]})");
    tina_ = new std::string(Login("tina"));
    alice_ = new std::string(Login("alice"));
    os_ = new FakeOs(MakeFakeOs(ac_->dir(), kAdminPassword));
  }
  static void TearDownTestSuite() {
    delete os_;
    delete ac_;
    delete tina_;
    delete alice_;
  }

  static std::string Login(const std::string& name) {
    return ac_
        ->Request("POST", "/v1/tokens", std::nullopt,
                  R"({"name":")" + name + R"(","password":"correct horse battery"})")
        .json()
        .at("token")
        .as_string();
  }

  // An enforcer of its own for each test, with its own clock.
  std::unique_ptr<EnforcerProcess> Enforcer(const std::string& name, const std::string& os) {
    const auto dir = ac_->dir();
    clock_file_ = (dir / (name + ".clock")).string();
    std::ofstream(clock_file_) << 0;
    const std::string config = os_->Config(name);
    ::setenv("CUSTODIAN_TEST_CLOCK_OFFSET_FILE", clock_file_.c_str(), 1);
    auto e = std::make_unique<EnforcerProcess>(
        *ac_, name, os,
        std::vector<std::string>{"--poll-interval", "1", "--command-wait", "5", "--config",
                                 config});
    ::unsetenv("CUSTODIAN_TEST_CLOCK_OFFSET_FILE");
    EXPECT_TRUE(e->WaitFor([](const value& s) { return !s.at("policy").at("version").is_null(); }))
        << e->log();
    return e;
  }
  // Moves the enforcer's clock `seconds` ahead of real time and wakes its timers.
  void SetClock(EnforcerProcess& e, int64_t seconds) {
    std::ofstream(clock_file_) << seconds;
    e.Signal(SIGHUP);
  }

  HttpResult Tech(const std::string& method, const std::string& path,
                  const std::string& body = "") {
    return ac_->Request(method, path, *tina_, body);
  }
  std::string OpenSession(const EnforcerProcess& e, const std::string& type,
                          const std::string& extra = "") {
    HttpResult r =
        Tech("POST", "/v1/sessions",
             R"({"endpoint_id":")" + e.id() + R"(","type":")" + type + "\"" + extra + "}");
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json().at("id").as_string();
  }
  // The item `id` of an admin-center list, as the technician sees it.
  value Central(const std::string& list, const std::string& id) {
    const value items = Tech("GET", list).json().at("items");
    for (const value& i : items.as_array()) {
      if (i.at("id").as_string() == id) return i;
    }
    return value::null();
  }
  // Waits until the admin center shows `id` of `list` in `state`.
  bool CentralState(const std::string& list, const std::string& id, const std::string& state) {
    if (Eventually([&] {
          const value item = Central(list, id);
          return item.is_object() && item.at("state").as_string() == state;
        })) {
      return true;
    }
    ADD_FAILURE() << list << " " << id << " never became " << state << ": "
                  << Central(list, id).serialize();
    return false;
  }
  // Waits for the enforcer's prompt `id` and returns it.
  value Prompt(EnforcerProcess& e, const std::string& id) {
    value found = value::null();
    Eventually([&] {
      HttpResult r = e.Local("GET", "/v1/prompts");
      if (r.status != 200) return false;
      const value prompts = r.json();
      for (const value& p : prompts.at("items").as_array()) {
        if (p.at("id").as_string() == id) found = p;
      }
      return found.is_object();
    });
    if (found.is_null()) ADD_FAILURE() << "no prompt " << id;
    return found;
  }
  // Requests unattended access from `session` and returns the request (201).
  value RequestUnattended(const std::string& session, const std::string& mode,
                          const std::string& schedule) {
    HttpResult r = Tech("POST", "/v1/sessions/" + session + "/unattended-requests",
                        R"({"credential_mode":")" + mode + R"(","schedule":)" + schedule + "}");
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json();
  }
  // Approved by the customer; the grant id once the admin center knows it.
  std::string Approve(EnforcerProcess& e, const std::string& request, const std::string& answer) {
    Prompt(e, request);
    HttpResult r = e.Local("POST", "/v1/prompts/" + request + "/approve", answer);
    EXPECT_EQ(r.status, 200u) << r.body;
    CentralState("/v1/unattended-requests", request, "approved");
    const std::string grant =
        Central("/v1/unattended-requests", request).at("grant_id").as_string();
    CentralState("/v1/grants", grant, "active");
    return grant;
  }
  std::string Connect(const std::string& grant) {
    HttpResult r = Tech("POST", "/v1/grants/" + grant + "/connect");
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json().at("id").as_string();
  }
  // An at_connection grant, requested from a new session and confirmed by
  // the customer.
  std::string ApprovedGrant(EnforcerProcess& e, const std::string& schedule) {
    const std::string session = OpenSession(e, "applet");
    const std::string request =
        RequestUnattended(session, "at_connection", schedule).at("id").as_string();
    return Approve(e, request, "{}");
  }
  // An at_connection grant in use: approved, connected, credentials shown.
  std::pair<std::string, std::string> ActiveConnection(EnforcerProcess& e,
                                                       const std::string& schedule) {
    const std::string grant = ApprovedGrant(e, schedule);
    const std::string connection = Connect(grant);
    CentralState("/v1/connections", connection, "awaiting_credentials");
    EXPECT_EQ(e.Local("POST", "/v1/connections/" + connection + "/credentials",
                      R"({"user_name":"administrator","password":")" + std::string(kAdminPassword) +
                          R"("})")
                  .status,
              200u);
    CentralState("/v1/connections", connection, "active");
    return {grant, connection};
  }
  // Windows credentials asked for in `session`, given by the customer with
  // kCanary and reported stored; the request's id.
  std::string StoredCredentials(EnforcerProcess& e, const std::string& session) {
    const std::string request = Tech("POST", "/v1/sessions/" + session + "/credential-requests")
                                    .json()
                                    .at("id")
                                    .as_string();
    Prompt(e, request);
    EXPECT_EQ(e.Local("POST", "/v1/prompts/" + request + "/approve",
                      std::string(R"({"password":")") + kCanary + "\"}")
                  .status,
              200u);
    CentralState("/v1/credential-requests", request, "stored");
    return request;
  }
  std::string OsActions() { return Slurp(os_->actions_log.string()); }

  inline static AdminCenter* ac_ = nullptr;
  inline static FakeOs* os_ = nullptr;
  inline static std::string* tina_ = nullptr;
  inline static std::string* alice_ = nullptr;
  std::string clock_file_;
};

}  // namespace custodian::testing
