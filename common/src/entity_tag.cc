#include "common/entity_tag.h"

#include "common/canonical_json.h"
#include "common/crypto.h"

namespace custodian::http {

std::string EntityTag(const web::json::value& representation) {
  return "\"" + crypto::Hex(crypto::Sha256(CanonicalJson(representation))) + "\"";
}

bool IfMatchHolds(std::string_view if_match, std::string_view current) {
  constexpr std::string_view kSpace = " \t";
  auto trim = [&](std::string_view s) {
    const std::size_t b = s.find_first_not_of(kSpace);
    if (b == std::string_view::npos) return std::string_view();
    return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
  };
  const std::string_view all = trim(if_match);
  if (all.empty() || all == "*") return true;
  // RFC 9110 §8.8.3: an opaque tag holds no '"', so a plain split on
  // commas cannot cut one in two.
  std::size_t start = 0;
  while (start <= all.size()) {
    const std::size_t comma = all.find(',', start);
    const std::string_view tag =
        trim(all.substr(start, comma == std::string_view::npos ? all.npos : comma - start));
    if (tag == current) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace custodian::http
