// custodian: the command-line tool for admins, technicians and auditors.
// Today it holds the offline commands (policy lint|explain, audit verify);
// the online ones join it as the admin center grows (see README.md).
#include <CLI/CLI.hpp>
#include <iostream>

#include "audit_commands.h"
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Bad flags: the message, the usage, and exit 2.
    app.exit(e);
    return custodian::cli::kExitBadInput;
  }
  return exit_code;
}
