// `custodian policy lint|explain`: offline checks of a policy document and
// decisions on it, with the exit codes of DESIGN.md §3 (lint: 0 valid,
// 2 errors; explain: 0 allow, 1 deny, 2 bad input — like grep).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace custodian::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitDeny = 1;
inline constexpr int kExitBadInput = 2;

struct LintOptions {
  std::string file;
  bool json = false;
};
int RunLint(const LintOptions& options, std::ostream& out, std::ostream& err);

struct ExplainOptions {
  std::string policy_file;
  std::string request_file;
  std::optional<std::string> now;  // RFC 3339; the system clock when absent
};
int RunExplain(const ExplainOptions& options, std::ostream& out, std::ostream& err);

// Adds `policy lint` and `policy explain` to `app`; the chosen command's
// exit code is stored in `*exit_code` when it runs.
void AddPolicyCommands(CLI::App& app, int* exit_code);

}  // namespace custodian::cli
