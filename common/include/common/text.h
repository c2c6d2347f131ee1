// Text from outside (DESIGN.md §9): every string that reaches an event, a
// bundle or a terminal is valid UTF-8 and every number is finite, so that
// what the daemons store and export can always be written as JSON again.
// These checks are pure and thread-safe.
#pragma once

#include <cpprest/json.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custodian::text {

// Integers in JSON are exact only within ±(2^53 − 1) (I-JSON, RFC 7493 §2.2):
// the range every JSON reader, and RFC 8785's number form, agree on.
inline constexpr int64_t kMaxExactInteger = (int64_t{1} << 53) - 1;

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF.
bool IsValidUtf8(std::string_view s);

// `s` with each ill-formed sequence replaced by U+FFFD, cut to at most
// `max_bytes` bytes at a character boundary, with "…" marking the cut.
std::string SafeUtf8(std::string_view s, std::size_t max_bytes);

// `s` for a terminal: control characters (C0, DEL, C1) and invalid UTF-8
// shown as \xNN, backslash as \\, so that untrusted names cannot move the
// cursor, change colours or hide what follows.
std::string ForTerminal(std::string_view s);

// web::json::value::parse that never throws: cpprestsdk throws
// std::range_error for some escapes ("\ud800\u0041") instead of reporting
// them. nullopt, with the reason in *error, for anything that is not JSON.
std::optional<web::json::value> ParseJson(const std::string& json, std::string* error);

// `pointer` with one more reference token, escaped as RFC 6901 says
// ("~" as "~0", "/" as "~1").
std::string JoinPointer(const std::string& pointer, std::string_view token);

// `s` as a decimal integer from 0 to `max`: ASCII digits only (no sign,
// no space), nullopt for anything else, a value beyond int64 included. For
// numbers in query parameters, headers and stored text.
std::optional<int64_t> ParseDecimal(std::string_view s,
                                    int64_t max = std::numeric_limits<int64_t>::max());

struct JsonProblem {
  std::string pointer;  // RFC 6901
  std::string message;
};

// What in `v` cannot be hashed and exported faithfully: strings and keys
// that are not valid UTF-8 (a "\ud800" escape parses to such bytes),
// numbers that are not finite, integers beyond kMaxExactInteger. Empty
// when there is nothing; at most `limit` problems.
std::vector<JsonProblem> JsonTextProblems(const web::json::value& v, std::size_t limit = 20);

}  // namespace custodian::text
