#include "enforcer/config.h"

#include <cpprest/json.h>

#include "common/files.h"

namespace custodian::enforcer {

using web::json::value;

std::vector<policy::FieldError> ApplyConfigFile(const std::string& path, Config& config) {
  const auto text = ReadFile(path);
  if (!text) return {{"", path + ": cannot be read"}};
  std::error_code ec;
  const value v = value::parse(*text, ec);
  if (ec || !v.is_object()) return {{"", path + ": not a JSON object"}};
  std::vector<policy::FieldError> errors;
  Config next = config;
  auto integer = [&](const std::string& key, int lo, int hi, int& out) {
    if (!v.has_field(key)) return;
    const value& x = v.at(key);
    if (!x.is_integer() || x.as_integer() < lo || x.as_integer() > hi) {
      errors.push_back({"/" + key, "must be an integer from " + std::to_string(lo) + " to " +
                                       std::to_string(hi)});
    } else {
      out = x.as_integer();
    }
  };
  for (const auto& [k, x] : v.as_object()) {
    if (k != "poll_interval_seconds" && k != "command_wait_seconds" && k != "local_api_listen") {
      errors.push_back({"/" + k, "unknown key"});
    }
  }
  integer("poll_interval_seconds", 1, 3600, next.poll_interval_seconds);
  integer("command_wait_seconds", 1, 60, next.command_wait_seconds);
  if (v.has_field("local_api_listen")) {
    const value& x = v.at("local_api_listen");
    if (!x.is_string() || !x.as_string().starts_with("127.0.0.1:")) {
      errors.push_back({"/local_api_listen", "must be \"127.0.0.1:PORT\" (loopback only)"});
    } else {
      next.local_api_listen = x.as_string();
    }
  }
  if (errors.empty()) config = next;
  return errors;
}

}  // namespace custodian::enforcer
