// Deciding a request without a schedule allocates nothing on the heap: the
// compiled policy interns ids and the decision is a fixed-size value. This
// binary counts every operator new to check it.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "support/policy_fixture.h"

namespace {
std::atomic<long> g_allocations{0};
}

// GCC pairs std::free with this operator new only across translation units.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace custodian::policy {
namespace {

using custodian::testing::At;
using custodian::testing::ParseRequestOrFail;

long AllocationsOf(const CompiledPolicy& policy, const Request& request, Instant now) {
  const long before = g_allocations.load();
  const Decision d = Decide(policy, request, now);
  const long after = g_allocations.load();
  EXPECT_TRUE(d.effect == Effect::kAllow || d.reason_count > 0);
  return after - before;
}

TEST(NoAllocation, DecidingWithoutAScheduleAllocatesNothing) {
  const Policy policy = custodian::testing::StandardPolicy();
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  const Instant now = At("2026-03-02T09:00:00Z");
  const char* requests[] = {
      R"({"action":"credentials.request","technician_id":"t-anna",
          "session":{"type":"applet","active":true,"screen_viewing":true},"endpoint":{"os":"windows"}})",
      R"({"action":"credentials.apply","technician_id":"t-kiran",
          "session":{"type":"applet","active":false},"endpoint":{"os":"linux"},
          "operation":"unlock","credentials_stored":false})",
      R"({"action":"unattended.connect","technician_id":"t-anna",
          "grant":{"credential_mode":"at_connection","technician_id":"t-anna",
                   "effective_schedule":{"start":"2026-03-01T00:00:00Z","end":null,"daily":null}}})",
      R"({"action":"unattended.request","technician_id":"t-nobody",
          "session":{"type":"mobile_applet","active":true},"endpoint":{"os":"windows"},
          "credential_mode":"at_setup","schedule":{"kind":"unlimited"}})",
  };
  for (const char* text : requests) {
    const Request r = ParseRequestOrFail(text);
    EXPECT_EQ(AllocationsOf(compiled, r, now), 0) << text;
  }
}

TEST(NoAllocation, ZoneArithmeticAllocatesNothingEither) {
  // Not promised by the design, but measured so that a regression shows.
  const Policy policy = custodian::testing::StandardPolicy();
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  const Request r = ParseRequestOrFail(
      R"({"action":"unattended.request","technician_id":"t-anna",
          "session":{"type":"applet","active":true},
          "endpoint":{"os":"windows","time_zone":"America/New_York"},"credential_mode":"at_setup",
          "schedule":{"kind":"days","days":7,"time_reference":"customer",
                      "daily":{"from":"08:00","to":"18:00"}}})");
  EXPECT_EQ(AllocationsOf(compiled, r, At("2026-03-02T09:00:00Z")), 0);
}

}  // namespace
}  // namespace custodian::policy
