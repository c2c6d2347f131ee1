// The enforcer's configuration: an optional JSON file, then flags. SIGHUP
// re-reads the file. Every error names its JSON pointer.
#pragma once

#include <string>
#include <vector>

#include "policy/codec.h"

namespace custodian::enforcer {

struct Config {
  int poll_interval_seconds = 30;  // bundle polls
  int command_wait_seconds = 25;   // long-poll length
  std::string local_api_listen = "127.0.0.1:0";
  // The OS action (restart, unlock, logon): argv, to which the operation,
  // user name and domain are appended; the secret arrives on stdin.
  std::vector<std::string> os_action;
  // How at_connection administrator credentials are checked: "pam" with
  // `admin_verifier_service`, or "command" running `admin_verifier_command`
  // + [user name] with the password on stdin (exit 0: valid).
  std::string admin_verifier = "pam";
  std::string admin_verifier_service = "login";
  std::vector<std::string> admin_verifier_command;
  // R14: what the credential prompt pre-fills (default: the user running
  // the enforcer and the host name).
  std::string windows_user;
  std::string windows_domain;
  int warning_minutes = 5;  // before an unattended session is ended
  // The customer's window (web/customer's build), served by the local API:
  // empty for the folder beside the executable
  // (../share/custodian/customer), "none" for none.
  std::string window_dir;
  // Run when a prompt arrives: argv + [the prompt's text], with a one-time
  // URL of the customer's window on its stdin (not in its arguments, which
  // other local users can read). E.g. a script that calls notify-send.
  std::vector<std::string> prompt_notifier;
  // The lowest level logged: debug, info, warn or error (SIGHUP applies a
  // changed one).
  std::string log_level = "info";
};

// Applies the file at `path` over `config`; the errors, if any (then
// `config` is unchanged).
std::vector<policy::FieldError> ApplyConfigFile(const std::string& path, Config& config);

}  // namespace custodian::enforcer
