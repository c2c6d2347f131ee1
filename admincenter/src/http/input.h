// Checks of JSON request bodies shared by the services: each problem
// becomes a FieldError with the JSON pointer of the value.
#pragma once

#include <cpprest/json.h>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/codec.h"
#include "policy/identifiers.h"

namespace custodian::admincenter {

using policy::FieldError;
using web::json::value;

// What the codecs write: text, an instant as RFC 3339, null when absent.
inline value Str(std::string_view s) { return value::string(std::string(s)); }
inline value OrNull(const std::string& s) { return s.empty() ? value::null() : Str(s); }
inline value At(policy::Instant t) { return Str(policy::FormatRfc3339(t)); }
inline value At(const std::optional<policy::Instant>& t) { return t ? At(*t) : value::null(); }

inline std::optional<std::string> RequiredString(const value& body, const char* key,
                                                 std::vector<FieldError>& errors, std::size_t max) {
  if (!body.has_field(key)) {
    errors.push_back({std::string("/") + key, "is required"});
    return std::nullopt;
  }
  const value& v = body.at(key);
  if (!v.is_string() || v.as_string().empty() || v.as_string().size() > max) {
    errors.push_back({std::string("/") + key, "must be a non-empty string of at most " +
                                                  std::to_string(max) + " characters"});
    return std::nullopt;
  }
  return v.as_string();
}

// A display name (policy/identifiers.h): required, bounded, no control
// characters.
inline std::optional<std::string> RequiredName(const value& body, const char* key,
                                               std::vector<FieldError>& errors) {
  auto name = RequiredString(body, key, errors, policy::kMaxNameBytes);
  if (!name) return name;
  if (std::string why = policy::NameProblem(*name); !why.empty()) {
    errors.push_back({std::string("/") + key, why});
    return std::nullopt;
  }
  return name;
}

inline void RejectUnknownKeys(const value& body, std::initializer_list<const char*> known,
                              std::vector<FieldError>& errors) {
  for (const auto& [k, v] : body.as_object()) {
    if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; })) {
      errors.push_back({"/" + k, "unknown key"});
    }
  }
}

}  // namespace custodian::admincenter
