// The conformance suite of the repositories (workflows, endpoints,
// principals, the audit log and its cursor, keys): one set of tests that
// every storage engine must pass, in workflow_repository_conformance_test.cc
// and repository_conformance_test.cc; here its engines and fixture. Each engine supplies an Engine
// (a fresh, migrated store with technicians "t-1" and "t-2" and endpoints "e-1" and "e-2", and a
// way to run raw SQL): SQLite in a temporary folder, and PostgreSQL in a fresh database on the
// tests' server (tests/support/postgres.sh).
#pragma once

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
#include "admincenter/storage/postgres.h"
#include "admincenter/storage/sqlite.h"
#include "admincenter/workflow_repository.h"
#include "common/crypto.h"
#include "policy/codec.h"
#include "schema/row_reader.h"
#include "support/postgres.h"
#include "support/process.h"

namespace custodian::admincenter {

using policy::workflow::Event;

inline const policy::Instant kT0 = *policy::ParseRfc3339("2026-03-01T10:00:00Z");

// The rows every engine starts with; `blob` spells a one-byte binary
// literal in the engine's SQL.
inline std::string SeedRows(const std::function<std::string(const char* hex)>& blob) {
  return "INSERT INTO groups (id, name, document, position, created_at, updated_at) "
         "VALUES ('g', 'G', '{}', 1, 't', 't');"
         "INSERT INTO principals (id, kind, name, group_id, time_zone, position, created_at, "
         "updated_at) VALUES ('t-1', 'technician', 'tina', 'g', 'Europe/Berlin', 1, 't', 't');"
         "INSERT INTO principals (id, kind, name, group_id, time_zone, position, created_at, "
         "updated_at) VALUES ('t-2', 'technician', 'tom', 'g', 'Europe/Berlin', 2, 't', 't');"
         "INSERT INTO endpoints (id, name, os, time_zone, token_hash, enrolled_at) "
         "VALUES ('e-1', 'pc', 'windows', 'Europe/Vienna', " +
         blob("01") +
         ", '2026-03-01T00:00:00Z');"
         "INSERT INTO endpoints (id, name, os, time_zone, token_hash, enrolled_at) "
         "VALUES ('e-2', 'mac', 'macos', 'UTC', " +
         blob("02") + ", '2026-03-01T00:00:00Z');";
}

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
    Damage(SeedRows([](const char* hex) { return std::string("x'") + hex + "'"; }));
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

class PostgresEngine : public Engine {
 public:
  PostgresEngine() {
    std::string error;
    auto db = PostgresDatabase::Open(scratch_.url(), true, &error);
    EXPECT_NE(db, nullptr) << error;
    storage_ = std::make_unique<PostgresStorage>(std::move(db));
    Damage(SeedRows([](const char* hex) { return std::string("'\\x") + hex + "'::bytea"; }));
  }
  ~PostgresEngine() override { storage_.reset(); }
  Storage& storage() override { return *storage_; }
  void Damage(const std::string& statement) override {
    storage_->database().Write([&](sql::Connection& db) {
      db.Execute(statement);
      return true;
    });
  }

 private:
  testing::PostgresScratch scratch_;  // outlives the storage on it
  std::unique_ptr<PostgresStorage> storage_;
};

using EngineFactory = std::function<std::unique_ptr<Engine>()>;

class RepositoryConformance : public ::testing::TestWithParam<EngineFactory> {
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

// Runs `Suite` against every engine.
#define CUSTODIAN_EVERY_ENGINE(Suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(                                                                \
      Engines, Suite,                                                                      \
      ::testing::Values(EngineFactory([] { return std::make_unique<SqliteEngine>(); }),    \
                        EngineFactory([] { return std::make_unique<PostgresEngine>(); })), \
      [](const ::testing::TestParamInfo<EngineFactory>& engine) {                          \
        return std::string(engine.index == 0 ? "Sqlite" : "Postgres");                     \
      })

}  // namespace custodian::admincenter
