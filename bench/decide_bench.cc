// Decisions per second, single thread, on a reference policy of 50 groups in
// three levels and 1,000 technicians, under a request mix with about 30%
// denials; requests carry string ids as they arrive on the wire.
//
//   build/release/bench/decide_bench --benchmark_repetitions=3
//
// BM_HandWrittenLoop is the yardstick: a bare loop that looks up a string id
// in a hash map and tests one bit, with none of the engine's rules.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/codec.h"
#include "policy/engine.h"
#include "policy/system_time_zones.h"

namespace {

namespace p = custodian::policy;

constexpr int kTechnicians = 1000;
constexpr std::size_t kRequests = 4096;  // a power of two, cycled through
const char* const kZones[] = {"Europe/Berlin", "America/New_York",  "Australia/Sydney",
                              "Asia/Kolkata",  "America/Sao_Paulo", "Asia/Tokyo"};

// 5 roots x 3 children x 2 grandchildren = 5 + 15 + 30 = 50 groups. Every
// tenth group withdraws unattended access; every seventh narrows to
// at_connection; grandchildren cap at 10 days.
p::Policy ReferencePolicy() {
  p::Policy policy;
  policy.settings.blocked_session_types.set(static_cast<std::size_t>(p::SessionType::kCallingCard));
  auto add = [&](std::string id, std::optional<std::string> parent) {
    p::Group g;
    g.id = std::move(id);
    g.name = g.id;
    g.parent_id = std::move(parent);
    const std::size_t n = policy.groups.size();
    if (!g.parent_id)
      g.permissions[static_cast<std::size_t>(p::Permission::kUnattendedAccess)] = true;
    if (n % 10 == 9)
      g.permissions[static_cast<std::size_t>(p::Permission::kUnattendedAccess)] = false;
    if (n % 7 == 6) g.auth_modes = p::AuthModeSet(0b01);
    policy.groups.push_back(std::move(g));
    return policy.groups.back().id;
  };
  for (int r = 0; r < 5; ++r) {
    const std::string root = add("g-" + std::to_string(r), std::nullopt);
    for (int c = 0; c < 3; ++c) {
      const std::string child = add(root + "-" + std::to_string(c), root);
      for (int gc = 0; gc < 2; ++gc) {
        add(child + "-" + std::to_string(gc), child);
        policy.groups.back().max_days = 10;
      }
    }
  }
  std::mt19937 rng(42);
  for (int t = 0; t < kTechnicians; ++t) {
    policy.technicians.push_back({"technician-" + std::to_string(t),
                                  policy.groups[rng() % policy.groups.size()].id,
                                  kZones[rng() % std::size(kZones)]});
  }
  return policy;
}

std::vector<p::Request> Requests(bool daily_window) {
  std::mt19937 rng(7);
  std::vector<p::Request> out;
  for (std::size_t i = 0; i < kRequests; ++i) {
    p::Request r;
    r.action = p::Action::kUnattendedRequest;
    r.technician_id = "technician-" + std::to_string(rng() % kTechnicians);
    r.session = p::SessionInfo{p::SessionType::kApplet, false, true, false};
    if (rng() % 20 == 0) r.session->type = p::SessionType::kMobileApplet;
    r.endpoint = p::EndpointInfo{p::Os::kWindows, kZones[rng() % std::size(kZones)]};
    r.credential_mode = rng() % 3 == 0 ? p::AuthMode::kAtSetup : p::AuthMode::kAtConnection;
    p::Schedule s;
    s.kind = p::Schedule::Kind::kDays;
    s.days = 1 + static_cast<int>(rng() % 12);
    if (daily_window) {
      s.daily = p::DailyWindow{8 * 60, 18 * 60};
      s.time_reference = rng() % 2 ? p::TimeReference::kCustomer : p::TimeReference::kTechnician;
    }
    r.schedule = s;
    out.push_back(std::move(r));
  }
  return out;
}

const p::Policy& Policy() {
  static const p::Policy policy = [] {
    p::Policy pol = ReferencePolicy();
    if (!p::ValidatePolicy(pol, p::SystemTimeZones::Get()).empty()) std::abort();
    return pol;
  }();
  return policy;
}

void RunDecide(benchmark::State& state, bool daily_window) {
  const auto compiled = p::CompiledPolicy::Compile(Policy(), p::SystemTimeZones::Get());
  const std::vector<p::Request> requests = Requests(daily_window);
  const p::Instant now{std::chrono::seconds{1772359200}};  // 2026-03-01T10:00:00Z
  std::size_t i = 0, denied = 0;
  for (auto _ : state) {
    const p::Decision d = p::Decide(compiled, requests[i++ & (kRequests - 1)], now);
    denied += d.effect == p::Effect::kDeny;
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["deny_ratio"] =
      static_cast<double>(denied) / static_cast<double>(state.iterations());
}

void BM_DecideUnattendedRequest(benchmark::State& state) { RunDecide(state, false); }
void BM_DecideUnattendedRequestDailyWindow(benchmark::State& state) { RunDecide(state, true); }

void BM_HandWrittenLoop(benchmark::State& state) {
  std::unordered_map<std::string, uint32_t> permissions;
  const auto compiled = p::CompiledPolicy::Compile(Policy(), p::SystemTimeZones::Get());
  for (const p::Technician& t : Policy().technicians) {
    permissions.emplace(t.id, compiled.group(compiled.FindTechnician(t.id)->group).permissions);
  }
  const std::vector<p::Request> requests = Requests(false);
  std::size_t i = 0;
  for (auto _ : state) {
    auto it = permissions.find(requests[i++ & (kRequests - 1)].technician_id);
    benchmark::DoNotOptimize(it != permissions.end() && (it->second & (1u << 4)));
  }
  state.SetItemsProcessed(state.iterations());
}

// The JSON codec in front of the engine, as `POST /v1/decisions` will run it.
void BM_ParseAndDecide(benchmark::State& state) {
  const auto compiled = p::CompiledPolicy::Compile(Policy(), p::SystemTimeZones::Get());
  const std::string text = R"({"action":"unattended.request","technician_id":"technician-17",
    "session":{"type":"applet","active":true},"endpoint":{"os":"windows","time_zone":"Asia/Tokyo"},
    "credential_mode":"at_setup","schedule":{"kind":"days","days":7,"time_reference":"customer",
    "daily":{"from":"08:00","to":"18:00"}}})";
  const p::Instant now{std::chrono::seconds{1772359200}};
  for (auto _ : state) {
    p::Parsed<p::Request> r = p::ParseRequest(text);
    const p::Decision d = p::Decide(compiled, *r.value, now);
    benchmark::DoNotOptimize(p::SerializeDecision(d));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_HandWrittenLoop);
BENCHMARK(BM_DecideUnattendedRequest);
BENCHMARK(BM_DecideUnattendedRequestDailyWindow);
BENCHMARK(BM_ParseAndDecide);

}  // namespace

BENCHMARK_MAIN();
