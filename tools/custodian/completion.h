// `custodian completion bash|zsh`: a shell completion script for every
// command, option and listed value (--allow NAME, --lock SETTING), made
// from the command tree itself, so it cannot fall behind it.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian::cli {

// Adds the command; call it after every other command is added.
void AddCompletion(CLI::App& app, int* exit_code);

}  // namespace custodian::cli
