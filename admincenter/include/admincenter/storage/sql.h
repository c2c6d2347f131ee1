// The repositories on SQL, whatever the engine (DESIGN.md §8): each
// repository's queries are written once against sql::Connection
// (schema/sql.h) and serve SQLite (storage/sqlite.h) and PostgreSQL
// (storage/postgres.h) alike; the engines differ in how they connect, how
// a write is serialised and in their schema's column types
// (schema/admincenter/, schema/postgres/), not in their queries.
//
// Thread safety: as the connection's; one unit of work at a time.
#pragma once

#include <memory>

#include "admincenter/storage.h"
#include "schema/sql.h"

namespace custodian::admincenter {

// Where the repositories announce what they change (Storage::Watch): the
// channel of sql::Connection::Notify.
inline constexpr const char* kChangeChannel = "custodian_changes";
// Announces `change` to the other replicas when the current write commits.
void Announce(sql::Connection& db, const Change& change);

// The repositories on `db`, the connection of the current read or write.
std::unique_ptr<WorkflowRepository> SqlWorkflowRepository(sql::Connection& db);
std::unique_ptr<EndpointRepository> SqlEndpointRepository(sql::Connection& db);
std::unique_ptr<PrincipalRepository> SqlPrincipalRepository(sql::Connection& db);
std::unique_ptr<PolicyRepository> SqlPolicyRepository(sql::Connection& db);
std::unique_ptr<AuditRepository> SqlAuditRepository(sql::Connection& db);
std::unique_ptr<KeyRepository> SqlKeyRepository(sql::Connection& db);
std::unique_ptr<LeaseRepository> SqlLeaseRepository(sql::Connection& db);

// A cursor on a connection of its own, kept as long as the cursor lives;
// it reads one snapshot (sql::Connection::BeginSnapshot).
std::unique_ptr<AuditCursor> SqlAuditCursor(std::shared_ptr<sql::Connection> connection,
                                            const AuditQuery& query);

// One unit of work's repositories on `db`, each made when first asked for.
class SqlRepositories : public Repositories {
 public:
  explicit SqlRepositories(sql::Connection& db) : db_(db) {}
  PrincipalRepository& principals() override { return Get(principals_, SqlPrincipalRepository); }
  PolicyRepository& policy() override { return Get(policy_, SqlPolicyRepository); }
  EndpointRepository& endpoints() override { return Get(endpoints_, SqlEndpointRepository); }
  WorkflowRepository& workflows() override { return Get(workflows_, SqlWorkflowRepository); }
  AuditRepository& audit() override { return Get(audit_, SqlAuditRepository); }
  KeyRepository& keys() override { return Get(keys_, SqlKeyRepository); }
  LeaseRepository& leases() override { return Get(leases_, SqlLeaseRepository); }

 private:
  template <typename T, typename Make>
  T& Get(std::unique_ptr<T>& slot, Make make) {
    if (!slot) slot = make(db_);
    return *slot;
  }
  sql::Connection& db_;
  std::unique_ptr<PrincipalRepository> principals_;
  std::unique_ptr<PolicyRepository> policy_;
  std::unique_ptr<EndpointRepository> endpoints_;
  std::unique_ptr<WorkflowRepository> workflows_;
  std::unique_ptr<AuditRepository> audit_;
  std::unique_ptr<KeyRepository> keys_;
  std::unique_ptr<LeaseRepository> leases_;
};

}  // namespace custodian::admincenter
