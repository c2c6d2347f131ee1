// The enforcer's state directory: its SQLite database (WAL,
// synchronous=FULL, migrations from schema/enforcer/) with its identity,
// sync state and its own hash-chained events, and the files beside it.
//
// Thread-safe: one connection behind a mutex (the enforcer writes little).
// SQLite stays in src/storage/: every method throws StorageError, never
// SQLite's own exceptions.
#pragma once

#include <cpprest/json.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "policy/time.h"
#include "schema/storage_error.h"

namespace SQLite {
class Database;
}

namespace custodian::enforcer {

// Files in the state directory.
inline constexpr const char* kDatabaseFile = "enforcer.db";
inline constexpr const char* kBundleFile = "bundle.json";
inline constexpr const char* kEndpointTokenFile = "endpoint-token";
inline constexpr const char* kLocalTokenFile = "local-api-token";
// Where the running daemon's local API listens (http://127.0.0.1:PORT),
// written at every start for `enforcer prompt`.
inline constexpr const char* kLocalApiUrlFile = "local-api-url";
inline constexpr const char* kVaultKeyFile = "vault.key";  // the machine key (at_setup)
// The admin center's CA as enrollment copied it: the one used is the one checked.
inline constexpr const char* kAdminCenterCaFile = "admin-center-ca.pem";

// What the state directory's database failed to do (SQLite's error, or a
// row that does not read back); the local API answers it 503.
using schema::StorageError;

struct EventInput {
  std::string action;  // e.g. "bundle.accepted", "decision"
  std::string target;
  std::string outcome = "success";
  web::json::value reasons = web::json::value::array();
  web::json::value details = web::json::value::object();
};

class Store {
 public:
  // Opens (creating when `create`) and migrates `dir`/enforcer.db.
  static std::unique_ptr<Store> Open(const std::filesystem::path& dir, bool create,
                                     std::string* error);

  const std::filesystem::path& dir() const { return dir_; }
  std::optional<std::string> Get(const std::string& key);
  // Durable when it returns; all values in one transaction.
  void Set(const std::vector<std::pair<std::string, std::string>>& values);

  // Appends an event to the chain (actor: this endpoint) and returns it.
  web::json::value Append(const EventInput& event, policy::Instant now);

  ~Store();

  // One transaction for a change of state and the events that record it:
  // both commit or neither does. `f(Tx&)` must return a value; it may
  // throw, which rolls back. Do not call other Store methods inside.
  class Tx {
   public:
    // The connection, for the row classes in src/storage/.
    SQLite::Database& db() { return *store_.db_; }
    web::json::value Append(const EventInput& event, policy::Instant now) {
      return store_.AppendLocked(event, now);
    }

   private:
    friend class Store;
    explicit Tx(Store& store) : store_(store) {}
    Store& store_;
  };
  template <typename F>
  auto Transact(F&& f) {
    std::optional<std::invoke_result_t<F&, Tx&>> result;
    RunTransaction([&](Tx& tx) { result.emplace(f(tx)); });
    return std::move(*result);
  }
  // The oldest unsent events, at most `max`.
  std::vector<web::json::value> Unsent(std::size_t max);
  void MarkSent(int64_t up_to_seq);
  int64_t UnsentCount();
  // Every event, oldest first (status and tests).
  std::vector<web::json::value> Events();

  // max(`wall`, the largest instant seen so far), persisted: turning the
  // clock back cannot make a bundle or a grant last longer.
  policy::Instant Now(policy::Instant wall);
  // The persisted high-water mark, if any.
  std::optional<policy::Instant> HighWater();
  // Lowers the mark to `to`: only on a time proof the admin center signed
  // over a fresh nonce (Agent::RecoverTime), never on the local clock.
  void LowerHighWater(policy::Instant to);

 private:
  void RunTransaction(const std::function<void(Tx&)>& f);
  // Runs `f` under the mutex, SQLite's exceptions turned into StorageError.
  template <typename F>
  auto Locked(F&& f);
  web::json::value AppendLocked(const EventInput& event, policy::Instant now);
  Store(std::filesystem::path dir, std::unique_ptr<SQLite::Database> db);

  std::filesystem::path dir_;
  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
  std::optional<policy::Instant> high_water_;
  // The log lines of the events the running transaction appended: written
  // once it commits (every workflow step is an event, so each step is a
  // line), never for one rolled back.
  std::vector<std::string> recorded_;
};

}  // namespace custodian::enforcer
