// Several admin-center replicas on one PostgreSQL database, as real
// processes on a real server (tests/support/postgres.sh): one audit chain
// under concurrent writers on every replica, tokens and commands that
// cross replicas at once, a replica killed mid-write, and the database
// restarted under load.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "admincenter/storage/postgres.h"
#include "common/crypto.h"
#include "support/admincenter_process.h"
#include "support/enforcer_process.h"
#include "support/haproxy.h"
#include "support/postgres.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;
using custodian::testing::HttpResult;
using web::json::value;

constexpr char kPassword[] = "a long enough password";

// The server processes of `db`'s listening connections (each replica's
// change feed), stopped (SIGSTOP) until destroyed: notifications then
// queue up unheard, as with a listener that has fallen behind.
class StalledChangeFeeds {
 public:
  StalledChangeFeeds(const testing::PostgresScratch& db, std::size_t listeners) {
    auto c = PgConnection::Connect(db.url());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (pids_.size() < listeners && std::chrono::steady_clock::now() < deadline) {
      pids_.clear();
      auto q = c->Prepare(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
          "AND query = 'LISTEN custodian_changes'");
      while (q->Step()) pids_.push_back(static_cast<pid_t>(q->Int64(0)));
      if (pids_.size() < listeners) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(pids_.size(), listeners) << "not every replica listens";
    for (pid_t pid : pids_) EXPECT_EQ(::kill(pid, SIGSTOP), 0) << pid;
  }
  ~StalledChangeFeeds() {
    for (pid_t pid : pids_) ::kill(pid, SIGCONT);
  }
  StalledChangeFeeds(const StalledChangeFeeds&) = delete;
  StalledChangeFeeds& operator=(const StalledChangeFeeds&) = delete;

 private:
  std::vector<pid_t> pids_;
};

class Replicas : public ::testing::Test {
 protected:
  explicit Replicas(const testing::PostgresServer& server = testing::PostgresServer::Shared())
      : db_(server) {}
  void SetUp() override {
    const std::vector<std::string> database = {"--database", db_.url()};
    a_ = std::make_unique<AdminCenterProcess>("replica-a", database, database);
    std::vector<std::string> shared = database;
    shared.insert(shared.end(), {"--key-dir", a_->data_dir()});
    b_ =
        std::make_unique<AdminCenterProcess>("replica-b", shared, AdminCenterProcess::Replica{*a_});
  }
  void TearDown() override {
    b_.reset();
    a_.reset();
  }

  AdminCenterProcess& replica(std::size_t i) { return i % 2 == 0 ? *a_ : *b_; }
  const std::string& master() const { return a_->master_token(); }

  // The audit export of `ac`, its events (the trailer dropped).
  std::vector<value> Events(AdminCenterProcess& ac) {
    const HttpResult r = ac.Request("GET", "/v1/audit/events", master());
    EXPECT_EQ(r.status, 200u) << r.body;
    std::vector<value> out;
    std::istringstream in(r.body);
    for (std::string line; std::getline(in, line);) {
      value v = value::parse(line);
      if (!v.has_field("trailer")) out.push_back(v);
    }
    return out;
  }
  // The events are one chain, numbered 1, 2, … without a gap, and
  // `custodian audit verify` accepts the export with its signed trailer.
  void ExpectOneIntactChain(AdminCenterProcess& ac) {
    const std::vector<value> events = Events(ac);
    for (std::size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i].at("seq").as_number().to_int64(), static_cast<int64_t>(i + 1));
    }
    const std::string file = (ac.dir() / "export.jsonl").string();
    std::ofstream(file) << ac.Request("GET", "/v1/audit/events", master()).body;
    const auto verified =
        custodian::testing::RunCommand(std::string(CUSTODIAN_BINARY) + " audit verify " + file);
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
  }
  // The ids of the groups whose creation the log records.
  std::multiset<std::string> CreatedGroups(AdminCenterProcess& ac) {
    std::multiset<std::string> out;
    for (const value& e : Events(ac)) {
      if (e.at("action").as_string() == "group.create") {
        out.insert(e.at("target").as_string().substr(std::string("group:").size()));
      }
    }
    return out;
  }
  // Queues a sync command for `endpoint` on `ac` and waits until the
  // endpoint's receipt of it (command.received, chained on the endpoint)
  // is in `ac`'s audit log.
  bool CommandReachesEndpoint(AdminCenterProcess& ac, const std::string& endpoint) {
    const HttpResult queued = ac.Request("POST", "/v1/endpoints/" + endpoint + "/commands",
                                         master(), R"({"type":"sync"})");
    EXPECT_EQ(queued.status, 201u) << queued.body;
    if (queued.status != 201u) return false;
    const std::string target = "command:" + queued.json().at("id").as_string();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const value& e : Events(ac)) {
        if (e.at("action").as_string() == "command.received" &&
            e.at("target").as_string() == target) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
  static std::string Group(const std::string& id) {
    return R"({"id":")" + id + R"(","name":")" + id + R"("})";
  }

  testing::PostgresScratch db_;
  std::unique_ptr<AdminCenterProcess> a_, b_;
};

TEST_F(Replicas, ConcurrentWritersOnEveryReplicaMakeOneChain) {
  constexpr int kWriters = 8, kEach = 15;
  std::vector<std::future<std::vector<std::string>>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::async(std::launch::async, [&, w] {
      std::vector<std::string> created;
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "g-" + std::to_string(w) + "-" + std::to_string(i);
        const HttpResult r = replica(w + i).Request("POST", "/v1/groups", master(), Group(id));
        if (r.status == 201u) created.push_back(id);
        EXPECT_EQ(r.status, 201u) << r.body;
      }
      return created;
    }));
  }
  std::multiset<std::string> acknowledged;
  for (auto& w : writers) {
    for (const std::string& id : w.get()) acknowledged.insert(id);
  }
  ASSERT_EQ(acknowledged.size(), static_cast<std::size_t>(kWriters * kEach));
  EXPECT_EQ(CreatedGroups(*a_), acknowledged);
  ExpectOneIntactChain(*a_);
  ExpectOneIntactChain(*b_);
  // Both replicas answer from one database (each from its compiled
  // policy, read again since the other's last write).
  EXPECT_EQ(a_->Request("GET", "/v1/groups", master()).body,
            b_->Request("GET", "/v1/groups", master()).body);
}

TEST_F(Replicas, ADisabledPrincipalsTokenStopsWorkingOnEveryReplica) {
  const HttpResult created =
      a_->Request("POST", "/v1/auditors", master(),
                  R"({"name":"una","password":")" + std::string(kPassword) + R"("})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string token =
      b_->Request("POST", "/v1/tokens", std::nullopt,
                  R"({"name":"una","password":")" + std::string(kPassword) + R"("})")
          .json()
          .at("token")
          .as_string();
  // Replica B has seen the token and keeps it in memory.
  EXPECT_EQ(b_->Request("GET", "/v1/settings", token).status, 200u);
  EXPECT_EQ(b_->Request("GET", "/v1/settings", token).status, 200u);
  const std::string id = created.json().at("id").as_string();
  ASSERT_EQ(a_->Request("PATCH", "/v1/auditors/" + id, master(), R"({"disabled":true})").status,
            200u);
  // B's next request already knows (Storage::CatchUp), and B's feed tells
  // it too.
  EXPECT_EQ(b_->Request("GET", "/v1/settings", token).status, 401u);
  EXPECT_EQ(b_->Request("GET", "/v1/audit/checkpoint", token).status, 401u);
}

// What one replica acknowledged governs the very next request on the other
// (R1, R3): a withdrawn permission, a disabled principal. Not "as soon as
// the other hears of it" -- an admin told "saved" must not see a
// technician pass on the replica the load balancer picks next.
TEST_F(Replicas, TheNextRequestOnAnyReplicaSeesTheLastAcknowledgedWrite) {
  // Neither replica hears the other's notifications meanwhile: each feed's
  // backend is stopped, as a slow listener on a loaded machine would be.
  StalledChangeFeeds stalled(db_, 2);
  ASSERT_EQ(a_->Request("POST", "/v1/groups", master(),
                        R"({"id":"g-r","name":"R","permissions":{"unattended_access":true}})")
                .status,
            201u);
  const HttpResult tech = a_->Request("POST", "/v1/technicians", master(),
                                      R"({"name":"tina","password":")" + std::string(kPassword) +
                                          R"(","group_id":"g-r","time_zone":"UTC"})");
  ASSERT_EQ(tech.status, 201u) << tech.body;
  const std::string decision =
      R"({"action":"unattended.request","technician_id":")" + tech.json().at("id").as_string() +
      R"(","session":{"type":"applet","active":true},)"
      R"("endpoint":{"os":"windows","time_zone":"UTC"},)"
      R"("credential_mode":"at_setup","schedule":{"kind":"days","days":3}})";
  auto effect_on_b = [&] {
    const HttpResult r = b_->Request("POST", "/v1/decisions", master(), decision);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json().at("effect").as_string();
  };
  ASSERT_EQ(effect_on_b(), "allow");  // B has compiled the policy and keeps it
  for (int round = 0; round < 20; ++round) {
    const bool allowed = round % 2 == 1;
    const HttpResult patched = a_->Request("PATCH", "/v1/groups/g-r", master(),
                                           std::string(R"({"permissions":{"unattended_access":)") +
                                               (allowed ? "true" : "false") + "}}");
    ASSERT_EQ(patched.status, 200u) << patched.body;
    ASSERT_EQ(effect_on_b(), allowed ? "allow" : "deny") << "round " << round;
  }
  for (int round = 0; round < 5; ++round) {
    const std::string name = "una" + std::to_string(round);
    const HttpResult created =
        a_->Request("POST", "/v1/auditors", master(),
                    R"({"name":")" + name + R"(","password":")" + kPassword + R"("})");
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::string token =
        b_->Request("POST", "/v1/tokens", std::nullopt,
                    R"({"name":")" + name + R"(","password":")" + kPassword + R"("})")
            .json()
            .at("token")
            .as_string();
    ASSERT_EQ(b_->Request("GET", "/v1/settings", token).status, 200u);  // B keeps it
    const std::string id = created.json().at("id").as_string();
    ASSERT_EQ(a_->Request("PATCH", "/v1/auditors/" + id, master(), R"({"disabled":true})").status,
              200u);
    ASSERT_EQ(b_->Request("GET", "/v1/settings", token).status, 401u) << "round " << round;
  }
}

TEST_F(Replicas, ACommandQueuedOnOneReplicaWakesAPollParkedOnTheOther) {
  const std::string code =
      a_->Request("POST", "/v1/enrollment-codes", master(), "{}").json().at("code").as_string();
  const HttpResult enrolled = b_->Request(
      "POST", "/v1/enroll", std::nullopt,
      R"({"code":")" + code + R"(","name":"pc","os":"linux","time_zone":"Europe/Berlin"})");
  ASSERT_EQ(enrolled.status, 201u) << enrolled.body;
  const std::string endpoint = enrolled.json().at("endpoint_id").as_string();
  const std::string token = enrolled.json().at("token").as_string();
  const std::string path = "/v1/endpoints/" + endpoint + "/commands";
  const auto start = std::chrono::steady_clock::now();
  auto parked =
      std::async(std::launch::async, [&] { return b_->Request("GET", path + "?wait=50", token); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it park on B
  const HttpResult queued = a_->Request("POST", path, master(), R"({"type":"sync"})");
  ASSERT_EQ(queued.status, 201u) << queued.body;
  const HttpResult woken = parked.get();
  ASSERT_EQ(woken.status, 200u) << woken.body;
  EXPECT_EQ(woken.json().at("items").at(0).at("id").as_string(),
            queued.json().at("id").as_string());
  // Woken by A's notification, not by the 50 s timeout (nor a 1 s poll of
  // a lost listener, which would also be well under it).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(40));
}

TEST_F(Replicas, AKeyRotatedOnOneReplicaSignsOnEveryReplica) {
  const HttpResult rotated = a_->Request("POST", "/v1/policy/keys", master(), "{}");
  ASSERT_EQ(rotated.status, 201u) << rotated.body;
  const std::string key_id = rotated.json().at("key_id").as_string();
  // B's bundle is signed by the new key as soon as B has heard of it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string signer;
  while (signer != key_id && std::chrono::steady_clock::now() < deadline) {
    const HttpResult bundle = b_->Request("GET", "/v1/policy/bundle", master());
    ASSERT_EQ(bundle.status, 200u) << bundle.body;
    const value envelope = value::parse(bundle.body);
    signer = envelope.at("signatures").at(0).at("key_id").as_string();
    if (signer != key_id) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(signer, key_id);
  ExpectOneIntactChain(*b_);
}

TEST_F(Replicas, AReplicaKilledMidWriteLosesNoAcknowledgedWrite) {
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  auto writer = [&](AdminCenterProcess& ac) {
    std::vector<std::string> acknowledged;
    while (!stop) {
      const std::string id = "k-" + std::to_string(next++);
      const HttpResult r = ac.TryRequest("POST", "/v1/groups", master(), Group(id));
      if (r.status == 201u) acknowledged.push_back(id);
      if (r.status == 0) break;  // the replica is gone
    }
    return acknowledged;
  };
  std::vector<std::future<std::vector<std::string>>> on_a, on_b;
  for (int i = 0; i < 3; ++i) {
    on_a.push_back(std::async(std::launch::async, writer, std::ref(*a_)));
    on_b.push_back(std::async(std::launch::async, writer, std::ref(*b_)));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  a_->Kill(SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // B keeps writing
  stop = true;
  std::multiset<std::string> acknowledged;
  std::size_t on_b_count = 0;
  for (auto& f : on_a) {
    for (const std::string& id : f.get()) acknowledged.insert(id);
  }
  for (auto& f : on_b) {
    for (const std::string& id : f.get()) {
      acknowledged.insert(id);
      ++on_b_count;
    }
  }
  EXPECT_GT(on_b_count, 0u);
  // Every acknowledged write is there with its audit event, exactly once;
  // a write A had not acknowledged is there whole or not at all.
  const std::multiset<std::string> logged = CreatedGroups(*b_);
  for (const std::string& id : acknowledged) EXPECT_EQ(logged.count(id), 1u) << id;
  const value groups = b_->Request("GET", "/v1/groups", master()).json().at("items");
  std::multiset<std::string> stored;
  for (const value& g : groups.as_array()) stored.insert(g.at("id").as_string());
  for (const std::string& id : logged) EXPECT_EQ(stored.count(id), 1u) << id;
  EXPECT_EQ(stored.size(), logged.size());
  ExpectOneIntactChain(*b_);
  // The survivor's chain goes on, and A comes back to the same one.
  a_->Start();
  EXPECT_EQ(a_->Request("POST", "/v1/groups", master(), Group("after")).status, 201u);
  ExpectOneIntactChain(*a_);
}

// Bundles issued by either replica after policy changes on either: each
// new policy gets the next version, wherever it is asked for, and no
// version is issued twice.
TEST_F(Replicas, BundleVersionsStrictlyIncreaseAcrossReplicas) {
  auto version = [&](AdminCenterProcess& ac) {
    const HttpResult r = ac.Request("GET", "/v1/policy/bundle", master());
    EXPECT_EQ(r.status, 200u) << r.body;
    const std::string bytes = *crypto::FromBase64(value::parse(r.body).at("bundle").as_string());
    return value::parse(bytes).at("version").as_number().to_int64();
  };
  int64_t last = version(*a_);
  for (int i = 0; i < 6; ++i) {
    AdminCenterProcess& writer = replica(i);
    AdminCenterProcess& reader = replica(i + 1);
    ASSERT_EQ(
        writer.Request("POST", "/v1/groups", master(), Group("b-" + std::to_string(i))).status,
        201u);
    // The other replica issues it once it has heard of the change.
    int64_t issued = version(reader);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (issued == last && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      issued = version(reader);
    }
    EXPECT_EQ(issued, last + 1);
    EXPECT_EQ(version(writer), issued);  // and this one serves the same
    last = issued;
  }
  std::set<int64_t> published;
  for (const value& e : Events(*a_)) {
    if (e.at("action").as_string() != "policy.bundle_publish") continue;
    const int64_t v = e.at("details").at("version").as_number().to_int64();
    EXPECT_TRUE(published.insert(v).second) << "version " << v << " published twice";
  }
  EXPECT_EQ(published.size(), static_cast<std::size_t>(last));
}

// Replicas seal the same head at their start and stop; each one's anchor
// file must still name what the database holds, or the next start of a
// replica killed before it sealed again would call the chain broken.
TEST_F(Replicas, AReplicaKilledAfterAnotherSealedTheSameHeadStartsIntact) {
  // Checkpoints are signed with their time: let the second change, so that
  // B's seal of the same head would differ from A's.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  b_->Kill(SIGTERM);  // seals the head once more
  a_->Kill(SIGKILL);  // keeps the anchor of its start
  a_->Start();
  EXPECT_EQ(a_->Request("GET", "/healthz", std::nullopt).json().at("audit_chain").as_string(),
            "intact");
  EXPECT_EQ(a_->Request("GET", "/v1/audit/checkpoint", master()).status, 200u);
}

// An endpoint enrolled with both replicas' URLs keeps working through the
// survivor: it moves on when its replica is gone, and a command queued on
// the survivor reaches it and comes back as its event.
TEST_F(Replicas, AnEnforcerGivenEveryReplicaFailsOverToTheSurvivor) {
  const std::string both = a_->url() + "," + b_->url();
  testing::EnforcerProcess enforcer(*a_, "failover-pc", "linux",
                                    {"--poll-interval", "1", "--command-wait", "5"}, both);
  ASSERT_TRUE(enforcer.WaitFor([&](const value& s) {
    return s.at("admin_center").as_string() == a_->url() && !s.at("last_sync").is_null();
  }));
  a_->Kill(SIGKILL);
  // Its receipt, chained on the endpoint, arrives through B.
  EXPECT_TRUE(CommandReachesEndpoint(*b_, enforcer.id())) << enforcer.log();
  EXPECT_EQ(enforcer.Status().at("admin_center").as_string(), b_->url());
  EXPECT_NE(enforcer.log().find("admin_center_failover"), std::string::npos);
  ExpectOneIntactChain(*b_);
}

// The CLI given several URLs takes the first that answers; a request the
// first refused at connect goes to the next.
TEST_F(Replicas, TheCliGivenSeveralUrlsUsesOneThatAnswers) {
  const std::string token_file = (a_->dir() / "token").string();
  std::ofstream(token_file) << master();
  // Nothing listens on port 1: refused at connect.
  const std::string urls = "http://127.0.0.1:1," + b_->url();
  const auto created = custodian::testing::RunCommand(
      std::string(CUSTODIAN_BINARY) + " groups create --id cli-g --name CLI --url " + urls +
      " --token-file " + token_file);
  EXPECT_EQ(created.exit_code, 0) << created.output;
  a_->Kill(SIGKILL);
  const auto listed =
      custodian::testing::RunCommand(std::string(CUSTODIAN_BINARY) + " groups list --json --url " +
                                     a_->url() + "," + b_->url() + " --token-file " + token_file);
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("cli-g"), std::string::npos) << listed.output;
  // None answers: exit 3, naming what was tried.
  const auto none = custodian::testing::RunCommand(std::string(CUSTODIAN_BINARY) +
                                                   " groups list --url http://127.0.0.1:1," +
                                                   a_->url() + " --token-file " + token_file);
  EXPECT_EQ(none.exit_code, 3) << none.output;
}

// Three replicas started at once on a database `init` has just made: each
// registers the signing key only if none is, inside its write, so all serve.
TEST(ReplicasStartingTogether, AllServeOnAFreshlyInitialisedDatabase) {
  testing::PostgresScratch db;
  const auto dir =
      std::filesystem::temp_directory_path() / ("custodian-together-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto init =
      custodian::testing::RunCommand(std::string(CUSTODIAN_ADMINCENTER) + " init --data-dir " +
                                     (dir / "r0").string() + " --database " + db.url());
  ASSERT_EQ(init.exit_code, 0) << init.output;
  std::vector<pid_t> pids;
  for (int i = 0; i < 3; ++i) {
    pids.push_back(testing::Spawn(
        {CUSTODIAN_ADMINCENTER, "run", "--data-dir", (dir / ("r" + std::to_string(i))).string(),
         "--database", db.url(), "--key-dir", (dir / "r0").string(), "--listen", "127.0.0.1:0"},
        (dir / ("r" + std::to_string(i) + ".out")).string(),
        (dir / ("r" + std::to_string(i) + ".err")).string()));
  }
  for (int i = 0; i < 3; ++i) {
    const std::string log = (dir / ("r" + std::to_string(i) + ".err")).string();
    EXPECT_TRUE(testing::WaitForLogLine(log, std::regex("listening"))) << testing::Slurp(log);
  }
  for (pid_t& pid : pids) EXPECT_EQ(testing::StopProcess(pid, SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

TEST_F(Replicas, BehindHaproxyWritesAndAnEnforcerGoOnWhenAReplicaDies) {
  testing::Haproxy proxy(a_->dir(), {a_->port(), b_->port()});
  testing::EnforcerProcess enforcer(*a_, "proxied-pc", "linux",
                                    {"--poll-interval", "1", "--command-wait", "5"}, proxy.url());
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  auto writer = [&] {
    std::vector<std::string> acknowledged;
    while (!stop) {
      const std::string id = "h-" + std::to_string(next++);
      const HttpResult r =
          testing::HttpCall(proxy.url(), "POST", "/v1/groups", master(), Group(id));
      if (r.status == 201u) acknowledged.push_back(id);
    }
    return acknowledged;
  };
  std::vector<std::future<std::vector<std::string>>> writers;
  for (int i = 0; i < 4; ++i) writers.push_back(std::async(std::launch::async, writer));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  a_->Kill(SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  std::multiset<std::string> acknowledged;
  for (auto& w : writers) {
    for (const std::string& id : w.get()) acknowledged.insert(id);
  }
  // Through the proxy, the survivor goes on taking writes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  unsigned status = 0;
  while (status != 201u && std::chrono::steady_clock::now() < deadline) {
    status = testing::HttpCall(proxy.url(), "POST", "/v1/groups", master(), Group("after")).status;
  }
  EXPECT_EQ(status, 201u);
  const std::multiset<std::string> logged = CreatedGroups(*b_);
  for (const std::string& id : acknowledged) EXPECT_EQ(logged.count(id), 1u) << id;
  ExpectOneIntactChain(*b_);
  // The enforcer, which knows only the proxy, gets a command queued on B.
  EXPECT_TRUE(CommandReachesEndpoint(*b_, enforcer.id())) << enforcer.log();
}

// On a server of its own: the restart would disturb the tests that share one.
class ReplicasOnTheirOwnServer : public Replicas {
 protected:
  ReplicasOnTheirOwnServer() : Replicas(Own()) {}
  static testing::PostgresServer& Own() {
    static testing::PostgresServer server{testing::PostgresServer::Own{}};
    return server;
  }
};

TEST_F(ReplicasOnTheirOwnServer, ThePostgresServerRestartedUnderLoadFailsWritesWith503ThenResumes) {
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  std::atomic<int> unavailable{0};
  auto writer = [&](std::size_t which) {
    std::vector<std::string> acknowledged;
    while (!stop) {
      const std::string id = "r-" + std::to_string(next++);
      const HttpResult r = replica(which).Request("POST", "/v1/groups", master(), Group(id));
      if (r.status == 201u) {
        acknowledged.push_back(id);
      } else {
        EXPECT_EQ(r.status, 503u) << r.body;  // never a 500, never a hang
        ++unavailable;
      }
    }
    return acknowledged;
  };
  std::vector<std::future<std::vector<std::string>>> writers;
  for (std::size_t i = 0; i < 4; ++i) writers.push_back(std::async(std::launch::async, writer, i));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Own().Control("restart");
  // Both replicas write again once the server is back.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (std::size_t r = 0; r < 2; ++r) {
    unsigned status = 0;
    while (status != 201u && std::chrono::steady_clock::now() < deadline) {
      status = replica(r)
                   .Request("POST", "/v1/groups", master(), Group("back-" + std::to_string(r)))
                   .status;
      if (status != 201u) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(status, 201u) << "replica " << r;
  }
  stop = true;
  std::multiset<std::string> acknowledged;
  for (auto& w : writers) {
    for (const std::string& id : w.get()) acknowledged.insert(id);
  }
  // Nothing half-applied: every group has its event and every event its group.
  const std::multiset<std::string> logged = CreatedGroups(*a_);
  for (const std::string& id : acknowledged) EXPECT_EQ(logged.count(id), 1u) << id;
  // (A lists from its compiled policy, read again once it hears of B's
  // last write.)
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::size_t listed = 0;
  do {
    listed = a_->Request("GET", "/v1/groups", master()).json().at("items").size();
  } while (listed != logged.size() && std::chrono::steady_clock::now() < until);
  EXPECT_EQ(listed, logged.size());
  ExpectOneIntactChain(*a_);
  ::testing::Test::RecordProperty("writes_refused_while_down", unavailable.load());
}

// README "Moving to PostgreSQL": a SQLite node's data, moved, serves on
// PostgreSQL with its audit chain intact.
TEST(MoveToPostgres, ASqliteNodesDataServesOnPostgresWithItsChainIntact) {
  AdminCenterProcess old_node("move-sqlite");
  const std::string master = old_node.master_token();
  ASSERT_EQ(old_node.Request("POST", "/v1/groups", master, R"({"id":"g-1","name":"One"})").status,
            201u);
  ASSERT_EQ(
      old_node
          .Request("POST", "/v1/groups", master, R"({"id":"g-2","name":"Two","parent_id":"g-1"})")
          .status,
      201u);
  // A group moved under one made after it: its row comes before its parent's.
  ASSERT_EQ(old_node.Request("POST", "/v1/groups", master, R"({"id":"g-3","name":"Three"})").status,
            201u);
  const HttpResult reparented =
      old_node.Request("PATCH", "/v1/groups/g-1", master, R"({"parent_id":"g-3"})");
  ASSERT_EQ(reparented.status, 200u) << reparented.body;
  const std::string code =
      old_node.Request("POST", "/v1/enrollment-codes", master, "{}").json().at("code").as_string();
  const HttpResult enrolled = old_node.Request(
      "POST", "/v1/enroll", std::nullopt,
      R"({"code":")" + code + R"(","name":"pc","os":"linux","time_zone":"Europe/Berlin"})");
  ASSERT_EQ(enrolled.status, 201u);
  const std::string endpoint = enrolled.json().at("endpoint_id").as_string();
  const std::string endpoint_token = enrolled.json().at("token").as_string();
  const std::string commands = "/v1/endpoints/" + endpoint + "/commands";
  ASSERT_EQ(old_node.Request("POST", commands, master, R"({"type":"sync"})").status, 201u);
  // An auditor's checkpoint, held outside, from the SQLite days.
  const std::string held = (old_node.dir() / "held.json").string();
  std::ofstream(held) << old_node.Request("GET", "/v1/audit/checkpoint", master).body;
  const std::string groups = old_node.Request("GET", "/v1/groups", master).body;
  old_node.Kill(SIGTERM);

  testing::PostgresScratch db;
  const std::string move = std::string(CUSTODIAN_ADMINCENTER) + " move-to-postgres --data-dir " +
                           old_node.data_dir() + " --database " + db.url();
  const auto moved = custodian::testing::RunCommand(move);
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_NE(moved.output.find("audit_events: "), std::string::npos) << moved.output;
  // Never into a database that holds data already.
  const auto again = custodian::testing::RunCommand(move);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("not empty"), std::string::npos) << again.output;

  AdminCenterProcess replica("move-postgres",
                             {"--database", db.url(), "--key-dir", old_node.data_dir()},
                             AdminCenterProcess::Replica{old_node});
  EXPECT_EQ(replica.Request("GET", "/healthz", std::nullopt).json().at("audit_chain").as_string(),
            "intact");
  EXPECT_EQ(replica.Request("GET", "/v1/groups", master).body, groups);
  // The endpoint's token and its queued command came along; new commands
  // get new numbers.
  const HttpResult pending = replica.Request("GET", commands, endpoint_token);
  ASSERT_EQ(pending.status, 200u) << pending.body;
  EXPECT_EQ(pending.json().at("items").size(), 1u);
  EXPECT_EQ(replica.Request("POST", commands, master, R"({"type":"sync"})").status, 201u);
  EXPECT_EQ(replica.Request("GET", commands, endpoint_token).json().at("items").size(), 2u);
  // The whole chain, old events and new, verifies against the held checkpoint.
  const std::string file = (replica.dir() / "export.jsonl").string();
  std::ofstream(file) << replica.Request("GET", "/v1/audit/events", master).body;
  const auto verified = custodian::testing::RunCommand(
      std::string(CUSTODIAN_BINARY) + " audit verify --checkpoint " + held + " " + file);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

}  // namespace
}  // namespace custodian::admincenter
