// Storage on SQLite: a unit of work is a connection's repositories, made
// as they are first asked for, and SQLite's exceptions leave here as
// StorageError.
#include <SQLiteCpp/Exception.h>

#include "admincenter/storage/sqlite.h"

namespace custodian::admincenter {
namespace {

class SqliteRepositories : public Repositories {
 public:
  explicit SqliteRepositories(SQLite::Database& db) : db_(db) {}
  PrincipalRepository& principals() override { return Get(principals_, SqlitePrincipalRepository); }
  PolicyRepository& policy() override { return Get(policy_, SqlitePolicyRepository); }
  EndpointRepository& endpoints() override { return Get(endpoints_, SqliteEndpointRepository); }
  WorkflowRepository& workflows() override { return Get(workflows_, SqliteWorkflowRepository); }
  AuditRepository& audit() override { return Get(audit_, SqliteAuditRepository); }
  KeyRepository& keys() override { return Get(keys_, SqliteKeyRepository); }

 private:
  template <typename T, typename Make>
  T& Get(std::unique_ptr<T>& slot, Make make) {
    if (!slot) slot = make(db_);
    return *slot;
  }
  SQLite::Database& db_;
  std::unique_ptr<PrincipalRepository> principals_;
  std::unique_ptr<PolicyRepository> policy_;
  std::unique_ptr<EndpointRepository> endpoints_;
  std::unique_ptr<WorkflowRepository> workflows_;
  std::unique_ptr<AuditRepository> audit_;
  std::unique_ptr<KeyRepository> keys_;
};

[[noreturn]] void Fail(const std::string& path, const SQLite::Exception& e) {
  throw StorageError(path + ": " + e.what());
}

}  // namespace

void SqliteStorage::RunRead(const std::function<void(Repositories&)>& f) {
  try {
    db_->Read([&](SQLite::Database& c) {
      SqliteRepositories tx(c);
      f(tx);
      return true;
    });
  } catch (const SQLite::Exception& e) {
    Fail(db_->path(), e);
  }
}

void SqliteStorage::RunWrite(const std::function<bool(Repositories&)>& f) {
  try {
    db_->Write([&](SQLite::Database& c) {
      SqliteRepositories tx(c);
      return f(tx);
    });
  } catch (const SQLite::Exception& e) {
    Fail(db_->path(), e);
  }
}

std::unique_ptr<AuditCursor> SqliteStorage::ExportAudit(const AuditQuery& query) {
  try {
    return SqliteAuditCursor(db_->Borrow(), query);
  } catch (const SQLite::Exception& e) {
    Fail(db_->path(), e);
  }
}

int SqliteStorage::ReadSchemaVersion() {
  try {
    return db_->ReadSchemaVersion();
  } catch (const SQLite::Exception& e) {
    Fail(db_->path(), e);
  }
}

std::unique_ptr<Storage> OpenStorage(const std::string& location, bool create, std::string* error) {
  auto db = SqliteDatabase::Open(location, create, error);
  if (!db) return nullptr;
  return std::make_unique<SqliteStorage>(std::move(db));
}

}  // namespace custodian::admincenter
