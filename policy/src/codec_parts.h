// What the three parts of the codec share (codec.cc: the policy document;
// request_codec.cc: decision requests and their parts; decision_codec.cc:
// decisions and reasons).
#pragma once

#include <cpprest/json.h>

#include <optional>
#include <string>
#include <string_view>

#include "json_reader.h"
#include "policy/identifiers.h"

namespace custodian::policy::internal {

inline constexpr std::string_view kAuthModeNames = "at_connection, at_setup";
inline constexpr std::string_view kSessionTypeNames =
    "applet, mobile_applet, instant_chat, calling_card, unattended";

inline web::json::value Str(std::string_view s) { return web::json::value::string(std::string(s)); }

// A required id at `key` (policy/identifiers.h's alphabet and length).
inline std::optional<std::string> Id(ObjectReader& r, std::string_view key) {
  std::optional<std::string> id = r.String(key, true);
  if (id) {
    if (std::string why = IdProblem(*id); !why.empty()) {
      r.Error(key, why);
      return std::nullopt;
    }
  }
  return id;
}

}  // namespace custodian::policy::internal
