#include "common/canonical_json.h"

#include <algorithm>
#include <vector>

namespace custodian {

std::string CanonicalJson(const web::json::value& v) {
  if (v.is_object()) {
    std::vector<std::pair<std::string, const web::json::value*>> fields;
    for (const auto& [k, e] : v.as_object()) fields.emplace_back(k, &e);
    std::sort(fields.begin(), fields.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out = "{";
    for (const auto& [k, e] : fields) {
      if (out.size() > 1) out += ',';
      out += web::json::value::string(k).serialize();
      out += ':';
      out += CanonicalJson(*e);
    }
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      out += CanonicalJson(v.at(i));
    }
    return out + "]";
  }
  return v.serialize();
}

}  // namespace custodian
