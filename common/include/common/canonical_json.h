// Canonical JSON: object keys sorted by byte value at every level, no
// insignificant whitespace, strings escaped as web::json serialises them.
// The audit hash chain hashes this form, so an auditor can recompute every
// hash from an export, whatever order its fields arrive in.
#pragma once

#include <cpprest/json.h>

#include <string>

namespace custodian {

std::string CanonicalJson(const web::json::value& value);

}  // namespace custodian
