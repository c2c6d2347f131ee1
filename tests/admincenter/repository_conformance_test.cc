// The conformance suite of the repositories (workflows, endpoints,
// principals, the audit log and its cursor, keys): one set of tests that every
// storage engine must pass. Each engine supplies an Engine (a fresh,
// migrated store with a technician "t-1" and endpoints "e-1" and "e-2",
// and a way to run code inside one write); today SQLite in a temporary
// folder, PostgreSQL next (issue "Scale-out").
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "admincenter/audit.h"
#include "admincenter/audit_repository.h"
#include "admincenter/endpoint_repository.h"
#include "admincenter/key_repository.h"
#include "admincenter/principal_repository.h"
#include "admincenter/storage/sqlite.h"
#include "admincenter/workflow_repository.h"
#include "common/crypto.h"
#include "policy/codec.h"
#include "schema/row_reader.h"
#include "support/process.h"

namespace custodian::admincenter {
namespace {

using policy::workflow::Event;

const policy::Instant kT0 = *policy::ParseRfc3339("2026-03-01T10:00:00Z");

class Engine {
 public:
  virtual ~Engine() = default;
  virtual Storage& storage() = 0;
  // Runs raw SQL (or its engine's equivalent) to damage a stored row.
  virtual void Damage(const std::string& statement) = 0;

  // Runs `f` with one repository inside one committed write.
  void Write(const std::function<void(WorkflowRepository&)>& f) {
    In([&](Repositories& tx) { f(tx.workflows()); });
  }
  void WriteEndpoints(const std::function<void(EndpointRepository&)>& f) {
    In([&](Repositories& tx) { f(tx.endpoints()); });
  }
  void WritePrincipals(const std::function<void(PrincipalRepository&)>& f) {
    In([&](Repositories& tx) { f(tx.principals()); });
  }
  void WriteAudit(const std::function<void(AuditRepository&)>& f) {
    In([&](Repositories& tx) { f(tx.audit()); });
  }
  void WriteKeys(const std::function<void(KeyRepository&)>& f) {
    In([&](Repositories& tx) { f(tx.keys()); });
  }
  // A cursor over the audit log on a connection of its own.
  std::unique_ptr<AuditCursor> Cursor(const AuditQuery& query) {
    return storage().ExportAudit(query);
  }

 private:
  void In(const std::function<void(Repositories&)>& f) {
    storage().Write([&](Repositories& tx) {
      f(tx);
      return true;
    });
  }
};

class SqliteEngine : public Engine {
 public:
  SqliteEngine() {
    dir_ = testing::FreshTestDir("custodian-repo");
    std::string error;
    auto db = SqliteDatabase::Open((dir_ / "admincenter.db").string(), true, &error);
    EXPECT_NE(db, nullptr) << error;
    storage_ = std::make_unique<SqliteStorage>(std::move(db));
    Damage(
        "INSERT INTO groups (id, name, document, position, created_at, updated_at) "
        "VALUES ('g', 'G', '{}', 1, 't', 't');"
        "INSERT INTO principals (id, kind, name, group_id, time_zone, position, created_at, "
        "updated_at) VALUES ('t-1', 'technician', 'tina', 'g', 'Europe/Berlin', 1, 't', 't');"
        "INSERT INTO principals (id, kind, name, group_id, time_zone, position, created_at, "
        "updated_at) VALUES ('t-2', 'technician', 'tom', 'g', 'Europe/Berlin', 2, 't', 't');"
        "INSERT INTO endpoints (id, name, os, time_zone, token_hash, enrolled_at) "
        "VALUES ('e-1', 'pc', 'windows', 'Europe/Vienna', x'01', '2026-03-01T00:00:00Z');"
        "INSERT INTO endpoints (id, name, os, time_zone, token_hash, enrolled_at) "
        "VALUES ('e-2', 'mac', 'macos', 'UTC', x'02', '2026-03-01T00:00:00Z');");
  }
  ~SqliteEngine() override {
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }
  Storage& storage() override { return *storage_; }
  void Damage(const std::string& statement) override {
    storage_->database().Write([&](SQLite::Database& db) {
      db.exec(statement);
      return true;
    });
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStorage> storage_;
};

using EngineFactory = std::function<std::unique_ptr<Engine>()>;

class WorkflowRepositoryConformance : public ::testing::TestWithParam<EngineFactory> {
 protected:
  void SetUp() override { engine_ = GetParam()(); }
  template <typename F>
  auto In(F f) {
    std::optional<std::invoke_result_t<F, WorkflowRepository&>> out;
    engine_->Write([&](WorkflowRepository& r) { out.emplace(f(r)); });
    return *out;
  }
  void Do(const std::function<void(WorkflowRepository&)>& f) { engine_->Write(f); }

  static SessionRecord Session(const std::string& id, const std::string& technician = "t-1") {
    SessionRecord s;
    s.id = id;
    s.technician_id = technician;
    s.endpoint_id = "e-1";
    s.session = {policy::SessionType::kInstantChat, true, true, false};
    s.started_at = kT0;
    return s;
  }
  static RequestRecord Request(const std::string& id, const std::string& session) {
    RequestRecord u;
    u.id = id;
    u.session_id = session;
    u.technician_id = "t-1";
    u.endpoint_id = "e-1";
    u.credential_mode = policy::AuthMode::kAtSetup;
    u.schedule.kind = policy::Schedule::Kind::kDays;
    u.schedule.days = 7;
    u.schedule.daily = policy::DailyWindow{9 * 60, 17 * 60};
    u.created_at = kT0;
    u.expires_at = kT0 + std::chrono::minutes(30);
    return u;
  }
  static Transition Move(Entity entity, std::optional<State> from, Event event,
                         policy::Instant at = kT0 + std::chrono::minutes(1),
                         policy::workflow::Outcome outcome = policy::workflow::Outcome::kSuccess) {
    return *policy::workflow::Apply({entity, from}, event, at, outcome).transition;
  }

  std::unique_ptr<Engine> engine_;
};

TEST_P(WorkflowRepositoryConformance, RecordsReadBackAsTheyWereStored) {
  Do([](WorkflowRepository& r) {
    r.Insert(Session("s-1"));
    r.Insert(Request("u-1", "s-1"));
  });
  const auto s = In([](WorkflowRepository& r) { return r.Session("s-1"); });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->session.type, policy::SessionType::kInstantChat);
  EXPECT_TRUE(s->session.chat_only);
  EXPECT_EQ(s->state, State::kActive);
  EXPECT_EQ(s->started_at, kT0);
  EXPECT_FALSE(s->ended_at);
  const auto u = In([](WorkflowRepository& r) { return r.Request("u-1"); });
  ASSERT_TRUE(u);
  EXPECT_EQ(u->credential_mode, policy::AuthMode::kAtSetup);
  EXPECT_EQ(policy::EncodeSchedule(u->schedule).serialize(),
            policy::EncodeSchedule(Request("u-1", "s-1").schedule).serialize());
  EXPECT_EQ(u->expires_at, kT0 + std::chrono::minutes(30));
  EXPECT_EQ(u->reasons, "[]");
  EXPECT_TRUE(u->grant_id.empty());
  EXPECT_FALSE(In([](WorkflowRepository& r) { return r.Session("s-404"); }));
  const auto endpoint = In([](WorkflowRepository& r) { return r.Endpoint("e-1"); });
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->os, policy::Os::kWindows);
  EXPECT_EQ(endpoint->time_zone, "Europe/Vienna");
  EXPECT_FALSE(In([](WorkflowRepository& r) { return r.Endpoint("e-404"); }));
}

TEST_P(WorkflowRepositoryConformance, AMoveIsACompareAndSetOnTheStateAndTheEndpoint) {
  Do([](WorkflowRepository& r) {
    r.Insert(Session("s-1"));
    r.Insert(Request("u-1", "s-1"));
  });
  const Transition approve =
      Move(Entity::kUnattendedRequest, State::kPending, Event::kRequestApproved);
  MoveDetails link;
  link.grant_id = "grant-1";
  // Another endpoint's event moves nothing.
  EXPECT_FALSE(In([&](WorkflowRepository& r) {
    return r.Move(Entity::kUnattendedRequest, "u-1", "e-2", approve, link);
  }));
  EXPECT_TRUE(In([&](WorkflowRepository& r) {
    return r.Move(Entity::kUnattendedRequest, "u-1", "e-1", approve, link);
  }));
  // The same move again finds the record no longer pending: nothing written.
  const Transition deny = Move(Entity::kUnattendedRequest, State::kPending, Event::kRequestDenied);
  EXPECT_FALSE(In([&](WorkflowRepository& r) {
    return r.Move(Entity::kUnattendedRequest, "u-1", "e-1", deny, MoveDetails{});
  }));
  const auto u = In([](WorkflowRepository& r) { return r.Request("u-1"); });
  EXPECT_EQ(u->state, State::kApproved);
  EXPECT_EQ(u->grant_id, "grant-1");
  EXPECT_EQ(u->decided_at, kT0 + std::chrono::minutes(1));
  EXPECT_EQ(
      In([](WorkflowRepository& r) { return r.StateOf(Entity::kUnattendedRequest, "u-1", "e-2"); }),
      std::nullopt);
  EXPECT_EQ(
      In([](WorkflowRepository& r) { return r.StateOf(Entity::kUnattendedRequest, "u-1", ""); }),
      State::kApproved);
}

TEST_P(WorkflowRepositoryConformance, MovesWriteTheirDetailsAndSessionsTheirScreenViewing) {
  Do([](WorkflowRepository& r) {
    r.Insert(Session("s-1"));
    ConnectionRecord c;
    c.id = "c-1";
    c.grant_id = "grant-1";
    c.technician_id = "t-1";
    c.endpoint_id = "e-1";
    c.requested_at = c.updated_at = kT0;
    RequestRecord u = Request("u-1", "s-1");
    r.Insert(u);
    GrantRecord g;
    g.id = "grant-1";
    g.request_id = "u-1";
    g.endpoint_id = "e-1";
    g.grant.technician_id = "t-1";
    g.grant.schedule.start = kT0;
    g.created_at = kT0;
    EXPECT_TRUE(r.Insert(g));
    EXPECT_FALSE(r.Insert(g));  // a grant reported twice stays one
    r.Insert(c);
  });
  MoveDetails ended;
  ended.end_reason = "window_closed";
  EXPECT_TRUE(In([&](WorkflowRepository& r) {
    return r.Move(Entity::kConnection, "c-1", "e-1",
                  Move(Entity::kConnection, State::kRequested, Event::kConnectionEnded), ended);
  }));
  const auto c = In([](WorkflowRepository& r) { return r.Connection("c-1"); });
  EXPECT_EQ(c->state, State::kEnded);
  EXPECT_EQ(c->end_reason, "window_closed");
  MoveDetails screen;
  screen.screen_viewing = true;
  EXPECT_TRUE(In([&](WorkflowRepository& r) {
    return r.Move(Entity::kSession, "s-1", "",
                  Move(Entity::kSession, State::kActive, Event::kUpdateSession), screen);
  }));
  const auto s = In([](WorkflowRepository& r) { return r.Session("s-1"); });
  EXPECT_TRUE(s->session.screen_viewing);
  EXPECT_EQ(s->state, State::kActive);
  EXPECT_FALSE(s->ended_at);  // an update ends nothing
  MoveDetails by;
  by.ended_by = "customer";
  EXPECT_TRUE(In([&](WorkflowRepository& r) {
    return r.Move(Entity::kGrant, "grant-1", "e-1",
                  Move(Entity::kGrant, State::kActive, Event::kGrantRevoked), by);
  }));
  const auto g = In([](WorkflowRepository& r) { return r.Grant("grant-1"); });
  EXPECT_EQ(g->grant.state, State::kRevoked);
  EXPECT_EQ(g->ended_by, "customer");
}

TEST_P(WorkflowRepositoryConformance, ListsAreOldestFirstAndOfOneTechnicianWhenAsked) {
  Do([](WorkflowRepository& r) {
    SessionRecord later = Session("s-a");
    later.started_at = kT0 + std::chrono::hours(1);
    r.Insert(later);
    r.Insert(Session("s-b"));
    r.Insert(Session("s-c", "t-2"));
  });
  const auto all = In([](WorkflowRepository& r) { return r.Sessions(""); });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "s-b");
  EXPECT_EQ(all[2].id, "s-a");
  const auto own = In([](WorkflowRepository& r) { return r.Sessions("t-2"); });
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].id, "s-c");
}

TEST_P(WorkflowRepositoryConformance, StoredCredentialsAreWhatTheEndpointReported) {
  Do([](WorkflowRepository& r) {
    r.Insert(Session("s-1"));
    CredentialRequestRecord c;
    c.id = "cr-1";
    c.session_id = "s-1";
    c.technician_id = "t-1";
    c.endpoint_id = "e-1";
    c.created_at = c.updated_at = kT0;
    r.Insert(c);
  });
  EXPECT_FALSE(In([](WorkflowRepository& r) { return r.CredentialsStored("s-1"); }));
  EXPECT_TRUE(In([&](WorkflowRepository& r) {
    return r.Move(Entity::kCredentialRequest, "cr-1", "e-1",
                  Move(Entity::kCredentialRequest, State::kPending, Event::kCredentialsStored),
                  MoveDetails{});
  }));
  EXPECT_TRUE(In([](WorkflowRepository& r) { return r.CredentialsStored("s-1"); }));
}

TEST_P(WorkflowRepositoryConformance, ADamagedRecordIsAStorageErrorNotAMadeUpValue) {
  // What the schema's own constraints let through, a hand edit may write.
  Do([](WorkflowRepository& r) {
    r.Insert(Session("s-1"));
    r.Insert(Request("u-1", "s-1"));
  });
  engine_->Damage("UPDATE sessions SET type = 'hologram' WHERE id = 's-1'");
  EXPECT_THROW(In([](WorkflowRepository& r) { return r.Session("s-1"); }), schema::StorageError);
  engine_->Damage("UPDATE sessions SET type = 'applet', started_at = 'soon' WHERE id = 's-1'");
  EXPECT_THROW(In([](WorkflowRepository& r) { return r.Sessions(""); }), schema::StorageError);
  engine_->Damage("UPDATE unattended_requests SET schedule = '{\"kind\":\"forever\"}'");
  EXPECT_THROW(In([](WorkflowRepository& r) { return r.Request("u-1"); }), schema::StorageError);
}

using EndpointRepositoryConformance = WorkflowRepositoryConformance;

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

using PrincipalRepositoryConformance = WorkflowRepositoryConformance;

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

using AuditRepositoryConformance = WorkflowRepositoryConformance;

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
  });
}

INSTANTIATE_TEST_SUITE_P(Engines, AuditRepositoryConformance, ::testing::Values(EngineFactory([] {
                           return std::make_unique<SqliteEngine>();
                         })),
                         [](const ::testing::TestParamInfo<EngineFactory>&) {
                           return std::string("Sqlite");
                         });

INSTANTIATE_TEST_SUITE_P(
    Engines, PrincipalRepositoryConformance,
    ::testing::Values(EngineFactory([] { return std::make_unique<SqliteEngine>(); })),
    [](const ::testing::TestParamInfo<EngineFactory>&) { return std::string("Sqlite"); });

INSTANTIATE_TEST_SUITE_P(
    Engines, EndpointRepositoryConformance,
    ::testing::Values(EngineFactory([] { return std::make_unique<SqliteEngine>(); })),
    [](const ::testing::TestParamInfo<EngineFactory>&) { return std::string("Sqlite"); });

INSTANTIATE_TEST_SUITE_P(
    Engines, WorkflowRepositoryConformance,
    ::testing::Values(EngineFactory([] { return std::make_unique<SqliteEngine>(); })),
    [](const ::testing::TestParamInfo<EngineFactory>&) { return std::string("Sqlite"); });

}  // namespace
}  // namespace custodian::admincenter
