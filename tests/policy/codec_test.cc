// The policy and request codec: strict validation with every error at once,
// each with its JSON pointer; whole-policy checks; round trips.
#include "policy/codec.h"

#include <gtest/gtest.h>

#include "support/policy_fixture.h"

namespace custodian::policy {
namespace {

using custodian::testing::StandardPolicy;

std::vector<std::string> Pointers(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(e.pointer);
  return out;
}

std::vector<FieldError> PolicyErrors(const std::string& text) {
  return ParsePolicy(text, SystemTimeZones::Get()).errors;
}

std::vector<FieldError> RequestErrors(const std::string& text) { return ParseRequest(text).errors; }

struct ErrorCase {
  const char* name;
  std::string document;
  std::vector<std::string> pointers;  // every error, in order
};

class PolicyValidation : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(PolicyValidation, ReportsEveryErrorWithItsPointer) {
  EXPECT_EQ(Pointers(PolicyErrors(GetParam().document)), GetParam().pointers);
}

INSTANTIATE_TEST_SUITE_P(
    Policies, PolicyValidation,
    ::testing::Values(
        ErrorCase{"syntax", "{", {""}}, ErrorCase{"not_an_object", "[]", {""}},
        ErrorCase{"unknown_keys_everywhere",
                  R"({"setings":{},"settings":{"unattended":{"cap":1},"permissions":{"fly":true}},
                      "groups":[{"id":"g","name":"G","colour":"red"}]})",
                  {"/settings/unattended/cap", "/settings/permissions/fly", "/groups/0/colour",
                   "/setings"}},
        ErrorCase{"wrong_types",
                  R"({"settings":{"unattended":{"auth_modes":"at_setup","request_ttl_minutes":"5"},
                                  "permissions":{"reboot":1}},
                      "groups":{}})",
                  {"/settings/unattended/auth_modes", "/settings/unattended/request_ttl_minutes",
                   "/settings/permissions/reboot", "/groups"}},
        ErrorCase{"values_out_of_range",
                  R"({"settings":{"unattended":{"auth_modes":["at_setup","at_setup","sms"],
                      "cap_behavior":"shrug","request_ttl_minutes":0,"max_days":4000}},
                      "groups":[{"id":"","name":"G","unattended":{"max_days":0},
                                 "locked":["permissions.fly"]}]})",
                  {"/settings/unattended/auth_modes/1", "/settings/unattended/auth_modes/2",
                   "/settings/unattended/cap_behavior", "/settings/unattended/request_ttl_minutes",
                   "/settings/unattended/max_days", "/groups/0/id", "/groups/0/unattended/max_days",
                   "/groups/0/locked/0"}},
        ErrorCase{"bundle_ttl",
                  R"({"settings":{"distribution":{"bundle_ttl_hours":0,"hours":5}}})",
                  {"/settings/distribution/bundle_ttl_hours", "/settings/distribution/hours"}},
        ErrorCase{"missing_required",
                  R"({"groups":[{"name":"G"}],"technicians":[{"id":"t"}]})",
                  {"/groups/0/id", "/technicians/0/group_id", "/technicians/0/time_zone"}},
        ErrorCase{
            "tree_errors",
            R"({"groups":[{"id":"a","name":"A","parent_id":"b"},
                                {"id":"b","name":"B","parent_id":"a"},
                                {"id":"c","name":"C","parent_id":"nope"},
                                {"id":"a","name":"A again"}],
                      "technicians":[{"id":"t","group_id":"zz","time_zone":"Europe/Berlin"},
                                     {"id":"t","group_id":"c","time_zone":"Europe/Nowhere"}]})",
            {"/groups/3/id", "/groups/2/parent_id", "/groups/0/parent_id", "/groups/1/parent_id",
             "/technicians/0/group_id", "/technicians/1/id", "/technicians/1/time_zone"}},
        ErrorCase{"overrides_below_a_lock",
                  R"({"groups":[{"id":"a","name":"A","permissions":{"reboot":false},
                                 "unattended":{"max_days":5},
                                 "locked":["permissions.reboot","unattended.max_days"]},
                                {"id":"b","name":"B","parent_id":"a"},
                                {"id":"c","name":"C","parent_id":"b",
                                 "permissions":{"reboot":true,"file_transfer":true},
                                 "unattended":{"max_days":9}}]})",
                  {"/groups/2/permissions/reboot", "/groups/2/unattended/max_days"}},
        ErrorCase{"auth_modes_widened",
                  R"({"settings":{"unattended":{"auth_modes":["at_connection"]}},
                      "groups":[{"id":"a","name":"A","unattended":{"auth_modes":["at_setup"]}},
                                {"id":"b","name":"B","unattended":{"auth_modes":[]}},
                                {"id":"c","name":"C","parent_id":"b",
                                 "unattended":{"auth_modes":["at_connection"]}}]})",
                  {"/groups/0/unattended/auth_modes", "/groups/2/unattended/auth_modes"}}),
    [](const ::testing::TestParamInfo<ErrorCase>& p) { return std::string(p.param.name); });

TEST(PolicyValidation, LockedErrorsNameTheLockingGroup) {
  const auto errors = PolicyErrors(
      R"({"groups":[{"id":"root","name":"R","locked":["permissions.reboot"]},
                    {"id":"kid","name":"K","parent_id":"root","permissions":{"reboot":true}}]})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("setting_locked"), std::string::npos);
  EXPECT_NE(errors[0].message.find("\"root\""), std::string::npos);
}

TEST(PolicyValidation, EscapesPointerTokens) {
  const auto errors = PolicyErrors(R"({"a/b~c":1})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/a~1b~0c");
}

TEST(PolicyValidation, RejectsDuplicateKeys) {
  const auto errors = PolicyErrors(R"({"groups":[],"groups":[]})");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].pointer, "/groups");
}

TEST(PolicyCodec, RoundTripsTheStandardPolicy) {
  const Policy p = StandardPolicy();
  const std::string encoded = EncodePolicy(p).serialize();
  Parsed<Policy> again = ParsePolicy(encoded, SystemTimeZones::Get());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(EncodePolicy(*again.value).serialize(), encoded);
  EXPECT_EQ(again.value->groups.size(), 5u);
  EXPECT_EQ(again.value->groups[0].locked.count(), 1u);
}

class RequestValidation : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RequestValidation, ReportsEveryErrorWithItsPointer) {
  EXPECT_EQ(Pointers(RequestErrors(GetParam().document)), GetParam().pointers);
}

INSTANTIATE_TEST_SUITE_P(
    Requests, RequestValidation,
    ::testing::Values(
        ErrorCase{"unknown_action", R"({"action":"fly","technician_id":"t"})", {"/action"}},
        ErrorCase{"missing_parts",
                  R"({"action":"unattended.request"})",
                  {"/technician_id", "/session", "/endpoint", "/credential_mode", "/schedule"}},
        ErrorCase{"parts_of_another_action",
                  R"({"action":"credentials.request","technician_id":"t",
                      "session":{"type":"applet","active":true},"endpoint":{"os":"windows"},
                      "operation":"unlock","schedule":{}})",
                  {"/schedule", "/operation"}},
        ErrorCase{"bad_schedule",
                  R"({"action":"unattended.request","technician_id":"t",
                      "session":{"type":"applet","mode":"chat_only","active":"yes"},
                      "endpoint":{"os":"beos"},"credential_mode":"at_setup",
                      "schedule":{"kind":"range","start":"2026-02-30","end":"2026/03/01",
                                  "days":3,"daily":{"from":"24:00","to":"9:00"},
                                  "time_reference":"mine"}})",
                  {"/session/mode", "/session/active", "/endpoint/os", "/schedule/days",
                   "/schedule/start", "/schedule/end", "/schedule/daily/from", "/schedule/daily/to",
                   "/schedule/time_reference"}},
        ErrorCase{"bad_grant",
                  R"({"action":"unattended.connect","technician_id":"t",
                      "grant":{"credential_mode":"at_connection","technician_id":"t",
                               "effective_schedule":{"start":"yesterday","end":"2026-03-01T00:00:00Z",
                                                     "daily":{"from":"08:00","to":"18:00"}},
                               "revoked":0}})",
                  {"/grant/effective_schedule/start", "/grant/effective_schedule/daily/time_zone",
                   "/grant/revoked"}},
        ErrorCase{"grant_ends_before_it_starts",
                  R"({"action":"unattended.connect","technician_id":"t",
                      "grant":{"credential_mode":"at_connection","technician_id":"t",
                               "effective_schedule":{"start":"2026-03-02T00:00:00Z",
                                                     "end":"2026-03-01T00:00:00+01:00",
                                                     "daily":null}}})",
                  {"/grant/effective_schedule/end"}},
        ErrorCase{"huge_number",
                  R"({"action":"unattended.request","technician_id":"t",
                      "session":{"type":"applet","active":true},"endpoint":{"os":"windows"},
                      "credential_mode":"at_setup",
                      "schedule":{"kind":"days","days":1e300}})",
                  {"/schedule/days"}}),
    [](const ::testing::TestParamInfo<ErrorCase>& p) { return std::string(p.param.name); });

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-03-29T03:30:00.999+02:00")), "2026-03-29T01:30:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-12-31T23:59:60Z")), "2026-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-01-01t00:00:00-05:30")), "2026-01-01T05:30:00Z");
  for (const char* bad : {"2026-02-29T00:00:00Z", "2026-03-01 00:00:00Z", "2026-03-01T00:00:00",
                          "2026-03-01T24:00:00Z", "2026-03-01T00:00:00+0100", "",
                          "2026-03-01T00:00:00Zjunk", "2026-03-01T00:00:00.Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(DecisionEncoding, CitesRulesAndQuotesNumbers) {
  Decision d;
  d.effect = Effect::kDeny;
  d.reason_storage[0] = Reason{ReasonCode::kDurationExceedsCap, 6, 0, 20, 14};
  d.reason_count = 1;
  const web::json::value j = EncodeDecision(d);
  EXPECT_EQ(j.at("effect").as_string(), "deny");
  EXPECT_EQ(j.at("reasons").at(0).at("code").as_string(), "duration_exceeds_cap");
  EXPECT_EQ(j.at("reasons").at(0).at("rule").as_string(), "R6");
  EXPECT_EQ(j.at("reasons").at(0).at("message").as_string(),
            "20 days requested; the cap is 14 days for customer credentials");
  EXPECT_EQ(j.at("obligations").size(), 0u);
}

TEST(DecisionEncoding, EveryReasonCodeHasANameAndAMessage) {
  for (std::size_t i = 0; i < kReasonCodeCount; ++i) {
    const auto code = static_cast<ReasonCode>(i);
    EXPECT_EQ(ParseReasonCode(ReasonCodeName(code)), code);
    EXPECT_FALSE(DescribeReason(Reason{code, 1, 0, 0, 0}).empty());
  }
}

TEST(StoredGrants, SchedulesRoundTripAndStatesReadAsTheWorkflowNamesThem) {
  const std::string text =
      R"({"start":"2026-03-01T10:00:00Z","end":null,"daily":{"from":"22:00","to":"06:00",
          "time_zone":"Asia/Kolkata"}})";
  auto schedule = ParseGrantSchedule(text);
  ASSERT_TRUE(schedule.ok());
  EXPECT_FALSE(schedule.value->end);
  EXPECT_EQ(schedule.value->daily_time_zone, "Asia/Kolkata");
  EXPECT_EQ(EncodeGrantSchedule(*schedule.value).serialize(),
            R"({"start":"2026-03-01T10:00:00Z","end":null,"daily":{"from":"22:00","to":"06:00",)"
            R"("time_zone":"Asia/Kolkata"}})");
  EXPECT_EQ(ParseGrantSchedule(R"({"start":"now","end":null,"daily":null})").errors.at(0).pointer,
            "/start");
  EXPECT_FALSE(ParseGrantSchedule("{").ok());

  auto connect = [](const std::string& state) {
    return ParseRequest(R"({"action":"unattended.connect","technician_id":"t-1","grant":{
        "credential_mode":"at_setup","technician_id":"t-1",)" +
                        state +
                        R"("effective_schedule":{"start":"2026-03-01T10:00:00Z","end":null,
                                                 "daily":null}}})");
  };
  EXPECT_EQ(connect(R"("state":"expired",)").value->grant->state, workflow::State::kExpired);
  EXPECT_EQ(connect(R"("revoked":true,)").value->grant->state, workflow::State::kRevoked);
  EXPECT_EQ(connect("").value->grant->state, workflow::State::kActive);
  EXPECT_EQ(connect(R"("state":"pending",)").errors.at(0).pointer, "/grant/state");
  EXPECT_EQ(connect(R"("state":"expired","revoked":true,)").errors.at(0).pointer, "/grant/revoked");
}

}  // namespace
}  // namespace custodian::policy
