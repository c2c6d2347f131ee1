// Inheritance with provenance and locks (DESIGN.md §3).
#include "policy/effective.h"

#include <gtest/gtest.h>

#include "support/policy_fixture.h"

namespace custodian::policy {
namespace {

using custodian::testing::LoadPolicy;
using custodian::testing::StandardPolicy;

constexpr auto kUnattended = static_cast<std::size_t>(Permission::kUnattendedAccess);
constexpr auto kCredentials = static_cast<std::size_t>(Permission::kRequestWindowsCredentials);
constexpr auto kRemote = static_cast<std::size_t>(Permission::kRemoteControl);
constexpr auto kModes = static_cast<std::size_t>(SettingKey::kAuthModes);
constexpr auto kMaxDays = static_cast<std::size_t>(SettingKey::kMaxDays);

TEST(Inheritance, TakesEachValueFromTheNearestGroupThatSetsIt) {
  const Policy p = StandardPolicy();  // support > tier1 > interns; support > tier2
  const auto e = ResolveEffective(p);
  const EffectiveSettings& tier1 = e[1];
  EXPECT_TRUE(tier1.permissions[kUnattended]);
  EXPECT_EQ(tier1.source[kUnattended], 0);  // from g-support
  EXPECT_TRUE(tier1.permissions[kCredentials]);
  EXPECT_EQ(tier1.source[kCredentials], 1);  // its own
  EXPECT_TRUE(tier1.permissions[kRemote]);
  EXPECT_EQ(tier1.source[kRemote], kFromGlobal);
  EXPECT_EQ(tier1.max_days, 30);
  EXPECT_EQ(tier1.source[kMaxDays], 0);
  const EffectiveSettings& interns = e[3];
  EXPECT_FALSE(interns.permissions[kUnattended]);
  EXPECT_EQ(interns.source[kUnattended], 3);
  EXPECT_EQ(interns.max_days, 30);  // two levels up
  EXPECT_EQ(e[2].max_days, 7);      // tier2 overrides
}

TEST(Inheritance, LocksForceTheLockingGroupsValueOnItsSubtree) {
  const Policy p = StandardPolicy();
  const auto e = ResolveEffective(p);
  EXPECT_EQ(e[0].locked_by[kModes], 0);
  EXPECT_EQ(e[3].locked_by[kModes], 0);  // grandchild
  EXPECT_EQ(e[4].locked_by[kModes], kNotLocked);
}

TEST(Inheritance, GroupsNarrowAuthModes) {
  const Policy p = StandardPolicy();
  const auto e = ResolveEffective(p);
  EXPECT_EQ(e[4].auth_modes, AuthModeSet(0b01));  // helpdesk: at_connection only
  EXPECT_EQ(e[0].auth_modes, AuthModeSet(0b11));
}

TEST(Inheritance, AnOverrideBelowALockDoesNotTakeEffect) {
  // ParsePolicy refuses this; a hand-built policy must not get around it.
  Policy p = LoadPolicy(R"({"groups":[
      {"id":"a","name":"A","permissions":{"reboot":false},"locked":["permissions.reboot"]},
      {"id":"b","name":"B","parent_id":"a"}]})");
  p.groups[1].permissions[static_cast<std::size_t>(Permission::kReboot)] = true;
  EXPECT_FALSE(ValidatePolicy(p, SystemTimeZones::Get()).empty());
  const auto e = ResolveEffective(p);
  EXPECT_FALSE(e[1].permissions[static_cast<std::size_t>(Permission::kReboot)]);
  EXPECT_EQ(e[1].source[static_cast<std::size_t>(Permission::kReboot)], 0);
}

TEST(Inheritance, EncodesProvenanceByGroupId) {
  const Policy p = StandardPolicy();
  const auto e = ResolveEffective(p);
  const web::json::value j = EncodeEffective(p, e[3]);
  EXPECT_EQ(j.at("permissions").at("unattended_access").at("source").as_string(), "g-interns");
  EXPECT_EQ(j.at("permissions").at("remote_control").at("source").as_string(), "global");
  EXPECT_EQ(j.at("unattended").at("max_days").at("source").as_string(), "g-support");
  EXPECT_EQ(j.at("unattended").at("auth_modes").at("locked_by").as_string(), "g-support");
  EXPECT_TRUE(j.at("unattended").at("max_days").at("locked_by").is_null());
}

}  // namespace
}  // namespace custodian::policy
