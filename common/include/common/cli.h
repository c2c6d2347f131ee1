// Command-line parsing shared by every binary (CLI11): --help and
// --version exit 0 with their text; bad flags print the problem and the
// usage hint and exit 2 (DESIGN.md §8).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace custodian {

inline constexpr int kExitUsage = 2;

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
    app.exit(e);
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace custodian
