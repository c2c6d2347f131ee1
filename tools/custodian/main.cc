// custodian: the command-line tool for admins, technicians and auditors.
// Today it holds the offline commands (policy lint|explain, audit verify);
// the online ones join it as the admin center grows (see README.md).
#include <CLI/CLI.hpp>
#include <iostream>

#include "audit_commands.h"
#include "common/cli.h"
#include "policy_commands.h"

#ifndef CUSTODIAN_VERSION
#define CUSTODIAN_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  CLI::App app("custodian: policy system for remote-support access", "custodian");
  app.set_version_flag("--version", std::string("custodian ") + CUSTODIAN_VERSION);
  app.require_subcommand(1);
  int exit_code = custodian::cli::kExitOk;
  custodian::cli::AddPolicyCommands(app, &exit_code);
  custodian::cli::AddAuditCommands(app, &exit_code);
  if (auto stop = custodian::ParseCommandLine(app, argc, argv)) return *stop;
  return exit_code;
}
