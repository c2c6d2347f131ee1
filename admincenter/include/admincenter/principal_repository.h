// Principals and their tokens (schema/admincenter/0001): the interface the
// service uses; each engine's implementation (src/storage/) is the only
// code with these tables' queries and passes the conformance suite
// (tests/admincenter/repository_conformance_test.cc). Passwords are stored
// as Argon2id hashes and tokens as SHA-256 hashes only.
//
// One lives inside one unit of work (storage.h): not thread-safe, and
// its changes commit with that write's audit event.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admincenter/auth.h"

namespace custodian::admincenter {

class PrincipalRepository {
 public:
  virtual ~PrincipalRepository() = default;

  virtual std::optional<Principal> Find(const std::string& id) = 0;
  // By name, with its password hash ("" when it has none).
  virtual std::optional<Principal> FindByName(const std::string& name,
                                              std::string* password_hash) = 0;
  // The principal a token stands for (an endpoint for an endpoint token),
  // if it is known, unexpired, unrevoked and its principal is enabled;
  // `*expires_at` receives the token's expiry.
  virtual std::optional<Principal> FindByToken(const std::string& token_hash, bool endpoint_token,
                                               policy::Instant now,
                                               policy::Instant* expires_at) = 0;
  // Those of `kind` in the order they were created; admins include the
  // master admins.
  virtual std::vector<Principal> List(Role kind) = 0;

  // `password_hash` may be empty (a master admin created by init).
  virtual void Insert(const Principal& p, const std::string& password_hash,
                      policy::Instant now) = 0;
  virtual void SetPassword(const std::string& id, const std::string& password_hash,
                           policy::Instant now) = 0;
  // Disabling also revokes every token of the principal.
  virtual void SetDisabled(const std::string& id, bool disabled, policy::Instant now) = 0;

  virtual IssuedToken IssueToken(const std::string& principal_id, policy::Instant now,
                                 std::chrono::seconds lifetime) = 0;
  // The owner of an unrevoked token, or nothing.
  virtual std::optional<std::string> TokenOwner(const std::string& token_id) = 0;
  virtual void RevokeToken(const std::string& token_id) = 0;
};

}  // namespace custodian::admincenter
