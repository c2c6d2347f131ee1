// The admin center's pure limiters, with a clock the test moves: the login
// backoff (LoginThrottle) and the folding of anonymous refusals
// (RefusalLimiter).
#include <gtest/gtest.h>

#include "admincenter/login_throttle.h"
#include "admincenter/refusals.h"

namespace custodian::admincenter {
namespace {

using std::chrono::seconds;
const policy::Instant kT0 = *policy::ParseRfc3339("2026-12-01T10:00:00Z");

TEST(LoginThrottle, BacksOffANameAfterFiveFailuresDoublingUpToFifteenMinutes) {
  LoginThrottle t;
  policy::Instant now = kT0;
  for (int i = 0; i < LoginThrottle::kFreeFailuresPerName; ++i) {
    EXPECT_FALSE(t.Wait("anna", "10.0.0.1", now));
    t.Failed("anna", "10.0.0.1", now);
  }
  EXPECT_FALSE(t.Wait("anna", "10.0.0.1", now)) << "five are free";
  t.Failed("anna", "10.0.0.1", now);
  // The clock reads whole seconds, so a failure at "now" happened anywhere
  // in that second: a wait of 1 s must still hold in the next one.
  EXPECT_EQ(t.Wait("anna", "10.0.0.2", now), seconds(2)) << "by name, from anywhere";
  EXPECT_TRUE(t.Wait("anna", "10.0.0.2", now + seconds(1))) << "at least a whole second";
  EXPECT_FALSE(t.Wait("ben", "10.0.0.1", now)) << "others are not held up";
  seconds expected(1);
  for (int i = 0; i < 15; ++i) {
    now += expected + seconds(1);
    EXPECT_FALSE(t.Wait("anna", "10.0.0.3", now));
    t.Failed("anna", "10.0.0.3", now);
    expected = std::min<seconds>(expected * 2, LoginThrottle::kMaxBackoff);
    EXPECT_EQ(t.Wait("anna", "10.0.0.3", now), expected + seconds(1));
  }
  EXPECT_EQ(expected, LoginThrottle::kMaxBackoff);
  now += expected;
  t.Succeeded("anna");
  t.Failed("anna", "10.0.0.4", now);
  EXPECT_FALSE(t.Wait("anna", "10.0.0.4", now)) << "a success starts the count again";
}

TEST(LoginThrottle, BacksOffASourceThatGuessesManyNames) {
  LoginThrottle t;
  for (int i = 0; i < LoginThrottle::kFreeFailuresPerSource; ++i) {
    t.Failed("name-" + std::to_string(i), "10.0.0.9", kT0);
  }
  EXPECT_FALSE(t.Wait("fresh", "10.0.0.9", kT0));
  t.Failed("one-more", "10.0.0.9", kT0);
  EXPECT_EQ(t.Wait("fresh", "10.0.0.9", kT0), seconds(2));
  EXPECT_FALSE(t.Wait("fresh", "10.0.0.8", kT0));
  // A long quiet forgets.
  const policy::Instant later = kT0 + LoginThrottle::kForgetAfter + seconds(1);
  t.Failed("again", "10.0.0.9", later);
  EXPECT_FALSE(t.Wait("fresh", "10.0.0.9", later));
}

TEST(RefusalLimiter, RecordsOneRefusalPerSourceAndIntervalAndCountsTheRest) {
  RefusalLimiter r;
  EXPECT_TRUE(r.Admit("10.0.0.1", "failure", kT0).record);
  for (int i = 0; i < 99; ++i)
    EXPECT_FALSE(r.Admit("10.0.0.1", "failure", kT0 + seconds(1)).record);
  EXPECT_TRUE(r.Admit("10.0.0.2", "failure", kT0).record) << "another source";
  EXPECT_TRUE(r.Admit("10.0.0.1", "denied", kT0).record) << "another outcome";
  const auto next = r.Admit("10.0.0.1", "failure", kT0 + RefusalLimiter::kInterval);
  EXPECT_TRUE(next.record);
  ASSERT_TRUE(next.flushed);
  EXPECT_EQ(next.flushed->count, 99u);
  EXPECT_EQ(next.flushed->source, "10.0.0.1");
  EXPECT_FALSE(r.Admit("10.0.0.1", "failure", kT0 + RefusalLimiter::kInterval).record);
  const auto drained = r.Drain();
  ASSERT_EQ(drained.size(), 1u);
  EXPECT_EQ(drained[0].count, 1u);
  EXPECT_TRUE(r.Drain().empty());
}

TEST(RefusalLimiter, KeepsMemoryBoundedUnderManySources) {
  RefusalLimiter r;
  for (std::size_t i = 0; i < RefusalLimiter::kMaxSources + 500; ++i) {
    r.Admit("src-" + std::to_string(i), "failure", kT0);
  }
  // Beyond the bound, newcomers share one entry: recorded once, then counted.
  EXPECT_FALSE(r.Admit("yet-another", "failure", kT0).record);
}

}  // namespace
}  // namespace custodian::admincenter
