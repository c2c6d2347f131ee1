// Policy distribution on the admin center (DESIGN.md §4, §6), over real
// HTTP: one-time enrollment codes; bundles signed over their exact bytes,
// served with ETag and 304, versioned on every change, signed by every key
// during a rotation; the long-poll command channel that parks and wakes;
// endpoint events that are idempotent, chained, and audited with gaps.
#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "common/audit_chain.h"
#include "common/crypto.h"
#include "common/gzip.h"
#include "policy/time.h"
#include "support/admincenter_process.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;
using custodian::testing::HttpResult;
using web::json::value;

struct Endpoint {
  std::string id;
  std::string token;
  value keys;
};

class Distribution : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ac_ = new AdminCenterProcess("distribution"); }
  static void TearDownTestSuite() { delete ac_; }

  static std::string Master() { return ac_->master_token(); }
  static std::string NewCode(const std::string& body = "{}") {
    HttpResult r = ac_->Request("POST", "/v1/enrollment-codes", Master(), body);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json().at("code").as_string();
  }
  static Endpoint Enroll(const std::string& name, const std::string& os = "linux") {
    HttpResult r = ac_->Request("POST", "/v1/enroll", std::nullopt,
                                R"({"code":")" + NewCode() + R"(","name":")" + name +
                                    R"(","os":")" + os + R"(","time_zone":"Europe/Berlin"})");
    EXPECT_EQ(r.status, 201u) << r.body;
    return {r.json().at("endpoint_id").as_string(), r.json().at("token").as_string(),
            r.json().at("policy_keys")};
  }
  // The bundle's decoded bytes and which key ids signed them validly.
  static std::pair<value, std::vector<std::string>> Open(const std::string& envelope_text) {
    const value envelope = value::parse(envelope_text);
    const std::string bytes = *crypto::FromBase64(envelope.at("bundle").as_string());
    const value bundle = value::parse(bytes);
    std::vector<std::string> signers;
    for (const value& s : envelope.at("signatures").as_array()) {
      for (const value& k : bundle.at("keys").as_array()) {
        if (k.at("key_id") != s.at("key_id")) continue;
        if (crypto::VerifyEd25519(*crypto::FromBase64(k.at("public_key").as_string()), bytes,
                                  *crypto::FromBase64(s.at("signature").as_string()))) {
          signers.push_back(k.at("key_id").as_string());
        }
      }
    }
    return {bundle, signers};
  }
  static std::string Export() { return ac_->Request("GET", "/v1/audit/events", Master()).body; }

  static AdminCenterProcess* ac_;
};
AdminCenterProcess* Distribution::ac_ = nullptr;

TEST_F(Distribution, EnrollmentCodesWorkOnceAndInputIsChecked) {
  const std::string code = NewCode(R"({"ttl_minutes":5})");
  const std::string body =
      R"({"code":")" + code + R"(","name":"pc","os":"windows","time_zone":"America/New_York"})";
  EXPECT_EQ(ac_->Request("POST", "/v1/enroll", std::nullopt, body).status, 201u);
  HttpResult again = ac_->Request("POST", "/v1/enroll", std::nullopt, body);
  EXPECT_EQ(again.status, 403u) << again.body;
  HttpResult bad = ac_->Request("POST", "/v1/enroll", std::nullopt,
                                R"({"code":"x","name":"pc","os":"beos","time_zone":"Mars/Base",)"
                                R"("extra":1})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("/os"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("/time_zone"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("/extra"), std::string::npos) << bad.body;
  EXPECT_EQ(ac_->Request("POST", "/v1/enrollment-codes", Master(), R"({"ttl_minutes":0})").status,
            400u);
  const std::string audit = Export();
  EXPECT_NE(audit.find(R"("action":"endpoint.enroll")"), std::string::npos);
  EXPECT_NE(audit.find(R"("outcome":"denied")"), std::string::npos);  // the reused code
  EXPECT_EQ(audit.find(code), std::string::npos) << "the code itself is never recorded";
}

// Issue 15.3: gzip where the endpoint accepts it, the same envelope once
// inflated, a weak ETag that If-None-Match still matches.
TEST_F(Distribution, BundlesAreServedGzipWhereAccepted) {
  const Endpoint e = Enroll("gzip-pc");
  const HttpResult plain = ac_->Request("GET", "/v1/policy/bundle", e.token);
  ASSERT_EQ(plain.status, 200u);
  EXPECT_EQ(plain.headers.count("Content-Encoding"), 0u);
  EXPECT_EQ(plain.headers.at("Vary"), "Accept-Encoding");
  const std::string etag = plain.headers.at("ETag");
  const auto body = ac_->dir() / "bundle.gz";
  const auto head = ac_->dir() / "bundle.headers";
  const auto fetched = testing::RunCommand(
      "curl -sS -H 'Authorization: Bearer " + e.token + "' -H 'Accept-Encoding: gzip' -D " +
      head.string() + " -o " + body.string() + " " + ac_->url() + "/v1/policy/bundle");
  ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
  const std::string headers = testing::Slurp(head.string());
  EXPECT_NE(headers.find("Content-Encoding: gzip"), std::string::npos) << headers;
  EXPECT_NE(headers.find("ETag: W/" + etag), std::string::npos) << headers;
  std::ifstream in(body, std::ios::binary);
  const std::string packed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_LT(packed.size(), plain.body.size());
  EXPECT_EQ(Gunzip(packed, 64u << 20), plain.body);
  for (const std::string& held : {etag, "W/" + etag}) {
    EXPECT_EQ(ac_->Request("GET", "/v1/policy/bundle", e.token, "", "application/json",
                           {{"If-None-Match", held}, {"Accept-Encoding", "gzip"}})
                  .status,
              304u)
        << held;
  }
  // Refused explicitly: the envelope as it is.
  const HttpResult refused = ac_->Request("GET", "/v1/policy/bundle", e.token, "",
                                          "application/json", {{"Accept-Encoding", "gzip;q=0"}});
  EXPECT_EQ(refused.headers.count("Content-Encoding"), 0u);
  EXPECT_EQ(refused.body, plain.body);
}

TEST_F(Distribution, BundlesAreSignedVersionedAndServedWithETags) {
  const Endpoint e = Enroll("bundle-pc");
  HttpResult first = ac_->Request("GET", "/v1/policy/bundle", e.token);
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string etag = first.headers.at("ETag");
  auto [bundle, signers] = Open(first.body);
  EXPECT_EQ(bundle.at("format").as_integer(), 1);
  EXPECT_EQ("\"" + std::to_string(bundle.at("version").as_integer()) + "\"", etag);
  ASSERT_FALSE(signers.empty());
  // The enrollment pinned the key that signed.
  EXPECT_EQ(e.keys.at(0).at("key_id").as_string(), bundle.at("key_id").as_string());
  EXPECT_TRUE(bundle.at("policy").has_field("groups"));
  EXPECT_GT(policy::ParseRfc3339(bundle.at("expires_at").as_string()),
            policy::ParseRfc3339(bundle.at("issued_at").as_string()));

  HttpResult same = ac_->Request("GET", "/v1/policy/bundle", e.token, "", "application/json",
                                 {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304u);
  EXPECT_TRUE(same.body.empty());
  // An ETag that is no version we could have issued (beyond int64, signed,
  // empty) is simply not held: the bundle, not an error.
  for (const std::string held :
       {"\"9999999999999999999\"", "\"99999999999999999999\"", "\"-1\"", "\"\"", "\"+5\""}) {
    HttpResult odd = ac_->Request("GET", "/v1/policy/bundle", e.token, "", "application/json",
                                  {{"If-None-Match", held}});
    EXPECT_EQ(odd.status, 200u) << held << " -> " << odd.body;
  }

  ac_->Request("POST", "/v1/groups", Master(), R"({"id":"g-new","name":"New"})");
  HttpResult changed = ac_->Request("GET", "/v1/policy/bundle", e.token, "", "application/json",
                                    {{"If-None-Match", etag}});
  ASSERT_EQ(changed.status, 200u);
  auto [next, next_signers] = Open(changed.body);
  EXPECT_GT(next.at("version").as_integer(), bundle.at("version").as_integer());
  EXPECT_NE(next.at("policy").serialize().find("g-new"), std::string::npos);

  // The endpoint list shows what each endpoint holds.
  ac_->Request("GET", "/v1/policy/bundle", e.token, "", "application/json",
               {{"If-None-Match", changed.headers.at("ETag")}});
  const value list = ac_->Request("GET", "/v1/endpoints", Master()).json();
  bool found = false;
  for (const value& item : list.at("items").as_array()) {
    if (item.at("id").as_string() != e.id) continue;
    found = true;
    EXPECT_EQ(item.at("bundle_version").as_integer(), next.at("version").as_integer());
    EXPECT_FALSE(item.at("last_seen").is_null());
  }
  EXPECT_TRUE(found);
  EXPECT_NE(Export().find(R"("action":"policy.bundle_publish")"), std::string::npos);
}

TEST_F(Distribution, ARotatedKeySignsAlongsideTheOldUntilItIsRetired) {
  const Endpoint e = Enroll("rotation-pc");
  const std::string old_key = e.keys.at(0).at("key_id").as_string();
  HttpResult rotated = ac_->Request("POST", "/v1/policy/keys", Master());
  ASSERT_EQ(rotated.status, 201u) << rotated.body;
  const std::string new_key = rotated.json().at("key_id").as_string();
  auto [bundle, signers] = Open(ac_->Request("GET", "/v1/policy/bundle", e.token).body);
  EXPECT_EQ(bundle.at("key_id").as_string(), new_key);
  EXPECT_EQ(signers, (std::vector<std::string>{new_key, old_key}));
  EXPECT_EQ(ac_->Request("DELETE", "/v1/policy/keys/" + new_key, Master()).status, 409u);
  EXPECT_EQ(ac_->Request("DELETE", "/v1/policy/keys/" + old_key, Master()).status, 204u);
  auto [after, after_signers] = Open(ac_->Request("GET", "/v1/policy/bundle", e.token).body);
  EXPECT_EQ(after_signers, (std::vector<std::string>{new_key}));
  EXPECT_GT(after.at("version").as_integer(), bundle.at("version").as_integer());
  const value keys = ac_->Request("GET", "/v1/policy/keys", e.token).json();
  std::map<std::string, std::string> states;
  for (const value& k : keys.at("items").as_array()) {
    states[k.at("key_id").as_string()] = k.at("state").as_string();
  }
  EXPECT_EQ(states[old_key], "retired");
  EXPECT_EQ(states[new_key], "active");
  // Checkpoints are signed by the active key too.
  EXPECT_EQ(ac_->Request("GET", "/v1/audit/checkpoint", Master()).json().at("key_id").as_string(),
            new_key);
}

TEST_F(Distribution, LongPollsParkUntilACommandAndCommandsStayUntilAcknowledged) {
  const Endpoint e = Enroll("poll-pc");
  const Endpoint other = Enroll("other-pc");
  const std::string path = "/v1/endpoints/" + e.id + "/commands";
  EXPECT_EQ(ac_->Request("GET", path + "?wait=1", e.token).status, 204u);  // timeout
  EXPECT_EQ(ac_->Request("GET", path, other.token).status, 404u);          // not its own
  EXPECT_EQ(ac_->Request("GET", path + "?wait=61", e.token).status, 400u);
  EXPECT_EQ(ac_->Request("GET", path + "?wait=x", e.token).status, 400u);

  const auto start = std::chrono::steady_clock::now();
  auto parked = std::async(std::launch::async,
                           [&] { return ac_->Request("GET", path + "?wait=30", e.token); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it park
  HttpResult queued = ac_->Request("POST", path, Master(), R"({"type":"sync"})");
  ASSERT_EQ(queued.status, 201u) << queued.body;
  const HttpResult woken = parked.get();
  ASSERT_EQ(woken.status, 200u) << woken.body;
  // Woken by the command, not by the 30 s timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  const std::string id = woken.json().at("items").at(0).at("id").as_string();
  EXPECT_EQ(id, queued.json().at("id").as_string());

  // Not acknowledged: delivered again, at once.
  HttpResult again = ac_->Request("GET", path + "?wait=30", e.token);
  ASSERT_EQ(again.status, 200u);
  EXPECT_EQ(again.json().at("items").at(0).at("id").as_string(), id);
  HttpResult ack = ac_->Request("POST", path + "/ack", e.token, R"({"ids":[")" + id + R"("]})");
  EXPECT_EQ(ack.json().at("acked").as_integer(), 1);
  EXPECT_EQ(ac_->Request("GET", path + "?wait=1", e.token).status, 204u);
  EXPECT_EQ(ac_->Request("POST", path, Master(), R"({"type":"reboot"})").status, 400u);
  EXPECT_EQ(
      ac_->Request("POST", "/v1/endpoints/e-none/commands", Master(), R"({"type":"sync"})").status,
      404u);
}

// A wake that finds nothing for this endpoint (a policy edit when it did
// not say which bundle it holds; the catch-up after a replica's feed
// reconnects) parks the poll again: only its deadline answers 204.
TEST_F(Distribution, AWakeWithNothingToSayKeepsThePollParked) {
  const Endpoint e = Enroll("quiet-pc");
  const std::string path = "/v1/endpoints/" + e.id + "/commands";
  auto parked = std::async(std::launch::async,
                           [&] { return ac_->Request("GET", path + "?wait=30", e.token); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it park
  ASSERT_EQ(ac_->Request("POST", "/v1/groups", Master(), R"({"id":"g-wake","name":"Wake"})").status,
            201u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the publish wakes every poll
  HttpResult queued = ac_->Request("POST", path, Master(), R"({"type":"sync"})");
  ASSERT_EQ(queued.status, 201u) << queued.body;
  const HttpResult woken = parked.get();
  ASSERT_EQ(woken.status, 200u) << "ended by the policy edit: " << woken.body;
  EXPECT_EQ(woken.json().at("items").at(0).at("id").as_string(),
            queued.json().at("id").as_string());
}

value Event(int64_t seq, const std::string& id, const std::string& prev) {
  value e = value::parse(R"({"ts":"2026-11-23T10:00:00Z","actor":{"kind":"enforcer","id":"x"},
      "action":"bundle.accepted","target":"bundle:7","outcome":"success","reasons":[],
      "details":{"version":7}})");
  e["seq"] = value::number(seq);
  e["id"] = value::string(id);
  e["prev_hash"] = value::string(prev);
  e["hash"] = value::string(audit::RecordHash(e));
  return e;
}

std::string Batch(const std::vector<value>& events) {
  value b = value::object();
  b["events"] = value::array(events);
  return b.serialize();
}

TEST_F(Distribution, EndpointEventsAreIdempotentChainedAndGapsAreAudited) {
  const Endpoint e = Enroll("events-pc");
  const std::string path = "/v1/endpoints/" + e.id + "/events";
  const value e1 = Event(1, "ev-" + e.id + "-1", audit::kGenesisHash);
  const value e2 = Event(2, "ev-" + e.id + "-2", e1.at("hash").as_string());
  HttpResult first = ac_->Request("POST", path, e.token, Batch({e1, e2}));
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.json().at("accepted").as_integer(), 2);
  HttpResult repeat = ac_->Request("POST", path, e.token, Batch({e1, e2}));
  EXPECT_EQ(repeat.json().at("accepted").as_integer(), 0);
  EXPECT_EQ(repeat.json().at("duplicates").as_integer(), 2);

  value tampered = Event(3, "ev-" + e.id + "-3", e2.at("hash").as_string());
  tampered["outcome"] = value::string("failure");
  HttpResult bad = ac_->Request("POST", path, e.token, Batch({tampered}));
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("/events/0/hash"), std::string::npos) << bad.body;

  const value e5 = Event(5, "ev-" + e.id + "-5", "f00d");  // 3 and 4 never came
  HttpResult gap = ac_->Request("POST", path, e.token, Batch({e5}));
  EXPECT_EQ(gap.json().at("last_seq").as_integer(), 5);
  EXPECT_EQ(ac_->Request("POST", "/v1/endpoints/" + e.id + "/events", Master(), Batch({e5})).status,
            403u);

  const std::string audit = Export();
  EXPECT_NE(audit.find(R"("action":"endpoint.events_gap")"), std::string::npos);
  std::size_t central = 0;
  for (std::size_t at = audit.find("ev-" + e.id + "-"); at != std::string::npos;
       at = audit.find("ev-" + e.id + "-", at + 1)) {
    ++central;
  }
  EXPECT_EQ(central, 3u) << "each accepted event exactly once in the central log";
  // The central chain still verifies with the endpoint's events in it.
  std::istringstream in(audit);
  EXPECT_TRUE(audit::VerifyJsonl(in, {}).ok);
}

TEST_F(Distribution, SigtermAnswersParkedPollsAndExitsCleanly) {
  const Endpoint e = Enroll("shutdown-pc");
  const auto start = std::chrono::steady_clock::now();
  auto parked = std::async(std::launch::async, [&] {
    return ac_->TryRequest("GET", "/v1/endpoints/" + e.id + "/commands?wait=60", e.token);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it park
  const int status = ac_->Kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const HttpResult r = parked.get();
  EXPECT_EQ(r.status, 204u) << r.body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30))
      << "answered at shutdown, not at its 60 s timeout";
  ac_->Start();  // for any test after this one
}

}  // namespace
}  // namespace custodian::admincenter
