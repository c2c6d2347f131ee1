// custodian: the command-line tool for admins, technicians and auditors.
// Offline: policy lint|explain, audit verify, keys gen. Online (against an
// admin center, see online.h for the connection and exit codes): for
// admins groups, principals, settings, keys, enrollment codes, endpoints;
// for technicians sessions, unattended access, grants, connections and
// credentials; for auditors audit export. And completion bash|zsh.
#include <CLI/CLI.hpp>
#include <clocale>
#include <iostream>

#include "admin_commands.h"
#include "audit_commands.h"
#include "common/cli.h"
#include "completion.h"
#include "policy_commands.h"
#include "technician_commands.h"

#ifndef CUSTODIAN_VERSION
#define CUSTODIAN_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  // Tables measure text in display columns (wcwidth), which needs UTF-8.
  std::setlocale(LC_CTYPE, "C.UTF-8");
  CLI::App app("custodian: policy system for remote-support access", "custodian");
  app.set_version_flag("--version", std::string("custodian ") + CUSTODIAN_VERSION);
  app.require_subcommand(1);
  int exit_code = custodian::cli::kExitOk;
  custodian::cli::AddPolicyCommands(app, &exit_code);
  custodian::cli::AddAuditCommands(app, &exit_code);
  custodian::cli::AddAdminCommands(app, &exit_code);
  custodian::cli::AddTechnicianCommands(app, &exit_code);
  custodian::cli::AddCompletion(app, &exit_code);
  if (auto stop = custodian::ParseCommandLine(app, argc, argv)) return *stop;
  return exit_code;
}
