// Canonical JSON: the JSON Canonicalization Scheme of RFC 8785 (JCS), the
// form the audit hash chain hashes and the signatures of trailers and
// checkpoints cover (docs/audit-format.md):
// - object members sorted by their keys' UTF-16 code units, no whitespace;
// - strings as UTF-8, escaping only '"', '\\' and U+0000–U+001F (\b \t \n
//   \f \r in their short forms, the rest as \u00xx in lower case);
// - numbers as ECMAScript's Number.prototype.toString writes the double.
// The input must pass text::JsonTextProblems (valid UTF-8, finite
// numbers, exact integers); the admin center refuses anything else at the
// edge. Pure and thread-safe.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <string_view>

namespace custodian {

std::string CanonicalJson(const web::json::value& value);

// The pieces, for writers that build canonical text without a value.
void AppendCanonicalString(std::string_view utf8, std::string& out);
void AppendCanonicalNumber(double d, std::string& out);

}  // namespace custodian
