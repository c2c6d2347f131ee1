// The workflow repository's part of the conformance suite
// (repository_conformance.h): records, compare-and-set moves, lists.
#include "admincenter/repository_conformance.h"

namespace custodian::admincenter {
namespace {

using WorkflowRepositoryConformance = RepositoryConformance;

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

CUSTODIAN_EVERY_ENGINE(WorkflowRepositoryConformance);

}  // namespace
}  // namespace custodian::admincenter
