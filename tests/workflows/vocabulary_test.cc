// The one workflow vocabulary (policy/workflow.h) against everything that
// must agree with it: the states both daemons' databases allow, and every
// event either daemon records, fed through Apply from every state.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "policy/workflow.h"
#include "schema/migrations.h"

namespace custodian::policy::workflow {
namespace {

using S = State;
using E = Event;
using N = Entity;

const Instant kNow = *ParseRfc3339("2026-03-01T10:00:00Z");

std::set<std::string> Names(const std::vector<State>& states) {
  std::set<std::string> out;
  for (State s : states) out.emplace(StateName(s));
  return out;
}

// The states each table's CHECK constraint allows, read from a database
// migrated to the newest version (what runs, not what a file once said).
std::map<std::string, std::set<std::string>> CheckedStates(std::span<const schema::Migration> m) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  EXPECT_TRUE(schema::Migrate(db, m).ok);
  std::map<std::string, std::set<std::string>> out;
  SQLite::Statement q(db, "SELECT name, sql FROM sqlite_master WHERE type = 'table'");
  const std::regex check(R"(\bstate TEXT NOT NULL CHECK \(state IN \(([^)]*)\)\))");
  const std::regex quoted("'([a-z_]+)'");
  while (q.executeStep()) {
    const std::string sql = q.getColumn(1).getString();
    std::smatch list;
    if (!std::regex_search(sql, list, check)) continue;
    const std::string states = list[1].str();
    auto& set = out[q.getColumn(0).getString()];
    for (auto it = std::sregex_iterator(states.begin(), states.end(), quoted);
         it != std::sregex_iterator(); ++it) {
      set.insert((*it)[1].str());
    }
  }
  return out;
}

const std::map<std::string, Entity> kTables = {
    {"sessions", N::kSession},
    {"unattended_requests", N::kUnattendedRequest},
    {"grants", N::kGrant},
    {"connections", N::kConnection},
    {"credential_requests", N::kCredentialRequest},
    {"credential_operations", N::kCredentialOperation},
};

TEST(WorkflowVocabulary, EveryStateADatabaseAllowsIsTheVocabularysAndNoneIsMissing) {
  for (const auto& [side, migrations] :
       {std::pair{Side::kAdminCenter, schema::AdmincenterMigrations()},
        std::pair{Side::kEndpoint, schema::EnforcerMigrations()}}) {
    const char* name = side == Side::kEndpoint ? "endpoint" : "admin center";
    const auto checked = CheckedStates(migrations);
    for (const auto& [table, states] : checked) {
      if (table == "signing_keys") continue;  // a key's life, not a workflow
      auto entity = kTables.find(table);
      ASSERT_NE(entity, kTables.end()) << name << " table " << table << " has states of its own";
      EXPECT_EQ(states, Names(StatesOn(entity->second, side))) << name << " table " << table;
    }
    // The endpoint keeps a session's state as its `active` flag and no
    // record of credential operations; every other entity has its table.
    const std::size_t expected = side == Side::kEndpoint ? kEntityCount - 2 : kEntityCount;
    EXPECT_EQ(checked.size() - (side == Side::kAdminCenter), expected) << name;
  }
}

TEST(WorkflowVocabulary, NamesRoundTripAndEachEventBelongsToOneSide) {
  for (std::size_t i = 0; i < kStateCount; ++i) {
    EXPECT_EQ(ParseState(StateName(static_cast<State>(i))), static_cast<State>(i));
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < kEventCount; ++i) {
    const auto e = static_cast<Event>(i);
    EXPECT_EQ(ParseEvent(EventName(e)), e);
    EXPECT_TRUE(seen.insert(EventName(e)).second) << EventName(e);
    EXPECT_FALSE(EntitiesOf(e).empty()) << EventName(e) << " moves nothing";
    // The admin center's steps are imperative, the endpoint's past tense.
    const bool endpoint = SideOf(e) == Side::kEndpoint;
    EXPECT_EQ(endpoint, EventName(e).find('_') != std::string_view::npos ||
                            EventName(e).ends_with("ed") || EventName(e).ends_with("ing"))
        << EventName(e);
  }
  EXPECT_FALSE(ParseEvent("credentials.rejected"));
}

// Every event from every state of the entities it moves: the expected end
// state, or no transition. One row per move that exists; everything not
// listed must be refused.
struct Row {
  Entity entity;
  Event event;
  std::optional<State> from;
  State to;
  Outcome outcome = Outcome::kSuccess;
};

const std::vector<Row> kRows = {
    {N::kSession, E::kOpenSession, std::nullopt, S::kActive},
    {N::kSession, E::kSessionOpened, std::nullopt, S::kActive},
    {N::kSession, E::kUpdateSession, S::kActive, S::kActive},
    {N::kSession, E::kSessionUpdated, S::kActive, S::kActive},
    {N::kSession, E::kEndSession, S::kActive, S::kEnded},
    {N::kSession, E::kSessionEnded, S::kActive, S::kEnded},
    {N::kUnattendedRequest, E::kRequestUnattended, std::nullopt, S::kPending},
    {N::kUnattendedRequest, E::kRequestReceived, std::nullopt, S::kPending},
    {N::kUnattendedRequest, E::kRequestRefused, std::nullopt, S::kRefused},
    {N::kUnattendedRequest, E::kRequestRefused, S::kPending, S::kRefused},
    {N::kUnattendedRequest, E::kRequestDenied, S::kPending, S::kDenied},
    {N::kUnattendedRequest, E::kRequestExpired, S::kPending, S::kExpired},
    {N::kUnattendedRequest, E::kRequestApproved, S::kPending, S::kApproved},
    {N::kGrant, E::kRequestApproved, std::nullopt, S::kActive},
    {N::kGrant, E::kRevokeGrant, S::kActive, S::kRevoked},
    {N::kGrant, E::kGrantRevoked, S::kActive, S::kRevoked},
    {N::kGrant, E::kGrantExpired, S::kActive, S::kExpired},
    {N::kConnection, E::kConnect, std::nullopt, S::kRequested},
    {N::kConnection, E::kConnectionAwaitingCredentials, std::nullopt, S::kAwaitingCredentials},
    {N::kConnection, E::kConnectionAwaitingCredentials, S::kRequested, S::kAwaitingCredentials},
    {N::kConnection, E::kConnectionStarted, std::nullopt, S::kActive},
    {N::kConnection, E::kConnectionStarted, S::kRequested, S::kActive},
    {N::kConnection, E::kConnectionStarted, S::kAwaitingCredentials, S::kActive},
    {N::kConnection, E::kConnectionCredentialsRejected, S::kAwaitingCredentials,
     S::kAwaitingCredentials},
    {N::kConnection, E::kConnectionWarning, S::kAwaitingCredentials, S::kAwaitingCredentials},
    {N::kConnection, E::kConnectionWarning, S::kActive, S::kActive},
    {N::kConnection, E::kConnectionDenied, std::nullopt, S::kDenied},
    {N::kConnection, E::kConnectionDenied, S::kRequested, S::kDenied},
    {N::kConnection, E::kConnectionDenied, S::kAwaitingCredentials, S::kDenied},
    {N::kConnection, E::kConnectionEnded, S::kRequested, S::kEnded},
    {N::kConnection, E::kConnectionEnded, S::kAwaitingCredentials, S::kEnded},
    {N::kConnection, E::kConnectionEnded, S::kActive, S::kEnded},
    {N::kCredentialRequest, E::kRequestCredentials, std::nullopt, S::kPending},
    {N::kCredentialRequest, E::kCredentialsRequested, std::nullopt, S::kPending},
    {N::kCredentialRequest, E::kCredentialsRefused, std::nullopt, S::kRefused},
    {N::kCredentialRequest, E::kCredentialsRefused, S::kPending, S::kRefused},
    {N::kCredentialRequest, E::kCredentialsDenied, S::kPending, S::kDenied},
    {N::kCredentialRequest, E::kCredentialsStored, S::kPending, S::kStored},
    {N::kCredentialRequest, E::kCredentialsExpired, S::kPending, S::kExpired},
    {N::kCredentialRequest, E::kCredentialsRevoked, S::kStored, S::kRevoked},
    {N::kCredentialRequest, E::kCredentialsWiped, S::kStored, S::kWiped},
    {N::kCredentialOperation, E::kApplyCredentials, std::nullopt, S::kRequested},
    {N::kCredentialOperation, E::kCredentialsApplied, S::kRequested, S::kSucceeded},
    {N::kCredentialOperation, E::kCredentialsApplied, S::kRequested, S::kFailed, Outcome::kFailure},
    {N::kCredentialOperation, E::kCredentialsApplyDenied, S::kRequested, S::kDenied},
};

TEST(WorkflowTransitions, EveryEventFromEveryStateMovesExactlyAsTheTableSays) {
  int moves = 0, refusals = 0, repeats = 0;
  for (std::size_t n = 0; n < kEntityCount; ++n) {
    const auto entity = static_cast<Entity>(n);
    std::vector<std::optional<State>> froms = {std::nullopt};
    for (State s : StatesOf(entity)) froms.emplace_back(s);
    for (std::size_t i = 0; i < kEventCount; ++i) {
      const auto event = static_cast<Event>(i);
      for (Outcome outcome : {Outcome::kSuccess, Outcome::kFailure}) {
        for (const std::optional<State>& from : froms) {
          const Applied a = Apply({entity, from}, event, kNow, outcome);
          // The row for this outcome, else the one for any outcome.
          const Row* row = nullptr;
          for (const Row& r : kRows) {
            if (r.entity != entity || r.event != event || r.from != from) continue;
            if (r.outcome == outcome || (!row && r.outcome == Outcome::kSuccess)) row = &r;
          }
          const std::string what = std::string(EntityName(entity)) + " " +
                                   (from ? std::string(StateName(*from)) : "(new)") + " + " +
                                   std::string(EventName(event));
          if (row) {
            ASSERT_TRUE(a.ok()) << what << ": " << a.refusal;
            EXPECT_EQ(a.transition->to, row->to) << what;
            EXPECT_EQ(a.transition->from, from) << what;
            EXPECT_EQ(a.transition->at, kNow);
            ++moves;
          } else if (a.ok()) {
            // Only an event whose end state the entity is in already: a
            // repeat, which changes nothing.
            EXPECT_FALSE(a.transition->changes())
                << what << " moves to " << StateName(a.transition->to);
            ++repeats;
          } else {
            EXPECT_FALSE(a.refusal.empty()) << what;
            ++refusals;
          }
        }
      }
    }
  }
  EXPECT_GT(moves, 40);
  EXPECT_GT(refusals, 1000);
  EXPECT_GT(repeats, 10);
}

TEST(WorkflowTransitions, RepeatsChangeNothingAndRefusalsSayWhy) {
  // A command delivered twice, the admin center's own step reported back.
  EXPECT_FALSE(Apply({N::kGrant, S::kRevoked}, E::kGrantRevoked, kNow).transition->changes());
  EXPECT_FALSE(Apply({N::kSession, S::kActive}, E::kSessionOpened, kNow).transition->changes());
  // Approved never follows expired, on either side.
  EXPECT_EQ(Apply({N::kUnattendedRequest, S::kExpired}, E::kRequestApproved, kNow).refusal,
            "the unattended_request is expired");
  EXPECT_EQ(Apply({N::kConnection, std::nullopt}, E::kConnectionEnded, kNow).refusal,
            "the connection does not exist");
  EXPECT_EQ(Apply({N::kSession, S::kActive}, E::kGrantExpired, kNow).refusal,
            "grant.expired does not apply to a session");
}

TEST(WorkflowTransitions, FinalStatesAreThoseNothingLeaves) {
  EXPECT_TRUE(IsFinal(N::kGrant, S::kRevoked));
  EXPECT_TRUE(IsFinal(N::kCredentialRequest, S::kRefused));
  EXPECT_FALSE(IsFinal(N::kCredentialRequest, S::kStored));
  EXPECT_FALSE(IsFinal(N::kConnection, S::kActive));
  EXPECT_TRUE(IsFinal(N::kSession, S::kEnded));
}

}  // namespace
}  // namespace custodian::policy::workflow
