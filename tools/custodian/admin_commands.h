// Online commands for admins: groups (list, tree, show, create, effective
// settings with provenance), technicians, admins and auditors (list,
// create), global settings, enrollment codes and endpoints. Exit codes as
// in online.h.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace custodian::cli {

void AddAdminCommands(CLI::App& app, int* exit_code);
// `groups …` (group_commands.cc); part of AddAdminCommands.
void AddGroups(CLI::App& app, int* exit_code);
// `login`, `logout`, `whoami`, `profile list|use` (profile_commands.cc);
// part of AddAdminCommands.
void AddProfileCommands(CLI::App& app, int* exit_code);
// A password file's text without its trailing line break.
std::string ReadPasswordFile(const std::string& path);

}  // namespace custodian::cli
