// The endpoint, principal, audit and key repositories' part of the
// conformance suite (repository_conformance.h).
#include "admincenter/repository_conformance.h"

namespace custodian::admincenter {
namespace {

using EndpointRepositoryConformance = RepositoryConformance;

TEST_P(EndpointRepositoryConformance, AnEnrollmentCodeServesOnceAndOnlyBeforeItExpires) {
  engine_->WriteEndpoints([](EndpointRepository& r) {
    r.InsertEnrollmentCode("enc-1", "hash-1", "t-1", kT0, kT0 + std::chrono::minutes(60));
    EXPECT_FALSE(r.UseEnrollmentCode("hash-1", kT0 + std::chrono::minutes(61), "e-1"));
    EXPECT_EQ(r.UseEnrollmentCode("hash-1", kT0 + std::chrono::minutes(1), "e-1"), "enc-1");
    EXPECT_FALSE(r.UseEnrollmentCode("hash-1", kT0 + std::chrono::minutes(2), "e-2"));
    EXPECT_FALSE(r.UseEnrollmentCode("hash-2", kT0, "e-2"));
  });
}

TEST_P(EndpointRepositoryConformance, CommandsWaitUntilTheirOwnEndpointAcknowledgesThem) {
  engine_->WriteEndpoints([](EndpointRepository& r) {
    const std::string a = r.QueueCommand("e-1", "sync", "{}", kT0);
    const std::string b = r.QueueCommand("e-1", "session.end", R"({"session_id":"s"})", kT0);
    r.QueueCommand("e-2", "sync", "{}", kT0);
    const auto pending = r.PendingCommands("e-1", 10);
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].id, a);  // in the order queued
    EXPECT_EQ(pending[1].body, R"({"session_id":"s"})");
    EXPECT_EQ(r.PendingCommands("e-1", 1).size(), 1u);
    EXPECT_EQ(r.AckCommands("e-2", {a}, kT0), 0);  // not its own
    EXPECT_EQ(r.AckCommands("e-1", {a, a, "cmd-404"}, kT0), 1);
    ASSERT_EQ(r.PendingCommands("e-1", 10).size(), 1u);
    EXPECT_EQ(r.PendingCommands("e-1", 10)[0].id, b);
  });
}

TEST_P(EndpointRepositoryConformance, EndpointsKeepTheirChainHeadAndSightings) {
  engine_->WriteEndpoints([](EndpointRepository& r) {
    EXPECT_FALSE(r.EventReceived("ev-1"));
    r.KeepEvent("ev-1", "e-1", 1, "h1", 7);
    EXPECT_TRUE(r.EventReceived("ev-1"));
    r.SetEventHead("e-1", 1, "h1");
    r.RecordSeen("e-1", kT0, 3);
    r.RecordSeen("e-1", kT0 + std::chrono::seconds(5), std::nullopt);  // keeps the version
    const auto e = r.Endpoint("e-1");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->last_event_seq, 1);
    EXPECT_EQ(e->last_event_hash, "h1");
    EXPECT_EQ(e->bundle_version, 3);
    EXPECT_EQ(e->last_seen, kT0 + std::chrono::seconds(5));
    EXPECT_EQ(r.Endpoints().size(), 2u);
    EXPECT_FALSE(r.LatestBundle());
    r.Insert(BundleRecord{1, kT0, kT0 + std::chrono::hours(24), "p", "k", "{}"});
    r.Insert(BundleRecord{2, kT0, kT0 + std::chrono::hours(24), "p2", "k", "{}"});
    EXPECT_EQ(r.LatestBundle()->version, 2);
    EXPECT_EQ(r.LatestBundle()->policy_hash, "p2");
  });
}

using PrincipalRepositoryConformance = RepositoryConformance;

TEST_P(PrincipalRepositoryConformance, TokensStandForEnabledPrincipalsUntilRevokedOrExpired) {
  engine_->WritePrincipals([](PrincipalRepository& r) {
    Principal admin;
    admin.id = "p-a";
    admin.name = "alice";
    admin.role = Role::kAdmin;
    admin.scopes = {"g"};
    r.Insert(admin, "argon-hash", kT0);
    std::string hash;
    const auto found = r.FindByName("alice", &hash);
    ASSERT_TRUE(found);
    EXPECT_EQ(hash, "argon-hash");
    EXPECT_EQ(found->scopes, std::vector<std::string>{"g"});
    EXPECT_EQ(r.List(Role::kAdmin).size(), 1u);
    EXPECT_EQ(r.List(Role::kTechnician).size(), 2u);  // the engine's t-1 and t-2

    const IssuedToken t = r.IssueToken("p-a", kT0, std::chrono::hours(1));
    policy::Instant expires{};
    const auto by_token =
        r.FindByToken(crypto::Sha256(t.secret), false, kT0 + std::chrono::minutes(1), &expires);
    ASSERT_TRUE(by_token);
    EXPECT_EQ(by_token->id, "p-a");
    EXPECT_EQ(expires, kT0 + std::chrono::hours(1));
    EXPECT_FALSE(r.FindByToken(crypto::Sha256(t.secret), false, kT0 + std::chrono::hours(2),
                               nullptr));  // expired
    EXPECT_EQ(r.TokenOwner(t.id), "p-a");
    r.SetDisabled("p-a", true, kT0);  // revokes its tokens too
    EXPECT_FALSE(r.TokenOwner(t.id));
    EXPECT_FALSE(r.FindByToken(crypto::Sha256(t.secret), false, kT0, nullptr));
    EXPECT_TRUE(r.Find("p-a")->disabled);
    // Endpoint tokens name the endpoint.
    EXPECT_EQ(r.FindByToken(std::string("\x01", 1), true, kT0, nullptr)->id, "e-1");
  });
}

TEST_P(PrincipalRepositoryConformance, AnEngineFailureIsAStorageErrorAndRollsTheWriteBack) {
  Principal tina;  // the engine's t-1 exists already
  tina.id = "t-1";
  tina.name = "tina-again";
  tina.role = Role::kTechnician;
  Storage& storage = engine_->storage();
  EXPECT_THROW(storage.Write([&](Repositories& tx) {
    AuditEvent e;
    e.action = "principal.create";
    AppendAudit(tx.audit(), e, kT0);
    tx.principals().Insert(tina, "", kT0);  // the id is taken
    return true;
  }),
               StorageError);
  EXPECT_FALSE(storage.Read([](Repositories& tx) {
    return tx.principals().FindByName("tina-again", nullptr).has_value();
  }));
  EXPECT_EQ(storage.Read([](Repositories& tx) { return tx.audit().Head().seq; }), 0);
}

using AuditRepositoryConformance = RepositoryConformance;

audit::EventFields Event(int64_t seq, const std::string& prev, const std::string& action) {
  audit::EventFields f;
  f.seq = seq;
  f.id = "evt_" + std::to_string(seq);
  f.ts = "2026-03-01T10:00:0" + std::to_string(seq) + "Z";
  f.actor_kind = "system";
  f.actor_id = "test";
  f.action = action;
  f.target = "t";
  f.outcome = "success";
  f.reasons_json = "[]";
  f.details_json = "{}";
  f.prev_hash = prev;
  return f;
}

TEST_P(AuditRepositoryConformance, TheChainReadsBackInOrderAndCursorsKeepTheirSnapshot) {
  engine_->WriteAudit([](AuditRepository& r) {
    EXPECT_EQ(r.Head().seq, 0);
    EXPECT_EQ(r.Head().hash, audit::kGenesisHash);
    std::string prev = audit::kGenesisHash;
    for (int64_t seq = 1; seq <= 3; ++seq) {
      const audit::EventFields f = Event(seq, prev, seq == 2 ? "group.create" : "auth.login");
      prev = audit::EventHash(f);
      r.Insert(f, prev);
    }
    EXPECT_EQ(r.Head().seq, 3);
    EXPECT_EQ(r.Head().hash, prev);
    EXPECT_EQ(r.HashAt(0), audit::kGenesisHash);
    EXPECT_EQ(r.HashAt(4), "");
    std::vector<int64_t> after;
    r.EventsAfter(1, [&](const StoredEvent& e) {
      after.push_back(e.fields.seq);
      EXPECT_EQ(audit::EventHash(e.fields), e.hash);
      return e.fields.seq < 2;  // stop after the first
    });
    EXPECT_EQ(after, (std::vector<int64_t>{2}));
    r.Keep({3, prev, "2026-03-01T10:00:09Z", "k1", "sig", R"({"seq":3})"});
    r.Keep({3, prev, "2026-03-01T10:00:09Z", "k1", "sig2", R"({"seq":3})"});  // replaced
    ASSERT_EQ(r.Checkpoints().size(), 1u);
    EXPECT_EQ(r.Checkpoints()[0].signature, "sig2");
  });
  AuditQuery logins;
  logins.action = "auth.login";
  auto cursor = engine_->Cursor(logins);
  EXPECT_EQ(cursor->head().seq, 3);
  engine_->WriteAudit([](AuditRepository& r) {  // after the cursor's snapshot
    r.Insert(Event(4, r.Head().hash, "auth.login"), "h4");
  });
  std::vector<int64_t> seen;
  StoredEvent e;
  while (cursor->Next(e)) seen.push_back(e.fields.seq);
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 3}));
  AuditQuery window;
  window.since = "2026-03-01T10:00:02Z";
  window.until = "2026-03-01T10:00:04Z";
  auto ranged = engine_->Cursor(window);
  seen.clear();
  while (ranged->Next(e)) seen.push_back(e.fields.seq);
  EXPECT_EQ(seen, (std::vector<int64_t>{2, 3}));
}

TEST_P(AuditRepositoryConformance, OneKeyIsActiveAndRetiredKeysStayListed) {
  engine_->WriteKeys([](KeyRepository& r) {
    r.Activate({"k1", "pub1", "key.pem", "active", "2026-03-01T10:00:00Z", std::nullopt});
    r.Activate({"k2", "pub2", "keys/k2.pem", "active", "2026-03-02T10:00:00Z", std::nullopt});
    EXPECT_EQ(r.Key("k1")->state, "listed");
    EXPECT_EQ(r.Key("k2")->state, "active");
    r.Retire("k1", kT0);
    EXPECT_EQ(r.Key("k1")->state, "retired");
    EXPECT_EQ(r.Key("k1")->retired_at, policy::FormatRfc3339(kT0));
    ASSERT_EQ(r.Keys().size(), 2u);
    EXPECT_EQ(r.Keys()[0].key_id, "k1");
    EXPECT_FALSE(r.Key("k3"));
    // Keys made within one second keep the order they were made in.
    r.Activate({"zz", "pub3", "keys/zz.pem", "active", "2026-03-03T10:00:00Z", std::nullopt});
    r.Activate({"aa", "pub4", "keys/aa.pem", "active", "2026-03-03T10:00:00Z", std::nullopt});
    ASSERT_EQ(r.Keys().size(), 4u);
    EXPECT_EQ(r.Keys()[2].key_id, "zz");
    EXPECT_EQ(r.Keys()[3].key_id, "aa");
  });
}

using LeaseRepositoryConformance = RepositoryConformance;

TEST_P(LeaseRepositoryConformance, ALeaseHasOneHolderUntilItExpires) {
  const std::chrono::seconds term(150);
  auto acquire = [&](const std::string& holder, policy::Instant at) {
    return engine_->storage().Write(
        [&](Repositories& tx) { return tx.leases().Acquire("seal", holder, at, term); });
  };
  EXPECT_TRUE(acquire("a", kT0));
  EXPECT_FALSE(acquire("b", kT0 + std::chrono::seconds(10)));   // a holds it
  EXPECT_TRUE(acquire("a", kT0 + std::chrono::seconds(60)));    // a renews
  EXPECT_FALSE(acquire("b", kT0 + std::chrono::seconds(200)));  // renewed until 210 s
  EXPECT_TRUE(acquire("b", kT0 + std::chrono::seconds(210)));   // a is gone: b takes it
  EXPECT_FALSE(acquire("a", kT0 + std::chrono::seconds(211)));
  // Another lease is another matter.
  EXPECT_TRUE(engine_->storage().Write(
      [&](Repositories& tx) { return tx.leases().Acquire("other", "a", kT0, term); }));
}

CUSTODIAN_EVERY_ENGINE(EndpointRepositoryConformance);
CUSTODIAN_EVERY_ENGINE(PrincipalRepositoryConformance);
CUSTODIAN_EVERY_ENGINE(AuditRepositoryConformance);
CUSTODIAN_EVERY_ENGINE(LeaseRepositoryConformance);

}  // namespace
}  // namespace custodian::admincenter
