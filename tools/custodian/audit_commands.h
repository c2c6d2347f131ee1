// `custodian audit verify FILE`: checks a JSON Lines audit export offline —
// every event's hash, the chain between neighbours, and the signed trailer
// (nothing removed from the end, or from the start of a complete export).
// Exit 0 intact, 1 tampered or truncated, 2 unreadable input.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian::cli {

void AddAuditCommands(CLI::App& app, int* exit_code);

}  // namespace custodian::cli
