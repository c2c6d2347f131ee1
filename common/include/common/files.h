// Reading a whole file, for configuration, keys and documents.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace custodian {

// The file's bytes, or nullopt when it cannot be opened.
inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `data` to `path` durably and atomically: a temporary file beside
// it with `mode`, fsync, rename over `path`, fsync of the directory. Readers
// see the old file or the new one, never a mix, also after a crash. On
// failure returns false with the reason in `*error` and leaves `path` as
// it was.
bool WriteFileAtomically(const std::string& path, std::string_view data, unsigned mode,
                         std::string* error);
// Writes a new file with `mode` (failing if it exists), synced.
bool WriteNewFile(const std::string& path, std::string_view data, unsigned mode,
                  std::string* error);

}  // namespace custodian
