// The running admin center: the parts of a data directory wired together —
// the storage, the signing keys, the audit seal, the services and the HTTP
// server. main() parses flags, starts one and stops it on SIGTERM.
//
// Thread safety: Stop may be called from any one thread.
#pragma once

#include <memory>
#include <string>

#include "admincenter/auth.h"
#include "admincenter/config.h"

namespace custodian::admincenter {

// Files in the data directory.
inline constexpr const char* kDatabaseFile = "admincenter.db";
inline constexpr const char* kSigningKeyFile = "signing-key.pem";
inline constexpr const char* kAuditHeadFile = "audit-head.json";  // the latest signed checkpoint

class Daemon {
 public:
  // Opens the initialised data directory of `config`, verifies the stored
  // audit chain (a broken one is reported, and nothing more is signed) and
  // starts serving, reading time from `clock`. Returns nullptr and sets
  // `*error` when it cannot (not initialised, a key file missing or too
  // open, a bad listen address, the port taken).
  static std::unique_ptr<Daemon> Start(const Config& config, Clock clock, std::string* error);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // e.g. https://127.0.0.1:8443, with the port the server was given.
  std::string url() const;
  struct Parts;

  // Stops accepting, answers parked long-polls (204) and what is in flight,
  // records the refusals still folded and seals the audit head one last
  // time.
  void Stop();

 private:
  explicit Daemon(std::unique_ptr<Parts> parts);
  static std::unique_ptr<Daemon> StartParts(const Config& config, Clock clock, std::string* error);
  std::unique_ptr<Parts> parts_;
};

}  // namespace custodian::admincenter
