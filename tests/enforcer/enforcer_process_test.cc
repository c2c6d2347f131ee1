// The enforcer against a real admin center, both as processes on loopback:
// it enrolls and receives the bundle; a policy edit reaches it within its
// poll interval, and a "sync" command at once; with the admin center
// stopped it keeps deciding from its bundle and buffers its events, which
// arrive exactly once after the restart, also across an enforcer crash.
#include "support/enforcer_process.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

namespace custodian::testing {
namespace {

using web::json::value;

int64_t Version(const value& status) {
  const value& v = status.at("policy").at("version");
  return v.is_null() ? 0 : v.as_number().to_int64();
}

std::vector<std::string> EnforcerEventIds(const std::string& state_dir) {
  SQLite::Database db(state_dir + "/enforcer.db", SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT id FROM events ORDER BY seq");
  std::vector<std::string> ids;
  while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
  return ids;
}

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string DecisionRequest(const std::string& technician) {
  return R"({"action":"unattended.request","technician_id":")" + technician +
         R"(","session":{"type":"applet","active":true},)"
         R"("endpoint":{"os":"windows","time_zone":"Europe/Berlin"},"credential_mode":"at_setup",)"
         R"("schedule":{"kind":"days","days":3,"time_reference":"customer"}})";
}

class EnforcerProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    ac_ = std::make_unique<AdminCenterProcess>("enforcer");
    const std::string m = ac_->master_token();
    ac_->Request("POST", "/v1/groups", m,
                 R"({"id":"g-sup","name":"Support","permissions":{"unattended_access":true},)"
                 R"("unattended":{"max_days":14}})");
    technician_ = ac_->Request("POST", "/v1/technicians", m,
                               R"({"name":"tina","password":"correct horse battery",)"
                               R"("group_id":"g-sup","time_zone":"Europe/Berlin"})")
                      .json()
                      .at("id")
                      .as_string();
  }
  void TearDown() override { ac_.reset(); }

  std::unique_ptr<AdminCenterProcess> ac_;
  std::string technician_;
};

TEST_F(EnforcerProcesses, ReceivesTheBundleAndFollowsPolicyEdits) {
  EnforcerProcess e(*ac_, "pc-1", "windows");
  ASSERT_TRUE(e.WaitFor([](const value& s) { return Version(s) > 0; })) << e.log();
  const int64_t first = Version(e.Status());
  value decision = e.Local("POST", "/v1/decisions", DecisionRequest(technician_)).json();
  EXPECT_EQ(decision.at("effect").as_string(), "allow") << decision.serialize();

  // Withdraw the permission: the next poll (1 s) brings the change.
  ac_->Request("PATCH", "/v1/groups/g-sup", ac_->master_token(),
               R"({"permissions":{"unattended_access":false}})");
  EXPECT_TRUE(e.WaitFor([&](const value& s) { return Version(s) > first; }));
  decision = e.Local("POST", "/v1/decisions", DecisionRequest(technician_)).json();
  EXPECT_EQ(decision.at("effect").as_string(), "deny");
  EXPECT_NE(decision.serialize().find("permission_missing"), std::string::npos);

  // The admin center sees which version it applies.
  EXPECT_TRUE(e.WaitFor([&](const value& s) {
    const value list = ac_->Request("GET", "/v1/endpoints", ac_->master_token()).json();
    const value& item = list.at("items").at(0);
    return !item.at("bundle_version").is_null() &&
           item.at("bundle_version").as_number().to_int64() == Version(s);
  }));
  // The local API wants its token.
  EXPECT_EQ(
      HttpCall("http://127.0.0.1:" + std::to_string(e.port()), "GET", "/v1/status", std::nullopt)
          .status,
      401u);
  EXPECT_EQ(HttpCall("http://127.0.0.1:" + std::to_string(e.port()), "GET", "/v1/status",
                     std::string("wrong"))
                .status,
            401u);
  EXPECT_EQ(e.Local("POST", "/v1/decisions", R"({"action":"fly"})").status, 400u);
  EXPECT_EQ(e.Kill(SIGTERM), 0) << "SIGTERM stops it cleanly";
}

// Push: a policy edit reaches an enforcer that polls for bundles once an
// hour, through its parked command poll, and the admin center knows the
// version it applied without waiting for a bundle poll.
TEST_F(EnforcerProcesses, APolicyEditIsPushedToAnEnforcerThatPollsHourly) {
  EnforcerProcess e(*ac_, "pc-6", "windows", {"--poll-interval", "3600", "--command-wait", "30"});
  ASSERT_TRUE(e.WaitFor([](const value& s) { return Version(s) > 0; })) << e.log();
  auto reported = [&] {
    const value list = ac_->Request("GET", "/v1/endpoints", ac_->master_token()).json();
    const value& v = list.at("items").at(0).at("bundle_version");
    return v.is_null() ? int64_t{0} : v.as_number().to_int64();
  };
  const int64_t first = Version(e.Status());
  EXPECT_TRUE(e.WaitFor([&](const value&) { return reported() == first; }))
      << "the version applied at start is reported at once";
  for (int edit = 0; edit < 3; ++edit) {
    const int64_t before = Version(e.Status());
    ASSERT_EQ(ac_->Request("PATCH", "/v1/groups/g-sup", ac_->master_token(),
                           std::string(R"({"permissions":{"unattended_access":)") +
                               (edit % 2 == 0 ? "false" : "true") + "}}")
                  .status,
              200u);
    ASSERT_TRUE(e.WaitFor([&](const value& s) { return Version(s) > before; })) << e.log();
    const value decision = e.Local("POST", "/v1/decisions", DecisionRequest(technician_)).json();
    EXPECT_EQ(decision.at("effect").as_string(), edit % 2 == 0 ? "deny" : "allow");
    EXPECT_TRUE(e.WaitFor([&](const value& s) { return reported() == Version(s); }));
  }
}

TEST_F(EnforcerProcesses, ASyncCommandBringsAnEditAtOnce) {
  EnforcerProcess e(*ac_, "pc-2", "linux",
                    {"--poll-interval", "3600", "--command-wait", "30"});  // polls only at start
  ASSERT_TRUE(e.WaitFor([](const value& s) { return Version(s) > 0; }));
  const int64_t first = Version(e.Status());
  ac_->Request("PATCH", "/v1/groups/g-sup", ac_->master_token(), R"({"name":"Support 2"})");
  // Without the command nothing would come for an hour.
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(ac_->Request("POST", "/v1/endpoints/" + e.id() + "/commands", ac_->master_token(),
                         R"({"type":"sync"})")
                .status,
            201u);
  EXPECT_TRUE(e.WaitFor([&](const value& s) { return Version(s) > first; }));
  std::cout << "[ enforcer ] sync command to new bundle in force: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - sent)
                   .count()
            << " ms\n";
}

// Issue 16.10: a refused enrollment says the problem's title and detail
// (not its JSON) and leaves no half-made state folder behind, nor files in
// a folder that was there already.
TEST_F(EnforcerProcesses, ARefusedEnrollmentSaysWhyAndLeavesNothingBehind) {
  const auto fresh = ac_->dir() / "enroll-refused";
  const auto existing = ac_->dir() / "enroll-refused-existing";
  std::filesystem::create_directories(existing);
  for (const auto& dir : {fresh, existing}) {
    const CommandRun r = RunCommand(std::string(CUSTODIAN_ENFORCER) + " enroll --admin-center " +
                                    ac_->url() + " --code enr_not-a-code --state-dir " +
                                    dir.string() + " --name pc-x --os windows");
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(enrollment refused \(4\d\d\): \w)")))
        << r.output;
    EXPECT_EQ(r.output.find("{\""), std::string::npos) << "no raw JSON: " << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(fresh));
  EXPECT_TRUE(std::filesystem::is_empty(existing));
}

TEST_F(EnforcerProcesses, OfflineItDecidesFromItsBundleAndEventsArriveExactlyOnce) {
  EnforcerProcess e(*ac_, "pc-3", "windows");
  ASSERT_TRUE(e.WaitFor(
      [](const value& s) { return Version(s) > 0 && s.at("events_unsent").as_integer() == 0; }));
  ac_->Kill(SIGTERM);
  for (int i = 0; i < 5; ++i) {
    const value d = e.Local("POST", "/v1/decisions", DecisionRequest(technician_)).json();
    EXPECT_EQ(d.at("effect").as_string(), "allow") << "the bundle still holds: " << d.serialize();
  }
  EXPECT_GE(e.Status().at("events_unsent").as_integer(), 5);
  EXPECT_TRUE(e.WaitFor([](const value& s) { return !s.at("last_sync_error").is_null(); }));
  // Its log says why the sync failed, not only when it retries (16.10).
  EXPECT_TRUE(std::regex_search(
      e.log(), std::regex(R"("event":"sync_failed","error":"http://127\.0\.0\.1:\d+: [^"]+")")))
      << e.log();
  // The enforcer crashes with events unsent, and comes back.
  e.Kill(SIGKILL);
  e.Start();
  for (int i = 0; i < 3; ++i) e.Local("POST", "/v1/decisions", DecisionRequest("t-unknown"));
  ac_->Start();
  ASSERT_TRUE(e.WaitFor([](const value& s) { return s.at("events_unsent").as_integer() == 0; }))
      << e.log();
  const std::string central = ac_->Request("GET", "/v1/audit/events", ac_->master_token()).body;
  const std::vector<std::string> ids = EnforcerEventIds(e.state_dir());
  EXPECT_GE(ids.size(), 10u);
  for (const std::string& id : ids) {
    EXPECT_EQ(Count(central, "\"" + id + "\""), 1u) << id << " must arrive exactly once";
  }
  EXPECT_EQ(Count(central, R"("action":"endpoint.events_gap")"), 0u);
  EXPECT_EQ(Count(central, R"("action":"decision")"), 8u);
}

// Finding 18: a clock jumped 400 days forward and back again locked the
// endpoint out for good (every new bundle looked expired by the persisted
// high-water mark). The admin center's signed time, over a fresh nonce,
// brings the mark back; nothing local can wind it back.
TEST_F(EnforcerProcesses, AClockThatJumpedForwardAndBackRecoversThroughTheSignedTime) {
  const std::string clock = (ac_->dir() / "clock-offset").string();
  std::ofstream(clock) << 0;
  ::setenv("CUSTODIAN_TEST_CLOCK_OFFSET_FILE", clock.c_str(), 1);
  EnforcerProcess e(*ac_, "pc-clock", "linux");
  ::unsetenv("CUSTODIAN_TEST_CLOCK_OFFSET_FILE");
  ASSERT_TRUE(e.WaitFor([](const value& s) { return Version(s) > 0; }));
  std::ofstream(clock) << 400 * 86400;
  ASSERT_TRUE(e.WaitFor([](const value& s) {
    return s.at("now").as_string() > "2027";  // the mark followed the jump
  }));
  std::ofstream(clock) << 0;
  // A policy change: a new bundle, issued now, that the mark would call
  // expired. It is accepted once the mark is back.
  const int64_t before = Version(e.Status());
  ac_->Request("PATCH", "/v1/groups/g-sup", ac_->master_token(), R"({"name":"Support 2"})");
  EXPECT_TRUE(e.WaitFor([&](const value& s) { return Version(s) > before; })) << e.log();
  EXPECT_NE(e.log().find("clock_high_water_reset"), std::string::npos) << e.log();
  EXPECT_LT(e.Status().at("now").as_string(), "2027");
  // The reset is on the endpoint's chain, and so centrally.
  EXPECT_TRUE(Eventually([&] {
    return ac_->Request("GET", "/v1/audit/events?action=clock.high_water_reset",
                        ac_->master_token())
               .body.find("\"from\"") != std::string::npos;
  }));
}

TEST_F(EnforcerProcesses, SighupReloadsItsConfiguration) {
  const std::string config = (ac_->dir() / "enforcer.json").string();
  std::ofstream(config) << R"({"poll_interval_seconds":5})";
  EnforcerProcess e(*ac_, "pc-4", "macos", {"--config", config});
  auto logged = [&](const std::string& text) {
    for (int i = 0; i < 200; ++i) {
      if (e.log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  };
  std::ofstream(config) << R"({"poll_interval_seconds":0})";
  e.Signal(SIGHUP);
  EXPECT_TRUE(logged("/poll_interval_seconds: must be an integer")) << e.log();
  std::ofstream(config) << R"({"poll_interval_seconds":2})";
  e.Signal(SIGHUP);
  EXPECT_TRUE(logged(R"("event":"reloaded")")) << e.log();
  EXPECT_EQ(e.Kill(SIGTERM), 0);
}

// `enforcer prompt` gets a one-time URL of the running enforcer's window
// (its port from local-api-url), `enforcer status` what it holds; without
// the token file, or with nothing running, they say so; the window's
// configuration is checked with its JSON pointer.
TEST_F(EnforcerProcesses, PromptAndStatusTalkToTheRunningEnforcer) {
  EnforcerProcess e(*ac_, "pc-5", "windows");
  const std::string prompt = std::string(CUSTODIAN_ENFORCER) + " prompt --print --state-dir ";
  const CommandRun printed =
      RunCommand("env -u DISPLAY -u WAYLAND_DISPLAY " + prompt + e.state_dir());
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  const std::string origin = "http://127.0.0.1:" + std::to_string(e.port());
  EXPECT_NE(printed.output.find(origin + "/#code="), std::string::npos) << printed.output;
  const CommandRun again = RunCommand(prompt + e.state_dir());
  EXPECT_NE(again.output, printed.output) << "a new code each time";
  // `enforcer status` reads the same way (issue 16.10).
  ASSERT_TRUE(e.WaitFor([](const value& s) { return Version(s) > 0; }));
  const std::string status = std::string(CUSTODIAN_ENFORCER) + " status --state-dir ";
  const CommandRun shown = RunCommand(status + e.state_dir());
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("endpoint      " + e.id()), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("policy        version " + std::to_string(Version(e.Status()))),
            std::string::npos)
      << shown.output;
  const CommandRun json = RunCommand(status + e.state_dir() + " --json");
  EXPECT_EQ(value::parse(json.output).at("endpoint_id").as_string(), e.id()) << json.output;
  EXPECT_EQ(e.Kill(SIGTERM), 0);
  const CommandRun stopped = RunCommand(prompt + e.state_dir());
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_NE(stopped.output.find("does not answer"), std::string::npos) << stopped.output;
  const CommandRun nowhere = RunCommand(prompt + (ac_->dir() / "nowhere").string());
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_EQ(RunCommand(status + e.state_dir()).exit_code, 1) << "stopped";
  EXPECT_NE(nowhere.output.find("no running enforcer here"), std::string::npos) << nowhere.output;

  const std::string config = (ac_->dir() / "window.json").string();
  std::ofstream(config) << R"({"prompt_notifier":"notify-send","window_dir":7})";
  const CommandRun refused = RunCommand(std::string(CUSTODIAN_ENFORCER) + " run --state-dir " +
                                        e.state_dir() + " --config " + config);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("/prompt_notifier: must be an array"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("/window_dir: must be a string"), std::string::npos)
      << refused.output;
  std::ofstream(config) << R"({"window_dir":"/nonexistent/customer"})";
  const CommandRun missing = RunCommand(std::string(CUSTODIAN_ENFORCER) + " run --state-dir " +
                                        e.state_dir() + " --config " + config);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("window_dir: /nonexistent/customer/index.html: missing"),
            std::string::npos)
      << missing.output;
}

}  // namespace
}  // namespace custodian::testing
