#include "enforcer/config.h"

#include <cpprest/json.h>

#include <algorithm>

#include "common/files.h"
#include "common/logging.h"

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
  auto string = [&](const std::string& key, std::string& out) {
    if (!v.has_field(key)) return;
    const value& x = v.at(key);
    if (!x.is_string() || x.as_string().size() > 256) {
      errors.push_back({"/" + key, "must be a string of at most 256 characters"});
    } else {
      out = x.as_string();
    }
  };
  // A command line: absolute path first, then arguments.
  auto argv = [&](const std::string& key, std::vector<std::string>& out) {
    if (!v.has_field(key)) return;
    const value& x = v.at(key);
    std::vector<std::string> got;
    if (x.is_array()) {
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!x.at(i).is_string() || x.at(i).as_string().empty()) {
          errors.push_back({"/" + key + "/" + std::to_string(i), "must be a non-empty string"});
          return;
        }
        got.push_back(x.at(i).as_string());
      }
    }
    if (!x.is_array() || got.empty() || !got.front().starts_with("/")) {
      errors.push_back({"/" + key, "must be an array: an absolute program path, then arguments"});
      return;
    }
    out = std::move(got);
  };
  static const std::vector<std::string> kKeys = {"poll_interval_seconds",
                                                 "command_wait_seconds",
                                                 "local_api_listen",
                                                 "os_action",
                                                 "admin_verifier",
                                                 "admin_verifier_service",
                                                 "admin_verifier_command",
                                                 "windows_user",
                                                 "windows_domain",
                                                 "warning_minutes",
                                                 "window_dir",
                                                 "prompt_notifier",
                                                 "log_level"};
  for (const auto& [k, x] : v.as_object()) {
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
      errors.push_back({"/" + k, "unknown key"});
    }
  }
  integer("poll_interval_seconds", 1, 3600, next.poll_interval_seconds);
  integer("command_wait_seconds", 1, 60, next.command_wait_seconds);
  integer("warning_minutes", 0, 120, next.warning_minutes);
  argv("os_action", next.os_action);
  argv("admin_verifier_command", next.admin_verifier_command);
  argv("prompt_notifier", next.prompt_notifier);
  string("window_dir", next.window_dir);
  string("admin_verifier_service", next.admin_verifier_service);
  string("windows_user", next.windows_user);
  string("windows_domain", next.windows_domain);
  if (v.has_field("log_level")) {
    const value& x = v.at("log_level");
    if (!x.is_string() || !logging::ParseLevel(x.as_string())) {
      errors.push_back({"/log_level", "must be \"debug\", \"info\", \"warn\" or \"error\""});
    } else {
      next.log_level = x.as_string();
    }
  }
  if (v.has_field("admin_verifier")) {
    const value& x = v.at("admin_verifier");
    if (!x.is_string() || (x.as_string() != "pam" && x.as_string() != "command")) {
      errors.push_back({"/admin_verifier", "must be \"pam\" or \"command\""});
    } else {
      next.admin_verifier = x.as_string();
    }
  }
  if (next.admin_verifier == "command" && next.admin_verifier_command.empty()) {
    errors.push_back({"/admin_verifier_command", "is required when admin_verifier is \"command\""});
  }
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
