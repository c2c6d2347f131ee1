// Entity tags for JSON representations (RFC 9110 §8.8.3) and the If-Match
// precondition (§13.1.1) that lets a client say "only if nobody changed it
// since I read it". Pure and thread-safe.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <string_view>

namespace custodian::http {

// A strong tag over the representation: the SHA-256 of its canonical JSON
// (RFC 8785), in hex and quoted. Equal representations have equal tags,
// whichever replica or process computes them.
std::string EntityTag(const web::json::value& representation);

// Whether a conditional write may go ahead on a resource whose current tag
// is `current`: an absent (empty) If-Match always; "*" (the resource
// exists: the caller has looked it up); otherwise when a tag of the
// comma-separated list equals `current`, compared strongly, so a weak tag
// (W/"…") never matches. Anything unparsable matches nothing.
bool IfMatchHolds(std::string_view if_match, std::string_view current);

}  // namespace custodian::http
