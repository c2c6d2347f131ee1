// A body of the local API that may carry a password (the customer's answer
// to a prompt, the administrator credentials of a connection), read without
// any JSON library in between: cpprestsdk's values copy strings into memory
// that is never wiped. The body must be a flat JSON object whose members
// are all strings; each value is decoded straight into locked memory that
// is wiped when released (SecretBytes). The keys are not secret.
//
// Pure; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "enforcer/vault.h"
#include "policy/codec.h"

namespace custodian::enforcer {

// A password, generously: Windows allows 256 characters, and UTF-8 takes up
// to four bytes for one.
inline constexpr std::size_t kMaxSecretBytes = 1024;

struct SecretForm {
  std::map<std::string, SecretBytes> fields;
  std::vector<policy::FieldError> errors;  // empty when the body was such an object
};

// At most kMaxSecretBytes per value; invalid UTF-8 (after unescaping),
// duplicate keys, nesting and non-string values are errors.
SecretForm ReadSecretForm(std::string_view json);

}  // namespace custodian::enforcer
