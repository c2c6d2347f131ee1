// Command-line parsing shared by every binary (CLI11): --help and
// --version exit 0 with their text; bad flags print the problem and the
// usage hint and exit 2 (DESIGN.md §8); a command given no subcommand,
// or one it does not have, lists its subcommands (and the nearest name).
#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custodian {

inline constexpr int kExitUsage = 2;

namespace internal {

// The subcommand the command line chose, the deepest (the app itself when
// it chose none).
inline CLI::App* Chosen(CLI::App* app) {
  const std::vector<CLI::App*> chosen = app->get_subcommands();
  return chosen.empty() ? app : Chosen(chosen.front());
}

// "custodian groups": the names from the program down to `app`.
inline std::string CommandPath(const CLI::App* app) {
  return app->get_parent() ? CommandPath(app->get_parent()) + " " + app->get_name()
                           : app->get_name();
}

// Levenshtein distance, for "did you mean".
inline std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0]++;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// A command made only of subcommands got none, or one it does not have:
// says so, suggests the nearest name, and lists them all with their help.
inline int ExplainMissingCommand(CLI::App& app, CLI::App* at, std::ostream& err) {
  std::vector<std::string> left = at->remaining();
  if (left.empty()) left = app.remaining();
  const std::string path = CommandPath(at);
  if (!left.empty() && !left.front().starts_with("-")) {
    err << path << ": unknown command \"" << left.front() << "\"";
    std::string nearest;
    std::size_t best = 3;  // farther than two edits is no suggestion
    for (const CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; })) {
      const std::string& name = sub->get_name();
      if (name.starts_with(left.front())) {  // a prefix: that one
        nearest = name;
        break;
      }
      if (const std::size_t d = EditDistance(left.front(), name); d < best) {
        best = d;
        nearest = name;
      }
    }
    if (!nearest.empty()) err << "; did you mean \"" << nearest << "\"?";
    err << "\n\n";
  } else if (!left.empty()) {
    err << path << ": unknown option \"" << left.front() << "\" (options go after the command)\n\n";
  } else {
    err << path << ": a command is required\n\n";
  }
  err << at->help();
  return kExitUsage;
}

}  // namespace internal

// Parses; returns the exit code when the program should stop now.
inline std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    CLI::App* at = internal::Chosen(&app);
    if (at->get_subcommands().empty() &&
        !at->get_subcommands([](CLI::App*) { return true; }).empty()) {
      return internal::ExplainMissingCommand(app, at, std::cerr);
    }
    app.exit(e);
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace custodian
