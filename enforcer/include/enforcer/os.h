// What the enforcer asks of the operating system, behind interfaces so that
// tests can put fakes in their place (DESIGN.md §6):
// - AdminVerifier checks the administrator credentials presented at the
//   start of an `at_connection` unattended session (R3): PAM on Linux, or
//   a configured command;
// - OsActions carries out restart, unlock and logon with a customer's
//   credentials (R10, at_setup connects): a configured command that gets
//   the operation, user name and domain as arguments and the password on
//   its standard input only — never in its arguments or environment, which
//   other local users can read.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "enforcer/vault.h"

namespace custodian::enforcer {

class AdminVerifier {
 public:
  virtual ~AdminVerifier() = default;
  virtual bool Verify(const std::string& user, const SecretBytes& password) = 0;
};

class OsActions {
 public:
  virtual ~OsActions() = default;
  // `operation`: restart, unlock or logon. False with `detail` (never the
  // secret) when it failed.
  virtual bool Run(const std::string& operation, const std::string& user, const std::string& domain,
                   const SecretBytes& secret, std::string* detail) = 0;
};

// Runs argv + extra arguments with `secret` on stdin; true when it exits 0.
bool RunWithSecretOnStdin(const std::vector<std::string>& argv, const SecretBytes& secret,
                          std::string* detail);

// `argv` + [user]; the password on stdin; exit 0 means valid.
std::unique_ptr<AdminVerifier> CommandVerifier(std::vector<std::string> argv);
// pam_authenticate and pam_acct_mgmt under `service` (e.g. "login").
std::unique_ptr<AdminVerifier> PamVerifier(std::string service);
// `argv` + [operation, user, domain]; the secret on stdin. An empty argv
// fails every operation ("no OS action configured").
std::unique_ptr<OsActions> CommandOsActions(std::vector<std::string> argv);

// This machine's host name (the default endpoint name and Windows domain).
std::string HostName();

}  // namespace custodian::enforcer
