// Table-driven tests of Decide(): every rule the engine decides (R1–R7, R9,
// R10, R12, R13, and R8 for grants), each with passing and failing cases,
// and every reason code. The policy is tests/corpus/policies/standard.json.
#include "policy/engine.h"

#include <gtest/gtest.h>

#include <set>

#include "policy/codec.h"
#include "support/policy_fixture.h"

namespace custodian::policy {
namespace {

using custodian::testing::At;
using custodian::testing::ParseRequestOrFail;
using custodian::testing::StandardPolicy;

struct Case {
  const char* name;
  std::string request;
  Effect effect;
  std::vector<std::string> reasons;  // "code:Rn", in order
  const char* now = "2026-03-01T10:00:00Z";
};

std::string Unattended(const std::string& technician, const std::string& session,
                       const std::string& endpoint, const std::string& mode,
                       const std::string& schedule) {
  return R"({"action":"unattended.request","technician_id":")" + technician + R"(","session":)" +
         session + R"(,"endpoint":)" + endpoint + R"(,"credential_mode":")" + mode +
         R"(","schedule":)" + schedule + "}";
}

const std::string kChat = R"({"type":"instant_chat","mode":"full","active":true})";
const std::string kWin = R"({"os":"windows","time_zone":"America/New_York"})";
const std::string kDays7 = R"({"kind":"days","days":7})";

std::string Connect(const std::string& technician, const std::string& grant) {
  return R"({"action":"unattended.connect","technician_id":")" + technician + R"(","grant":)" +
         grant + "}";
}

std::string GrantOf(const std::string& technician, const std::string& mode = "at_connection",
                    const std::string& state = "active") {
  return R"({"credential_mode":")" + mode + R"(","technician_id":")" + technician +
         R"(","state":")" + state + R"(")" +
         R"(,"effective_schedule":{"start":"2026-03-01T00:00:00Z","end":"2026-03-10T00:00:00Z",
           "daily":{"from":"08:00","to":"18:00","time_zone":"Europe/Berlin"}}})";
}

std::string Credentials(const std::string& action, const std::string& technician,
                        const std::string& session, const std::string& os,
                        const std::string& extra = "") {
  return R"({"action":")" + action + R"(","technician_id":")" + technician + R"(","session":)" +
         session + R"(,"endpoint":{"os":")" + os + R"("})" + extra + "}";
}
const std::string kViewing = R"({"type":"applet","active":true,"screen_viewing":true})";

std::vector<Case> Cases() {
  return {
      // R1: the effective permission decides.
      {"R1 allows a group that inherits unattended_access",
       Unattended("t-anna", kChat, kWin, "at_connection", kDays7),
       Effect::kAllow,
       {}},
      {"R1 denies a group that overrides it to false",
       Unattended("t-ida", kChat, kWin, "at_connection", kDays7),
       Effect::kDeny,
       {"permission_missing:R1"}},
      // R2: built-in and admin blocks.
      {"R2 denies instant chat in chat-only mode",
       Unattended("t-anna", R"({"type":"instant_chat","mode":"chat_only","active":true})", kWin,
                  "at_connection", kDays7),
       Effect::kDeny,
       {"session_type_blocked:R2"}},
      {"R2 denies the mobile applet",
       Unattended("t-anna", R"({"type":"mobile_applet","active":true})", kWin, "at_connection",
                  kDays7),
       Effect::kDeny,
       {"session_type_blocked:R2"}},
      {"R2 denies a session type the admins blocked",
       Unattended("t-anna", R"({"type":"calling_card","active":true})", kWin, "at_connection",
                  kDays7),
       Effect::kDeny,
       {"session_type_blocked:R2"}},
      {"R2 allows an applet session",
       Unattended("t-anna", R"({"type":"applet","active":true})", kWin, "at_connection", kDays7),
       Effect::kAllow,
       {}},
      {"R2 needs an active session",
       Unattended("t-anna", R"({"type":"applet","active":false})", kWin, "at_connection", kDays7),
       Effect::kDeny,
       {"session_not_active:R2"}},
      // R3: modes follow the authentication settings.
      {"R3 denies at_setup where the group narrowed it away",
       Unattended("t-hal", kChat, kWin, "at_setup", kDays7),
       Effect::kDeny,
       {"auth_mode_not_allowed:R3"}},
      {"R3 allows at_connection there",
       Unattended("t-hal", kChat, kWin, "at_connection", kDays7),
       Effect::kAllow,
       {}},
      // R4: schedule forms and the group cap.
      {"R4 denies zero days",
       Unattended("t-anna", kChat, kWin, "at_connection", R"({"kind":"days","days":0})"),
       Effect::kDeny,
       {"invalid_schedule:R4"}},
      {"R4 denies a reversed range",
       Unattended("t-anna", kChat, kWin, "at_connection",
                  R"({"kind":"range","start":"2026-03-10","end":"2026-03-05"})"),
       Effect::kDeny,
       {"invalid_schedule:R4"}},
      {"R4 denies a range in the past",
       Unattended("t-anna", kChat, kWin, "at_connection",
                  R"({"kind":"range","start":"2026-02-01","end":"2026-02-05"})"),
       Effect::kDeny,
       {"invalid_schedule:R4"}},
      {"R4 denies an empty daily window",
       Unattended("t-anna", kChat, kWin, "at_connection",
                  R"({"kind":"days","days":3,"daily":{"from":"09:00","to":"09:00"}})"),
       Effect::kDeny,
       {"invalid_schedule:R4"}},
      {"R4 allows a range that is already running",
       Unattended("t-anna", kChat, kWin, "at_connection",
                  R"({"kind":"range","start":"2026-02-27","end":"2026-03-05"})"),
       Effect::kAllow,
       {}},
      {"R4 denies more days than the group cap",
       Unattended("t-ben", kChat, kWin, "at_connection", R"({"kind":"days","days":8})"),
       Effect::kDeny,
       {"duration_exceeds_cap:R4"}},
      {"R4 denies unlimited under a group cap",
       Unattended("t-ben", kChat, kWin, "at_connection", R"({"kind":"unlimited"})"),
       Effect::kDeny,
       {"duration_exceeds_cap:R4"}},
      {"R4 allows unlimited without a cap",
       Unattended("t-hal", kChat, kWin, "at_connection", R"({"kind":"unlimited"})"),
       Effect::kAllow,
       {}},
      // R5: the reference zone.
      {"R5 denies an unknown customer zone",
       Unattended("t-anna", kChat, R"({"os":"windows","time_zone":"Mars/Olympus_Mons"})",
                  "at_connection", R"({"kind":"days","days":3,"time_reference":"customer"})"),
       Effect::kDeny,
       {"unknown_time_zone:R5"}},
      {"R5 denies customer time without a customer zone",
       Unattended("t-anna", kChat, R"({"os":"windows"})", "at_connection",
                  R"({"kind":"days","days":3,"time_reference":"customer"})"),
       Effect::kDeny,
       {"unknown_time_zone:R5"}},
      {"R5 reads technician time in the technician's zone",
       Unattended("t-anna", kChat, R"({"os":"windows","time_zone":"Mars/Olympus_Mons"})",
                  "at_connection", R"({"kind":"days","days":3,"time_reference":"technician"})"),
       Effect::kAllow,
       {}},
      // R6: customer credentials.
      {"R6 allows 14 days with customer credentials",
       Unattended("t-anna", kChat, kWin, "at_setup", R"({"kind":"days","days":14})"),
       Effect::kAllow,
       {}},
      {"R6 denies 15 days with customer credentials",
       Unattended("t-anna", kChat, kWin, "at_setup", R"({"kind":"days","days":15})"),
       Effect::kDeny,
       {"duration_exceeds_cap:R6"}},
      {"R6 counts a range's calendar days",
       Unattended("t-anna", kChat, kWin, "at_setup",
                  R"({"kind":"range","start":"2026-03-02","end":"2026-03-16"})"),
       Effect::kDeny,
       {"duration_exceeds_cap:R6"}},
      {"R6 denies unlimited with customer credentials",
       Unattended("t-anna", kChat, kWin, "at_setup", R"({"kind":"unlimited"})"),
       Effect::kDeny,
       {"unlimited_not_allowed:R6"}},
      {"R6 keeps a lower group cap for customer credentials",
       Unattended("t-ben", kChat, kWin, "at_setup", R"({"kind":"days","days":8})"),
       Effect::kDeny,
       {"duration_exceeds_cap:R4"}},
      // R7: customer credentials are Windows credentials.
      {"R7 denies customer credentials on Linux",
       Unattended("t-anna", kChat, R"({"os":"linux","time_zone":"Europe/Berlin"})", "at_setup",
                  kDays7),
       Effect::kDeny,
       {"platform_not_supported:R7"}},
      // Every failed rule is listed, in rule order.
      {"A deny lists every failed rule",
       Unattended("t-ida", R"({"type":"mobile_applet","active":true})",
                  R"({"os":"linux","time_zone":"Europe/Berlin"})", "at_setup",
                  R"({"kind":"unlimited"})"),
       Effect::kDeny,
       {"permission_missing:R1", "session_type_blocked:R2", "platform_not_supported:R7",
        "unlimited_not_allowed:R6"}},
      {"An unknown technician is denied",
       Unattended("t-nobody", kChat, kWin, "at_connection", kDays7),
       Effect::kDeny,
       {"technician_unknown:R16"}},
      // Connect: R1 now, R3 now, R4 daily window, R8 grant life.
      {"Connect inside the window and the grant",
       Connect("t-anna", GrantOf("t-anna")),
       Effect::kAllow,
       {},
       "2026-03-02T09:00:00Z"},
      {"Connect outside the daily window",
       Connect("t-anna", GrantOf("t-anna")),
       Effect::kDeny,
       {"outside_time_window:R4"},
       "2026-03-02T18:00:00Z"},
      {"Connect before the grant starts",
       Connect("t-anna", GrantOf("t-anna")),
       Effect::kDeny,
       {"grant_not_active:R8", "outside_time_window:R4"},
       "2026-02-28T23:00:00Z"},
      {"Connect after the grant ends",
       Connect("t-anna", GrantOf("t-anna")),
       Effect::kDeny,
       {"grant_expired:R8"},
       "2026-03-10T09:00:00Z"},
      {"Connect on a revoked grant",
       Connect("t-anna", GrantOf("t-anna", "at_connection", "revoked")),
       Effect::kDeny,
       {"grant_revoked:R8"},
       "2026-03-02T09:00:00Z"},
      {"Connect on a grant the endpoint ended, at a clock inside its schedule",
       Connect("t-anna", GrantOf("t-anna", "at_connection", "expired")),
       Effect::kDeny,
       {"grant_expired:R8"},
       "2026-03-02T09:00:00Z"},
      {"Connect on an ended grant past its schedule lists grant_expired once",
       Connect("t-anna", GrantOf("t-anna", "at_connection", "expired")),
       Effect::kDeny,
       {"grant_expired:R8"},
       "2026-03-10T09:00:00Z"},
      {"Connect after the permission was withdrawn",
       Connect("t-ida", GrantOf("t-ida")),
       Effect::kDeny,
       {"permission_missing:R1"},
       "2026-03-02T09:00:00Z"},
      {"Connect with another technician's grant",
       Connect("t-anna", GrantOf("t-ben")),
       Effect::kDeny,
       {"grant_not_active:R8"},
       "2026-03-02T09:00:00Z"},
      {"Connect with a mode the group no longer allows",
       Connect("t-hal", GrantOf("t-hal", "at_setup")),
       Effect::kDeny,
       {"auth_mode_not_allowed:R3"},
       "2026-03-02T09:00:00Z"},
      // R9, R13: requesting Windows credentials.
      {"R9 allows a request with screen viewing on Windows",
       Credentials("credentials.request", "t-anna", kViewing, "windows"),
       Effect::kAllow,
       {}},
      {"R9 denies without the permission",
       Credentials("credentials.request", "t-kiran", kViewing, "windows"),
       Effect::kDeny,
       {"permission_missing:R9"}},
      {"R9 denies on macOS",
       Credentials("credentials.request", "t-anna", kViewing, "macos"),
       Effect::kDeny,
       {"platform_not_supported:R9"}},
      {"R9 denies outside a running session",
       Credentials("credentials.request", "t-anna",
                   R"({"type":"applet","active":false,"screen_viewing":true})", "windows"),
       Effect::kDeny,
       {"session_not_active:R9"}},
      {"R13 denies without screen viewing",
       Credentials("credentials.request", "t-anna",
                   R"({"type":"applet","active":true,"screen_viewing":false})", "windows"),
       Effect::kDeny,
       {"screen_viewing_inactive:R13"}},
      // R10, R12: applying them.
      {"R10 allows unlock with stored credentials",
       Credentials("credentials.apply", "t-anna", kViewing, "windows",
                   R"(,"operation":"unlock","credentials_stored":true)"),
       Effect::kAllow,
       {}},
      {"R12 denies apply after the customer revoked",
       Credentials("credentials.apply", "t-anna", kViewing, "windows",
                   R"(,"operation":"restart","credentials_stored":false)"),
       Effect::kDeny,
       {"credentials_not_stored:R12"}},
      {"R10 denies apply after the session ended",
       Credentials("credentials.apply", "t-anna",
                   R"({"type":"applet","active":false,"screen_viewing":false})", "windows",
                   R"(,"operation":"restart","credentials_stored":true)"),
       Effect::kDeny,
       {"session_not_active:R10"}},
  };
}

std::vector<std::string> ReasonStrings(const Decision& d) {
  std::vector<std::string> out;
  for (const Reason& r : d.reasons()) {
    out.push_back(std::string(ReasonCodeName(r.code)) + ":R" + std::to_string(r.rule));
  }
  return out;
}

class DecideTable : public ::testing::TestWithParam<Case> {};

TEST_P(DecideTable, GivesTheExpectedEffectAndReasons) {
  const Case& c = GetParam();
  const Policy policy = StandardPolicy();
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  const Decision d = Decide(compiled, ParseRequestOrFail(c.request), At(c.now));
  EXPECT_EQ(EffectName(d.effect), EffectName(c.effect)) << c.name;
  EXPECT_EQ(ReasonStrings(d), c.reasons) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Rules, DecideTable, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           std::string n;
                           for (char ch : std::string(p.param.name)) {
                             n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           }
                           return n;
                         });

TEST(DecideTable, CoversEveryReasonCodeButThoseTestedApart) {
  // duration_capped and policy_expired need other settings; they are
  // tested below. Every other code must appear in the table.
  std::set<std::string> seen;
  for (const Case& c : Cases()) {
    for (const std::string& r : c.reasons) seen.insert(r.substr(0, r.find(':')));
  }
  for (std::size_t i = 0; i < kReasonCodeCount; ++i) {
    const auto code = static_cast<ReasonCode>(i);
    if (code == ReasonCode::kDurationCapped || code == ReasonCode::kPolicyExpired) continue;
    EXPECT_TRUE(seen.contains(std::string(ReasonCodeName(code)))) << ReasonCodeName(code);
  }
}

TEST(Obligations, CustomerConfirmsForAtConnectionAndEntersCredentialsForAtSetup) {
  const Policy policy = StandardPolicy();
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  const Instant now = At("2026-03-01T10:00:00Z");
  const Decision confirm =
      Decide(compiled,
             ParseRequestOrFail(Unattended("t-anna", kChat, kWin, "at_connection", kDays7)), now);
  EXPECT_EQ(confirm.customer_prompt, CustomerPrompt::kConfirm);  // R7
  const Decision credentials = Decide(
      compiled, ParseRequestOrFail(Unattended("t-anna", kChat, kWin, "at_setup", kDays7)), now);
  EXPECT_EQ(credentials.customer_prompt, CustomerPrompt::kWindowsCredentials);  // R7
  const Decision connect =
      Decide(compiled, ParseRequestOrFail(Connect("t-anna", GrantOf("t-anna"))),
             At("2026-03-02T09:00:00Z"));
  EXPECT_TRUE(connect.admin_credentials_required);  // R3 at_connection
  const Decision connect_setup =
      Decide(compiled, ParseRequestOrFail(Connect("t-anna", GrantOf("t-anna", "at_setup"))),
             At("2026-03-02T09:00:00Z"));
  EXPECT_EQ(connect_setup.effect, Effect::kAllow);
  EXPECT_FALSE(connect_setup.admin_credentials_required);
}

TEST(DenyCarriesNoObligations, EvenWhenTheScheduleResolved) {
  const auto compiled = CompiledPolicy::Compile(StandardPolicy(), SystemTimeZones::Get());
  const Decision d =
      Decide(compiled, ParseRequestOrFail(Unattended("t-ida", kChat, kWin, "at_setup", kDays7)),
             At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(d.effect, Effect::kDeny);
  EXPECT_EQ(d.customer_prompt, CustomerPrompt::kNone);
  EXPECT_FALSE(d.effective_schedule.has_value());
}

// R4 says where and when: the window's zone, and when it next opens there
// and in the technician's own zone (real zoneinfo, across a DST change).
TEST(Messages, AClosedWindowSaysItsZoneAndWhenItNextOpens) {
  const auto compiled = CompiledPolicy::Compile(StandardPolicy(), SystemTimeZones::Get());
  auto message = [&](const std::string& technician, const char* now) {
    const Decision d =
        Decide(compiled, ParseRequestOrFail(Connect(technician, GrantOf(technician))), At(now));
    for (const Reason& r : d.reasons()) {
      if (r.code == ReasonCode::kOutsideTimeWindow) return DescribeReason(r, d);
    }
    return std::string("no R4");
  };
  const std::string closed = "now is outside the daily window 08:00–18:00 (Europe/Berlin); ";
  EXPECT_EQ(message("t-anna", "2026-03-02T18:00:00Z"),
            closed + "it next opens at 08:00 on 2026-03-03 Europe/Berlin");
  EXPECT_EQ(message("t-anna", "2026-03-02T06:59:59Z"),
            closed + "it next opens at 08:00 on 2026-03-02 Europe/Berlin");
  // Ben works from New York: 07:00 UTC is 02:00 there.
  EXPECT_EQ(message("t-ben", "2026-03-02T18:00:00Z"),
            closed +
                "it next opens at 08:00 on 2026-03-03 Europe/Berlin, 02:00 on 2026-03-03 "
                "America/New_York for the technician");
  // Berlin moves to summer time on 29 March: 08:00 CEST is 06:00 UTC,
  // which is 02:00 EDT in New York (on summer time since 8 March).
  EXPECT_EQ(message("t-ben", "2026-03-28T18:00:00Z"),
            closed +
                "it next opens at 08:00 on 2026-03-29 Europe/Berlin, 02:00 on 2026-03-29 "
                "America/New_York for the technician");
}

TEST(DurationCap, ClampsCustomerCredentialsToFourteenDays) {
  Policy policy = StandardPolicy();
  policy.settings.cap_behavior = CapBehavior::kClamp;
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  const Decision d = Decide(compiled,
                            ParseRequestOrFail(Unattended("t-anna", kChat, kWin, "at_setup",
                                                          R"({"kind":"days","days":20})")),
                            At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(d.effect, Effect::kAllow);
  EXPECT_EQ(ReasonStrings(d), std::vector<std::string>{"duration_capped:R6"});
  ASSERT_TRUE(d.effective_schedule && d.effective_schedule->end);
  // 14 days in Europe/Berlin (technician time) across the 29 March DST change.
  EXPECT_EQ(FormatRfc3339(*d.effective_schedule->end), "2026-03-15T10:00:00Z");
}

TEST(DurationCap, ClampsARangeToTheGroupCap) {
  Policy policy = StandardPolicy();
  policy.settings.cap_behavior = CapBehavior::kClamp;
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  const Decision d = Decide(
      compiled,
      ParseRequestOrFail(Unattended("t-ben", kChat, kWin, "at_connection",
                                    R"({"kind":"range","start":"2026-03-02","end":"2026-03-31"})")),
      At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(ReasonStrings(d), std::vector<std::string>{"duration_capped:R4"});
  ASSERT_TRUE(d.effective_schedule && d.effective_schedule->end);
  // Seven days from 2 March, midnight to midnight in New York (t-ben's zone).
  EXPECT_EQ(FormatRfc3339(d.effective_schedule->start), "2026-03-02T05:00:00Z");
  EXPECT_EQ(FormatRfc3339(*d.effective_schedule->end), "2026-03-09T04:00:00Z");
}

TEST(DurationCap, ClampDoesNotMakeUnlimitedCustomerCredentialsPossible) {
  Policy policy = StandardPolicy();
  policy.settings.cap_behavior = CapBehavior::kClamp;
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  const Decision d = Decide(
      compiled,
      ParseRequestOrFail(Unattended("t-anna", kChat, kWin, "at_setup", R"({"kind":"unlimited"})")),
      At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(ReasonStrings(d), std::vector<std::string>{"unlimited_not_allowed:R6"});
}

TEST(PolicyExpiry, FailsClosedAtAndAfterExpiry) {
  const Policy policy = StandardPolicy();
  const auto compiled =
      CompiledPolicy::Compile(policy, SystemTimeZones::Get(), At("2026-03-01T10:00:00Z"));
  const Request r = ParseRequestOrFail(Unattended("t-anna", kChat, kWin, "at_connection", kDays7));
  EXPECT_EQ(Decide(compiled, r, At("2026-03-01T09:59:59Z")).effect, Effect::kAllow);
  const Decision d = Decide(compiled, r, At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(ReasonStrings(d), std::vector<std::string>{"policy_expired:R16"});
}

TEST(HandBuiltRequest, WithoutRequiredPartsFailsClosed) {
  const auto compiled = CompiledPolicy::Compile(StandardPolicy(), SystemTimeZones::Get());
  Request r;
  r.action = Action::kUnattendedRequest;
  r.technician_id = "t-anna";
  EXPECT_EQ(Decide(compiled, r, At("2026-03-01T10:00:00Z")).effect, Effect::kDeny);
  r.action = Action::kUnattendedConnect;
  EXPECT_EQ(Decide(compiled, r, At("2026-03-01T10:00:00Z")).effect, Effect::kDeny);
}

}  // namespace
}  // namespace custodian::policy

namespace custodian::policy {
namespace {

TEST(CompiledPolicy, FindsEveryTechnicianOfALargePolicyAndNoOther) {
  Policy policy;
  for (int g = 0; g < 7; ++g) {
    Group group;
    group.id = "g" + std::to_string(g);
    group.name = group.id;
    policy.groups.push_back(group);
  }
  for (int t = 0; t < 5000; ++t) {
    policy.technicians.push_back(
        {"t" + std::to_string(t), "g" + std::to_string(t % 7), t % 2 ? "Asia/Tokyo" : "UTC"});
  }
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  for (int t = 0; t < 5000; ++t) {
    const auto* found = compiled.FindTechnician("t" + std::to_string(t));
    ASSERT_NE(found, nullptr) << t;
    EXPECT_EQ(found->group, static_cast<uint32_t>(t % 7));
    EXPECT_EQ(found->zone->name(), t % 2 ? "Asia/Tokyo" : "UTC");
  }
  for (const char* unknown : {"", "t5000", "t-1", "T1", "t1 "}) {
    EXPECT_EQ(compiled.FindTechnician(unknown), nullptr) << unknown;
  }
}

}  // namespace
}  // namespace custodian::policy
