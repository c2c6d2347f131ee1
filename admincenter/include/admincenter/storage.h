// The admin center's storage, whatever the engine (DESIGN.md §8): units of
// work over the repositories. The services see only this header and the
// repository interfaces; an engine (SQLite today, storage/sqlite.h;
// PostgreSQL next) implements Storage and Repositories, and passes the
// conformance suite (tests/admincenter/repository_conformance_test.cc).
//
// A read sees committed data. A write is one transaction: a change and its
// audit event land together or not at all, and the caller returns only
// after the commit that holds its change (an acknowledged write survives
// kill -9). An engine's failure reaches the caller as schema::StorageError
// (the daemons answer 503), never as the engine's own exception type.
//
// Thread safety: Storage's methods may be called from any thread; the
// Repositories a unit of work hands out belong to that unit of work alone
// and must not outlive it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "admincenter/audit_repository.h"
#include "admincenter/endpoint_repository.h"
#include "admincenter/key_repository.h"
#include "admincenter/lease_repository.h"
#include "admincenter/policy_repository.h"
#include "admincenter/principal_repository.h"
#include "admincenter/workflow_repository.h"
#include "schema/storage_error.h"

namespace custodian::admincenter {

using schema::StorageError;

// Whether a write that returned `r` keeps its changes: unless `r` has an
// ok() that is false (a Result with a Problem).
template <typename R>
bool KeepsChanges(const R& r) {
  if constexpr (requires { r.ok(); }) {
    return r.ok();
  } else {
    return true;
  }
}

// What a committed write changed that replicas keep in memory: the policy
// (groups, settings, technicians), principals and their tokens, the signing
// keys, or an endpoint's command queue (`subject`: the endpoint's id).
// kEverything: changes may have been missed (the listening connection was
// lost), so everything is to be read again.
struct Change {
  enum class Kind { kPolicy, kPrincipals, kKeys, kCommands, kEverything };
  Kind kind = Kind::kEverything;
  std::string subject;
};
// The text a change travels as between replicas, and back (nullopt when it
// is none: a message from something else on the channel).
std::string EncodeChange(const Change& change);
std::optional<Change> DecodeChange(std::string_view text);

// The repositories of one unit of work, on its connection and transaction.
class Repositories {
 public:
  virtual ~Repositories() = default;
  virtual PrincipalRepository& principals() = 0;
  virtual PolicyRepository& policy() = 0;
  virtual EndpointRepository& endpoints() = 0;
  virtual WorkflowRepository& workflows() = 0;
  virtual AuditRepository& audit() = 0;
  virtual KeyRepository& keys() = 0;
  virtual LeaseRepository& leases() = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Runs `f(Repositories&)` on a unit of work of its own and returns what
  // it returns.
  template <typename F>
  auto Read(F&& f) {
    std::optional<std::invoke_result_t<F&, Repositories&>> result;
    RunRead([&](Repositories& tx) { result.emplace(f(tx)); });
    return std::move(*result);
  }

  // Runs `f(Repositories&)` inside a write transaction and returns its
  // result after the commit. If `f` throws, or returns an object whose
  // ok() is false, its changes are rolled back; if the commit fails, Write
  // throws StorageError even for an `f` that succeeded. `f` must not call
  // Write itself.
  template <typename F>
  auto Write(F&& f) {
    std::optional<std::invoke_result_t<F&, Repositories&>> result;
    RunWrite([&](Repositories& tx) {
      result.emplace(f(tx));
      return KeepsChanges(*result);
    });
    return std::move(*result);
  }

  // The events `query` selects, streamed from one snapshot for as long as
  // the cursor lives (on a connection of its own).
  virtual std::unique_ptr<AuditCursor> ExportAudit(const AuditQuery& query) = 0;

  // The schema version this process migrated to at open, and the one the
  // storage itself reports now: a read that proves it answers (/healthz).
  virtual int schema_version() const = 0;
  virtual int ReadSchemaVersion() = 0;
  // Where the data is, for messages (a path, or a server without password).
  virtual const std::string& location() const = 0;

  // Calls `f` for every change committed by any replica of this storage
  // (this one's too), on a thread of the storage's, from now until the
  // storage is destroyed; kEverything when some may have been missed, then
  // every second until they are heard again. The repositories announce
  // what they change in the same transaction. An engine with one process
  // (SQLite) never calls `f`: its services invalidate what they wrote.
  virtual void Watch(std::function<void(const Change&)> f) { (void)f; }

  // Whether other processes (replicas) write to this storage too, so that
  // what this one keeps in memory may be stale until it catches up.
  virtual bool shared() const { return false; }
  // Called before a request is served: calls the Watch function, on this
  // thread and before it returns, for each kind of change (policy,
  // principals, keys) some replica committed since the last call. A write
  // acknowledged by any replica thus governs the next request on every
  // replica, however late its notification. A no-op on one node.
  virtual void CatchUp() {}

 protected:
  virtual void RunRead(const std::function<void(Repositories&)>& f) = 0;
  // Keeps `f`'s changes when it returns true, rolls them back otherwise.
  virtual void RunWrite(const std::function<bool(Repositories&)>& f) = 0;
};

// Whether `location` names a PostgreSQL database (postgresql:// or
// postgres://) rather than a SQLite file.
bool IsPostgresUrl(const std::string& location);
// `url` without its password, for messages and logs.
std::string RedactUrl(const std::string& url);

// Opens (creating when `create`) and migrates the storage at `location`: a
// data file's path (SQLite) or a PostgreSQL URL. Returns nullptr and sets
// `*error` on failure, e.g. a schema newer than this binary, or (without
// `create`) a PostgreSQL database that was never initialised.
std::unique_ptr<Storage> OpenStorage(const std::string& location, bool create, std::string* error);

}  // namespace custodian::admincenter
