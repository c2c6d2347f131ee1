// Reading a whole file, for configuration, keys and documents.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace custodian {

// The file's bytes, or nullopt when it cannot be opened.
inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace custodian
