// The enforcer's configuration: an optional JSON file, then flags. SIGHUP
// re-reads the file. Every error names its JSON pointer.
#pragma once

#include <string>
#include <vector>

#include "policy/codec.h"

namespace custodian::enforcer {

struct Config {
  int poll_interval_seconds = 30;  // bundle polls
  int command_wait_seconds = 25;   // long-poll length
  std::string local_api_listen = "127.0.0.1:0";
};

// Applies the file at `path` over `config`; the errors, if any (then
// `config` is unchanged).
std::vector<policy::FieldError> ApplyConfigFile(const std::string& path, Config& config);

}  // namespace custodian::enforcer
