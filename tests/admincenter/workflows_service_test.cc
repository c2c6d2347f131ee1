// The admin center's Workflows service in-process, on its repositories
// (SQLite in a temporary folder): the technicians' steps and, above
// all, how the endpoint's events move what the admin center holds — only
// along policy/workflow.h's transitions, only for the endpoint that owns the
// record, and counted (an event that moves nothing changes nothing).
#include <gtest/gtest.h>

#include "admincenter/distribution.h"
#include "admincenter/keys.h"
#include "admincenter/storage.h"
#include "admincenter/workflow_codec.h"
#include "admincenter/workflows.h"
#include "common/crypto.h"
#include "common/files.h"
#include "policy/system_time_zones.h"
#include "support/process.h"

namespace custodian::admincenter {
namespace {

const policy::Instant kT0 = *policy::ParseRfc3339("2026-03-01T10:00:00Z");

class WorkflowsService : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("custodian-wfsvc");
    std::string error;
    storage_ = OpenStorage((dir_ / "admincenter.db").string(), true, &error);
    ASSERT_NE(storage_, nullptr) << error;
    master_.id = "p-master";
    master_.name = "root";
    master_.role = Role::kMasterAdmin;
    storage_->Write([&](Repositories& tx) {
      tx.policy().SaveSettings(policy::GlobalSettings{}, kT0);
      tx.principals().Insert(master_, "", kT0);
      return true;
    });
    const auto key = crypto::GenerateEd25519();
    ASSERT_TRUE(WriteNewFile((dir_ / "key.pem").string(), key.private_pem, 0600, &error));
    auto clock = [this] { return now_; };
    keys_ = KeyRing::Open(*storage_, dir_, "key.pem", kT0, &error);
    ASSERT_NE(keys_, nullptr) << error;
    seal_ = std::make_unique<AuditSeal>(*storage_, *keys_, clock, dir_ / "audit-head.json");
    service_ = std::make_unique<Service>(*storage_, policy::SystemTimeZones::Get(), clock, *seal_);
    const PolicySource policies = [this] { return service_->Snapshot(); };
    distribution_ = std::make_unique<Distribution>(*storage_, clock, policies, *keys_, waiters_);
    workflows_ = std::make_unique<Workflows>(*storage_, clock, policies, waiters_);
    distribution_->SetEventObserver(
        [&w = *workflows_](Repositories& tx, const std::string& endpoint_id,
                           const EndpointEvent& event,
                           policy::Instant now) { w.Observe(tx, endpoint_id, event, now); });

    const auto group = policy::ParseGroup(value::parse(R"({"id":"g","name":"G","permissions":
        {"unattended_access":true,"request_windows_credentials":true}})"),
                                          "");
    ASSERT_TRUE(group.ok());
    ASSERT_TRUE(service_->CreateGroup(master_, *group.value).ok());
    PrincipalInput tina;
    tina.name = "tina";
    tina.password = "correct horse battery";
    tina.group_id = "g";
    tina.time_zone = "Europe/Berlin";
    auto tech = service_->CreatePrincipal(master_, Role::kTechnician, tina);
    ASSERT_TRUE(tech.ok()) << tech.problem().detail;
    tina_.id = tech.value().id;
    tina_.name = "tina";
    tina_.role = Role::kTechnician;
    endpoint_ = Enroll("pc");
    other_endpoint_ = Enroll("other");
  }
  void TearDown() override {
    workflows_.reset();
    distribution_.reset();
    service_.reset();
    seal_.reset();
    keys_.reset();
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Enroll(const std::string& name) {
    auto code = distribution_->CreateEnrollmentCode(master_, 60);
    EXPECT_TRUE(code.ok());
    auto enrolled =
        distribution_->Enroll(EnrollInput{code.value().code, name, "windows", "Europe/Vienna"});
    EXPECT_TRUE(enrolled.ok()) << enrolled.problem().detail;
    return enrolled.value().endpoint_id;
  }

  // An event of `endpoint`'s chain, as Distribution hands it on once stored.
  void Report(const std::string& endpoint, const std::string& action, const std::string& details,
              const std::string& reasons = "[]", const std::string& outcome = "success") {
    const value record =
        value::parse(R"({"action":")" + action + R"(","outcome":")" + outcome + R"(","reasons":)" +
                     reasons + R"(,"details":)" + details + "}");
    const auto event = DecodeEndpointEvent(record);
    ASSERT_TRUE(event) << action;
    storage_->Write([&](Repositories& tx) {
      workflows_->Observe(tx, endpoint, *event, now_);
      return true;
    });
  }

  std::string OpenSession() {
    SessionInput in;
    in.endpoint_id = endpoint_;
    in.session.type = policy::SessionType::kApplet;
    in.session.screen_viewing = true;
    auto s = workflows_->OpenSession(tina_, in);
    EXPECT_TRUE(s.ok()) << s.problem().detail;
    return s.value().id;
  }
  std::string RequestUnattended(const std::string& session) {
    UnattendedInput in;
    in.credential_mode = policy::AuthMode::kAtConnection;
    in.schedule = *policy::ParseSchedule(R"({"kind":"days","days":3})").value;
    auto r = workflows_->RequestUnattended(tina_, session, in);
    EXPECT_TRUE(r.ok()) << r.problem().detail;
    return r.value().record.id;
  }
  // Record `id` of `list`; a test that looks for one that is not there fails.
  template <typename T>
  T Item(const std::vector<T>& list, const std::string& id) {
    for (const T& r : list) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << "no record " << id;
    return T{};
  }

  std::filesystem::path dir_;
  policy::Instant now_ = kT0;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<AuditSeal> seal_;
  std::unique_ptr<Service> service_;
  Waiters waiters_;
  std::unique_ptr<Distribution> distribution_;
  std::unique_ptr<Workflows> workflows_;
  Principal master_, tina_;
  std::string endpoint_, other_endpoint_;
};

TEST_F(WorkflowsService, ARequestIsQueuedForItsEndpointAsTheCommandTheEndpointDecodes) {
  const std::string request = RequestUnattended(OpenSession());
  const RequestRecord pending = Item(workflows_->ListRequests(tina_), request);
  EXPECT_EQ(pending.state, State::kPending);
  EXPECT_EQ(pending.expires_at, kT0 + std::chrono::hours(1));  // the default TTL
  Principal endpoint;
  endpoint.id = endpoint_;
  endpoint.role = Role::kEndpoint;
  const auto commands = distribution_->PendingCommands(endpoint, endpoint_).value();
  ASSERT_EQ(commands.size(), 2u);  // session.open, unattended.request
  const CommandRecord& c = commands.at(1);
  const auto decoded = policy::ParseCommand(c.type, value::parse(c.body));
  ASSERT_TRUE(decoded.command);
  EXPECT_TRUE(decoded.errors.empty()) << decoded.errors.at(0).pointer;
  EXPECT_EQ(decoded.command->request_id, request);
  EXPECT_EQ(decoded.command->technician_name, "tina");
  EXPECT_EQ(decoded.command->schedule.days, 3);
}

TEST_F(WorkflowsService, ApprovedNeverFollowsExpiredAndCreatesNoGrantThen) {
  const std::string request = RequestUnattended(OpenSession());
  Report(endpoint_, "unattended.request_expired", R"({"request_id":")" + request + R"("})");
  EXPECT_EQ(Item(workflows_->ListRequests(tina_), request).state, State::kExpired);
  Report(endpoint_, "unattended.request_approved",
         R"({"request_id":")" + request + R"(","grant_id":"grant_1","effective_schedule":)" +
             R"({"start":"2026-03-01T10:00:00Z","end":"2026-03-04T10:00:00Z","daily":null}})");
  EXPECT_EQ(Item(workflows_->ListRequests(tina_), request).state, State::kExpired);
  EXPECT_TRUE(workflows_->ListGrants(tina_).empty());
}

TEST_F(WorkflowsService, AnApprovalCreatesTheGrantAndItsEndIsRecordedOnce) {
  const std::string request = RequestUnattended(OpenSession());
  const std::string schedule =
      R"({"start":"2026-03-01T10:00:00Z","end":"2026-03-04T10:00:00Z","daily":null})";
  const std::string approved = R"({"request_id":")" + request +
                               R"(","grant_id":"grant_1","effective_schedule":)" + schedule + "}";
  Report(endpoint_, "unattended.request_approved", approved);
  Report(endpoint_, "unattended.request_approved", approved);  // delivered twice
  const std::vector<GrantRecord> grants = workflows_->ListGrants(tina_);
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants.at(0).grant.state, State::kActive);
  EXPECT_EQ(grants.at(0).grant.schedule.end, kT0 + std::chrono::days(3));
  EXPECT_EQ(Item(workflows_->ListRequests(tina_), request).grant_id, "grant_1");
  Report(endpoint_, "grant.revoked", R"({"grant_id":"grant_1","by":"customer"})");
  Report(endpoint_, "grant.expired", R"({"grant_id":"grant_1"})");  // too late: revoked stays
  const GrantRecord g = Item(workflows_->ListGrants(tina_), "grant_1");
  EXPECT_EQ(g.grant.state, State::kRevoked);
  EXPECT_EQ(g.ended_by, "customer");
  // The connect the policy would allow is refused: the grant is ended (R8).
  auto connect = workflows_->Connect(tina_, "grant_1");
  ASSERT_FALSE(connect.ok());
  EXPECT_EQ(connect.problem().kind, ErrorKind::kPolicyDenied);
  EXPECT_NE(connect.problem().reasons.serialize().find("grant_revoked"), std::string::npos);
}

TEST_F(WorkflowsService, AnotherEndpointsEventsMoveNothing) {
  const std::string request = RequestUnattended(OpenSession());
  Report(other_endpoint_, "unattended.request_denied", R"({"request_id":")" + request + R"("})");
  EXPECT_EQ(Item(workflows_->ListRequests(tina_), request).state, State::kPending);
  Report(endpoint_, "unattended.request_denied", R"({"request_id":")" + request + R"("})");
  EXPECT_EQ(Item(workflows_->ListRequests(tina_), request).state, State::kDenied);
}

TEST_F(WorkflowsService, ACredentialRequestTheEndpointRefusesIsRefusedWithItsReasons) {
  const std::string session = OpenSession();
  auto asked = workflows_->RequestCredentials(tina_, session);
  ASSERT_TRUE(asked.ok()) << asked.problem().detail;
  const std::string id = asked.value().record.id;
  const std::string reasons =
      R"([{"code":"screen_viewing_inactive","rule":"R13","message":"screen viewing must be on"}])";
  Report(endpoint_, "credentials.refused", R"({"request_id":")" + id + R"("})", reasons, "denied");
  const CredentialRequestRecord r = Item(workflows_->ListCredentialRequests(tina_), id);
  EXPECT_EQ(r.state, State::kRefused);
  EXPECT_NE(r.reasons.find(R"("rule":"R13")"), std::string::npos) << r.reasons;
  // Refused is final: a later "stored" changes nothing.
  Report(endpoint_, "credentials.stored", R"({"request_id":")" + id + R"("})");
  EXPECT_EQ(Item(workflows_->ListCredentialRequests(tina_), id).state, State::kRefused);
}

}  // namespace
}  // namespace custodian::admincenter
