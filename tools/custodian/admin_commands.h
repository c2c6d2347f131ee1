// Online commands for admins: groups (list, tree, show, create, effective
// settings with provenance), technicians, admins and auditors (list,
// create), global settings, enrollment codes and endpoints. Exit codes as
// in online.h.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian::cli {

void AddAdminCommands(CLI::App& app, int* exit_code);
// `groups …` (group_commands.cc); part of AddAdminCommands.
void AddGroups(CLI::App& app, int* exit_code);

}  // namespace custodian::cli
