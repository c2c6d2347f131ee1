// The technicians' online commands: sessions (open, screen on/off, end),
// unattended access (request in every schedule form, requests, grants,
// connect, revoke, connections) and the customer's Windows credentials
// (request, apply, list).
#pragma once

#include <CLI/CLI.hpp>

namespace custodian::cli {

void AddTechnicianCommands(CLI::App& app, int* exit_code);

}  // namespace custodian::cli
